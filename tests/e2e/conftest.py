"""One sandbox (simulator, Ironic, Neutron API and worker as real processes) for all e2e tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness
from sandboxes import enrolled_sandbox, witness_of

# Tasks run 200 times faster than on an appliance: a 2-minute profile apply takes 0.6 s.
E2E_TIME_SCALE = 0.005
E2E_NODES = 4
E2E_CALLBACK_TIMEOUT = 60


@pytest.fixture(scope="package")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    # Cleaning off (the default): enrollment provides without an agent per node; the scenario
    # and test_agent_deploy turn it on for the nodes they deploy. A silent agent fails a node
    # after a minute (test_agent_deploy waits for that once).
    options = Options(
        state_dir=tmp_path_factory.mktemp("sandbox"),
        time_scale=E2E_TIME_SCALE,
        callback_timeout=E2E_CALLBACK_TIMEOUT,
    )
    with enrolled_sandbox(options, E2E_NODES) as running:
        yield running


@pytest.fixture(scope="package")
def witness(sandbox: Sandbox) -> Iterator[Witness]:
    with witness_of(sandbox) as seen:
        yield seen
