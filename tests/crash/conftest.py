"""One sandbox for the crash suite: real processes that the tests kill with SIGKILL.

Its own sandbox (not tests/e2e's), because the tests kill and restart its services. Neutron
reconciles every few seconds and the OneView periodic checks run every few seconds, so recovery
is seen within the suite's budget; everything else is the sandbox's default.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import pytest

from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness

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
    with Sandbox(options) as running:
        assert running.ironic_oneview and running.neutron_oneview, (
            f"the oneview drivers do not load: ironic: {running.ironic_probe.detail or 'ok'}; "
            f"neutron: {running.neutron_probe.detail or 'ok'}"
        )
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            code = enroll([*running.enroll_argv(), "--limit", str(NODES), "--format", "json"])
        assert code == 0, f"enrollment failed:\n{output.getvalue()}"
        yield running


@pytest.fixture(scope="package")
def witness(sandbox: Sandbox) -> Iterator[Witness]:
    assert sandbox.simulator is not None
    seen = Witness.of(sandbox.simulator)
    yield seen
    seen.http.close()


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
