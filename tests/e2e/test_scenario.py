"""The sandbox scenario with real processes, checked on both sides: OpenStack and OneView.

OneView is looked at through the simulator's own ``/_sim/state`` after every step (not through
the product's client, which the scenario's report uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from oneview_openstack.sandbox import report, scenario
from oneview_openstack.sandbox.configs import PHYSNET
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import wait_until

from .conftest import Witness

TIMEOUT = 180.0
CATEGORIES = (*Witness.STATE_CATEGORIES, "network-sets")


def neutron_networks(state: dict[str, Any]) -> dict[str, str]:
    return {
        n["name"]: n["uri"] for n in state["ethernet-networks"] if n["name"].startswith("Neutron [")
    }


def tagged_members(state: dict[str, Any]) -> set[str]:
    uri_to_name = {n["uri"]: n["name"] for n in state["ethernet-networks"]}
    return {
        uri_to_name.get(uri, uri)
        for u in state["uplink-sets"]
        if u.get("ethernetNetworkType") == "Tagged"
        for uri in u.get("networkUris") or []
    }


def trunk_sets(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in state["network-sets"] if s["name"].startswith("Neutron trunk [")}


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    return (profile.get("connectionSettings") or {}).get("connections") or []


@dataclass
class ScenarioRun:
    before: dict[str, Any]
    result: scenario.ScenarioResult
    seen: list[dict[str, Any]]  # the simulator's state after each step


@pytest.fixture(scope="module")
def scenario_run(sandbox: Sandbox, witness: Witness) -> ScenarioRun:
    """The scenario, once per module: the tests below look at it and at what it left behind."""
    before = witness.state(*CATEGORIES)
    seen: list[dict[str, Any]] = []
    result = scenario.run(
        sandbox, timeout=TIMEOUT, observe=lambda _title: seen.append(witness.state(*CATEGORIES))
    )
    return ScenarioRun(before, result, seen)


@pytest.mark.timeout(600)
def test_two_nodes_deployed_onto_a_tenant_network_and_released(
    sandbox: Sandbox, scenario_run: ScenarioRun, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "*" in (sandbox.state_dir / ".gitignore").read_text().split()
    before, result, seen = scenario_run.before, scenario_run.result, scenario_run.seen
    assert result.error is None
    assert len(seen) == 4
    after_networks, deployed, released, clean = seen
    ironic_networks = sandbox.ironic_network_names()
    assert len(ironic_networks) == 1  # provisioning = cleaning = inspection network
    assert set(neutron_networks(before)) == ironic_networks
    assert ironic_networks <= tagged_members(before)

    # 1. The tenant network and the subports' networks exist in OneView, on the tagged uplink set.
    mirrored = {name for name in result.network_names if name.startswith("Neutron [")}
    assert len(mirrored) == 3
    assert set(neutron_networks(after_networks)) == mirrored | ironic_networks
    assert mirrored <= tagged_members(after_networks)
    assert trunk_sets(after_networks) == {}

    # 2. Ironic: active, powered on, owning a profile; Neutron: ports ACTIVE and bound to the node;
    #    OneView: that profile on that server, its boot connection on the tenant network, or for
    #    the second node on its trunk's network set: native the tenant network, tagged the two
    #    subports' networks; the trunk and its subports ACTIVE.
    uri_of = {label: neutron_networks(deployed)[name] for name, label in result.network_names.items()
              if name.startswith("Neutron [")}  # fmt: skip
    (trunk_set,) = trunk_sets(deployed).values()
    assert trunk_set["name"] == f"Neutron trunk [{result.trunk['id']}]"
    assert trunk_set["nativeNetworkUri"] == uri_of["tenant"]
    assert sorted(trunk_set["networkUris"]) == sorted(uri_of.values())
    assert result.trunk["status"] == "ACTIVE"
    assert len(result.trunk["sub_ports"]) == 2
    subports = [p for p in result.ports if p["stage"] == "deployed" and not p["host"]]
    assert [p["status"] for p in subports] == ["ACTIVE", "ACTIVE"]
    active = [n for n in result.nodes if n["stage"] == "deployed"]
    ports = {p["host"]: p for p in result.ports if p["stage"] == "deployed" and p["host"]}
    assert len(active) == 2
    for node, network_uri in zip(active, (uri_of["tenant"], trunk_set["uri"]), strict=True):
        assert (node["provision_state"], node["power_state"]) == ("active", "power on")
        (profile,) = [
            p for p in deployed["server-profiles"] if p.get("serverHardwareUri") == node["server"]
        ]
        assert profile["uri"] == node["profile"]
        server = next(s for s in deployed["server-hardware"] if s["uri"] == node["server"])
        assert server["serverProfileUri"] == node["profile"]
        port = ports[node["uuid"]]
        assert (port["status"], port["vif_type"]) == ("ACTIVE", "other")
        wired = [c for c in connections(profile) if c.get("mac", "").lower() == port["mac"]]
        assert [c["networkUri"] for c in wired] == [network_uri]

    # The first node deployed with oneview-direct (the agent wrote the image to its server's
    # disk), the second with oneview-ramdisk; undeploy cleaned the first disk's partition table.
    assert [n["deploy_interface"] for n in active] == ["oneview-direct", "oneview-ramdisk"]
    assert result.disk["deployed"]["image"] and result.disk["deployed"]["partition_table"]
    assert not result.disk["cleaned"]["image"] and not result.disk["cleaned"]["partition_table"]

    # 3. Undeployed: nodes available without a profile, ports unbound, OneView profiles as before.
    for node in (n for n in result.nodes if n["stage"] == "released"):
        assert (node["provision_state"], node["profile"]) == ("available", None)
    assert {p["vif_type"] for p in result.ports if p["stage"] == "released"} == {"unbound"}
    assert trunk_sets(released) == {}  # the parent is unwired: its set is gone
    assert {p["uri"] for p in released["server-profiles"]} == {
        p["uri"] for p in before["server-profiles"]
    }

    # 4. The tenant network deleted; the one Ironic is configured with stays, uplink sets as before.
    assert set(neutron_networks(clean)) == ironic_networks
    assert tagged_members(clean) == tagged_members(before)
    assert result.clean

    report.show_scenario(report.console(), result, result.label)
    out = capsys.readouterr().out
    assert "('tenant')" in out
    for name in mirrored:
        assert f"now carries {name}" in out  # OneView's names, brackets and all
    assert f"+ network set {trunk_set['name']} ('trunk of " in out
    assert f"- network set {trunk_set['name']} ('trunk of " in out
    assert "applied to Encl1, bay" in out
    assert "OneView is back to where it started" in out
    assert "holds the sandbox image" in out
    assert "cleaning erased the partition table" in out


USER_VLAN = 160  # in the sandbox's range, not the scenario's 150 nor Ironic's 101

# Manual cleaning without an agent (there is no ironic-python-agent in the sandbox): Ironic's
# out-of-band path, ``disable_ramdisk`` (API 1.70), with its reserved power steps. Ironic 39 drops
# reserved steps from a manual clean's validated list (conductor/steps.py _validate_user_steps),
# and the enabled interfaces offer no out-of-band clean step, so the clean runs no step: it must
# reach ``manageable`` without booting a ramdisk, claiming the server or touching its power.
CLEAN_STEPS = [
    {"interface": "power", "step": "power_on"},
    {"interface": "power", "step": "power_off"},
]
POWER_ROUTE = "PUT /rest/server-hardware/{id}/powerState"


def node_state(conn: Any, node: Any, state: str) -> Any:
    """Wait (bounded) for ``state``; a failed state ends the wait with Ironic's last_error."""
    return wait_until(
        lambda: _reached(conn.baremetal.get_node(node.id), state),
        timeout=TIMEOUT,
        what=f"node {node.name} {state}",
    )


