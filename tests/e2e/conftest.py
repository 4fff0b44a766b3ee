"""One sandbox (simulator, Ironic, Neutron API and worker as real processes) for all e2e tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness

# Tasks run 200 times faster than on an appliance: a 2-minute profile apply takes 0.6 s.
E2E_TIME_SCALE = 0.005
E2E_NODES = 4


@pytest.fixture(scope="package")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    options = Options(state_dir=tmp_path_factory.mktemp("sandbox"), time_scale=E2E_TIME_SCALE)
    with Sandbox(options) as running:
        # A driver that fails to import is a broken product, not a reason to skip.
        assert running.ironic_oneview and running.neutron_oneview, (
            "the oneview drivers do not load: "
            f"ironic: {running.ironic_probe.detail or 'ok'}; "
            f"neutron: {running.neutron_probe.detail or 'ok'}"
        )
        code = enroll([*running.enroll_argv(), "--limit", str(E2E_NODES), "--format", "json"])
        assert code == 0, "enrollment failed; see the captured output"
        yield running


@pytest.fixture(scope="package")
def witness(sandbox: Sandbox) -> Iterator[Witness]:
    assert sandbox.simulator is not None
    seen = Witness.of(sandbox.simulator)
    yield seen
    seen.http.close()
