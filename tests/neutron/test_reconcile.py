"""Reconciliation: lost networks, memberships and connections; orphans; races with the API; power."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from unittest import mock

from ml2_case import OneViewMl2TestCase
from neutron.worker import PeriodicWorker
from neutron_lib.api.definitions import portbindings
from oslo_db import exception as db_exc

from oneview_openstack.neutron.reconcile import BoundPort, NeutronReads, Policy, Reconciler, Report

PROFILE_LISTING = "GET /rest/server-profiles"
EVERYTHING = {"delete_orphan_networks": True, "undo_stale_connections": True}


class Interleaved(NeutronReads):
    """Neutron reads with the API's work done *between* the pass's OneView and Neutron reads.

    Whichever side the pass reads first, ``action`` runs once after it and before the other, so a
    pass that went back to reading Neutron first would meet the race too (and fail on outcome).
    """

    def __init__(self, case: ReconcileCase, action: Callable[[], None]) -> None:
        super().__init__(case.context, case.driver)
        self.case = case
        self.action = action
        self.ran = 0

    def _oneview_listed(self) -> bool:
        return self.case.stats().get(PROFILE_LISTING, 0) > self.case.listings  # profiles: last

    def _window(self) -> None:
        if not self.ran:
            self.action()
            self.ran += 1

    def networks(self) -> list[dict[str, Any]]:
        if self._oneview_listed():
            self._window()  # OneView first: the window is now, before Neutron's first read
        return super().networks()

    def bound_ports(self) -> list[BoundPort]:
        bound = super().bound_ports()
        if not self._oneview_listed():
            self._window()  # Neutron first: the window is after its last listing
        return bound


class ReconcileCase(OneViewMl2TestCase):
    listings = 0

    def reconciler(self, **policy: Any) -> Reconciler:
        driver = self.mech()
        return Reconciler(
            client=driver.client,
            mappings=driver.mappings,
            networks=driver.networks,
            ports=driver.ports,
            policy=Policy(**policy),
        )

    def reconcile(self, neutron: NeutronReads | None = None, **policy: Any) -> Report:
        self.listings = self.stats().get(PROFILE_LISTING, 0)
        return self.reconciler(**policy).run(neutron or NeutronReads(self.context, self.driver))

    def between(self, action: Callable[[], None], **policy: Any) -> Report:
        reads = Interleaved(self, action)
        report = self.reconcile(reads, **policy)
        assert reads.ran == 1
        return report

    def wired_server(self, power: str = "Off") -> tuple[dict[str, Any], dict[str, Any], str]:
        server, profile = self.server_with_profile(power)
        node = str(uuid.uuid4())
        self.ironic.add_node(node, profile["uri"], server_hardware_uri=server["uri"])
        return server, profile, node

    def nothing_done(self, report: Report) -> None:
        assert (
            report.networks_created,
            report.memberships_restored,
            report.connections_restored,
            report.orphans,
            report.orphans_deleted,
            report.stale_connections,
            report.stale_connections_undone,
            report.needs_power_off,
            report.errors,
        ) == ([], [], [], [], [], [], [], [], []), report


class ReconcileTests(ReconcileCase):
    def test_the_periodic_worker_comes_from_get_workers(self):
        (worker,) = self.mech().get_workers()
        assert isinstance(worker, PeriodicWorker)

    def test_nothing_to_do_costs_no_writes(self):
        self.create_network("vlan", "physnet1", 30)
        before = self.writes()
        self.nothing_done(self.reconcile(**EVERYTHING))
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

    def test_young_resources_are_left_for_the_next_pass(self):
        lost = self.create_network("vlan", "physnet1", 36)
        self.ov.wait(self.ov.delete(self.ov_network(lost["id"])["uri"]))
        task = self.ov.wait(
            self.ov.post(
                "/rest/ethernet-networks",
                json={"name": f"Neutron [{uuid.uuid4()}]", "vlanId": 91},
            )
        )
        orphan = task["associatedResource"]["resourceUri"]
        report = self.reconcile(min_age=3600, **EVERYTHING)
        assert f"network {lost['id']}" in report.too_young
        assert f"orphan {orphan}" in report.too_young
        assert report.networks_created == [] and report.orphans_deleted == []
        assert self.ov_network(lost["id"]) is None and self.ov.get(orphan).status_code == 200

    def test_oneview_items_are_aged_by_when_the_worker_saw_them_not_by_oneviews_clock(self):
        """The simulator's clock runs far ahead of ours (compressed time), as a skewed
        appliance's may: an orphan waits one interval from its first sighting, then goes."""
        self.ov.sim("POST", "clock", json={"advance": 10 * 86400})  # OneView 10 days ahead
        self.ov.login()  # idle sessions expired in those days (the driver's client logs in again)
        task = self.ov.wait(
            self.ov.post(
                "/rest/ethernet-networks",
                json={"name": f"Neutron [{uuid.uuid4()}]", "vlanId": 92},
            )
        )
        orphan = task["associatedResource"]["resourceUri"]
        now = [1000.0]
        reconciler = self.reconciler(min_age=600, **EVERYTHING)
        reconciler._clock = lambda: now[0]
        neutron = NeutronReads(self.context, self.driver)

        first = reconciler.run(neutron)
        assert f"orphan {orphan}" in first.too_young and first.orphans_deleted == []
        now[0] += 599
        assert f"orphan {orphan}" in reconciler.run(neutron).too_young
        now[0] += 1
        later = reconciler.run(neutron)
        assert later.orphans_deleted == [orphan], later
        assert self.ov.get(orphan).status_code == 404

    def test_lost_connection_is_restored(self):
        _server, profile, node = self.wired_server()
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

    def test_a_port_that_fails_for_another_reason_is_logged_with_its_traceback(self):
        # e.g. a database deadlock while completing the port's provisioning block
        _server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 34)
        mac = self.connections(profile)[0]["mac"]
        port = self.create_port(network, mac=mac.lower(), host=node)
        lost = self.create_network("vlan", "physnet1", 35)
        self.ov.wait(self.ov.delete(self.ov_network(lost["id"])["uri"]))
        body = self.ov.get(profile["uri"]).json()
        body["connectionSettings"]["connections"][0].update(name="mine")
        self.ov.wait(self.ov.put(profile["uri"], json=body))
        driver = self.mech()
        with (
            mock.patch.object(
                driver.ports, "plug", autospec=True, side_effect=db_exc.DBDeadlock()
            ) as plug,
            self.assertLogs("oneview_openstack.neutron.reconcile", level="ERROR") as logs,
        ):
            report = self.reconcile()
        plug.assert_called_once()
        assert report.errors == [f"port {port['id']}: DBDeadlock: {db_exc.DBDeadlock()}"]
        assert report.networks_created == [lost["id"]]  # the rest of the pass still ran
        (record,) = logs.records
        assert port["id"] in record.getMessage() and record.exc_info is not None

    def test_a_oneview_refusal_of_one_item_is_one_warning_with_its_error_code(self):
        _server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 37)
        mac = self.connections(profile)[0]["mac"]
        port = self.create_port(network, mac=mac.lower(), host=node)
        body = self.ov.get(profile["uri"]).json()
        body["connectionSettings"]["connections"][0].update(name="mine")
        self.ov.wait(self.ov.put(profile["uri"], json=body))
        self.arm(
            "http_error",
            method="PUT",
            path="/rest/server-profiles/*",
            times=None,
            params={"status": 400, "error_code": "RECONCILE_REFUSED", "message": "No."},
        )
        with self.assertLogs("oneview_openstack.neutron.reconcile", level="WARNING") as logs:
            report = self.reconcile()
        assert report.errors == [f"port {port['id']}: RECONCILE_REFUSED: No."]
        warnings = [r for r in logs.records if "RECONCILE_REFUSED" in r.getMessage()]
        assert [(r.levelname, r.exc_info) for r in warnings] == [("WARNING", None)]
        assert [r for r in logs.records if r.levelname == "ERROR"] == []

    def test_orphans_are_reported_and_deleted_only_when_opted_in(self):
        name = f"Neutron [{uuid.uuid4()}]"
        task = self.ov.wait(
            self.ov.post(
                "/rest/ethernet-networks",
                json={"name": name, "vlanId": 90, "ethernetNetworkType": "Tagged"},
            )
        )
        orphan = task["associatedResource"]["resourceUri"]
        report = self.reconcile(undo_stale_connections=True)
        assert report.orphans == [orphan] and report.orphans_deleted == []
        assert self.ov.get(orphan).status_code == 200
        report = self.reconcile(delete_orphan_networks=True)
        assert report.orphans_deleted == [orphan]
        assert self.ov.get(orphan).status_code == 404

    def test_connection_of_a_port_deleted_while_ironic_was_down(self):
        _server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 34)
        before = self.connections(profile)[0]
        port = self.create_port(network, mac=before["mac"].lower(), host=node)
        self.ironic.down = True
        self._delete("ports", port["id"], as_admin=True)  # the undo fails: Ironic is down
        assert self.connections(profile)[0]["name"].startswith(f"Neutron [{port['id']}]")

        report = self.reconcile(delete_orphan_networks=True)
        assert report.stale_connections == [f"{profile['uri']} {port['id']}"]
        assert report.stale_connections_undone == []
        report = self.reconcile(undo_stale_connections=True)
        assert report.stale_connections_undone == [f"{profile['uri']} {port['id']}"]
        after = self.connections(profile)[0]
        assert (after["networkUri"], after["name"]) == (before["networkUri"], before["name"])

    def test_a_pass_oneview_refuses_is_logged_as_its_error_without_a_traceback(self):
        self.arm(
            "http_error",
            method="GET",
            path="/rest/ethernet-networks*",
            times=None,
            params={"status": 400, "error_code": "SOAK_REFUSED", "message": "Refused."},
        )
        with self.assertLogs("oneview_openstack.neutron.reconcile", level="ERROR") as logs:
            self.reconciler()()
        (record,) = logs.records
        assert "SOAK_REFUSED" in record.getMessage()
        assert record.exc_info is None


