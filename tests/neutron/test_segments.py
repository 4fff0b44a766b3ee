"""Multi-segment networks through the real ML2 plugin with the segments service plugin loaded.

Two logical interconnects (44 servers): physnet1 → US-Tagged-1 (LI-1), physnet4 → US-Tagged-2
(LI-2). A network's first segment is ``Neutron [<network>]``, the others ``Neutron segment
[<segment>]``.
"""

from __future__ import annotations

import uuid
from typing import Any

from ml2_case import OneViewMl2TestCase
from neutron.objects import network as network_obj
from neutron.services.segments import db as segments_plugin_db
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins import directory
from oslo_config import cfg

from oneview_openstack.neutron.reconcile import NeutronReads, Report

LLI = [{"switch_id": "aa:bb:cc:dd:ee:ff", "port_id": "Mezz 3:1"}]


def _id(resource: dict[str, Any]) -> str:
    return resource["uri"].rsplit("/", 1)[1]


def vlan(physnet: str, vlan_id: int) -> dict[str, Any]:
    return {
        "provider:network_type": "vlan",
        "provider:physical_network": physnet,
        "provider:segmentation_id": vlan_id,
    }


class SegmentCase(OneViewMl2TestCase):
    simulator_settings = {"servers": 44}

    def get_additional_service_plugins(self) -> dict[str, str]:
        return {"segments": "segments"}

    def preSetUp(self) -> None:
        super().preSetUp()
        tagged = [u for u in self.ov.members("uplink-sets") if u["ethernetNetworkType"] == "Tagged"]
        self.li1_us = next(u for u in tagged if u["name"] == "US-Tagged-1")
        self.li2_us = next(u for u in tagged if u["name"] == "US-Tagged-2")
        assert self.tagged_us["uri"] == self.li1_us["uri"]
        cfg.CONF.set_override(
            "uplink_set_mappings",
            [
                f"physnet1:{_id(self.li1_us)}",
                f"physnet3:{_id(self.untagged_us)}",
                f"physnet4:{_id(self.li2_us)}",
            ],
            group="oneview",
        )
        cfg.CONF.set_override("reconcile_interval", 0, group="oneview")

    def setup_parent(self) -> None:
        cfg.CONF.set_override(
            "network_vlan_ranges",
            ["physnet1:2:100", "physnet2:200:300", "physnet3:400:500", "physnet4:600:700"],
            group="ml2_type_vlan",
        )
        super().setup_parent()

    # -- helpers ---------------------------------------------------------------------------
    def multi_network(self, *segments: dict[str, Any]) -> dict[str, Any]:
        res = self._create_network(
            self.fmt,
            "routed",
            True,
            arg_list=("segments",),
            segments=list(segments),
            as_admin=True,
        )
        body = self.deserialize(self.fmt, res)
        self.assertEqual(201, res.status_int, body)
        return body["network"]

    def segments_of(self, network_id: str) -> list[Any]:
        objs = network_obj.NetworkSegment.get_objects(self.context, network_id=network_id)
        return sorted(objs, key=lambda s: s.segment_index)

    def add_segment(self, network_id: str, physnet: str, vlan_id: int) -> dict[str, Any]:
        plugin = directory.get_plugin("segments")
        body = {
            "network_id": network_id,
            "network_type": "vlan",
            "physical_network": physnet,
            "segmentation_id": vlan_id,
            "name": None,
            "description": None,
        }
        return plugin.create_segment(self.context, {"segment": body})

    def ov_named(self, name: str) -> dict[str, Any] | None:
        found = self.ov.members("ethernet-networks", filter=f"\"name='{name}'\"")
        return found[0] if found else None

    def ov_segment(self, segment_id: str) -> dict[str, Any] | None:
        return self.ov_named(f"Neutron segment [{segment_id}]")

    def blade_on(self, uplink_set: dict[str, Any]) -> dict[str, Any]:
        """A free blade whose Ethernet ports reach the uplink set's logical interconnect."""
        li = uplink_set["logicalInterconnectUri"]
        for server in self.ov.members("server-hardware"):
            if server.get("serverProfileUri") or not server.get("locationUri"):
                continue
            for slot in server.get("portMap", {}).get("deviceSlots", []):
                for port in slot.get("physicalPorts", []):
                    ic = port.get("interconnectUri")
                    if ic and self.ov.get(ic).json()["logicalInterconnectUri"] == li:
                        return server
        raise AssertionError(f"no free blade on {li}")

    def reconcile(self) -> Report:
        report = Report()
        self.mech().segments.reconcile(NeutronReads(self.context, self.driver), report)
        return report

    def segment_subnets(self, network: dict[str, Any], cidrs: dict[Any, str]) -> dict[str, str]:
        """A subnet per segment (routed network): segment id -> subnet id."""
        subnets = {}
        for segment, cidr in cidrs.items():
            res = self._create_subnet(
                self.fmt, network["id"], cidr, segment_id=segment.id, as_admin=True
            )
            assert res.status_int == 201, res.body
            subnets[segment.id] = self.deserialize(self.fmt, res)["subnet"]["id"]
        return subnets

    # -- segment-host mappings (this module's and the race tests')
    def mapped(self) -> dict[str, set[str]]:
        rows = network_obj.SegmentHostMapping.get_objects(self.context)
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row.host, set()).add(row.segment_id)
        return found

    def node_on(self, uplink_set: dict[str, Any]) -> str:
        server = self.blade_on(uplink_set)
        node = str(uuid.uuid4())
        self.ironic.add_node(node, None, server_hardware_uri=server["uri"])
        return node


