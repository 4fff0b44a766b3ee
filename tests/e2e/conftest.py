"""One sandbox (simulator, Ironic, Neutron API and worker as real processes) for all e2e tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox.environment import Options, Sandbox

# Tasks run 200 times faster than on an appliance: a 2-minute profile apply takes 0.6 s.
E2E_TIME_SCALE = 0.005
E2E_NODES = 4


class Witness:
    """The simulator seen directly (``/_sim``), independent of the product's client."""

    def __init__(self, sandbox: Sandbox) -> None:
        assert sandbox.simulator is not None
        self.url = sandbox.simulator.url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = sandbox.simulator.ca_file

    def state(self) -> dict[str, Any]:
        categories = "server-profiles,uplink-sets,ethernet-networks,server-hardware"
        reply = self.session.get(f"{self.url}/_sim/state", params={"categories": categories})
        reply.raise_for_status()
        return reply.json()

    def profiles_on(self, server_uri: str) -> list[dict[str, Any]]:
        return [
            p for p in self.state()["server-profiles"] if p.get("serverHardwareUri") == server_uri
        ]

    def sim(self, method: str, path: str, body: Any = None) -> Any:
        reply = self.session.request(method, f"{self.url}/_sim/{path}", json=body, timeout=30)
        reply.raise_for_status()
        return reply.json()


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
    seen = Witness(sandbox)
    yield seen
    seen.session.close()
