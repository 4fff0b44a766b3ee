"""A Neutron API worker killed in the middle of a OneView write; reconciliation repairs it.

The ML2 driver writes to OneView after Neutron's transaction commits, so a worker killed then
leaves Neutron's record complete and OneView's half done: a network without its uplink-set
membership, a bound port without its profile connection (and not ACTIVE). The write held in the
simulator lands after the worker died; the test makes it fail the way a late write fails when
someone else changed the resource meanwhile (a stale eTag), the worst case. Gunicorn's master
starts a new worker; Neutron's periodic worker is held while the crash is staged, then let go:
two reconciliation passes later everything is whole again.
"""

from __future__ import annotations

from typing import Any

import pytest

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET, TENANT_NETWORK
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import Witness, wait_until
from soak import check

from . import crashing
from .crashing import HANG_GUARD, POLL

LATE_WRITE = 6.0  # real seconds the write is held in the simulator: the kill comes first
STALE = "412 PRECONDITION_FAILED"
# Two passes: the first may find the resources too young to touch (one reconcile_interval).
PASSES = 2
LINK = {"switch_id": "00:00:00:00:00:00", "port_id": "d1", "switch_info": "crash"}


def kill_mid_write(
    sandbox: Sandbox, witness: Witness, path: str, route: str, call: Any, target: str
) -> Any:
    """``call()`` in a thread; kill the API worker while its PUT on ``path`` is held; the late
    PUT (served as ``route``) then meets a changed ``target`` and is refused. Returns what the
    client saw."""
    before = crashing.fired(witness, "latency")
    served = witness.route(route)
    witness.arm("latency", method="PUT", path=path, params={"seconds": LATE_WRITE})
    pid = crashing.worker_pid(sandbox, "Neutron API")
    running = crashing.Call(call)
    crashing.wait_fired(witness, "latency", before, f"the API worker's PUT {path}")
    crashing.kill(pid)
    refusals = crashing.refused(witness, STALE)
    witness.action("bump_etag", uri=target)
    wait_until(
        lambda: witness.route(route) > served and crashing.refused(witness, STALE) > refusals,
        timeout=HANG_GUARD,
        interval=POLL,
        what="the dead worker's late PUT to be refused",
    )
    running.join()
    crashing.wait_api(sandbox)
    assert crashing.worker_pid(sandbox, "Neutron API") != pid
    return running.error


def drift(sandbox: Sandbox, witness: Witness, baseline: set[str]) -> list[str]:
    assert sandbox.conn is not None
    return check.drift(sandbox.conn, witness.state(), baseline)


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("faults_cleared", "networks")
def test_api_worker_killed_mid_uplink_set_write_then_reconciliation_restores_the_membership(
    sandbox: Sandbox, witness: Witness, baseline: set[str]
) -> None:
    conn = sandbox.conn
    assert conn is not None
    (uplink_set,) = [
        u["uri"]
        for u in witness.state("uplink-sets")["uplink-sets"]
        if u.get("ethernetNetworkType") == "Tagged"
    ]
    name = "crash-membership"
    with crashing.reconciliation_held(sandbox):
        seen = kill_mid_write(
            sandbox,
            witness,
            "/rest/uplink-sets/*",
            "PUT /rest/uplink-sets/{id}",
            lambda: conn.network.create_network(
                name=name,
                provider_network_type="vlan",
                provider_physical_network=PHYSNET,
                provider_segmentation_id=170,
            ),
            uplink_set,
        )
        assert seen is not None, "the client got an answer from a worker that was killed"
        (network,) = conn.network.networks(name=name)
        state = witness.state()
        (oneview,) = [
            n for n in state["ethernet-networks"] if n["name"] == f"Neutron [{network.id}]"
        ]
        (carrier,) = [u for u in state["uplink-sets"] if u["uri"] == uplink_set]
        assert oneview["uri"] not in carrier["networkUris"], "the crash left nothing to repair"
        assert drift(sandbox, witness, baseline) == [
            f"lost membership: {name} not in uplink set {carrier['name']}"
        ]
        crashing.record(
            "neutron uplink-set write",
            "left behind",
            client_saw=type(seen).__name__,
            neutron_network=network.status,
            oneview_network=oneview["name"],
            member_of_uplink_set=False,
        )
        passes = crashing.reports(sandbox)
    try:
        crashing.wait_reports(sandbox, passes + PASSES)
        (carrier,) = [
            u for u in witness.state("uplink-sets")["uplink-sets"] if u["uri"] == uplink_set
        ]
        assert oneview["uri"] in carrier["networkUris"]
        assert drift(sandbox, witness, baseline) == []
        crashing.record(
            "neutron uplink-set write", f"after {PASSES} passes", member_of_uplink_set=True
        )
    finally:
        conn.network.delete_network(network.id)
    names = {n["name"] for n in witness.state("ethernet-networks")["ethernet-networks"]}
    assert f"Neutron [{network.id}]" not in names