class MirroringTests(SegmentCase):
    def test_each_mapped_segment_gets_its_own_oneview_network_on_its_uplink_sets(self):
        network = self.multi_network(
            vlan("physnet1", 51), vlan("physnet4", 601), vlan("physnet2", 250)
        )
        _first, second, unmapped = self.segments_of(network["id"])
        primary = self.ov_named(f"Neutron [{network['id']}]")
        assert (primary["vlanId"], primary["ethernetNetworkType"]) == (51, "Tagged")
        assert primary["uri"] in self.members_of(self.li1_us)
        other = self.ov_segment(second.id)
        assert other["vlanId"] == 601
        assert other["uri"] in self.members_of(self.li2_us)
        assert other["uri"] not in self.members_of(self.li1_us)
        assert self.ov_segment(unmapped.id) is None

        networks = self.mech().networks
        assert networks.uri_on_physnet(network["id"], "physnet4") == other["uri"]
        assert networks.uri_on_physnet(network["id"], "physnet1") == primary["uri"]
        assert networks.uri_on_physnet(network["id"], "physnet2") is None
        assert (
            networks.uri_for_segment(network["id"], {**second.to_dict(), "id": second.id})
            == (other["uri"])
        )

        self.delete_network(network["id"])
        assert self.ov_named(f"Neutron [{network['id']}]") is None
        assert self.ov_segment(second.id) is None
        assert other["uri"] not in self.members_of(self.li2_us)
        assert primary["uri"] not in self.members_of(self.li1_us)

    def test_segments_added_and_deleted_later_follow_into_oneview(self):
        # The first segment is on an unmapped physnet: only the added one is mirrored.
        network = self.create_network("vlan", "physnet2", 252)
        segment = self.add_segment(network["id"], "physnet4", 602)
        assert segment["segment_index"] == 1
        added = self.ov_segment(segment["id"])
        assert added["vlanId"] == 602 and added["uri"] in self.members_of(self.li2_us)

        directory.get_plugin("segments").delete_segment(self.context, segment["id"])
        assert self.ov_segment(segment["id"]) is None
        assert added["uri"] not in self.members_of(self.li2_us)
        assert self.ov_network(network["id"]) is None  # the unmapped first segment: nothing

    def test_a_segment_added_to_a_mirrored_network_gets_its_own_oneview_network(self):
        network = self.create_network("vlan", "physnet1", 52)
        first = self.ov_network(network["id"])
        assert first is not None

        segment = self.add_segment(network["id"], "physnet4", 602)

        added = self.ov_segment(segment["id"])
        assert added["vlanId"] == 602 and added["uri"] in self.members_of(self.li2_us)
        assert self.ov_network(network["id"])["uri"] == first["uri"]
        directory.get_plugin("segments").delete_segment(self.context, segment["id"])
        assert self.ov_segment(segment["id"]) is None
        assert self.ov_network(network["id"])["uri"] == first["uri"]

    def test_a_segment_oneview_refuses_is_logged_and_restored_by_reconciliation(self):
        network = self.create_network("vlan", "physnet2", 253)
        self.arm("task_error", method="PUT", path="/rest/uplink-sets/*")
        segment = self.add_segment(network["id"], "physnet4", 603)  # the API call succeeds
        assert self.ov_segment(segment["id"]) is None  # the half-made network was undone
        report = self.reconcile()
        assert report.extra["segment_networks_created"] == [segment["id"]], report
        assert self.ov_segment(segment["id"])["uri"] in self.members_of(self.li2_us)


