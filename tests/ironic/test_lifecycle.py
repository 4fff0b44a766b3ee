"""Full lifecycles through Ironic's real conductor manager (no RPC), with the simulator behind.

enroll -> manage -> inspect -> provide -> deploy -> undeploy -> clean: profiles appear in
OneView when Ironic needs the server and disappear when it is given back.
"""

from __future__ import annotations

from unittest import mock

from ironic.common import exception, states
from ironic.drivers.modules import fake
from ov_base import OneViewTestCase, mgr_utils

from oneview_openstack.ironic import common

RAMDISK_BOOT = [*fake.FakeBoot.capabilities, "ramdisk_boot"]
INSTANCE = {"kernel": "file:///k", "ramdisk": "file:///r", "ironic_ramdisk_deploy": True}


@mgr_utils.mock_record_keepalive
class LifecycleTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The fake boot interface stands in for PXE; the ramdisk deploy wants this capability.
        patcher = mock.patch.object(fake.FakeBoot, "capabilities", RAMDISK_BOOT)
        patcher.start()
        self.addCleanup(patcher.stop)
        self._start_service()
        self.node = self.make_node(provision_state=states.ENROLL, instance_info=INSTANCE)

    def _profile_uri(self):
        return self.server_of(self.node).get("serverProfileUri")

    def _act(self, verb):
        self.service.do_provisioning_action(self.context, self.node.uuid, verb)
        self.node.refresh()

    def _deploy(self):
        self.service.do_node_deploy(self.context, self.node.uuid)
        self.node.refresh()

    def test_enroll_to_deploy_to_undeploy(self):
        self._act("manage")
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.service.inspect_hardware(self.context, self.node.uuid)
        self.node.refresh()
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual("x86_64", self.node.properties["cpu_arch"])
        self.assertIsNone(self._profile_uri())  # inspection claims nothing
        self._act("provide")
        self.assertEqual(states.AVAILABLE, self.node.provision_state, self.node.last_error)
        self._deploy()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertEqual(states.POWER_ON, self.node.power_state)
        applied = self.node.driver_info[common.APPLIED_PROFILE_URI]
        self.assertEqual(applied, self._profile_uri())
        profile = self.sim.get(applied)
        self.assertEqual(f"{self.node.name} [{self.node.uuid}]", profile["name"])
        self.assertEqual("", profile.get("serverProfileTemplateUri") or "")
        self.service.do_node_tear_down(self.context, self.node.uuid)
        self.node.refresh()
        self.assertEqual(states.AVAILABLE, self.node.provision_state, self.node.last_error)
        self.assertNotIn(common.APPLIED_PROFILE_URI, self.node.driver_info)
        self.assertIsNone(self._profile_uri())
        self.assertFalse(self.sim.exists(applied))

    def test_redeploy_reuses_the_profile_ironic_applied(self):
        self.node.provision_state = states.AVAILABLE
        self.node.save()
        self._deploy()
        applied = self.node.driver_info[common.APPLIED_PROFILE_URI]
        with self.acquire(self.node) as task:
            from oneview_openstack.ironic import allocation

            self.assertEqual(applied, allocation.claim(task, "another name"))
        self.assertEqual(
            1, len([p for p in self.sim.members("server-profiles") if p["uri"] == applied])
        )

    def test_stale_applied_profile_uri_is_healed(self):
        self.node.provision_state = states.AVAILABLE
        self.node.driver_info = {
            **self.node.driver_info,
            common.APPLIED_PROFILE_URI: "/rest/server-profiles/gone",
        }
        self.node.save()
        self._deploy()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertNotEqual(
            "/rest/server-profiles/gone", self.node.driver_info[common.APPLIED_PROFILE_URI]
        )

    def test_deploy_refused_when_a_oneview_user_owns_the_server(self):
        self.node.provision_state = states.AVAILABLE
        self.node.save()
        uri = self.node.driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name="carol")
        foreign = {"uri": self.sim.get(uri)["serverProfileUri"]}
        self._deploy()
        self.assertEqual(states.DEPLOYFAIL, self.node.provision_state)
        self.assertIn("in use by OneView", self.node.last_error)
        self.assertIn(foreign["uri"], self.node.last_error)
        self.assertEqual(foreign["uri"], self._profile_uri())  # untouched

    def test_tear_down_after_a_take_deletes_our_unassigned_claim_and_keeps_theirs(self):
        self.node.provision_state = states.AVAILABLE
        self.node.save()
        self._deploy()
        ours = self.node.driver_info[common.APPLIED_PROFILE_URI]
        uri = self.node.driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name="grace")
        theirs = self.sim.get(uri)["serverProfileUri"]
        power = self.sim.get(uri)["powerState"]
        with self.acquire(self.node) as task:
            self.assertEqual(states.DELETED, task.driver.deploy.tear_down(task))
            self.assertNotIn(common.APPLIED_PROFILE_URI, task.node.driver_info)
        self.assertFalse(self.sim.exists(ours))
        self.assertEqual(theirs, self.sim.get(uri)["serverProfileUri"])
        self.assertEqual(power, self.sim.get(uri)["powerState"])

    def test_claim_task_error_leaves_no_profile_and_names_oneview_message(self):
        self.node.provision_state = states.AVAILABLE
        self.node.save()
        self.sim.arm(
            "task_error",
            method="POST",
            path="/rest/server-profiles",
            params={"error_code": "PROFILE_APPLY_FAILED", "message": "Firmware baseline missing."},
        )
        self._deploy()
        self.assertEqual(states.DEPLOYFAIL, self.node.provision_state)
        self.assertIn("Firmware baseline missing.", self.node.last_error)
        self.assertIsNone(self._profile_uri())
        self.assertEqual(
            [], [p for p in self.sim.members("server-profiles") if self.node.uuid in p["name"]]
        )
        self.assertNotIn(common.APPLIED_PROFILE_URI, self.node.driver_info)

    def test_oneview_user_takes_the_server_mid_deploy(self):
        self.node.provision_state = states.AVAILABLE
        self.node.save()
        uri = self.node.driver_info["server_hardware_uri"]
        # The user grabs the server right when Ironic powers it on to boot the ramdisk.
        self.sim.arm(
            "server_taken",
            method="PUT",
            path="/rest/server-hardware/*/powerState",
            resource=uri,
            params={"name": "dave"},
        )
        self._deploy()
        ours = self.node.driver_info.get(common.APPLIED_PROFILE_URI)
        server = self.server_of(self.node)
        self.assertNotEqual(ours, server["serverProfileUri"])
        power_before = server["powerState"]
        # Undeploy lets go of the server: the user's profile and power stay as they are.
        self.service.do_node_tear_down(self.context, self.node.uuid)
        self.node.refresh()
        self.assertEqual(states.AVAILABLE, self.node.provision_state, self.node.last_error)
        self.assertNotIn(common.APPLIED_PROFILE_URI, self.node.driver_info)
        after = self.server_of(self.node)
        self.assertEqual(server["serverProfileUri"], after["serverProfileUri"])
        self.assertEqual(power_before, after["powerState"])
        self.assertEqual("dave", self.sim.get(after["serverProfileUri"])["name"])

    def test_cleaning_claims_and_releases(self):
        self.node.provision_state = states.CLEANING
        self.node.save()
        with self.acquire(self.node) as task:
            result = task.driver.deploy.prepare_cleaning(task)
            self.assertEqual(states.CLEANWAIT, result)
            applied = task.node.driver_info[common.APPLIED_PROFILE_URI]
            self.assertEqual(f"Ironic Cleaning [{self.node.uuid}]", self.sim.get(applied)["name"])
            task.driver.deploy.tear_down_cleaning(task)
            self.assertNotIn(common.APPLIED_PROFILE_URI, task.node.driver_info)
        self.assertFalse(self.sim.exists(applied))

    def test_failed_cleaning_claim_marks_the_node(self):
        self.node.provision_state = states.CLEANING
        self.node.save()
        self.sim.action("take_server", uri=self.node.driver_info["server_hardware_uri"])
        with self.acquire(self.node) as task:
            self.assertRaises(
                exception.NodeCleaningFailure, task.driver.deploy.prepare_cleaning, task
            )
            self.assertEqual(
                common.ALLOCATION_ERROR_TEXT,
                task.node.driver_internal_info[common.ALLOCATION_ERROR],
            )

    def test_undeploy_with_cleaning_keeps_the_profile_for_cleaning(self):
        self.node.provision_state = states.AVAILABLE
        self.node.save()
        self._deploy()
        applied = self.node.driver_info[common.APPLIED_PROFILE_URI]
        self.config(automated_clean=True, group="conductor")
        self.service.do_node_tear_down(self.context, self.node.uuid)
        self.node.refresh()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        self.assertEqual(applied, self.node.driver_info[common.APPLIED_PROFILE_URI])  # reused
        self.assertEqual(applied, self._profile_uri())
        # the agent reports cleaning done: the conductor tears cleaning down and releases
        with self.acquire(self.node) as task:
            task.driver.deploy.tear_down_cleaning(task)
        self.assertFalse(self.sim.exists(applied))

    def test_service_claims_only_when_needed(self):
        self.node.provision_state = states.SERVICING
        self.node.save()
        with self.acquire(self.node) as task:
            task.driver.deploy.prepare_service(task)
            applied = task.node.driver_info[common.APPLIED_PROFILE_URI]
            task.driver.deploy.tear_down_service(task)
            self.assertNotIn(common.APPLIED_PROFILE_URI, task.node.driver_info)
        self.assertFalse(self.sim.exists(applied))


