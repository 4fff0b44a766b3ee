"""Bonded bare-metal NICs through the real Ironic and Neutron: an Ironic port group of the two
NICs of a Synergy blade's mezzanine adapter (``Mezz 3:1-a`` and ``Mezz 3:2-a``, one per
interconnect), deployed as one Neutron port.

active-backup: both members' profile connections on the tenant network, no LAG. 802.3ad, with a
trunk on the bond: the two connections paired in one OneView LAG (the same ``lagName``) on the
trunk's network set. OneView is read through ``/_sim/state``, never the product's client.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from oneview_openstack.enroll.inventory import port_bodies
from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import wait_until

from .conftest import Witness

TIMEOUT = 180.0
BOND_VLAN, SUBPORT_VLAN = 175, 176


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    return list((profile.get("connectionSettings") or {}).get("connections") or [])


@dataclass
class Bond:
    """A node whose two adapter NICs form an Ironic port group; undone after the test."""

    conn: Any
    node: Any
    group: Any
    members: list[Any]  # Ironic ports: the enrolled one, then the one the test added
    added: Any

    @property
    def macs(self) -> list[str]:
        return [str(p.address).lower() for p in self.members]


def in_maintenance(conn: Any, node: Any, action: Any) -> Any:
    """Ironic changes port-group membership only in maintenance (or manageable)."""
    conn.baremetal.set_node_maintenance(node, reason="e2e: port group membership")
    try:
        return action()
    finally:
        conn.baremetal.unset_node_maintenance(node)


def make_bond(sandbox: Sandbox, witness: Witness, node: Any, mode: str) -> Bond:
    conn = sandbox.conn
    state = witness.sim(
        "GET", "state", categories="server-hardware,server-profile-templates,interconnects"
    )
    server_uri = node.driver_info["server_hardware_uri"]
    (server,) = [s for s in state["server-hardware"] if s["uri"] == server_uri]
    (template,) = [t for t in state["server-profile-templates"] if t["name"] == "ironic-EG-1"]
    interconnects = {i["uri"]: i for i in state["interconnects"]}
    bodies = port_bodies(server, template, interconnects, physical_network=PHYSNET, all_ports=True)
    (enrolled,) = list(conn.baremetal.ports(node_id=node.id, details=True))
    (other,) = [b for b in bodies if b["address"] != enrolled.address.lower()]
    assert (
        other["local_link_connection"]["switch_id"] != (enrolled.local_link_connection["switch_id"])
    ), "the two NICs must reach two different interconnects"

    def build() -> tuple[Any, Any]:
        group = conn.baremetal.create_port_group(
            node_id=node.id,
            name=f"{node.name}-bond",
            address=enrolled.address,
            mode=mode,
            properties={"miimon": "100"},
        )
        conn.baremetal.update_port(enrolled, port_group_id=group.id)
        added = conn.baremetal.create_port(
            node_id=node.id,
            port_group_id=group.id,
            address=other["address"],
            local_link_connection=other["local_link_connection"],
            physical_network=PHYSNET,
            pxe_enabled=False,
            extra=other["extra"],
        )
        return group, added

    group, added = in_maintenance(conn, node, build)
    return Bond(conn, node, group, [conn.baremetal.get_port(enrolled.id), added], added)


def unmake_bond(bond: Bond) -> None:
    conn = bond.conn

    def undo() -> None:
        conn.baremetal.delete_port(bond.added, ignore_missing=True)
        for port in conn.baremetal.ports(node_id=bond.node.id, details=True):
            if port.port_group_id:
                conn.baremetal.update_port(port, port_group_id=None)
        conn.baremetal.delete_port_group(bond.group, ignore_missing=True)

    in_maintenance(conn, bond.node, undo)


@dataclass
class BondNetwork:
    network: Any
    vif: Any
    subport_network: Any
    subport: Any


@pytest.fixture
def bond_network(sandbox: Sandbox) -> Iterator[BondNetwork]:
    conn = sandbox.conn
    assert conn is not None
    net = conn.network.create_network(
        name="bond-net",
        provider_network_type="vlan",
        provider_physical_network=PHYSNET,
        provider_segmentation_id=BOND_VLAN,
    )
    sub = conn.network.create_network(
        name="bond-subport-net",
        provider_network_type="vlan",
        provider_physical_network=PHYSNET,
        provider_segmentation_id=SUBPORT_VLAN,
    )
    vif = None
    try:
        conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.175.0.0/24")
        vif = conn.network.create_port(network_id=net.id, name="bond-vif")
        subport = conn.network.create_port(network_id=sub.id, name="bond-subport")
        yield BondNetwork(net, vif, sub, subport)
    finally:
        scenario.delete_networks(sandbox, [vif] if vif else [], {"bond-net": net, "sub": sub})


def deploy_bonded(
    sandbox: Sandbox, witness: Witness, bond: Bond, vif: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Deploy the node with the VIF on its port group: (the Neutron port, member connections)."""
    conn, node = bond.conn, bond.node
    conn.baremetal.attach_vif_to_node(node, vif.id)
    conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
    conn.baremetal.set_node_provision_state(node, "active")
    scenario.wait_nodes(sandbox, [node], "active", TIMEOUT)
    # The VIF went on the port group (Ironic prefers port groups), not on one NIC.
    group = conn.baremetal.get_port_group(bond.group.id)
    assert (group.internal_info or {}).get("tenant_vif_port_id") == vif.id
    port = wait_until(
        lambda: (p := conn.network.get_port(vif.id)).status == "ACTIVE" and p,
        timeout=TIMEOUT,
        what="the bond's Neutron port ACTIVE",
    )
    (profile,) = witness.profiles_on(node.driver_info["server_hardware_uri"])
    members = [c for c in connections(profile) if c.get("mac", "").lower() in bond.macs]
    return port, members