class BindingTests(SegmentCase):
    def bound_server(self) -> tuple[dict[str, Any], str, str]:
        server, profile = self.server_with_profile()  # a blade on LI-1
        node = str(uuid.uuid4())
        self.ironic.add_node(node, profile["uri"], server_hardware_uri=server["uri"])
        mac = self.connections(profile)[0]["mac"].lower()
        return profile, node, mac

    def test_the_segment_on_the_ironic_ports_physical_network_is_bound(self):
        network = self.multi_network(vlan("physnet4", 604), vlan("physnet1", 54))
        _first, second = self.segments_of(network["id"])
        profile, node, mac = self.bound_server()
        port = self.create_port(
            network,
            mac=mac,
            host=node,
            profile={"local_link_information": LLI, "physical_network": "physnet1"},
        )
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_OTHER
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        wired = next(c for c in self.connections(profile) if c["mac"].lower() == mac)
        assert wired["networkUri"] == self.ov_segment(second.id)["uri"]

    def test_without_a_physical_network_the_subnets_segment_is_bound(self):
        network = self.multi_network(vlan("physnet4", 605), vlan("physnet1", 55))
        _first, second = self.segments_of(network["id"])
        res = self._create_subnet(
            self.fmt, network["id"], "10.5.0.0/24", segment_id=second.id, as_admin=True
        )
        assert res.status_int == 201, res.body
        profile, node, mac = self.bound_server()
        self.map_host(node, {second.id})
        port = self.create_port(network, mac=mac, host=node)
        assert port["fixed_ips"][0]["subnet_id"] == self.deserialize(self.fmt, res)["subnet"]["id"]
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        wired = next(c for c in self.connections(profile) if c["mac"].lower() == mac)
        assert wired["networkUri"] == self.ov_segment(second.id)["uri"]

    def test_the_subnets_segment_wins_over_another_segment_on_the_same_physnet(self):
        network = self.multi_network(vlan("physnet1", 56), vlan("physnet1", 57))
        _first, second = self.segments_of(network["id"])
        res = self._create_subnet(
            self.fmt, network["id"], "10.7.0.0/24", segment_id=second.id, as_admin=True
        )
        assert res.status_int == 201, res.body
        profile, node, mac = self.bound_server()
        self.map_host(node, {second.id})
        port = self.create_port(
            network,
            mac=mac,
            host=node,
            profile={"local_link_information": LLI, "physical_network": "physnet1"},
        )
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        wired = next(c for c in self.connections(profile) if c["mac"].lower() == mac)
        assert wired["networkUri"] == self.ov_segment(second.id)["uri"]  # where its IP lives

    def map_host(self, host: str, segment_ids: set[str]) -> None:
        segments_plugin_db.update_segment_host_mapping(self.context, host, segment_ids)


