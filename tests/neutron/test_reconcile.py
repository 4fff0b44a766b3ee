"""Reconciliation after OneView lost a network, a membership or a connection; orphans."""

from __future__ import annotations

import uuid
from unittest import mock

from ml2_case import OneViewMl2TestCase
from neutron.worker import PeriodicWorker
from oslo_db import exception as db_exc

from oneview_openstack.neutron.reconcile import Reconciler


class ReconcileTests(OneViewMl2TestCase):
    def reconcile(self, delete_orphans: bool = False):
        driver = self.driver.mechanism_manager.mech_drivers["oneview"].obj
        return Reconciler(driver, delete_orphans).run(self.context, self.driver)

    def test_the_periodic_worker_comes_from_get_workers(self):
        driver = self.driver.mechanism_manager.mech_drivers["oneview"].obj
        (worker,) = driver.get_workers()
        assert isinstance(worker, PeriodicWorker)

    def test_nothing_to_do_costs_no_writes(self):
        self.create_network("vlan", "physnet1", 30)
        before = self.writes()
        report = self.reconcile()
        assert (report.networks_created, report.memberships_restored, report.errors) == ([], [], [])
        assert self.writes() == before

    def test_lost_network_and_membership_are_restored(self):
        lost = self.create_network("vlan", "physnet1", 31)
        out = self.create_network("vlan", "physnet1", 32)
        self.ov.wait(self.ov.delete(self.ov_network(lost["id"])["uri"]))
        out_uri = self.ov_network(out["id"])["uri"]
        us = self.ov.get(self.tagged_us["uri"]).json()
        us["networkUris"].remove(out_uri)
        self.ov.wait(self.ov.put(us["uri"], json=us))

        report = self.reconcile()
        assert report.networks_created == [lost["id"]]
        assert report.memberships_restored == [(out["id"], self.tagged_us["uri"].rsplit("/", 1)[1])]
        members = self.members_of(self.tagged_us)
        assert self.ov_network(lost["id"])["uri"] in members and out_uri in members

    def test_lost_connection_is_restored(self):
        server, profile = self.server_with_profile()
        node = str(uuid.uuid4())
        self.ironic.add_node(node, profile["uri"], server_hardware_uri=server["uri"])
        network = self.create_network("vlan", "physnet1", 33)
        uri = self.ov_network(network["id"])["uri"]
        mac = self.connections(profile)[0]["mac"]
        port = self.create_port(network, mac=mac.lower(), host=node)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        # A OneView user points the connection elsewhere.
        body = self.ov.get(profile["uri"]).json()
        deploy = self.ov.members("ethernet-networks", filter="\"name='Deploy'\"")[0]["uri"]
        body["connectionSettings"]["connections"][0].update(networkUri=deploy, name="mine")
        self.ov.wait(self.ov.put(profile["uri"], json=body))

        report = self.reconcile()
        assert report.connections_restored == [port["id"]], report
        assert self.connections(profile)[0]["networkUri"] == uri

    def test_a_port_that_fails_for_another_reason_is_reported_and_the_pass_goes_on(self):
        # e.g. a database deadlock while completing the port's provisioning block
        server, profile = self.server_with_profile()
        node = str(uuid.uuid4())
        self.ironic.add_node(node, profile["uri"], server_hardware_uri=server["uri"])
        network = self.create_network("vlan", "physnet1", 34)
        mac = self.connections(profile)[0]["mac"]
        port = self.create_port(network, mac=mac.lower(), host=node)
        lost = self.create_network("vlan", "physnet1", 35)
        self.ov.wait(self.ov.delete(self.ov_network(lost["id"])["uri"]))
        body = self.ov.get(profile["uri"]).json()
        body["connectionSettings"]["connections"][0].update(name="mine")
        self.ov.wait(self.ov.put(profile["uri"], json=body))
        driver = self.driver.mechanism_manager.mech_drivers["oneview"].obj
        with mock.patch.object(
            driver.ports, "plug", autospec=True, side_effect=db_exc.DBDeadlock()
        ) as plug:
            report = self.reconcile()
        plug.assert_called_once()
        assert report.errors == [f"port {port['id']}: {db_exc.DBDeadlock()}"]
        assert report.networks_created == [lost["id"]]  # the rest of the pass still ran

    def test_orphans_are_reported_and_deleted_only_when_opted_in(self):
        name = f"Neutron [{uuid.uuid4()}]"
        task = self.ov.wait(
            self.ov.post(
                "/rest/ethernet-networks",
                json={"name": name, "vlanId": 90, "ethernetNetworkType": "Tagged"},
            )
        )
        orphan = task["associatedResource"]["resourceUri"]
        report = self.reconcile()
        assert report.orphans == [orphan] and report.orphans_deleted == []
        assert self.ov.get(orphan).status_code == 200
        report = self.reconcile(delete_orphans=True)
        assert report.orphans_deleted == [orphan]
        assert self.ov.get(orphan).status_code == 404

    def test_connection_of_a_port_deleted_while_ironic_was_down(self):
        server, profile = self.server_with_profile()
        node = str(uuid.uuid4())
        self.ironic.add_node(node, profile["uri"], server_hardware_uri=server["uri"])
        network = self.create_network("vlan", "physnet1", 34)
        before = self.connections(profile)[0]
        port = self.create_port(network, mac=before["mac"].lower(), host=node)
        self.ironic.down = True
        self._delete("ports", port["id"], as_admin=True)  # the undo fails: Ironic is down
        assert self.connections(profile)[0]["name"].startswith(f"Neutron [{port['id']}]")

        report = self.reconcile()
        assert report.stale_connections == [f"{profile['uri']} {port['id']}"]
        assert report.stale_connections_undone == []
        report = self.reconcile(delete_orphans=True)
        assert report.stale_connections_undone == [f"{profile['uri']} {port['id']}"]
        after = self.connections(profile)[0]
        assert (after["networkUri"], after["name"]) == (before["networkUri"], before["name"])

    def test_a_pass_oneview_refuses_is_logged_as_its_error_without_a_traceback(self):
        driver = self.driver.mechanism_manager.mech_drivers["oneview"].obj
        self.arm(
            "http_error",
            method="GET",
            path="/rest/ethernet-networks*",
            times=None,
            params={"status": 400, "error_code": "SOAK_REFUSED", "message": "Refused."},
        )
        with self.assertLogs("oneview_openstack.neutron.reconcile", level="ERROR") as logs:
            Reconciler(driver, False)()
        (record,) = logs.records
        assert "SOAK_REFUSED" in record.getMessage()
        assert record.exc_info is None