class AllocationTest(OneViewTestCase):
    def test_a_claim_whose_record_was_lost_is_adopted(self):
        from oneview_openstack.ironic import allocation

        node = self.make_node()
        with self.acquire(node) as task:
            first = allocation.claim(task, allocation.cleaning_name(task.node))
            # the conductor died before it saved the URI: the node forgets it
            allocation.forget(task)
            self.assertEqual(first, allocation.claim(task, allocation.cleaning_name(task.node)))
            self.assertEqual(first, task.node.driver_info[common.APPLIED_PROFILE_URI])
        self.assertEqual(
            1, sum(1 for p in self.sim.members("server-profiles") if p["uri"] == first)
        )

    def test_release_never_deletes_a_profile_ironic_does_not_own(self):
        from oneview_openstack.ironic import allocation

        node = self.make_node()
        uri = node.driver_info["server_hardware_uri"]
        with self.acquire(node) as task:
            ours = allocation.claim(task, "ours")
        self.sim.action("take_server", uri=uri, name="frank")
        theirs = self.sim.get(uri)["serverProfileUri"]
        with self.acquire(node) as task:
            allocation.release(task)
            self.assertNotIn(common.APPLIED_PROFILE_URI, task.node.driver_info)
        self.assertTrue(self.sim.exists(theirs))
        self.assertNotEqual(ours, theirs)
        self.assertTrue(self.sim.exists(ours))  # not a claim's name: not judged Ironic's

    def test_release_deletes_the_claim_a_oneview_user_unassigned(self):
        from oneview_openstack.ironic import allocation

        node = self.make_node()
        uri = node.driver_info["server_hardware_uri"]
        with self.acquire(node) as task:
            ours = allocation.claim(task, allocation.cleaning_name(task.node))
        self.sim.action("take_server", uri=uri, name="frank")  # unassigns ours, applies theirs
        self.assertIsNone(self.sim.get(ours)["serverHardwareUri"])
        theirs = self.sim.get(uri)["serverProfileUri"]
        with self.acquire(node) as task:
            allocation.release(task)
        self.assertFalse(self.sim.exists(ours))
        self.assertTrue(self.sim.exists(theirs))
        self.assertEqual(theirs, self.sim.get(uri)["serverProfileUri"])


class BootOptionTest(OneViewTestCase):
    """Ironic's boot code picks the ramdisk boot option by the deploy interface's name."""

    def test_oneview_ramdisk_nodes_boot_their_ramdisk(self):
        from ironic.drivers.modules import deploy_utils

        node = self.make_node(deploy_interface="oneview-ramdisk")
        self.assertEqual("ramdisk", deploy_utils.get_boot_option(node))

    def test_oneview_direct_nodes_boot_from_disk(self):
        from ironic.drivers.modules import deploy_utils

        node = self.make_node(deploy_interface="oneview-direct")
        self.assertEqual("local", deploy_utils.get_boot_option(node))