class HostMappingTests(SegmentCase):
    def test_reconciliation_maps_each_node_to_the_segments_its_interconnects_carry(self):
        network = self.multi_network(vlan("physnet1", 56), vlan("physnet4", 606))
        on_li1, on_li2 = self.segments_of(network["id"])
        node1, node2 = self.node_on(self.li1_us), self.node_on(self.li2_us)
        other_driver = str(uuid.uuid4())
        self.ironic.add_node(other_driver, None)  # not a OneView server: left alone
        gone = str(uuid.uuid4())  # a node Ironic no longer has
        self.map_host(gone, {on_li1.id})
        self.map_host(other_driver, {on_li2.id})
        self.map_host("compute-1", {on_li1.id})  # an agent's host name: not ours

        before = self.stats()
        report = self.reconcile()
        after = self.stats()
        # One server-hardware listing (its pages) for every node, not one GET per node.
        per_server = "GET /rest/server-hardware/{id}"
        assert after.get(per_server, 0) == before.get(per_server, 0)
        assert after["GET /rest/server-hardware"] > before.get("GET /rest/server-hardware", 0)
        mapped = self.mapped()
        assert mapped[node1] == {on_li1.id}
        assert mapped[node2] == {on_li2.id}
        assert mapped[other_driver] == {on_li2.id}
        assert mapped["compute-1"] == {on_li1.id}
        assert gone not in mapped
        assert len(report.extra["segment_host_mappings_written"]) == 2, report
        assert report.extra["segment_host_mappings_removed"] == [f"{gone} +[] -['{on_li1.id}']"]

        again = self.reconcile()
        assert "segment_host_mappings_written" not in again.extra, again
        assert self.mapped() == mapped

    def test_a_nodes_mapping_on_a_segment_oneview_does_not_mirror_is_kept(self):
        # networking-baremetal's agent maps the node (host = its UUID) from physical_network
        # on physnet2, which OneView does not carry: the driver changes only its own segments.
        network = self.multi_network(vlan("physnet1", 58), vlan("physnet2", 258))
        on_li1, unmirrored = self.segments_of(network["id"])
        node = self.node_on(self.li1_us)
        self.map_host(node, {unmirrored.id})
        report = self.reconcile()
        assert self.mapped()[node] == {on_li1.id, unmirrored.id}
        assert report.extra["segment_host_mappings_written"] == [f"{node} +['{on_li1.id}'] -[]"]
        vanished = str(uuid.uuid4())  # no Ironic node, no agent: only OneView's mapping goes
        self.map_host(vanished, {on_li1.id, unmirrored.id})
        self.reconcile()
        assert self.mapped()[vanished] == {unmirrored.id}

    def test_ironics_binding_of_a_deferred_port_allocates_on_the_nodes_segment(self):
        network = self.multi_network(vlan("physnet1", 63), vlan("physnet4", 613))
        on_li1, on_li2 = self.segments_of(network["id"])
        subnets = self.segment_subnets(network, {on_li1: "10.8.1.0/24", on_li2: "10.8.2.0/24"})
        # Nova creates the port without a host: a routed network defers its IP.
        port = self.create_port(network, mac="52:54:00:00:08:01", host=None, profile={})
        assert port["ip_allocation"] == "deferred" and port["fixed_ips"] == []
        node = self.node_on(self.li1_us)
        updated = self.update_port(
            port["id"],
            **{
                portbindings.HOST_ID: node,
                portbindings.PROFILE: {"local_link_information": LLI},
            },
        )
        assert [ip["subnet_id"] for ip in updated["fixed_ips"]] == [subnets[on_li1.id]]
        assert self.mapped()[node] == {on_li1.id}

    def test_a_segment_added_later_is_mapped_at_once_to_the_nodes_that_reach_it(self):
        network = self.create_network("vlan", "physnet2", 254)  # first segment not mirrored
        node1, node2 = self.node_on(self.li1_us), self.node_on(self.li2_us)
        segment = self.add_segment(network["id"], "physnet4", 611)
        mapped = self.mapped()
        assert mapped.get(node2) == {segment["id"]}
        assert node1 not in mapped

    def test_with_write_segment_host_mappings_off_nothing_is_written(self):
        self.multi_network(vlan("physnet1", 59), vlan("physnet4", 609))
        node = self.node_on(self.li1_us)
        cfg.CONF.set_override("write_segment_host_mappings", False, group="oneview")
        report = self.reconcile()
        assert node not in self.mapped()
        assert "segment_host_mappings_written" not in report.extra, report

    def test_a_port_of_an_unmapped_node_gets_its_ip_on_the_nodes_segment(self):
        network = self.multi_network(vlan("physnet1", 57), vlan("physnet4", 607))
        on_li1, on_li2 = self.segments_of(network["id"])
        subnets = self.segment_subnets(network, {on_li1: "10.7.1.0/24", on_li2: "10.7.2.0/24"})
        node = self.node_on(self.li2_us)
        port = self.create_port(network, mac="52:54:00:00:07:01", host=node)
        assert port["fixed_ips"][0]["subnet_id"] == subnets[on_li2.id]
        assert self.mapped()[node] == {on_li2.id}

    def test_an_agents_mapping_on_an_unmirrored_segment_does_not_stop_the_binding_time_map(self):
        network = self.multi_network(
            vlan("physnet1", 62), vlan("physnet4", 612), vlan("physnet2", 262)
        )
        on_li1, on_li2, unmirrored = self.segments_of(network["id"])
        subnets = self.segment_subnets(network, {on_li1: "10.9.1.0/24", on_li2: "10.9.2.0/24"})
        node = self.node_on(self.li2_us)
        self.map_host(node, {unmirrored.id})  # networking-baremetal's agent, physnet2
        port = self.create_port(network, mac="52:54:00:00:09:01", host=node)
        assert port["fixed_ips"][0]["subnet_id"] == subnets[on_li2.id]
        assert self.mapped()[node] == {on_li2.id, unmirrored.id}

    def map_host(self, host: str, segment_ids: set[str]) -> None:
        segments_plugin_db.update_segment_host_mapping(self.context, host, segment_ids)