class RaceTests(ReconcileCase):
    """The API's work lands between the two reads; every switch on, no age guard (min_age 0):
    only the read order and the fresh reads keep the pass right."""

    def test_a_network_created_between_the_reads_is_not_taken_for_an_orphan(self):
        made: list[dict[str, Any]] = []
        report = self.between(lambda: made.append(self.create_network("vlan", "physnet1", 40)))
        (network,) = made
        ov = self.ov_network(network["id"])
        assert ov is not None and ov["uri"] in self.members_of(self.tagged_us)
        self.nothing_done(report)

    def test_a_network_deleted_between_the_reads_is_not_resurrected(self):
        network = self.create_network("vlan", "physnet1", 41)
        uri = self.ov_network(network["id"])["uri"]
        report = self.between(lambda: self.delete_network(network["id"]), **EVERYTHING)
        assert self.ov_network(network["id"]) is None
        assert uri not in self.members_of(self.tagged_us)
        self.nothing_done(report)

    def test_a_port_bound_between_the_reads_keeps_its_connection(self):
        _server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 42)
        uri = self.ov_network(network["id"])["uri"]
        mac = self.connections(profile)[0]["mac"].lower()
        port = self.create_port(network, mac=mac, host=None)  # not bound yet
        assert self.connections(profile)[0]["networkUri"] != uri

        def bind() -> None:
            self.update_port(port["id"], **{portbindings.HOST_ID: node})
            assert self.show_port(port["id"])["status"] == "ACTIVE"

        report = self.between(bind, **EVERYTHING)
        wired = self.connections(profile)[0]
        assert wired["networkUri"] == uri and wired["name"].startswith(f"Neutron [{port['id']}]")
        self.nothing_done(report)

    def test_a_port_unbound_between_the_reads_is_not_wired_again(self):
        _server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 43)
        deploy = self.connections(profile)[0]
        port = self.create_port(network, mac=deploy["mac"].lower(), host=node)
        assert self.show_port(port["id"])["status"] == "ACTIVE"

        def unbind() -> None:
            self.update_port(port["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})

        report = self.between(unbind, **EVERYTHING)
        back = self.connections(profile)[0]
        assert (back["networkUri"], back["name"]) == (deploy["networkUri"], deploy["name"])
        self.nothing_done(report)


class PowerTests(ReconcileCase):
    """Reconciliation never changes a server's power: it reports what needs the server off."""

    def test_repairs_on_a_powered_on_server_write_no_power_state(self):
        server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 44)
        uri = self.ov_network(network["id"])["uri"]
        deploy = self.ov.members("ethernet-networks", filter="\"name='Deploy'\"")[0]["uri"]
        # Port A: the template's own connection (a network change, fine while on).
        mac_a = self.connections(profile)[0]["mac"].lower()
        port_a = self.create_port(network, mac=mac_a, host=node)
        # Port B: a FlexNIC the template has no connection for (the driver added one).
        physical = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
        mac_b = physical["virtualPorts"][1]["mac"].lower()
        port_b = self.create_port(network, mac=mac_b, host=node)
        for port in (port_a, port_b):
            assert self.show_port(port["id"])["status"] == "ACTIVE"
        # A OneView user moves A's connection away and deletes B's, then the server goes on.
        body = self.ov.get(profile["uri"]).json()
        connections = body["connectionSettings"]["connections"]
        connections[0].update(networkUri=deploy, name="mine")
        connections[:] = [
            c for c in connections if not c["name"].startswith(f"Neutron [{port_b['id']}]")
        ]
        self.ov.wait(self.ov.put(profile["uri"], json=body))
        self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        before = self.power_puts()

        report = self.reconcile(**EVERYTHING)
        assert self.power_puts() == before  # not one PUT .../powerState from the worker
        assert self.ov.get(server["uri"]).json()["powerState"] == "On"
        assert report.connections_restored == [port_a["id"]]
        assert self.connections(profile)[0]["networkUri"] == uri
        (needs,) = report.needs_power_off
        assert needs.startswith(f"port {port_b['id']}: ")
        assert "only with the server off" in needs
        assert "reconciliation never changes a server's power" in needs
        assert "give the server profile template a connection for every port" in needs
        assert report.errors == []

    def test_a_stale_added_connection_on_a_powered_on_server_is_unassigned_not_cycled(self):
        server, profile, node = self.wired_server()
        network = self.create_network("vlan", "physnet1", 45)
        physical = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
        mac = physical["virtualPorts"][1]["mac"].lower()
        port = self.create_port(network, mac=mac, host=node)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        count = len(self.connections(profile))
        self.ironic.down = True
        self._delete("ports", port["id"], as_admin=True)  # the undo fails: Ironic is down
        self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        before = self.power_puts()

        report = self.reconcile(**EVERYTHING)
        assert self.power_puts() == before
        label = f"{profile['uri']} {port['id']}"
        assert report.stale_connections == report.stale_connections_undone == [label]
        assert report.needs_power_off == [] and report.errors == []
        after = self.connections(profile)
        assert len(after) == count  # OneView removes a connection only with the server off
        (unassigned,) = [c for c in after if c["portId"] == "Mezz 3:1-b"]
        assert (unassigned["networkUri"], unassigned["name"]) == (None, "")
