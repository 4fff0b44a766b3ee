"""Bare-metal trunks through the real ML2 and trunk plugins → OneView network sets (simulator)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from ml2_case import FAST_CLIENT, LLI, OneViewMl2TestCase, port_extension_in_bulk_mode
from neutron.services.trunk.drivers import base as trunk_base
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins import directory
from oslo_config import cfg

from oneview_openstack.client import ClientSettings, OneViewClient
from oneview_openstack.client.resources.network_sets import adding
from oneview_openstack.neutron import trunk_driver
from oneview_openstack.neutron.locking import WriterLocks
from oneview_openstack.neutron.network_set_batches import NetworkSetBatches
from oneview_openstack.neutron.reconcile import NeutronReads, Policy, Reconciler, Report
from oneview_openstack.neutron.trunks import set_name

PROFILE_PUTS = "PUT /rest/server-profiles/{id}"
SET_PUTS = "PUT /rest/network-sets/{id}"


class Rival(trunk_base.DriverBase):
    """Another agentless trunk driver for vif type other (networking-generic-switch's kind)."""

    @property
    def is_loaded(self) -> bool:
        return True


class TrunkCase(OneViewMl2TestCase):
    def get_additional_service_plugins(self) -> dict[str, str]:
        return {"trunk": "trunk"}

    def setUp(self) -> None:
        super().setUp()
        self._trunk_details_in_one_session()
        self.parent_net = self.create_network("vlan", "physnet1", 300, name="parent")
        self.node_id = str(uuid.uuid4())

    def _trunk_details_in_one_session(self) -> None:
        """Neutron's ``trunk_details`` port extension reads the subports' MACs in a session of
        its own, which would roll a trunk parent's ACTIVE status back: run it in bulk mode."""
        port_extension_in_bulk_mode(self, "_extend_port_trunk_details")

    # -- Neutron helpers -------------------------------------------------------------------
    def plain_port(self, network: dict[str, Any]) -> dict[str, Any]:
        """A subport-to-be: no binding, no device."""
        res = self._create_port(self.fmt, network["id"], as_admin=True)
        body = self.deserialize(self.fmt, res)
        assert res.status_int == 201, body
        return body["port"]

    def trunk_call(
        self, method: str, data: Any = None, trunk_id: str | None = None, action: str | None = None
    ) -> tuple[int, Any]:
        req = self._admin_req(method, "trunks", data, id=trunk_id, action=action)
        res = req.get_response(self.api)
        return res.status_int, (self.deserialize(self.fmt, res) if res.body else None)

    def create_trunk(
        self, parent: dict[str, Any], subports: list[dict[str, Any]], status: int = 201
    ) -> dict[str, Any]:
        code, out = self.trunk_call(
            "POST", {"trunk": {"port_id": parent["id"], "sub_ports": subports}}
        )
        assert code == status, out
        return out.get("trunk") or out

    def add_subports(
        self, trunk: dict[str, Any], subports: list[dict[str, Any]], status: int = 200
    ) -> dict[str, Any]:
        code, out = self.trunk_call("PUT", {"sub_ports": subports}, trunk["id"], "add_subports")
        assert code == status, out
        return out

    def remove_subports(self, trunk: dict[str, Any], port_ids: list[str]) -> dict[str, Any]:
        body = {"sub_ports": [{"port_id": p} for p in port_ids]}
        code, out = self.trunk_call("PUT", body, trunk["id"], "remove_subports")
        assert code == 200, out
        return out

    def delete_trunk(self, trunk: dict[str, Any]) -> None:
        code, out = self.trunk_call("DELETE", trunk_id=trunk["id"])
        assert code == 204, out

    def show_trunk(self, trunk_id: str) -> dict[str, Any]:
        code, out = self.trunk_call("GET", trunk_id=trunk_id)
        assert code == 200, out
        return out["trunk"]

    def subport(self, network: dict[str, Any], vlan: int | None = None) -> dict[str, Any]:
        port = self.plain_port(network)
        if vlan is None:
            return {"port_id": port["id"], "segmentation_type": "inherit"}
        return {"port_id": port["id"], "segmentation_type": "vlan", "segmentation_id": vlan}

    # -- OneView helpers -------------------------------------------------------------------
    def ironic_server(self, power: str = "Off") -> tuple[dict[str, Any], dict[str, Any], str]:
        server, profile = self.server_with_profile(power)
        self.ironic.add_node(self.node_id, profile["uri"], server_hardware_uri=server["uri"])
        mac = self.connections(profile)[0]["mac"].lower()
        return server, profile, mac

    def connection(self, profile: dict[str, Any], mac: str) -> dict[str, Any]:
        return next(c for c in self.connections(profile) if c["mac"].lower() == mac.lower())

    def network_set(self, trunk_id: str) -> dict[str, Any] | None:
        found = self.ov.members("network-sets", filter=f"\"name='{set_name(trunk_id)}'\"")
        return found[0] if found else None

    def uri_of(self, network: dict[str, Any]) -> str:
        found = self.ov_network(network["id"])
        assert found is not None, network["id"]
        return str(found["uri"])


class RegistrationTests(TrunkCase):
    def test_the_oneview_trunk_driver_is_registered(self):
        plugin = directory.get_plugin("trunk")
        (driver,) = [d for d in plugin.registered_drivers if d.name == "oneview"]
        assert driver.is_loaded
        assert driver.can_trunk_bound_port
        assert driver.agent_type is None
        assert driver.interfaces == (portbindings.VIF_TYPE_OTHER,)
        assert driver.segmentation_types == ("vlan",)
        assert driver.is_interface_compatible(portbindings.VIF_TYPE_OTHER)
        assert not driver.is_interface_compatible(portbindings.VIF_TYPE_OVS)

    def test_it_steps_back_when_another_agentless_driver_claims_vif_type_other(self):
        plugin = directory.get_plugin("trunk")
        (ours,) = [d for d in plugin.registered_drivers if d.name == "oneview"]
        rival = Rival("genericswitch", (portbindings.VIF_TYPE_OTHER,), ("vlan",), None, True)
        plugin.register_driver(rival)
        try:
            assert ours.rivals() == [rival]
            assert not ours.is_interface_compatible(portbindings.VIF_TYPE_OTHER)
        finally:
            plugin.registered_drivers.remove(rival)
        assert ours.is_interface_compatible(portbindings.VIF_TYPE_OTHER)


class RefusalTests(TrunkCase):
    def setUp(self) -> None:
        super().setUp()
        self.parent = self.create_port(self.parent_net, mac="52:54:00:00:00:01", host=None)

    def test_a_subport_whose_vlan_differs_from_its_network_is_refused(self):
        net = self.create_network("vlan", "physnet1", 301)
        out = self.create_trunk(self.parent, [self.subport(net, vlan=999)], status=400)
        message = out["NeutronError"]["message"]
        assert "segmentation_id 999 differs from the VLAN 301" in message
        assert "cannot translate VLAN IDs" in message
        assert "'inherit'" in message

    def test_inherit_takes_the_network_vlan_and_is_accepted(self):
        net = self.create_network("vlan", "physnet1", 302)
        trunk = self.create_trunk(self.parent, [self.subport(net)])
        (sub,) = trunk["sub_ports"]
        assert (sub["segmentation_type"], sub["segmentation_id"]) == ("vlan", 302)

    def test_adding_a_mismatched_subport_later_is_refused_too(self):
        trunk = self.create_trunk(self.parent, [])
        net = self.create_network("vlan", "physnet1", 303)
        out = self.add_subports(trunk, [self.subport(net, vlan=42)], status=400)
        assert "segmentation_id 42 differs from the VLAN 303" in out["NeutronError"]["message"]
        assert self.show_trunk(trunk["id"])["sub_ports"] == []

    def test_a_parent_on_a_flat_network_is_refused(self):
        flat = self.create_network("flat", "physnet2")
        parent = self.create_port(flat, mac="52:54:00:00:00:02", host=None)
        out = self.create_trunk(parent, [], status=400)
        message = out["NeutronError"]["message"]
        assert "of type flat" in message and "Tagged (vlan) network" in message

    def test_a_subport_on_a_flat_network_is_refused(self):
        flat = self.create_network("flat", "physnet2")
        out = self.create_trunk(
            self.parent,
            [
                {
                    "port_id": self.plain_port(flat)["id"],
                    "segmentation_type": "vlan",
                    "segmentation_id": 10,
                }
            ],
            status=400,
        )
        assert "holds Tagged (vlan) networks only" in out["NeutronError"]["message"]

    def test_a_subport_on_the_parent_network_is_refused(self):
        out = self.create_trunk(self.parent, [self.subport(self.parent_net)], status=400)
        assert "trunk parent's own network" in out["NeutronError"]["message"]

    def test_trunks_of_other_ports_are_not_ours_to_judge(self):
        normal = self.plain_port(self.parent_net)  # vnic normal: another driver's business
        net = self.create_network("vlan", "physnet1", 304)
        trunk = self.create_trunk(normal, [self.subport(net, vlan=77)])  # 201, not our 400
        assert [s["segmentation_id"] for s in trunk["sub_ports"]] == [77]
        assert self.network_set(trunk["id"]) is None


class DeployedTrunkCase(TrunkCase):
    """A deployed node whose parent port is on a trunk with two subports."""

    def setUp(self) -> None:
        super().setUp()
        self.sub_nets = [self.create_network("vlan", "physnet1", v) for v in (310, 311, 312)]

    def bind(self, port: dict[str, Any]) -> dict[str, Any]:
        """What Ironic does when it deploys the node: host + local link information."""
        return self.update_port(
            port["id"],
            **{
                portbindings.HOST_ID: self.node_id,
                portbindings.PROFILE: {"local_link_information": LLI},
            },
        )

    def deployed_trunk(self, power: str = "On") -> tuple[dict[str, Any], ...]:
        server, profile, mac = self.ironic_server(power)
        self.power_before = self.power_puts()
        parent = self.create_port(self.parent_net, mac=mac, host=None)
        subports = [self.subport(n) for n in self.sub_nets[:2]]
        trunk = self.create_trunk(parent, subports)
        assert self.network_set(trunk["id"]) is None  # nothing to carry until wired
        self.bind(parent)
        return server, profile, mac, parent, trunk


class WiringTests(DeployedTrunkCase):
    """A deployed node's trunk: the parent's connection on the set, subports change the set."""

    def test_a_deployed_trunk_is_a_network_set_on_the_parent_connection(self):
        server, profile, mac, parent, trunk = self.deployed_trunk()
        before = self.power_before
        network_set = self.network_set(trunk["id"])
        assert network_set is not None
        native = self.uri_of(self.parent_net)
        assert network_set["nativeNetworkUri"] == native
        assert network_set["networkUris"] == [native, *map(self.uri_of, self.sub_nets[:2])]
        assert self.connection(profile, mac)["networkUri"] == network_set["uri"]
        assert self.show_port(parent["id"])["status"] == "ACTIVE"
        for sub in trunk["sub_ports"]:
            assert self.show_port(sub["port_id"])["status"] == "ACTIVE"
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"
        assert self.power_puts() == before
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"

    def test_subports_change_the_set_only_while_the_server_runs(self):
        server, profile, mac, _parent, trunk = self.deployed_trunk()
        set_uri = self.network_set(trunk["id"])["uri"]
        profile_puts, power_puts = self.stats().get(PROFILE_PUTS, 0), self.power_puts()
        extra = self.subport(self.sub_nets[2])
        self.add_subports(trunk, [extra])
        assert self.uri_of(self.sub_nets[2]) in self.ov.get(set_uri).json()["networkUris"]
        assert self.show_port(extra["port_id"])["status"] == "ACTIVE"
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"
        gone = trunk["sub_ports"][0]["port_id"]
        self.remove_subports(trunk, [gone])
        members = self.ov.get(set_uri).json()["networkUris"]
        assert self.uri_of(self.sub_nets[0]) not in members
        assert self.uri_of(self.sub_nets[1]) in members
        assert self.show_port(gone)["status"] == "DOWN"
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"
        # No profile write, no power change: the connection still points at the same set.
        assert self.stats().get(PROFILE_PUTS, 0) == profile_puts
        assert self.power_puts() == power_puts
        assert self.connection(profile, mac)["networkUri"] == set_uri
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"

    def test_a_trunk_made_on_a_bound_parent_moves_its_connection_to_the_set(self):
        _server, profile, mac = self.ironic_server("On")
        parent = self.create_port(self.parent_net, mac=mac, host=self.node_id)
        assert self.connection(profile, mac)["networkUri"] == self.uri_of(self.parent_net)
        before = self.power_puts()
        trunk = self.create_trunk(parent, [self.subport(self.sub_nets[0])])
        network_set = self.network_set(trunk["id"])
        assert network_set is not None
        assert self.connection(profile, mac)["networkUri"] == network_set["uri"]
        assert self.show_port(trunk["sub_ports"][0]["port_id"])["status"] == "ACTIVE"
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"
        # Deleting the trunk puts the connection back on the parent's network, then the set goes.
        self.delete_trunk(trunk)
        assert self.connection(profile, mac)["networkUri"] == self.uri_of(self.parent_net)
        assert self.network_set(trunk["id"]) is None
        assert self.show_port(trunk["sub_ports"][0]["port_id"])["status"] == "DOWN"
        assert self.power_puts() == before

    def test_unbinding_the_parent_restores_the_connection_and_deletes_the_set(self):
        _server, profile, mac = self.ironic_server("On")
        deploy = self.connection(profile, mac)
        parent = self.create_port(self.parent_net, mac=mac, host=None)
        trunk = self.create_trunk(parent, [self.subport(self.sub_nets[0])])
        self.bind(parent)
        assert self.network_set(trunk["id"]) is not None
        self.update_port(parent["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        back = self.connection(profile, mac)
        assert (back["networkUri"], back["name"]) == (deploy["networkUri"], deploy["name"])
        assert self.network_set(trunk["id"]) is None
        assert self.show_port(trunk["sub_ports"][0]["port_id"])["status"] == "DOWN"
        assert self.show_trunk(trunk["id"])["status"] == "DOWN"

    def test_a_failed_set_write_puts_the_trunk_in_error_and_names_the_cause(self):
        _server, profile, mac, _parent, trunk = self.deployed_trunk()
        self.arm(
            "http_error",
            method="PUT",
            path="/rest/network-sets/*",
            times=10,
            params={"status": 400, "error_code": "CRM_INVALID_NETWORK_SET"},
        )
        extra = self.subport(self.sub_nets[2])
        with self.assertLogs("oneview_openstack.neutron.trunks", level="ERROR") as logs:
            self.add_subports(trunk, [extra])
        assert any("CRM_INVALID_NETWORK_SET" in line for line in logs.output), logs.output
        assert self.show_trunk(trunk["id"])["status"] == "ERROR"
        assert self.show_port(extra["port_id"])["status"] == "DOWN"
        # The parent stays wired on the set as it was.
        set_uri = self.network_set(trunk["id"])["uri"]
        assert self.connection(profile, mac)["networkUri"] == set_uri


class ReconcileTests(DeployedTrunkCase):
    """The periodic pass keeps a wired trunk's set whole and leaves the parent on it."""

    oneview_overrides = {"reconcile_interval": 0}

    def reconcile(self) -> Report:
        driver = self.mech()
        reconciler = Reconciler(
            client=driver.client,
            mappings=driver.mappings,
            networks=driver.networks,
            ports=driver.ports,
            policy=Policy(),
            passes=[("trunks", driver.trunks.reconcile)],
            port_uri=driver.trunks.expected_uri,
        )
        return reconciler.run(NeutronReads(self.context, self.driver))

    def test_a_wired_trunk_is_left_as_it_is(self):
        _server, profile, mac, _parent, trunk = self.deployed_trunk()
        set_uri = self.network_set(trunk["id"])["uri"]
        profile_puts, set_puts = self.stats().get(PROFILE_PUTS, 0), self.stats().get(SET_PUTS, 0)
        report = self.reconcile()
        assert report.connections_restored == [] and report.errors == [], report
        assert report.extra == {}, report.extra
        assert self.connection(profile, mac)["networkUri"] == set_uri
        assert self.stats().get(PROFILE_PUTS, 0) == profile_puts
        assert self.stats().get(SET_PUTS, 0) == set_puts

    def test_members_changed_in_oneview_are_restored(self):
        _server, _profile, _mac, _parent, trunk = self.deployed_trunk()
        network_set = self.network_set(trunk["id"])
        lost, stranger = self.uri_of(self.sub_nets[0]), self.uri_of(self.sub_nets[2])
        body = dict(network_set)
        body["networkUris"] = [u for u in network_set["networkUris"] if u != lost] + [stranger]
        self.ov.wait(self.ov.put(network_set["uri"], json=body))
        report = self.reconcile()
        assert report.extra.get("network_set_members_restored") == [network_set["uri"]], report
        members = self.ov.get(network_set["uri"]).json()["networkUris"]
        assert lost in members and stranger not in members

    def test_statuses_are_restored_after_an_error(self):
        _server, _profile, _mac, _parent, trunk = self.deployed_trunk()
        trunk_driver.set_trunk_status(self.context, trunk["id"], "ERROR")
        report = self.reconcile()
        assert report.extra.get("trunk_statuses_restored") == [trunk["id"]], report
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"

    def test_a_set_without_a_trunk_is_an_orphan_deleted_only_on_request(self):
        native = self.uri_of(self.parent_net)
        name = set_name(str(uuid.uuid4()))
        task = self.ov.wait(
            self.ov.post("/rest/network-sets", json={"name": name, "networkUris": [native]})
        )
        orphan = task["associatedResource"]["resourceUri"]
        report = self.reconcile()
        assert report.extra.get("network_set_orphans") == [orphan], report
        assert self.ov.get(orphan).status_code == 200
        cfg.CONF.set_override("delete_orphan_networks", True, group="oneview")
        report = self.reconcile()
        assert report.extra.get("network_set_orphans_deleted") == [orphan], report
        assert self.ov.get(orphan).status_code == 404


class RivalDriverTests(DeployedTrunkCase):
    def test_a_rival_vif_other_driver_does_not_make_bound_parents_untrunkable(self):
        plugin = directory.get_plugin("trunk")
        rival = Rival("genericswitch", (portbindings.VIF_TYPE_OTHER,), ("vlan",), None, True)
        plugin.register_driver(rival)
        self.addCleanup(plugin.registered_drivers.remove, rival)
        _server, profile, mac = self.ironic_server("On")
        parent = self.create_port(self.parent_net, mac=mac, host=self.node_id)
        # Two agentless drivers for vif type other would be TrunkPluginDriverConflict (409).
        trunk = self.create_trunk(parent, [self.subport(self.sub_nets[0])])
        network_set = self.network_set(trunk["id"])
        assert network_set is not None
        assert self.connection(profile, mac)["networkUri"] == network_set["uri"]


def test_set_writers_of_two_processes_keep_every_change(simulator, tmp_path):
    """Two API workers (two clients, one lock_path) adding subports to one trunk's set."""
    config = simulator.state.config
    settings = ClientSettings(
        manager_url=simulator.url,
        username=config.username,
        password=config.password,
        tls_cacert_file=str(simulator.ca_file),
        **{k: v for k, v in FAST_CLIENT.items() if k != "max_polling_attempts"},
    )
    clients = [OneViewClient(settings), OneViewClient(settings)]
    try:
        first = clients[0]
        networks = [first.ethernet_networks.create(f"sub-{i}", 3000 + i)["uri"] for i in range(9)]
        native, members = networks[0], networks[1:]
        set_uri = first.network_sets.create("Neutron trunk [x]", [], native)["uri"]
        workers = [
            NetworkSetBatches(c, WriterLocks(str(tmp_path), prefix="oneview-network-set"))
            for c in clients
        ]
        barrier = threading.Barrier(len(members))
        failures: list[BaseException] = []

        def add(index: int, network: str) -> None:
            barrier.wait(10)
            try:
                workers[index % 2].change(set_uri, adding([network]))
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=add, args=(i, n)) for i, n in enumerate(members)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive()
        assert not failures
        assert set(first.network_sets.members(set_uri)) == set(networks)
    finally:
        for client in clients:
            client.close()