def undeploy(sandbox: Sandbox, witness: Witness, bond: Bond, vif: Any) -> None:
    conn, node = bond.conn, bond.node
    if conn.baremetal.get_node(node.id).provision_state != "available":
        conn.baremetal.set_node_provision_state(node, "deleted")
        scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
    scenario.detach_vif(conn, node, vif.id)
    assert witness.profiles_on(node.driver_info["server_hardware_uri"]) == []


def oneview_network(witness: Witness, network_id: str) -> str:
    (uri,) = [
        n["uri"]
        for n in witness.state("ethernet-networks")["ethernet-networks"]
        if n["name"] == f"Neutron [{network_id}]"
    ]
    return str(uri)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("mode", "lag"),
    [("active-backup", False), ("802.3ad", True)],
    ids=["active-backup", "lacp-with-a-trunk"],
)
def test_a_bond_wires_every_member_nic_and_lacp_pairs_them_in_a_lag(
    sandbox: Sandbox, witness: Witness, bond_network: BondNetwork, mode: str, lag: bool
) -> None:
    (node,) = scenario.pick_nodes(sandbox, 1)
    bond = make_bond(sandbox, witness, node, mode)
    trunk = None
    if lag:  # a trunk on the bond: the LAG's two connections go to its network set
        trunk = bond.conn.network.create_trunk(
            name="bond-trunk",
            port_id=bond_network.vif.id,
            sub_ports=[
                {
                    "port_id": bond_network.subport.id,
                    "segmentation_type": "vlan",
                    "segmentation_id": SUBPORT_VLAN,
                }
            ],
        )
    try:
        port, members = deploy_bonded(sandbox, witness, bond, bond_network.vif)
        # Neutron: one port, bound to the node with both links and the port group's mode.
        assert port.binding_host_id == node.id
        assert port.mac_address == bond.macs[0]  # the port group's address
        profile = port.binding_profile
        assert len(profile["local_link_information"]) == 2
        assert profile["local_group_information"]["bond_mode"] == mode
        # OneView: both member NICs' connections on the network (or the trunk's network set),
        # in one LAG for 802.3ad.
        net_uri = oneview_network(witness, bond_network.network.id)
        if trunk is not None:
            (network_set,) = [
                s
                for s in witness.sim("GET", "state", categories="network-sets")["network-sets"]
                if s["name"] == f"Neutron trunk [{trunk.id}]"
            ]
            assert sorted(network_set["networkUris"]) == sorted(
                [net_uri, oneview_network(witness, bond_network.subport_network.id)]
            )
            assert network_set["nativeNetworkUri"] == net_uri
            net_uri = network_set["uri"]
            wait_until(
                lambda: bond.conn.network.get_port(bond_network.subport.id).status == "ACTIVE",
                timeout=TIMEOUT,
                what="the subport of the trunk on the bond ACTIVE",
            )
        assert sorted(c.get("mac", "").lower() for c in members) == sorted(bond.macs)
        assert [c["networkUri"] for c in members] == [net_uri, net_uri]
        assert sorted(c["portId"] for c in members) == ["Mezz 3:1-a", "Mezz 3:2-a"]
        lag_names = {c.get("lagName") for c in members}
        if lag:
            assert lag_names == {"LAG1"}
        else:
            assert lag_names <= {None, ""}

        undeploy(sandbox, witness, bond, bond_network.vif)
        assert bond.conn.network.get_port(bond_network.vif.id).binding_vif_type == "unbound"
    finally:
        undeploy(sandbox, witness, bond, bond_network.vif)
        unmake_bond(bond)
        if trunk is not None:
            bond.conn.network.delete_trunk(trunk, ignore_missing=True)
    assert [p.address for p in bond.conn.baremetal.ports(node_id=node.id)] == [bond.macs[0]]
