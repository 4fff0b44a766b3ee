"""A routed network (two segments) through the real Ironic and Neutron.

Segment A is on ``physnet1`` (the sandbox's Tagged uplink set carries it), segment B on
``physnet2``, a physical network Neutron has VLANs for but OneView does not carry (another rack's
switches, say). Each segment has its own subnet. The node reaches only segment A, and nothing
but the driver tells Neutron so (there is no agent): its segment-host mappings, written from
OneView's topology, are what lets Neutron give the deployed port an address from A's subnet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET, UNMAPPED_PHYSNET
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import wait_until

from .conftest import Witness

TIMEOUT = 180.0
VLAN_A, VLAN_B, VLAN_C = 180, 181, 182


@dataclass
class Routed:
    network: Any
    segments: dict[str, Any]  # physnet -> segment
    subnets: dict[str, Any]  # physnet -> subnet
    vif: Any


@pytest.fixture
def routed(sandbox: Sandbox) -> Iterator[Routed]:
    conn = sandbox.conn
    assert conn is not None
    net = conn.network.create_network(
        name="routed",
        segments=[
            {
                "provider:network_type": "vlan",
                "provider:physical_network": physnet,
                "provider:segmentation_id": vlan,
            }
            for physnet, vlan in ((PHYSNET, VLAN_A), (UNMAPPED_PHYSNET, VLAN_B))
        ],
    )
    vif = None
    try:
        segments = {s.physical_network: s for s in conn.network.segments(network_id=net.id)}
        subnets = {
            physnet: conn.network.create_subnet(
                network_id=net.id,
                segment_id=segments[physnet].id,
                ip_version=4,
                cidr=f"10.{vlan}.0.0/24",
                name=f"routed-{physnet}",
            )
            for physnet, vlan in ((PHYSNET, VLAN_A), (UNMAPPED_PHYSNET, VLAN_B))
        }
        vif = conn.network.create_port(network_id=net.id, name="routed-vif")
        yield Routed(net, segments, subnets, vif)
    finally:
        scenario.delete_networks(sandbox, [vif] if vif else [], {"routed": net})


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    return list((profile.get("connectionSettings") or {}).get("connections") or [])


def oneview_networks(witness: Witness) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in witness.state("ethernet-networks")["ethernet-networks"]}


@pytest.mark.timeout(600)
def test_a_routed_network_gets_the_address_of_the_segment_oneview_carries(
    sandbox: Sandbox, witness: Witness, routed: Routed
) -> None:
    conn = sandbox.conn
    assert conn is not None
    assert sorted(routed.segments) == sorted([PHYSNET, UNMAPPED_PHYSNET])
    # OneView: the mapped segment is the network's own OneView network; the other one is left alone.
    networks = oneview_networks(witness)
    mirrored = networks[f"Neutron [{routed.network.id}]"]
    assert mirrored["vlanId"] == VLAN_A
    assert not [n for n in networks.values() if n.get("vlanId") == VLAN_B]
    assert not [n for n in networks if n.startswith("Neutron segment [")]
    tagged = [
        u
        for u in witness.state("uplink-sets")["uplink-sets"]
        if u["ethernetNetworkType"] == "Tagged"
    ]
    assert [mirrored["uri"] in u["networkUris"] for u in tagged] == [True]
    # Neutron defers a routed port's address until it knows the host.
    assert conn.network.get_port(routed.vif.id).fixed_ips == []

    (node,) = scenario.pick_nodes(sandbox, 1)
    try:
        conn.baremetal.attach_vif_to_node(node, routed.vif.id)
        conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
        conn.baremetal.set_node_provision_state(node, "active")
        scenario.wait_nodes(sandbox, [node], "active", TIMEOUT)
        port = wait_until(
            lambda: (p := conn.network.get_port(routed.vif.id)).status == "ACTIVE" and p,
            timeout=TIMEOUT,
            what="the routed port ACTIVE",
        )
        assert port.binding_host_id == node.id
        assert [ip["subnet_id"] for ip in port.fixed_ips] == [routed.subnets[PHYSNET].id]
        (profile,) = witness.profiles_on(node.driver_info["server_hardware_uri"])
        wired = [c for c in connections(profile) if c.get("mac", "").lower() == port.mac_address]
        assert [c["networkUri"] for c in wired] == [mirrored["uri"]]
    finally:
        if conn.baremetal.get_node(node.id).provision_state != "available":
            conn.baremetal.set_node_provision_state(node, "deleted")
            scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
        scenario.detach_vif(conn, node, routed.vif.id)
    assert witness.profiles_on(node.driver_info["server_hardware_uri"]) == []


@pytest.mark.timeout(600)
def test_a_segment_added_through_the_api_gets_its_own_oneview_network_until_deleted(
    sandbox: Sandbox, witness: Witness, routed: Routed
) -> None:
    conn = sandbox.conn
    assert conn is not None
    segment = conn.network.create_segment(
        network_id=routed.network.id,
        network_type="vlan",
        physical_network=PHYSNET,
        segmentation_id=VLAN_C,
        name="routed-c",
    )
    try:
        name = f"Neutron segment [{segment.id}]"
        added = wait_until(
            lambda: oneview_networks(witness).get(name),
            timeout=TIMEOUT,
            what=f"OneView network {name}",
        )
        assert added["vlanId"] == VLAN_C
        tagged = [
            u
            for u in witness.state("uplink-sets")["uplink-sets"]
            if u["ethernetNetworkType"] == "Tagged"
        ]
        assert [added["uri"] in u["networkUris"] for u in tagged] == [True]
        # The network's first segment keeps its OneView network and its name.
        assert oneview_networks(witness)[f"Neutron [{routed.network.id}]"]["vlanId"] == VLAN_A
    finally:
        conn.network.delete_segment(segment, ignore_missing=True)
    assert name not in oneview_networks(witness)
    assert not [n for n in oneview_networks(witness).values() if n.get("vlanId") == VLAN_C]