def _reached(fresh: Any, state: str) -> Any:
    assert not str(fresh.provision_state).endswith("failed"), fresh.last_error
    return fresh if fresh.provision_state == state else None


def raw_node(conn: Any, node_id: str) -> dict[str, Any]:
    """The node as Ironic's API returns it (openstacksdk has no ``provision_updated_at``)."""
    reply = conn.baremetal.get(f"/nodes/{node_id}", microversion="1.70")
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def _cleaned(fresh: dict[str, Any], managed_at: str) -> dict[str, Any] | None:
    """Back in manageable after a clean (a later provision change than ``manage``'s)."""
    assert fresh["provision_state"] != "clean failed", fresh["last_error"]
    done = fresh["provision_state"] == "manageable" and fresh["provision_updated_at"] != managed_at
    return fresh if done else None


def server_of(witness: Witness, uri: str) -> dict[str, Any]:
    (server,) = [s for s in witness.state("server-hardware")["server-hardware"] if s["uri"] == uri]
    return server


@pytest.mark.timeout(600)
def test_after_the_scenario_a_user_deploys_undeploys_cleans_and_inspects(
    sandbox: Sandbox, witness: Witness, scenario_run: ScenarioRun
) -> None:
    assert scenario_run.result.error is None
    conn = sandbox.conn
    assert conn is not None
    # What Ironic's configuration names is still there.
    for name, network in sandbox.ironic_networks.items():
        assert conn.network.get_network(network.id).name == name
    (node,) = scenario.pick_nodes(sandbox, 1)
    server_uri = node.driver_info["server_hardware_uri"]
    assert node.deploy_interface == "oneview-ramdisk"
    net = conn.network.create_network(
        name="user-net",
        provider_network_type="vlan",
        provider_physical_network=PHYSNET,
        provider_segmentation_id=USER_VLAN,
    )
    vif = None
    try:
        conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.160.0.0/24")
        vif = conn.network.create_port(network_id=net.id, name="user-vif")

        # Deploy: ACTIVE, its profile on the server, the VIF's connection on the user's network.
        conn.baremetal.attach_vif_to_node(node, vif.id)
        conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
        conn.baremetal.set_node_provision_state(node, "active")
        active = node_state(conn, node, "active")
        profile_uri = active.driver_info["applied_server_profile_uri"]
        (profile,) = witness.profiles_on(server_uri)
        assert profile["uri"] == profile_uri
        port = conn.network.get_port(vif.id)
        assert (port.status, port.binding_host_id) == ("ACTIVE", node.id)
        net_uri = neutron_networks(witness.state("ethernet-networks"))[f"Neutron [{net.id}]"]
        wired = [c for c in connections(profile) if c.get("mac", "").lower() == port.mac_address]
        assert [c["networkUri"] for c in wired] == [net_uri]

        # Undeploy (what failed once the scenario had deleted the provisioning network).
        conn.baremetal.set_node_provision_state(node, "deleted")
        released = node_state(conn, node, "available")
        assert released.driver_info.get("applied_server_profile_uri") is None
        assert witness.profiles_on(server_uri) == []
        assert conn.network.get_port(vif.id).binding_vif_type == "unbound"
        conn.baremetal.detach_vif_from_node(node, vif.id)

        # Manual cleaning, out-of-band: back to manageable, OneView untouched.
        conn.baremetal.set_node_provision_state(node, "manage")
        node_state(conn, node, "manageable")
        manageable = raw_node(conn, node.id)
        power_before = server_of(witness, server_uri)["powerState"]
        power_writes = witness.route(POWER_ROUTE)
        reply = conn.baremetal.put(
            f"/nodes/{node.id}/states/provision",
            json={"target": "clean", "clean_steps": CLEAN_STEPS, "disable_ramdisk": True},
            microversion="1.70",
        )
        assert reply.status_code == 202, reply.text
        cleaned = wait_until(
            lambda: _cleaned(raw_node(conn, node.id), manageable["provision_updated_at"]),
            timeout=TIMEOUT,
            what=f"node {node.name} cleaned",
        )
        assert (cleaned["last_error"], cleaned["clean_step"]) == (None, {})
        assert cleaned["power_state"] == manageable["power_state"]
        assert witness.profiles_on(server_uri) == []
        assert server_of(witness, server_uri)["powerState"] == power_before
        assert witness.route(POWER_ROUTE) == power_writes

        # Inspection with the `oneview` interface: properties from OneView's record.
        conn.baremetal.patch_node(
            node,
            [
                {"op": "add", "path": "/inspect_interface", "value": "oneview"},
                {"op": "add", "path": "/properties/cpus", "value": 1},
                {"op": "add", "path": "/properties/memory_mb", "value": 1},
            ],
        )
        conn.baremetal.set_node_provision_state(node, "inspect")
        inspected = node_state(conn, node, "manageable")
        server = server_of(witness, server_uri)
        assert inspected.inspect_interface == "oneview"
        assert inspected.properties["memory_mb"] == server["memoryMb"]
        assert inspected.properties["cpus"] == (
            server["processorCount"] * server["processorCoreCount"]
        )
        assert witness.profiles_on(server_uri) == []

        conn.baremetal.set_node_provision_state(node, "provide")
        node_state(conn, node, "available")
    finally:
        scenario.delete_networks(sandbox, [vif] if vif else [], {"user-net": net})
    names = set(neutron_networks(witness.state("ethernet-networks")))
    assert names == sandbox.ironic_network_names()
