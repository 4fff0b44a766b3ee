"""Bare-metal ports through the real ML2 plugin → server profile connections on the simulator."""

from __future__ import annotations

import uuid
from typing import Any

from ml2_case import OneViewMl2TestCase
from neutron.db import provisioning_blocks
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import resources
from oslo_config import cfg

from oneview_openstack.neutron.mappings import Mappings

OPT_IN = {"allow_power_cycle_for_connection_changes": True}


class PortCase(OneViewMl2TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.network = self.create_network("vlan", "physnet1", 42)
        self.ov_uri = self.ov_network(self.network["id"])["uri"]
        self.node_id = str(uuid.uuid4())

    def ironic_server(self, power: str = "Off") -> tuple[dict[str, Any], dict[str, Any], str]:
        """A server with an Ironic-applied profile, its node, and the PXE connection's MAC."""
        server, profile = self.server_with_profile(power)
        self.ironic.add_node(self.node_id, profile["uri"], server_hardware_uri=server["uri"])
        mac = self.connections(profile)[0]["mac"].lower()
        return server, profile, mac

    def connection(self, profile: dict[str, Any], mac: str) -> dict[str, Any]:
        return next(c for c in self.connections(profile) if c["mac"].lower() == mac.lower())


class BindingTests(PortCase):
    def test_bind_unbind_rebind_delete(self):
        _server, profile, mac = self.ironic_server()
        deploy = self.connection(profile, mac)
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_OTHER
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert not provisioning_blocks.is_object_blocked(self.context, port["id"], resources.PORT)
        wired = self.connection(profile, mac)
        assert wired["networkUri"] == self.ov_uri
        assert wired["name"].startswith(f"Neutron [{port['id']}] was ")

        # Ironic unbinds: the connection returns to where it was.
        self.update_port(port["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        back = self.connection(profile, mac)
        assert (back["networkUri"], back["name"]) == (deploy["networkUri"], deploy["name"])

        # Bound again, then a second port on another network takes the connection over.
        self.update_port(
            port["id"],
            **{
                portbindings.HOST_ID: self.node_id,
                portbindings.PROFILE: {
                    "local_link_information": [{"port_id": "x", "switch_id": "y"}]
                },
            },
        )
        assert self.connection(profile, mac)["networkUri"] == self.ov_uri
        other = self.create_network("vlan", "physnet1", 43)
        other_uri = self.ov_network(other["id"])["uri"]
        port2 = self.create_port(other, mac=mac, host=self.node_id)
        assert self.show_port(port2["id"])["status"] == "ACTIVE"
        moved = self.connection(profile, mac)
        assert moved["networkUri"] == other_uri
        self._delete("ports", port["id"], as_admin=True)  # no longer the owner: no change
        assert self.connection(profile, mac)["networkUri"] == other_uri
        self._delete("ports", port2["id"], as_admin=True)
        back = self.connection(profile, mac)
        assert (back["networkUri"], back["name"]) == (deploy["networkUri"], deploy["name"])

    def test_moving_a_port_to_another_node_and_a_flat_mapped_network(self):
        _server, profile, mac = self.ironic_server()
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        assert self.connection(profile, mac)["networkUri"] == self.ov_uri
        # the same MAC now belongs to another node (e.g. a re-enrolled server): undo on A first
        other_node = str(uuid.uuid4())
        self.ironic.add_node(other_node, None)
        self.update_port(port["id"], **{portbindings.HOST_ID: other_node})
        assert self.connection(profile, mac)["networkUri"] != self.ov_uri
        assert self.show_port(port["id"])["status"] == "ERROR"  # B has no profile yet

        flat = self.create_network("flat", "physnet2")  # uses OneView's existing 'Native'
        flat_port = self.create_port(flat, mac=mac, host=self.node_id)
        assert self.show_port(flat_port["id"])["status"] == "ACTIVE"
        assert self.connection(profile, mac)["networkUri"] == self.native["uri"]

    def test_moving_a_connection_on_a_powered_on_server_needs_no_power_cycle(self):
        server, _profile, mac = self.ironic_server(power="On")
        before = self.stats().get("PUT /rest/server-hardware/{id}/powerState", 0)
        port = self.create_port(self.network, mac=mac.upper(), host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.stats().get("PUT /rest/server-hardware/{id}/powerState", 0) == before
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"

    def test_stale_etag_on_the_profile_is_reapplied(self):
        _server, profile, mac = self.ironic_server()
        self.arm("etag_conflict", method="PUT", path="/rest/server-profiles/*")
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.connection(profile, mac)["networkUri"] == self.ov_uri

    def test_a_busy_profile_is_waited_for(self):
        _server, profile, mac = self.ironic_server()
        self.arm(
            "http_error",
            method="PUT",
            path="/rest/server-profiles/*",
            times=2,
            params={"status": 409, "error_code": "RESOURCE_LOCKED"},
        )
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        stats = self.ov.sim("GET", "stats")
        assert stats["faultsFired"] == {"http_error": 2}  # two 409 RESOURCE_LOCKED refusals
        assert stats["byRoute"]["PUT /rest/server-profiles/{id}"] == 1  # then the write
        assert self.connection(profile, mac)["networkUri"] == self.ov_uri

    def test_session_expiry_during_binding(self):
        _server, _profile, mac = self.ironic_server()
        self.ov.sim("POST", "actions/expire_sessions", json={})
        self.ov.login()
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"


class PowerCycleOptInTests(PortCase):
    """With the operator's opt-in, a connection OneView adds only while off cycles the power."""

    oneview_overrides = OPT_IN

    def test_provisioning_port_gets_pxe_and_new_connection_on_powered_on_server(self):
        server, profile, _ = self.ironic_server(power="On")
        spare = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]["virtualPorts"][1]["mac"]
        before = self.stats().get("PUT /rest/server-hardware/{id}/powerState", 0)
        port = self.create_port(
            self.network, mac=spare.lower(), host=self.node_id, device_owner="baremetal:none"
        )
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        added = self.connection(profile, spare)
        assert added["networkUri"] == self.ov_uri
        assert added["portId"] == "Mezz 3:1-b"
        assert added["boot"]["priority"] == "Secondary"  # Primary is the template's PXE port
        # OneView refused the new connection while on: one power-off, one power-on.
        assert self.stats()["PUT /rest/server-hardware/{id}/powerState"] == before + 2
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"
        self._delete("ports", port["id"], as_admin=True)
        assert all(c["mac"] != added["mac"] for c in self.connections(profile))

    def test_a_server_switched_back_on_during_the_change_is_powered_off_again(self):
        # As Ironic's power-state sync does when it finds its active node off: here the
        # power-off task ends with the server still on.
        server, profile, _ = self.ironic_server(power="On")
        spare = server["portMap"]["deviceSlots"][0]["physicalPorts"][1]["virtualPorts"][2]["mac"]
        self.arm(
            "power_anomaly",
            method="PUT",
            path="/rest/server-hardware/*/powerState",
            params={"final_state": "On"},
        )
        before = self.stats().get("PUT /rest/server-hardware/{id}/powerState", 0)
        port = self.create_port(self.network, mac=spare, host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.connection(profile, spare)["networkUri"] == self.ov_uri
        # off (left on by the anomaly), off again, on
        assert self.stats()["PUT /rest/server-hardware/{id}/powerState"] == before + 3
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"


class NoPowerCycleTests(PortCase):
    """By default the driver never switches a tenant's server off."""

    def test_a_new_connection_on_a_powered_on_server_fails_naming_the_option(self):
        server, profile, _ = self.ironic_server(power="On")
        spare = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]["virtualPorts"][1]["mac"]
        before = self.power_puts()
        connections = len(self.connections(profile))
        with self.assertLogs("oneview_openstack.neutron.driver", level="ERROR") as logs:
            port = self.create_port(self.network, mac=spare.lower(), host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ERROR"
        assert provisioning_blocks.is_object_blocked(self.context, port["id"], resources.PORT)
        (line,) = [o for o in logs.output if port["id"] in o]
        assert "allow_power_cycle_for_connection_changes = true" in line
        assert "give the server profile template a connection for every port" in line
        assert "ServerNotOffWithCauseForNoServerChange" in line
        assert self.power_puts() == before  # no powerState write at all
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"
        assert len(self.connections(profile)) == connections

    def test_unbinding_restores_the_old_network_on_a_powered_on_server(self):
        server, profile, mac = self.ironic_server(power="On")
        deploy = self.connection(profile, mac)
        before = self.power_puts()
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        self.update_port(port["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        back = self.connection(profile, mac)
        assert (back["networkUri"], back["name"]) == (deploy["networkUri"], deploy["name"])
        assert self.power_puts() == before
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"

    def test_deleting_an_added_connection_on_a_powered_on_server_unassigns_it(self):
        server, profile, _ = self.ironic_server()  # off: the connection can be added
        spare = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]["virtualPorts"][1]["mac"]
        port = self.create_port(self.network, mac=spare.lower(), host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        count = len(self.connections(profile))
        self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        before = self.power_puts()
        self._delete("ports", port["id"], as_admin=True)
        after = self.connections(profile)
        assert len(after) == count
        (kept,) = [c for c in after if c["portId"] == "Mezz 3:1-b"]
        assert (kept["networkUri"], kept["name"]) == (None, "")  # Unassigned
        assert self.power_puts() == before
        # the next port with that MAC gets the reserved connection by a network change
        again = self.create_port(self.network, mac=spare.lower(), host=self.node_id)
        assert self.show_port(again["id"])["status"] == "ACTIVE"
        (wired,) = [c for c in self.connections(profile) if c["portId"] == "Mezz 3:1-b"]
        assert wired["networkUri"] == self.ov_uri
        assert wired["name"] == f"Neutron [{again['id']}] was unassigned"
        assert self.power_puts() == before
        self._delete("ports", again["id"], as_admin=True)
        (kept,) = [c for c in self.connections(profile) if c["portId"] == "Mezz 3:1-b"]
        assert kept["networkUri"] is None


class MappingsNotLoadedTests(PortCase):
    """A worker that started while OneView was down binds nothing until it can read OneView."""

    def test_no_vlan_port_is_bound_onto_an_untagged_only_physnet(self):
        _server, _profile, mac = self.ironic_server()
        untagged_only = self.create_network("vlan", "physnet3", 77)  # not mirrored: Untagged
        driver = self.mech()
        fresh = Mappings.from_conf(cfg.CONF.oneview)  # as initialize() left it, OneView down
        driver.mappings = driver.networks.mappings = fresh
        self.arm(
            "http_error",
            method="GET",
            path="/rest/uplink-sets/*",
            times=None,
            params={"status": 400, "error_code": "SIM_UNAVAILABLE", "message": "Down."},
        )
        before = self.writes()
        with self.assertLogs("oneview_openstack.neutron.driver", level="ERROR") as logs:
            port = self.create_port(untagged_only, mac=mac, host=self.node_id)
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED
        assert "not read from OneView yet" in logs.output[0]
        assert "SIM_UNAVAILABLE" in logs.output[0]
        assert not fresh.loaded
        # OneView is back: the types are read on the next binding, and still nothing is bound
        self.ov.sim("DELETE", "faults")
        port = self.create_port(untagged_only, mac="fa:16:3e:00:00:21", host=self.node_id)
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED
        assert fresh.loaded
        assert fresh.uplink_set_types[self.untagged_us["uri"].rsplit("/", 1)[1]] == "Untagged"
        tagged = self.create_port(self.network, mac=mac, host=self.node_id)
        assert self.show_port(tagged["id"])["status"] == "ACTIVE"  # physnet1 binds as before
        assert self.writes() > before


class PoweredOnTaskErrorTests(PortCase):
    """OneView that accepts the edit (202) and fails its task because the server is on."""

    simulator_settings = {"powered_on_error_channel": "task"}
    oneview_overrides = OPT_IN

    def test_power_is_cycled_after_the_task_fails(self):
        server, profile, _ = self.ironic_server(power="On")
        spare = server["portMap"]["deviceSlots"][0]["physicalPorts"][1]["virtualPorts"][1]["mac"]
        port = self.create_port(self.network, mac=spare, host=self.node_id)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.connection(profile, spare)["networkUri"] == self.ov_uri
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"


class RefusalTests(PortCase):
    """Nothing in OneView changes, and the port says so."""

    def assert_refused(self, port: dict[str, Any], before: int) -> None:
        assert self.show_port(port["id"])["status"] == "ERROR"
        assert self.writes() == before
        # the binding's provisioning block stays: the port cannot go ACTIVE by accident
        assert provisioning_blocks.is_object_blocked(self.context, port["id"], resources.PORT)

    def test_unknown_mac(self):
        self.ironic_server()
        before = self.writes()
        with self.assertLogs("oneview_openstack.neutron.driver", level="ERROR") as logs:
            port = self.create_port(self.network, mac="fa:16:3e:00:00:01", host=self.node_id)
        self.assert_refused(port, before)
        assert "MAC address fa:16:3e:00:00:01 is neither on a connection" in logs.output[0]

    def test_node_without_profile(self):
        self.ironic.add_node(self.node_id, None)
        before = self.writes()
        port = self.create_port(self.network, mac="fa:16:3e:00:00:02", host=self.node_id)
        self.assert_refused(port, before)

    def test_ironic_unreachable(self):
        _server, _profile, mac = self.ironic_server()
        self.ironic.down = True
        before = self.writes()
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        self.assert_refused(port, before)

    def test_profile_owned_by_a_oneview_user_is_never_touched(self):
        _server, profile, mac = self.ironic_server()
        owned = next(
            s
            for s in self.ov.members("server-hardware")
            if s.get("serverProfileUri") and s["uri"] != profile["serverHardwareUri"]
        )
        self.ironic.nodes[self.node_id]["driver_info"]["server_hardware_uri"] = owned["uri"]
        before = self.writes()
        port = self.create_port(self.network, mac=mac, host=self.node_id)
        self.assert_refused(port, before)

    def test_malformed_binding_profile_is_a_400(self):
        before = self.writes()
        for profile in (
            {"local_link_information": "Mezz 3:1"},
            {"local_link_information": [{"port_id": "a"}, {"port_id": "b"}]},
        ):
            body = self.create_port(
                self.network,
                mac="fa:16:3e:00:00:03",
                host=self.node_id,
                profile=profile,
                status=400,
            )
            assert "local_link_information" in body["NeutronError"]["message"]
        assert self.writes() == before

    def test_ports_the_driver_does_not_bind(self):
        before = self.writes()
        normal = self.create_port(
            self.network, mac="fa:16:3e:00:00:04", host=self.node_id, vnic=portbindings.VNIC_NORMAL
        )
        no_link = self.create_port(
            self.network, mac="fa:16:3e:00:00:05", host=self.node_id, profile={}
        )
        for port in (normal, no_link):
            assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED
        unmapped = self.create_network("vlan", "physnet2", 260)
        port = self.create_port(unmapped, mac="fa:16:3e:00:00:06", host=self.node_id)
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED
        assert self.writes() == before
        assert self.ironic.requests == []  # binding looked nothing up
