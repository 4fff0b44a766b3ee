"""Neutron networks through the real ML2 plugin → OneView networks on the simulator."""

from __future__ import annotations

from ml2_case import OneViewMl2TestCase


class NetworkTests(OneViewMl2TestCase):
    def test_vlan_network_becomes_tagged_network_on_mapped_uplink_set(self):
        network = self.create_network("vlan", "physnet1", 42, name="tenant-a")
        ov = self.ov_network(network["id"])
        assert ov is not None
        assert (ov["ethernetNetworkType"], ov["vlanId"]) == ("Tagged", 42)
        assert "tenant-a" in ov["description"]
        assert ov["uri"] in self.members_of(self.tagged_us)

        self._update("networks", network["id"], {"network": {"name": "tenant-b"}}, as_admin=True)
        assert "tenant-b" in self.ov_network(network["id"])["description"]

        self.delete_network(network["id"])
        assert self.ov_network(network["id"]) is None
        assert ov["uri"] not in self.members_of(self.tagged_us)

    def test_unmapped_networks_are_left_alone(self):
        before = self.writes()
        vlan = self.create_network("vlan", "physnet2", 250)
        flat = self.create_network("flat", "physnet9")
        local = self.create_network("vlan", "physnet3", 450)  # physnet3 maps untagged only
        assert self.writes() == before
        for network in (vlan, flat, local):
            assert self.ov_network(network["id"]) is None
            self.delete_network(network["id"])
        assert self.writes() == before

    def test_segmentation_id_change_is_refused(self):
        network = self.create_network("vlan", "physnet1", 43)
        res = self._update(
            "networks",
            network["id"],
            {"network": {"provider:segmentation_id": 44}},
            expected_code=400,
            as_admin=True,
        )
        assert "cannot change from 43 to 44" in res["NeutronError"]["message"]
        assert self.ov_network(network["id"])["vlanId"] == 43

    def test_vlan_taken_by_a_oneview_network_is_a_conflict_naming_it(self):
        before = {n["name"] for n in self.ov.members("ethernet-networks")}
        body = self.create_network("vlan", "physnet1", 100, status=409)  # Deploy is VLAN 100
        message = body["NeutronError"]["message"]
        assert "'Deploy'" in message and "VLAN 100" in message, message
        after = {n["name"] for n in self.ov.members("ethernet-networks")}
        assert after == before  # the half-made network was deleted again
        assert self._list("networks", as_admin=True)["networks"] == []

    def test_flat_network_on_mapped_existing_network(self):
        before = self.writes()
        network = self.create_network("flat", "physnet2")
        self.delete_network(network["id"])
        assert self.writes() == before
        assert self.ov.get(self.native["uri"]).status_code == 200

    def test_flat_network_on_untagged_uplink_set(self):
        self.ov.wait(
            self.ov.put(self.untagged_us["uri"], json={**self.untagged_us, "networkUris": []})
        )
        network = self.create_network("flat", "physnet3")
        ov = self.ov_network(network["id"])
        assert ov["ethernetNetworkType"] == "Untagged"
        assert self.members_of(self.untagged_us) == [ov["uri"]]
        self.delete_network(network["id"])
        assert self.members_of(self.untagged_us) == []

    def test_untagged_uplink_set_already_used_is_a_conflict(self):
        body = self.create_network("flat", "physnet3", status=409)
        assert "'Native'" in body["NeutronError"]["message"]

    def test_uplink_set_task_error_leaves_nothing_behind(self):
        self.arm("task_error", method="PUT", path="/rest/uplink-sets/*")
        before = {n["uri"] for n in self.ov.members("ethernet-networks")}
        body = self.create_network("vlan", "physnet1", 77, status=500)
        assert "uplink set" in body["NeutronError"]["message"]
        assert {n["uri"] for n in self.ov.members("ethernet-networks")} == before

    def test_session_expiry_is_survived(self):
        self.create_network("vlan", "physnet1", 60)  # logs the driver in
        self.ov.sim("POST", "actions/expire_sessions", json={})
        self.ov.login()
        network = self.create_network("vlan", "physnet1", 61)
        assert self.ov_network(network["id"])["uri"] in self.members_of(self.tagged_us)

    def test_stale_etag_on_the_uplink_set_is_reapplied(self):
        self.arm("etag_conflict", method="PUT", path="/rest/uplink-sets/*")
        network = self.create_network("vlan", "physnet1", 62)
        assert self.ov_network(network["id"])["uri"] in self.members_of(self.tagged_us)
