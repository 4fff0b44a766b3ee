"""One sandbox for the crash suite: real processes that the tests kill with SIGKILL.

Its own sandbox (not tests/e2e's), because the tests kill and restart its services. Neutron
reconciles every few seconds and the OneView periodic checks run every few seconds, so recovery
is seen within the suite's budget; everything else is the sandbox's default.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness
from sandboxes import enrolled_sandbox, witness_of

TIME_SCALE = 0.005  # a 2-minute profile apply takes 0.6 s
NODES = 4
RECONCILE_INTERVAL = 4  # seconds between Neutron reconciliation passes
PERIODIC_CHECK_INTERVAL = 3  # seconds between the OneView periodic checks in Ironic
ONEVIEW_SETTINGS = {"periodic_check_interval": PERIODIC_CHECK_INTERVAL}


@pytest.fixture(scope="package")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    options = Options(
        state_dir=tmp_path_factory.mktemp("crash"),
        time_scale=TIME_SCALE,
        reconcile_interval=RECONCILE_INTERVAL,
        oneview_settings=dict(ONEVIEW_SETTINGS),
    )
    with enrolled_sandbox(options, NODES) as running:
        yield running


@pytest.fixture(scope="package")
def witness(sandbox: Sandbox) -> Iterator[Witness]:
    with witness_of(sandbox) as seen:
        yield seen


@pytest.fixture(scope="package")
def baseline(sandbox: Sandbox, witness: Witness) -> set[str]:
    """The profiles OneView users had before the suite (the drift check ignores them)."""
    return {p["uri"] for p in witness.state("server-profiles")["server-profiles"]}


@pytest.fixture(scope="package")
def networks(sandbox: Sandbox, baseline: set[str]) -> Iterator[dict[str, Any]]:
    """The scenario's tenant network, for the whole suite (the sandbox made provisioning itself)."""
    made = scenario.create_networks(sandbox)
    yield made
    scenario.delete_networks(sandbox, [], made)


@pytest.fixture
def faults_cleared(witness: Witness) -> Iterator[None]:
    yield
    witness.sim("DELETE", "faults")