class ReconcileTests(SegmentCase):
    def test_lost_segment_network_and_membership_are_restored_orphans_reported(self):
        network = self.multi_network(vlan("physnet1", 58), vlan("physnet4", 608))
        _first, second = self.segments_of(network["id"])
        lost = self.ov_segment(second.id)
        self.ov.wait(self.ov.delete(lost["uri"]))
        orphan_id = str(uuid.uuid4())
        orphan = self.ov.wait(
            self.ov.post(
                "/rest/ethernet-networks",
                json={
                    "name": f"Neutron segment [{orphan_id}]",
                    "vlanId": 690,
                    "ethernetNetworkType": "Tagged",
                    "purpose": "General",
                    "smartLink": False,
                    "privateNetwork": False,
                },
            )
        )
        orphan_uri = orphan["associatedResource"]["resourceUri"]

        report = self.reconcile()
        assert report.extra["segment_networks_created"] == [second.id], report
        assert report.extra["segment_network_orphans"] == [orphan_uri]
        assert "segment_network_orphans_deleted" not in report.extra
        restored = self.ov_segment(second.id)
        assert restored["uri"] in self.members_of(self.li2_us)

        body = self.ov.get(self.li2_us["uri"]).json()
        body["networkUris"] = [u for u in body["networkUris"] if u != restored["uri"]]
        self.ov.wait(self.ov.put(self.li2_us["uri"], json=body))
        cfg.CONF.set_override("delete_orphan_networks", True, group="oneview")
        report = self.reconcile()
        assert report.extra["segment_memberships_restored"] == [
            f"{second.id} {_id(self.li2_us)}"
        ], report
        assert restored["uri"] in self.members_of(self.li2_us)
        assert report.extra["segment_network_orphans_deleted"] == [orphan_uri]
        assert self.ov.get(orphan_uri).status_code == 404

    def test_a_port_on_a_second_segment_is_restored_onto_that_segments_network(self):
        network = self.multi_network(vlan("physnet4", 612), vlan("physnet1", 62))
        first, second = self.segments_of(network["id"])
        server, profile = self.server_with_profile()
        node = str(uuid.uuid4())
        self.ironic.add_node(node, profile["uri"], server_hardware_uri=server["uri"])
        mac = self.connections(profile)[0]["mac"].lower()
        port = self.create_port(
            network,
            mac=mac,
            host=node,
            profile={"local_link_information": LLI, "physical_network": "physnet1"},
        )
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        body = self.ov.get(profile["uri"]).json()
        deploy = self.ov_named("Deploy")["uri"]
        body["connectionSettings"]["connections"][0].update(networkUri=deploy, name="mine")
        self.ov.wait(self.ov.put(profile["uri"], json=body))

        report = self.reconcile_once()
        assert report.connections_restored == [port["id"]], report
        wired = self.connections(profile)[0]["networkUri"]
        assert wired == self.ov_segment(second.id)["uri"]
        assert wired != self.ov_named(f"Neutron [{network['id']}]")["uri"]
        assert first.segment_index == 0
