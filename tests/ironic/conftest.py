"""Hand the shared simulator (reset for every test) to Ironic's unittest-style test cases.

Ironic's test package is imported first of all: it selects oslo.service's threading backend,
which must happen before anything imports oslo.service (see ov_base).
"""

from __future__ import annotations

from typing import Any

import ironic.tests.unit.db.base  # noqa: F401 - must be the first Ironic import
import pytest


@pytest.fixture(autouse=True)
def _attach_simulator(request: pytest.FixtureRequest, simulator: Any) -> None:
    if request.instance is not None:
        request.instance.simulator_server = simulator