def spare_mac(sandbox: Sandbox, witness: Witness, node: Any) -> str:
    """A MAC of the node's server that no Ironic port uses (its connection is not there yet)."""
    assert sandbox.conn is not None
    taken = {p.address.lower() for p in sandbox.conn.baremetal.ports(node_id=node.id)}
    (server,) = [
        s
        for s in witness.state("server-hardware")["server-hardware"]
        if s["uri"] == node.driver_info["server_hardware_uri"]
    ]
    macs = [
        virtual["mac"].lower()
        for slot in server["portMap"]["deviceSlots"]
        for physical in slot.get("physicalPorts") or []
        for virtual in physical.get("virtualPorts") or []
    ]
    return next(mac for mac in macs if mac not in taken)


def wired(witness: Witness, profile_uri: str, port_id: str) -> list[str]:
    """The network URIs of the profile's connections named for the port."""
    (profile,) = [
        p for p in witness.state("server-profiles")["server-profiles"] if p["uri"] == profile_uri
    ]
    return [
        c.get("networkUri")
        for c in check.connections(profile)
        if (owner := check.OWNER.match(c.get("name") or "")) and owner["port"] == port_id
    ]


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("faults_cleared")
def test_api_worker_killed_mid_profile_write_then_reconciliation_restores_the_connection(
    sandbox: Sandbox, witness: Witness, networks: dict[str, Any], baseline: set[str]
) -> None:
    conn = sandbox.conn
    assert conn is not None
    tenant = networks[TENANT_NETWORK]
    (node,) = scenario.pick_nodes(sandbox, 1)
    vifs = scenario.deploy(sandbox, [node], tenant, HANG_GUARD)
    port = None
    try:
        node = conn.baremetal.get_node(node.id)
        profile_uri = node.driver_info["applied_server_profile_uri"]
        # A new connection needs the server off; Ironic switches it off, nothing else does.
        conn.baremetal.set_node_power_state(node, "power off", wait=True, timeout=HANG_GUARD)
        mac = spare_mac(sandbox, witness, node)
        with crashing.reconciliation_held(sandbox):
            seen = kill_mid_write(
                sandbox,
                witness,
                profile_uri,
                "PUT /rest/server-profiles/{id}",
                lambda: conn.network.create_port(
                    network_id=tenant.id,
                    mac_address=mac,
                    name="crash-port",
                    device_owner="compute:nova",
                    device_id=node.id,
                    binding_host_id=node.id,
                    binding_vnic_type="baremetal",
                    binding_profile={"local_link_information": [LINK]},
                ),
                profile_uri,
            )
            assert seen is not None, "the client got an answer from a worker that was killed"
            (port,) = conn.network.ports(name="crash-port")
            assert port.binding_vif_type == "other", port
            assert port.status != "ACTIVE", port
            assert wired(witness, profile_uri, port.id) == [], "the crash left nothing to repair"
            crashing.record(
                "neutron profile write",
                "left behind",
                client_saw=type(seen).__name__,
                port=port.status,
                vif_type=port.binding_vif_type,
                connection=None,
            )
            passes = crashing.reports(sandbox)
        crashing.wait_reports(sandbox, passes + PASSES)
        oneview_tenant = next(
            n["uri"]
            for n in witness.state("ethernet-networks")["ethernet-networks"]
            if n["name"] == f"Neutron [{tenant.id}]"
        )
        assert wired(witness, profile_uri, port.id) == [oneview_tenant]
        assert conn.network.get_port(port.id).status == "ACTIVE"
        assert drift(sandbox, witness, baseline) == []
        crashing.record(
            "neutron profile write", f"after {PASSES} passes", port="ACTIVE", connection="tenant"
        )
    finally:
        if port is not None:
            conn.network.delete_port(port.id)
        scenario.undeploy(sandbox, [node], HANG_GUARD)  # detaches the VIF too
        for vif in vifs:
            conn.network.delete_port(vif.id)
    assert drift(sandbox, witness, baseline) == []
