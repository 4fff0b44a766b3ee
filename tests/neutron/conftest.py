"""Neutron-suite fixtures: the shared simulator and an Ironic stand-in, handed to ML2 test cases.

Neutron's ML2 test base is a unittest class, so the fixtures are attached to the test instance
(autouse) before its ``setUp`` runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ironic_standin import IronicStandIn


@pytest.fixture(scope="session")
def ironic_standin() -> Iterator[IronicStandIn]:
    standin = IronicStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(autouse=True)
def _wire_ml2_case(request: Any, ironic_standin: IronicStandIn) -> None:
    instance = request.instance
    if instance is None or not hasattr(instance, "oneview_overrides"):
        return
    ironic_standin.clear()
    instance.sim_server = request.getfixturevalue("simulator")
    instance.ironic = ironic_standin
