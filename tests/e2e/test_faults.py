"""Faults during the scenario: a clear error on the node, and nothing left behind in OneView."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import TENANT_NETWORK
from oneview_openstack.sandbox.environment import Sandbox

from .conftest import Witness

TIMEOUT = 180.0


@dataclass
class Stage:
    """One available node and the scenario's networks; the networks go again afterwards."""

    sandbox: Sandbox
    conn: Any
    networks: dict[str, Any]
    node: Any

    @property
    def server_uri(self) -> str:
        return self.node.driver_info["server_hardware_uri"]

    def deploy(self) -> list[Any]:
        return scenario.deploy(self.sandbox, [self.node], self.networks[TENANT_NETWORK], TIMEOUT)

    def remove_networks(self, vifs: list[Any] | None = None) -> None:
        scenario.delete_networks(self.sandbox, vifs or [], self.networks)


def deploy_error(conn: Any, node: Any, failure: BaseException) -> str:
    """Why the deploy failed: Ironic's newest ERROR in the node's history.

    Not ``last_error``: Ironic's power sync clears it (``node_history`` keeps it) as soon as
    the power state matches, which can be before the test reads it. ``detail``: the list
    truncates each event otherwise.
    """
    reply = conn.baremetal.get(f"/nodes/{node.id}/history?detail=True", microversion="1.78")
    assert reply.status_code == 200, reply.text
    errors = [e for e in reply.json()["history"] if e["severity"] == "ERROR"]
    assert errors, f"no ERROR in the history of {node.name}; the SDK said: {failure}"
    return str(max(errors, key=lambda e: e["created_at"])["event"])


@pytest.fixture
def stage(sandbox: Sandbox) -> Iterator[Stage]:
    assert sandbox.conn is not None
    networks = scenario.create_networks(sandbox)
    (node,) = scenario.pick_nodes(sandbox, 1)
    made = Stage(sandbox, sandbox.conn, networks, node)
    try:
        yield made
    finally:
        made.remove_networks()  # deleting twice is harmless


@pytest.mark.timeout(600)
def test_a_failed_claim_fails_the_deploy_clearly_and_leaves_no_profile(
    sandbox: Sandbox, witness: Witness, stage: Stage
) -> None:
    conn, node, server_uri = stage.conn, stage.node, stage.server_uri
    before = witness.state()
    witness.sim(
        "POST",
        "faults",
        {
            "kind": "task_error",
            "method": "POST",
            "path": "/rest/server-profiles",
            "resource": server_uri,
            "params": {"error_code": "SANDBOX_INJECTED", "message": "Injected apply failure."},
        },
    )
    try:
        with pytest.raises(Exception, match="deploy failed") as failure:
            stage.deploy()
        failed = conn.baremetal.get_node(node.id)
        assert failed.provision_state == "deploy failed"
        error = deploy_error(conn, node, failure.value)
        assert "SANDBOX_INJECTED" in error or "Injected" in error
        assert witness.profiles_on(server_uri) == []
        assert not failed.driver_info.get("applied_server_profile_uri")

        conn.baremetal.set_node_provision_state(node, "deleted")
        scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
        assert witness.profiles_on(server_uri) == []
    finally:
        witness.sim("DELETE", "faults")
        stage.remove_networks()
    after = witness.state()
    assert {p["uri"] for p in after["server-profiles"]} == {
        p["uri"] for p in before["server-profiles"]
    }


@pytest.mark.timeout(600)
def test_an_expired_session_is_renewed_and_the_deploy_completes(
    sandbox: Sandbox, witness: Witness, stage: Stage
) -> None:
    conn, node, server_uri = stage.conn, stage.node, stage.server_uri
    vifs = []
    try:
        witness.sim("POST", "actions/expire_sessions", {})
        vifs = stage.deploy()
        deployed = conn.baremetal.get_node(node.id)
        assert deployed.provision_state == "active"
        assert len(witness.profiles_on(server_uri)) == 1
        assert conn.network.get_port(vifs[0].id).status == "ACTIVE"

        witness.sim("POST", "actions/expire_sessions", {})
        scenario.undeploy(sandbox, [node], TIMEOUT)
        assert witness.profiles_on(server_uri) == []
    finally:
        stage.remove_networks(vifs)
    names = {n["name"] for n in witness.state()["ethernet-networks"]}
    assert {name for name in names if name.startswith("Neutron [")} == (
        sandbox.ironic_network_names()
    )


@pytest.mark.timeout(600)
def test_a_session_that_keeps_expiring_fails_the_claim_clearly(
    sandbox: Sandbox, witness: Witness, stage: Stage
) -> None:
    conn, node, server_uri = stage.conn, stage.node, stage.server_uri
    witness.sim(
        "POST",
        "faults",
        {
            "kind": "session_expired",
            "method": "POST",
            "path": "/rest/server-profiles",
            "times": None,
        },
    )
    try:
        with pytest.raises(Exception, match="deploy failed") as failure:
            stage.deploy()
        last_error = deploy_error(conn, node, failure.value)
        assert "401" in last_error
        assert "password" not in last_error.lower()
        assert witness.profiles_on(server_uri) == []
    finally:
        witness.sim("DELETE", "faults")
    conn.baremetal.set_node_provision_state(node, "deleted")
    scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
    stage.remove_networks()
    assert witness.profiles_on(server_uri) == []
