"""The Ironic conductor killed while OneView applies a claim's profile.

Ironic fails a node it finds in ``deploying`` when its conductor starts again (``deploy
failed``). The profile OneView went on applying is then on the server, but no
``applied_server_profile_uri`` records it: the OneView periodic check adopts it by its claim
name, and the operator's usual commands (``baremetal node undeploy``, or ``deploy`` again) release
or reuse it. Judged from the simulator's witness state and Ironic's API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import TENANT_NETWORK
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import Witness, wait_until
from soak import check

from . import crashing
from .crashing import HANG_GUARD, POLL

# The claim's apply task runs this many times longer than usual: it is still Running when the
# conductor is killed; the simulator's clock is then moved on so that it ends.
SLOW_APPLY = 100.0
CLOCK_JUMP = 300.0 * SLOW_APPLY  # simulated seconds: past the longest profile apply, slowed
STUCK_DEPLOY_ERROR = "can't be resumed by conductor"  # Ironic's _fail_transient_state


@dataclass
class Crashed:
    """What a conductor killed mid-claim left behind."""

    node: Any
    vif: Any
    server_uri: str
    profile: dict[str, Any]


def node_server(node: Any) -> str:
    return str(node.driver_info["server_hardware_uri"])


def claim_killed(
    sandbox: Sandbox, witness: Witness, networks: dict[str, Any], kill: Any
) -> Crashed:
    """Start a deploy, kill Ironic (``kill()``) while the claim's profile applies, restart.

    Returns once Ironic has failed the node and OneView has finished applying the profile.
    """
    conn = sandbox.conn
    assert conn is not None
    (node,) = scenario.pick_nodes(sandbox, 1)
    server_uri = node_server(node)
    assert witness.profiles_on(server_uri) == []
    before = crashing.fired(witness, "task_slow")
    witness.arm(
        "task_slow",
        method="POST",
        path="/rest/server-profiles",
        resource=server_uri,
        params={"factor": SLOW_APPLY},
    )
    vif = conn.network.create_port(network_id=networks[TENANT_NETWORK].id, name="crash-vif")
    conn.baremetal.attach_vif_to_node(node, vif.id)
    conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
    conn.baremetal.set_node_provision_state(node, "active")
    crashing.wait_fired(witness, "task_slow", before, "the claim's profile POST")
    applying = wait_until(
        lambda: witness.profiles_on(server_uri),
        timeout=HANG_GUARD,
        interval=POLL,
        what="the claim's profile",
    )[0]
    assert applying["state"] == "Creating", applying

    kill()

    witness.sim("POST", "clock", {"advance": CLOCK_JUMP})  # OneView finishes on its own
    profile = wait_until(
        lambda: [p for p in witness.profiles_on(server_uri) if p["state"] == "Normal"],
        timeout=HANG_GUARD,
        interval=POLL,
        what="OneView to finish applying the profile",
    )[0]
    assert profile["uri"] == applying["uri"]
    wait_until(
        lambda: crashing.provision_state(sandbox, node.id) == "deploy failed",
        timeout=HANG_GUARD,
        interval=POLL,
        what="Ironic to fail the interrupted deploy",
    )
    return Crashed(conn.baremetal.get_node(node.id), vif, server_uri, profile)


def assert_left_behind(crashed: Crashed, sandbox: Sandbox, witness: Witness) -> None:
    """The profile is on the server, named by the claim; Ironic said why the deploy failed."""
    node = crashed.node
    assert STUCK_DEPLOY_ERROR in (node.last_error or ""), node.last_error
    assert crashed.profile["name"] == f"sandbox [{node.id}]"
    server = next(
        s
        for s in witness.state("server-hardware")["server-hardware"]
        if s["uri"] == crashed.server_uri
    )
    assert server["serverProfileUri"] == crashed.profile["uri"]
    crashing.record(
        "ironic claim",
        "left behind",
        node=node.provision_state,
        last_error=node.last_error,
        recorded=(node.driver_info or {}).get("applied_server_profile_uri"),
        profile=crashed.profile["name"],
        profile_state=crashed.profile["state"],
    )


def adopted(sandbox: Sandbox, crashed: Crashed) -> str | None:
    conn = sandbox.conn
    assert conn is not None
    info = conn.baremetal.get_node(crashed.node.id).driver_info or {}
    return info.get("applied_server_profile_uri")


def drift(sandbox: Sandbox, witness: Witness, baseline: set[str]) -> list[str]:
    assert sandbox.conn is not None
    return check.drift(sandbox.conn, witness.state(), baseline)


def deployed_again(sandbox: Sandbox, witness: Witness, crashed: Crashed) -> dict[str, Any]:
    """Deploy the node once more; it ends active on one profile, its VIF wired."""
    conn = sandbox.conn
    assert conn is not None
    node = crashed.node
    if crashed.vif.id not in conn.baremetal.list_node_vifs(node):  # undeploy detached it
        conn.baremetal.attach_vif_to_node(node, crashed.vif.id)
    # By id: the object still holds the instance_info undeploy cleared, so it would send nothing.
    conn.baremetal.update_node(node.id, instance_info=scenario.instance_info(sandbox))
    conn.baremetal.set_node_provision_state(node, "active")
    scenario.wait_nodes(sandbox, [node], "active", HANG_GUARD)
    (profile,) = witness.profiles_on(crashed.server_uri)
    assert adopted(sandbox, crashed) == profile["uri"]
    assert conn.network.get_port(crashed.vif.id).status == "ACTIVE"
    return profile


def clean_up(sandbox: Sandbox, crashed: Crashed) -> None:
    conn = sandbox.conn
    assert conn is not None
    scenario.undeploy(sandbox, [crashed.node], HANG_GUARD)  # detaches the VIF too
    conn.network.delete_port(crashed.vif.id)


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("faults_cleared")
def test_conductor_worker_killed_mid_claim_then_periodic_adopts_and_undeploy_releases(
    sandbox: Sandbox, witness: Witness, networks: dict[str, Any], baseline: set[str]
) -> None:
    # cotyledon's master starts a new conductor worker, which fails the stuck deploy.
    pid = crashing.worker_pid(sandbox, "Ironic")
    crashed = claim_killed(sandbox, witness, networks, lambda: crashing.kill(pid))
    assert crashing.worker_pid(sandbox, "Ironic") != pid
    assert_left_behind(crashed, sandbox, witness)

    # One periodic pass: the profile is the node's again, so nothing in OneView is unaccounted.
    wait_until(
        lambda: adopted(sandbox, crashed) == crashed.profile["uri"],
        timeout=HANG_GUARD,
        interval=POLL,
        what="the OneView periodic check to adopt the profile",
    )
    assert drift(sandbox, witness, baseline) == []
    assert "adopting profile" in (sandbox.state_dir / "ironic.log").read_text(errors="replace")
    crashing.record("ironic claim, worker killed", "after one periodic pass", recorded=True)

    # The operator's recovery (docs/troubleshooting.md): undeploy releases the profile.
    scenario.undeploy(sandbox, [crashed.node], HANG_GUARD)
    assert witness.profiles_on(crashed.server_uri) == []
    assert adopted(sandbox, crashed) is None
    assert drift(sandbox, witness, baseline) == []

    # And the node is usable: it deploys again.
    profile = deployed_again(sandbox, witness, crashed)
    assert profile["uri"] != crashed.profile["uri"]
    assert drift(sandbox, witness, baseline) == []
    crashing.record(
        "ironic claim, worker killed", "after undeploy and a new deploy", profile=profile["name"]
    )
    clean_up(sandbox, crashed)
    assert witness.profiles_on(crashed.server_uri) == []


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("faults_cleared")
def test_whole_ironic_service_killed_mid_claim_then_a_new_deploy_reuses_the_profile(
    sandbox: Sandbox, witness: Witness, networks: dict[str, Any], baseline: set[str]
) -> None:
    # Master and worker gone, as on a host that lost power; the service is started again.
    crashed = claim_killed(
        sandbox,
        witness,
        networks,
        lambda: (
            crashing.kill_group(sandbox, "Ironic"),
            sandbox.supervisor.restart("Ironic", timeout=HANG_GUARD),
        ),
    )
    assert_left_behind(crashed, sandbox, witness)

    # The operator deploys again straight from "deploy failed": the claim reuses the profile.
    profile = deployed_again(sandbox, witness, crashed)
    assert profile["uri"] == crashed.profile["uri"]
    assert drift(sandbox, witness, baseline) == []
    crashing.record("ironic claim, service killed", "after a new deploy", reused=profile["name"])
    clean_up(sandbox, crashed)
    assert witness.profiles_on(crashed.server_uri) == []
    assert drift(sandbox, witness, baseline) == []
