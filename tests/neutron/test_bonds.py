"""Bonds: Ironic port groups wired as OneView connections (active-backup/tlb/alb, 802.3ad LAGs).

The Ironic lookups run openstacksdk against the Ironic stand-in over real HTTP; the wiring runs
the real ML2 plugin against the simulator.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from ironic_standin import IronicStandIn
from oslo_config import cfg

from oneview_openstack.neutron.ironic import (
    GroupMember,
    IronicLookup,
    IronicUnavailable,
    Node,
    PortGroupNotFound,
    register_ironic_opts,
)


@pytest.fixture
def standin(ironic_standin: IronicStandIn) -> Iterator[IronicStandIn]:
    ironic_standin.clear()
    yield ironic_standin
    ironic_standin.clear()


@pytest.fixture
def lookup(standin: IronicStandIn) -> IronicLookup:
    conf = cfg.ConfigOpts()
    conf([], project="oneview-bond-test")
    register_ironic_opts(conf)
    conf.set_override("auth_type", "none", group="ironic")
    conf.set_override("endpoint_override", standin.url, group="ironic")
    return IronicLookup(conf)


LINK_A = {"switch_id": "aa:bb:cc:dd:ee:01", "port_id": "Mezz 3:1", "switch_info": "frame1"}
LINK_B = {"switch_id": "aa:bb:cc:dd:ee:02", "port_id": "Mezz 3:2", "switch_info": "frame1"}


class TestIronicLookups:
    def test_portgroup_ports_are_the_member_nics_not_the_group_address(
        self, standin: IronicStandIn, lookup: IronicLookup
    ) -> None:
        node = str(uuid.uuid4())
        standin.add_node(node, "/rest/server-profiles/p1")
        group = standin.add_portgroup(
            node,
            [
                {"address": "AA:00:00:00:00:01", "local_link_connection": LINK_A},
                {
                    "address": "aa:00:00:00:00:02",
                    "local_link_connection": LINK_B,
                    "physical_network": "physnet1",
                },
            ],
            address="fa:16:3e:00:00:99",
            name="bond0",
        )
        standin.add_portgroup(node, [{"address": "aa:00:00:00:00:03"}])  # another group

        by_uuid = lookup.portgroup_ports(group["uuid"])
        by_name = lookup.portgroup_ports("bond0")

        assert sorted(m.mac for m in by_uuid) == ["aa:00:00:00:00:01", "aa:00:00:00:00:02"]
        assert by_name == by_uuid
        assert all(isinstance(m, GroupMember) and m.node_uuid == node for m in by_uuid)
        links = {m.mac: m.local_link for m in by_uuid}
        assert links == {"aa:00:00:00:00:01": LINK_A, "aa:00:00:00:00:02": LINK_B}
        assert {m.physical_network for m in by_uuid} == {None, "physnet1"}
        asked = [r for r in standin.requests if r.startswith("/v1/ports")]
        assert asked and all("fields=" in r for r in asked), asked

    def test_unknown_portgroup_names_the_id(self, lookup: IronicLookup) -> None:
        ghost = str(uuid.uuid4())
        with pytest.raises(PortGroupNotFound, match=ghost):
            lookup.portgroup_ports(ghost)

    def test_empty_portgroup_has_no_members(
        self, standin: IronicStandIn, lookup: IronicLookup
    ) -> None:
        node = str(uuid.uuid4())
        standin.add_node(node, None)
        group = standin.add_portgroup(node, [])
        assert lookup.portgroup_ports(group["uuid"]) == []

    def test_nodes_lists_every_page(self, standin: IronicStandIn, lookup: IronicLookup) -> None:
        made = {}
        for index in range(5):
            node = str(uuid.uuid4())
            profile = f"/rest/server-profiles/p{index}" if index % 2 else None
            standin.add_node(node, profile, server_hardware_uri=f"/rest/server-hardware/s{index}")
            made[node] = (profile, f"/rest/server-hardware/s{index}")
        standin.page_size = 2  # Ironic pages at [api] max_limit: the lookup follows "next"

        nodes = lookup.nodes()

        assert all(isinstance(n, Node) for n in nodes)
        assert {n.uuid: (n.profile_uri, n.server_hardware_uri) for n in nodes} == made
        assert len([r for r in standin.requests if r.startswith("/v1/nodes")]) == 3

    def test_ironic_down_is_unavailable(self, standin: IronicStandIn, lookup: IronicLookup) -> None:
        standin.down = True
        with pytest.raises(IronicUnavailable, match="cannot list Ironic nodes"):
            lookup.nodes()
        with pytest.raises(IronicUnavailable, match="port group 'bond0'"):
            lookup.portgroup_ports("bond0")
