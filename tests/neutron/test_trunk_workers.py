"""Trunk sets seen by two workers of one Neutron: a set one worker replaced is not stale in
the other (each keeps a trunk → set URI cache)."""

from __future__ import annotations

from typing import Any
from unittest import mock

from neutron_lib.api.definitions import portbindings
from test_trunks import DeployedTrunkCase

from oneview_openstack.neutron.reconcile import NeutronReads, Policy, Reconciler
from oneview_openstack.neutron.trunks import TrunkSync, set_name


class OtherWorkerTests(DeployedTrunkCase):
    oneview_overrides = {"reconcile_interval": 0}

    def periodic_worker(self) -> TrunkSync:
        """Another process's TrunkSync (the periodic worker), on the same OneView."""
        mech = self.mech()
        return TrunkSync(mech.client, mech.networks, mech.ports)

    def reconcile_with(self, trunks: TrunkSync):
        mech = self.mech()
        reconciler = Reconciler(
            client=mech.client,
            mappings=mech.mappings,
            networks=mech.networks,
            ports=mech.ports,
            policy=Policy(),
            passes=[("trunks", trunks.reconcile)],
            port_uri=trunks.expected_uri,
        )
        return reconciler.run(NeutronReads(self.context, self.driver))

    def test_a_set_replaced_by_the_api_worker_is_found_again(self):
        _server, profile, mac, parent, trunk = self.deployed_trunk()
        periodic = self.periodic_worker()
        first = self.reconcile_with(periodic)
        assert first.errors == [], first
        old_uri = self.network_set(trunk["id"])["uri"]
        # Ironic undeploys and deploys again through the API worker: a new set replaces the old.
        self.update_port(parent["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        self.bind(parent)
        new_uri = self.network_set(trunk["id"])["uri"]
        assert new_uri != old_uri
        assert self.connection(profile, mac)["networkUri"] == new_uri
        report = self.reconcile_with(periodic)
        assert report.errors == [], report
        assert report.connections_restored == [], report
        assert self.connection(profile, mac)["networkUri"] == new_uri
        assert periodic.expected_uri(self.show_port(parent["id"]), "unused") == new_uri


class CreateRaceTests(DeployedTrunkCase):
    def test_a_set_another_worker_made_meanwhile_is_taken_over(self):
        """Two workers find no set and both create it: OneView refuses the second name
        (CRM_DUPLICATE_NETWORK_SET_NAME); the loser makes the winner's set hold the trunk."""
        _server, profile, mac = self.ironic_server("On")
        parent = self.create_port(self.parent_net, mac=mac, host=None)
        trunk = self.create_trunk(parent, [self.subport(self.sub_nets[0])])
        sets = self.mech().client.network_sets
        original = sets.find_by_name
        native = self.uri_of(self.parent_net)
        raced: list[str] = []

        def other_worker_creates_after_our_lookup(name: str) -> Any:
            found = original(name)
            if name == set_name(trunk["id"]) and found is None and not raced:
                raced.append(sets.create(name, [native], native)["uri"])
            return found

        with mock.patch.object(
            sets, "find_by_name", autospec=True, side_effect=other_worker_creates_after_our_lookup
        ):
            self.bind(parent)
        assert len(raced) == 1
        assert self.show_port(parent["id"])["status"] == "ACTIVE"
        network_set = self.network_set(trunk["id"])
        assert network_set["uri"] == raced[0]
        assert set(network_set["networkUris"]) == {native, self.uri_of(self.sub_nets[0])}
        assert self.connection(profile, mac)["networkUri"] == raced[0]
        assert self.show_trunk(trunk["id"])["status"] == "ACTIVE"
