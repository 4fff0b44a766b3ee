"""Bonds: Ironic port groups wired as OneView connections (active-backup/tlb/alb, 802.3ad LAGs).

The Ironic lookups run openstacksdk against the Ironic stand-in over real HTTP; the wiring runs
the real ML2 plugin against the simulator.
"""

from __future__ import annotations

import copy
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from ironic_standin import IronicStandIn
from ml2_case import OneViewMl2TestCase
from neutron_lib.api.definitions import portbindings
from oslo_config import cfg
from test_trunks import TrunkCase

from oneview_openstack.client import views
from oneview_openstack.neutron import bonds, ironic
from oneview_openstack.neutron import connections as conns
from oneview_openstack.neutron.ironic import (
    GroupMember,
    IronicLookup,
    IronicUnavailable,
    Node,
    PortGroupNotFound,
    register_ironic_opts,
)
from oneview_openstack.neutron.ports import PortInfo


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

    def test_a_hung_ironic_is_unavailable_after_the_default_timeout(
        self, lookup: IronicLookup, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A listener that never answers: without a session timeout the lookup waits for ever.
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        lookup._conf.set_override(
            "endpoint_override", f"http://127.0.0.1:{hung.getsockname()[1]}", group="ironic"
        )
        monkeypatch.setattr(ironic, "DEFAULT_TIMEOUT", 0.5)
        errors: list[Exception] = []

        def ask() -> None:
            try:
                lookup.node("some-node")
            except Exception as error:
                errors.append(error)

        asker = threading.Thread(target=ask, daemon=True)
        try:
            asker.start()
            asker.join(timeout=60)
            assert not asker.is_alive(), "the Ironic lookup is still waiting"
        finally:
            hung.close()
        assert len(errors) == 1 and isinstance(errors[0], IronicUnavailable), errors
        assert "some-node" in str(errors[0])

    def test_ironic_down_is_unavailable(self, standin: IronicStandIn, lookup: IronicLookup) -> None:
        standin.down = True
        with pytest.raises(IronicUnavailable, match="cannot list Ironic nodes"):
            lookup.nodes()
        with pytest.raises(IronicUnavailable, match="port group 'bond0'"):
            lookup.portgroup_ports("bond0")


# -- the real ML2 plugin against the simulator ---------------------------------------------
PROFILE_PUTS = "PUT /rest/server-profiles/{id}"


class BondCase(OneViewMl2TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.network = self.create_network("vlan", "physnet1", 42)
        self.ov_uri = self.ov_network(self.network["id"])["uri"]
        self.node_id = str(uuid.uuid4())

    def bonded_server(
        self, mode: str, power: str = "Off", *, links: list[dict[str, Any]] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """A server with an Ironic-applied profile whose two NICs form Ironic port group
        ``bond0`` of ``mode``; and the Neutron binding:profile Ironic 39 sends for it."""
        server, profile = self.server_with_profile(power)
        self.ironic.add_node(self.node_id, profile["uri"], server_hardware_uri=server["uri"])
        macs = [c["mac"].lower() for c in self.connections(profile)]
        links = links or [LINK_A, LINK_B]
        group = self.ironic.add_portgroup(
            self.node_id,
            [
                {"address": mac, "local_link_connection": link}
                for mac, link in zip(macs, links, strict=True)
            ],
            mode=mode,
            name="bond0",
            address=GROUP_MAC,
            properties={"miimon": "100"},
        )
        binding = {
            "local_link_information": links,
            "local_group_information": {
                "id": group["uuid"],
                "name": "bond0",
                "bond_mode": mode,
                "bond_properties": {"bond_miimon": "100"},
            },
        }
        return server, profile, binding

    def profile_puts(self) -> int:
        return self.stats().get(PROFILE_PUTS, 0)

    def bond_port(self, binding: dict[str, Any], status: int = 201) -> dict[str, Any]:
        return self.create_port(
            self.network, mac=GROUP_MAC, host=self.node_id, profile=binding, status=status
        )


GROUP_MAC = "fa:16:3e:00:be:ef"  # the port group's address: on no NIC of the server


class NonLacpBondTests(BondCase):
    def test_active_backup_wires_every_member_in_one_edit_and_undo_restores_them(self):
        _server, profile, binding = self.bonded_server("active-backup")
        before = self.connections(profile)
        puts = self.profile_puts()
        self.ironic.requests.clear()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.profile_puts() == puts + 1
        group = binding["local_group_information"]["id"]
        asked = [r for r in self.ironic.requests if r.startswith("/v1/ports")]
        assert len(asked) == 1 and f"portgroup={group}" in asked[0], self.ironic.requests
        after = self.connections(profile)
        assert [c["networkUri"] for c in after] == [self.ov_uri, self.ov_uri]
        assert all(c["name"].startswith(f"Neutron [{port['id']}] was ") for c in after)
        assert [c.get("lagName") for c in after] == [None, None]

        self.update_port(port["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        assert self.profile_puts() == puts + 2
        restored = self.connections(profile)
        assert [(c["networkUri"], c["name"]) for c in restored] == [
            (c["networkUri"], c["name"]) for c in before
        ]

    def test_on_a_powered_on_server_a_non_lacp_bond_needs_no_power_change(self):
        server, profile, binding = self.bonded_server("active-backup", power="On")
        power = self.power_puts()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert {c["networkUri"] for c in self.connections(profile)} == {self.ov_uri}
        self._delete("ports", port["id"], as_admin=True)
        assert self.ov_uri not in {c["networkUri"] for c in self.connections(profile)}
        assert self.power_puts() == power
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"

    def test_numeric_modes_5_and_6_are_accepted(self):
        for mode in ("5", "6"):
            self.ironic.clear()
            self.node_id = str(uuid.uuid4())
            _server, profile, binding = self.bonded_server(mode)
            port = self.bond_port(binding)
            assert self.show_port(port["id"])["status"] == "ACTIVE", mode
            assert {c["networkUri"] for c in self.connections(profile)} == {self.ov_uri}
            self._delete("ports", port["id"], as_admin=True)

    def test_a_lag_the_template_made_is_cleared_for_active_backup_and_restored_on_undo(self):
        _server, profile, binding = self.bonded_server("balance-alb")
        body = self.ov.get(profile["uri"]).json()
        for connection in body["connectionSettings"]["connections"]:
            connection["lagName"] = "LAG7"
        self.ov.wait(self.ov.put(profile["uri"], json=body))

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ACTIVE"
        wired = self.connections(profile)
        assert [c.get("lagName") for c in wired] == [None, None]
        assert all(f"Neutron [{port['id']}] had LAG7 was " in c["name"] for c in wired)
        self._delete("ports", port["id"], as_admin=True)
        assert [c.get("lagName") for c in self.connections(profile)] == ["LAG7", "LAG7"]

    def test_members_come_from_ironic_so_an_unknown_group_fails_the_port_without_a_write(self):
        _server, profile, binding = self.bonded_server("active-backup")
        binding["local_group_information"]["id"] = str(uuid.uuid4())
        before = self.connections(profile)
        writes = self.writes()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ERROR"
        assert self.writes() == writes
        assert self.connections(profile) == before

    def test_a_group_of_another_node_fails_the_port(self):
        _server, _profile, binding = self.bonded_server("active-backup")
        group = self.ironic.portgroups[binding["local_group_information"]["id"]]
        stranger = str(uuid.uuid4())
        self.ironic.add_node(stranger, None)
        for port in self.ironic.ports.values():
            port["node_uuid"] = stranger
        group["node_uuid"] = stranger
        writes = self.writes()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ERROR"
        assert self.writes() == writes

    def test_refused_modes_and_shapes_are_400s_naming_what_is_accepted(self):
        _server, _profile, binding = self.bonded_server("active-backup")
        writes = self.writes()
        group = binding["local_group_information"]
        cases: list[tuple[dict[str, Any], str]] = [
            ({**binding, "local_group_information": {**group, "bond_mode": m}}, m)
            for m in ("balance-rr", "0", "2", "broadcast", "bogus")
        ]
        cases += [
            ({**binding, "local_group_information": {**group, "id": None}}, "UUID"),
            ({**binding, "local_group_information": "bond0"}, "object"),
            ({"local_link_information": [LINK_A, LINK_B]}, "local_group_information"),
            (
                {
                    "local_link_information": [LINK_A, LINK_B, LINK_A],
                    "local_group_information": {**group, "bond_mode": "802.3ad"},
                },
                "exactly two",
            ),
            (
                {
                    "local_link_information": [
                        LINK_A,
                        {**LINK_B, "switch_id": LINK_A["switch_id"]},
                    ],
                    "local_group_information": {**group, "bond_mode": "4"},
                },
                "different interconnects",
            ),
        ]
        for profile, named in cases:
            res = self._create_port(
                self.fmt,
                self.network["id"],
                is_service=True,
                arg_list=(portbindings.VNIC_TYPE, portbindings.HOST_ID, portbindings.PROFILE),
                **{
                    portbindings.VNIC_TYPE: portbindings.VNIC_BAREMETAL,
                    portbindings.HOST_ID: self.node_id,
                    portbindings.PROFILE: profile,
                },
            )
            body = self.deserialize(self.fmt, res)
            assert res.status_int == 400, (profile, body)
            message = body["NeutronError"]["message"]
            assert named in message, message
            if "bond_mode is" in message:
                assert "active-backup (1)" in message and "802.3ad (4)" in message, message
        assert self.writes() == writes


class LacpBondTests(BondCase):
    def test_802_3ad_pairs_the_two_connections_in_one_lag_and_undo_clears_it(self):
        _server, profile, binding = self.bonded_server("802.3ad")
        puts = self.profile_puts()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.profile_puts() == puts + 1
        wired = self.connections(profile)
        assert [(c["networkUri"], c["lagName"]) for c in wired] == [
            (self.ov_uri, "LAG1"),
            (self.ov_uri, "LAG1"),
        ]
        assert len({c["requestedMbps"] for c in wired}) == 1

        self._delete("ports", port["id"], as_admin=True)
        assert [c.get("lagName") for c in self.connections(profile)] == [None, None]

    def test_on_a_powered_on_server_a_lag_waits_for_the_power_opt_in(self):
        server, profile, binding = self.bonded_server("802.3ad", power="On")
        before = self.connections(profile)
        power = self.power_puts()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ERROR"  # NeedsPowerOff, logged
        assert self.power_puts() == power
        assert self.connections(profile) == before
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"

    def test_undo_on_a_powered_on_server_restores_networks_and_keeps_the_lag(self):
        server, profile, binding = self.bonded_server("4")
        before = self.connections(profile)
        port = self.bond_port(binding)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        power = self.power_puts()

        self._delete("ports", port["id"], as_admin=True)

        after = self.connections(profile)
        assert self.power_puts() == power
        assert [(c["networkUri"], c["name"]) for c in after] == [
            (c["networkUri"], c["name"]) for c in before
        ]
        assert [c["lagName"] for c in after] == ["LAG1", "LAG1"]  # re-paired only when off

    def test_a_trunk_on_a_bond_puts_both_lag_members_on_the_network_set(self):
        _server, profile, binding = self.bonded_server("802.3ad")
        port = self.bond_port(binding)
        network_set = self.ov.wait(
            self.ov.post(
                "/rest/network-sets",
                json={
                    "name": f"bond-trunk-{uuid.uuid4().hex[:6]}",
                    "networkUris": [self.ov_uri],
                    "nativeNetworkUri": self.ov_uri,
                    "networkSetType": "Regular",
                },
            )
        )["associatedResource"]["resourceUri"]
        ports = self.mech().ports

        assert ports.plug(PortInfo.of(self.show_port(port["id"])), network_set)

        wired = self.connections(profile)
        assert [(c["networkUri"], c["lagName"]) for c in wired] == [
            (network_set, "LAG1"),
            (network_set, "LAG1"),
        ]

    def test_requested_mbps_reaches_every_member(self):
        _server, profile, binding = self.bonded_server("802.3ad")
        port = self.bond_port(binding)
        ports = self.mech().ports

        assert ports.plug(PortInfo.of(self.show_port(port["id"])), self.ov_uri, requested_mbps=3000)

        assert [c["requestedMbps"] for c in self.connections(profile)] == ["3000", "3000"]

    def test_reconciliation_restores_a_lost_lag_and_a_moved_member(self):
        _server, profile, binding = self.bonded_server("802.3ad")
        port = self.bond_port(binding)
        body = self.ov.get(profile["uri"]).json()
        deploy = self.ov.members("ethernet-networks", filter="\"name='Deploy'\"")[0]["uri"]
        for connection in body["connectionSettings"]["connections"]:
            connection.update(lagName=None)
        body["connectionSettings"]["connections"][1].update(networkUri=deploy)
        self.ov.wait(self.ov.put(profile["uri"], json=body))
        report = self.reconcile_once()

        assert report.connections_restored == [port["id"]], report
        wired = self.connections(profile)
        assert [(c["networkUri"], c["lagName"]) for c in wired] == [
            (self.ov_uri, "LAG1"),
            (self.ov_uri, "LAG1"),
        ]
        again = self.reconcile_once()
        assert again.connections_restored == [], again

    def test_reconciliation_undoes_a_stale_lag_pair_on_a_powered_on_server(self):
        server, profile, binding = self.bonded_server("802.3ad")
        before = self.connections(profile)
        port = self.bond_port(binding)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        self.ironic.down = True
        self._delete("ports", port["id"], as_admin=True)  # the undo fails: Ironic is down
        self.ironic.down = False
        assert all(
            c["name"].startswith(f"Neutron [{port['id']}]") for c in self.connections(profile)
        )
        power = self.power_puts()
        report = self.reconcile_once(undo_stale_connections=True)

        assert report.errors == [], report
        assert report.stale_connections_undone == [f"{profile['uri']} {port['id']}"], report
        after = self.connections(profile)
        assert self.power_puts() == power
        assert [(c["networkUri"], c["name"]) for c in after] == [
            (c["networkUri"], c["name"]) for c in before
        ]
        assert [c["lagName"] for c in after] == ["LAG1", "LAG1"]  # re-paired only when off


class LacpWithPowerCycleTests(BondCase):
    oneview_overrides = {"allow_power_cycle_for_connection_changes": True}

    def test_the_opt_in_cycles_the_power_once_and_the_server_is_on_again(self):
        server, profile, binding = self.bonded_server("802.3ad", power="On")
        power = self.power_puts()

        port = self.bond_port(binding)

        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.power_puts() == power + 2  # off, then on again
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"
        assert [c["lagName"] for c in self.connections(profile)] == ["LAG1", "LAG1"]


# -- pure parts ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "mode"),
    [
        ("active-backup", "active-backup"),
        ("1", "active-backup"),
        (1, "active-backup"),
        ("balance-tlb", "balance-tlb"),
        ("5", "balance-tlb"),
        ("Balance-ALB", "balance-alb"),
        ("6", "balance-alb"),
        ("802.3ad", "802.3ad"),
        ("4", "802.3ad"),
        (4, "802.3ad"),
    ],
)
def test_accepted_bond_modes(given: Any, mode: str) -> None:
    assert bonds.canonical_mode(given) == mode


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("balance-rr", "static link aggregate"),
        ("0", "static link aggregate"),
        ("balance-xor", "static link aggregate"),
        ("2", "static link aggregate"),
        ("3", "static link aggregate"),
        ("7", "not a Linux bonding mode"),
        (None, "not a Linux bonding mode"),
    ],
)
def test_refused_bond_modes_name_the_value_and_the_accepted_ones(given: Any, why: str) -> None:
    with pytest.raises(bonds.BondRefused, match=why) as caught:
        bonds.canonical_mode(given)
    assert repr(given) in str(caught.value) and bonds.ACCEPTED in str(caught.value)


def test_a_plain_port_is_no_bond() -> None:
    assert bonds.request_of({"local_link_information": [LINK_A]}) is None
    assert bonds.request_of(None) is None
    request = bonds.request_of(
        {
            "local_link_information": [LINK_A, LINK_B],
            "local_group_information": {"id": "pg", "name": "b", "bond_mode": "4"},
        }
    )
    assert request is not None and request.lacp and request.group_id == "pg"


def test_lag_names_keep_a_shared_free_name_else_take_the_lowest_free_one() -> None:
    pair = [{"lagName": "LAG5"}, {"lagName": "LAG5"}]
    others = [{"lagName": "LAG1"}, {"lagName": "LAG1"}, {"lagName": None}]
    assert bonds.free_lag_name(others + pair, pair) == "LAG5"
    mixed = [{"lagName": "LAG1"}, {"lagName": None}]
    assert bonds.free_lag_name(others + mixed, mixed) == "LAG2"
    taken = [{"lagName": name} for name in bonds.LAG_NAMES]
    fresh = [{}, {}]
    with pytest.raises(bonds.BondRefused, match=r"LAG1\.\.LAG24"):
        bonds.free_lag_name(taken + fresh, fresh)


class TestLagPairOnRealServers:
    """check_lag_pair against the simulator's own server bodies (blade and rack)."""

    def servers(self, api: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        members = api.members("server-hardware")
        blade = next(s for s in members if s.get("locationUri"))
        rack = next(s for s in members if not s.get("locationUri"))
        return blade, rack

    def test_the_two_mezz_ports_of_a_blade_pair(self, api: Any) -> None:
        blade, _rack = self.servers(api)
        pair = [{"portId": "Mezz 3:1-a"}, {"portId": "Mezz 3:2-a"}]
        bonds.check_lag_pair("pg", pair, blade)  # no refusal
        bonds.check_lag_pair("pg", [{"portId": "Mezz 3:1-b"}, {"portId": "Mezz 3:2-b"}], blade)

    @pytest.mark.parametrize(
        ("ports", "why"),
        [
            (["Mezz 3:1-a", "Mezz 3:1-b"], "same FlexNIC of the two ports"),
            (["Mezz 3:1-a", "Mezz 3:2-b"], "same FlexNIC of the two ports"),
            (["Mezz 3:1-a", "Flb 1:2-a"], "same FlexNIC of the two ports"),
            (["Mezz 3:1-a"], "exactly two"),
        ],
    )
    def test_pairs_a_lag_cannot_be(self, api: Any, ports: list[str], why: str) -> None:
        blade, _rack = self.servers(api)
        with pytest.raises(bonds.BondRefused, match=why):
            bonds.check_lag_pair("pg", [{"portId": p} for p in ports], blade)

    def test_a_rack_server_has_no_interconnects_for_a_lag(self, api: Any) -> None:
        _blade, rack = self.servers(api)
        pair = [{"portId": "Embedded 1:1-a"}, {"portId": "Embedded 1:2-a"}]
        with pytest.raises(bonds.BondRefused, match="only on Synergy"):
            bonds.check_lag_pair("pg", pair, rack)

    def test_two_ports_on_one_interconnect_are_refused(self, api: Any) -> None:
        blade, _rack = self.servers(api)
        blade = copy.deepcopy(blade)
        slots = blade["portMap"]["deviceSlots"]
        mezz = next(s for s in slots if s.get("location") == "Mezz")
        first, second = mezz["physicalPorts"][:2]
        second["interconnectUri"] = first["interconnectUri"]
        with pytest.raises(bonds.BondRefused, match="both reach interconnect"):
            bonds.check_lag_pair("pg", [{"portId": "Mezz 3:1-a"}, {"portId": "Mezz 3:2-a"}], blade)


def test_undo_restores_a_network_set_and_a_lag_from_the_name() -> None:
    port = str(uuid.uuid4())
    connections: list[dict[str, Any]] = [
        {
            "portId": "Mezz 3:1-a",
            "mac": "aa:00:00:00:00:01",
            "name": "tmpl",
            "networkUri": "/rest/network-sets/s1",
            "lagName": "LAG3",
        },
        {
            "portId": "Mezz 3:2-a",
            "mac": "aa:00:00:00:00:02",
            "name": "",
            "networkUri": None,
            "lagName": "LAG3",
        },
    ]
    original = copy.deepcopy(connections)
    assert conns.attach_bond(
        connections,
        port_id=port,
        group="pg",
        members=[("aa:00:00:00:00:01", None), ("aa:00:00:00:00:02", None)],
        network_uri="/rest/ethernet-networks/n1",
        lacp=False,
        server={},
    )
    assert [c["name"] for c in connections] == [
        f"Neutron [{port}] had LAG3 was set:s1 tmpl",
        f"Neutron [{port}] had LAG3 was unassigned",
    ]
    assert [c["lagName"] for c in connections] == [None, None]
    assert conns.owners(
        views.profile_connections({"connectionSettings": {"connections": connections}})
    ) == {port}
    assert conns.detach(connections, port_id=port)
    assert connections == original


class TrunkOnBondTests(TrunkCase, BondCase):
    """A trunk whose parent is a bond: both LAG members on the trunk's network set."""

    def test_an_802_3ad_bond_parent_carries_the_trunk_and_subports_change_only_the_set(self):
        sub_nets = [self.create_network("vlan", "physnet1", v) for v in (320, 321)]
        server, profile, binding = self.bonded_server("802.3ad")
        before = self.connections(profile)
        parent = self.create_port(self.parent_net, mac=GROUP_MAC, host=None, profile={})
        trunk = self.create_trunk(parent, [self.subport(sub_nets[0])])

        self.update_port(
            parent["id"], **{portbindings.HOST_ID: self.node_id, portbindings.PROFILE: binding}
        )

        network_set = self.network_set(trunk["id"])
        assert network_set is not None
        assert network_set["nativeNetworkUri"] == self.uri_of(self.parent_net)
        wired = self.connections(profile)
        assert [(c["networkUri"], c["lagName"]) for c in wired] == [
            (network_set["uri"], "LAG1"),
            (network_set["uri"], "LAG1"),
        ]
        assert self.show_port(parent["id"])["status"] == "ACTIVE"
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"

        # The node runs: a subport added changes the set only, the LAG pair stays as it is.
        self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        puts, power = self.profile_puts(), self.power_puts()
        self.add_subports(trunk, [self.subport(sub_nets[1])])
        members = self.ov.get(network_set["uri"]).json()["networkUris"]
        assert self.uri_of(sub_nets[1]) in members
        assert (self.profile_puts(), self.power_puts()) == (puts, power)
        assert self.connections(profile) == wired

        # Undeployed (server off, as Ironic tears down): both members back, the LAG cleared.
        self.ov.wait(
            self.ov.put(
                server["uri"] + "/powerState",
                json={"powerState": "Off", "powerControl": "PressAndHold"},
            )
        )
        self.update_port(parent["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        back = self.connections(profile)
        assert [(c["networkUri"], c["name"], c.get("lagName")) for c in back] == [
            (c["networkUri"], c["name"], None) for c in before
        ]
        assert self.network_set(trunk["id"]) is None


def test_undo_keeping_lags_leaves_a_pair_whose_networks_would_differ_wired() -> None:
    port = str(uuid.uuid4())
    pair: list[dict[str, Any]] = [
        {
            "portId": "Mezz 3:1-a",
            "mac": "aa:00:00:00:00:01",
            "name": "one",
            "networkUri": "/rest/ethernet-networks/n1",
            "lagName": None,
        },
        {
            "portId": "Mezz 3:2-a",
            "mac": "aa:00:00:00:00:02",
            "name": "two",
            "networkUri": "/rest/ethernet-networks/n2",
            "lagName": None,
        },
    ]
    for connection in pair:
        assert conns.attach(
            [connection],
            port_id=port,
            mac=connection["mac"],
            network_uri="/rest/ethernet-networks/bond",
            hw_port=None,
        )
        connection["lagName"] = "LAG1"
    wired = copy.deepcopy(pair)

    assert not conns.detach(pair, port_id=port, unassign=True, keep_lag=True)
    assert pair == wired  # OneView refuses a LAG on two networks: left for an undo while off

    same = copy.deepcopy(wired)
    same[1]["name"] = same[1]["name"].replace(" was n2 two", " was n1 two")
    assert conns.detach(same, port_id=port, unassign=True, keep_lag=True)
    assert [(c["networkUri"], c["name"], c["lagName"]) for c in same] == [
        ("/rest/ethernet-networks/n1", "one", "LAG1"),
        ("/rest/ethernet-networks/n1", "two", "LAG1"),
    ]
    assert conns.detach(wired, port_id=port)  # with the server off: everything back
    assert [(c["networkUri"], c["lagName"]) for c in wired] == [
        ("/rest/ethernet-networks/n1", None),
        ("/rest/ethernet-networks/n2", None),
    ]
