"""A claim whose record was lost (the conductor died while OneView applied the profile).

The profile is on the server, named by the node's claim, but no ``applied_server_profile_uri``
records it. The periodic check and tear-down adopt it by any of the node's claim names, a new claim
only by its own; a OneView user's profile is never adopted. tests/crash does the same with real processes and SIGKILL.
"""

from __future__ import annotations

from unittest import mock

from ironic.common import states
from ironic.drivers.modules import fake
from ov_base import OneViewTestCase, mgr_utils

from oneview_openstack.ironic import allocation, common, management

RAMDISK_BOOT = [*fake.FakeBoot.capabilities, "ramdisk_boot"]
INSTANCE = {"kernel": "file:///k", "ramdisk": "file:///r", "display_name": "crashed"}


@mgr_utils.mock_record_keepalive
class LostClaimTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(fake.FakeBoot, "capabilities", RAMDISK_BOOT)
        patcher.start()
        self.addCleanup(patcher.stop)
        self._start_service()
        self.mgmt = management.OneViewManagement()

    def _lost_claim(self, state: str, name: str = "deploy", index: int = 0):
        """A node in ``state`` whose server carries its claim's profile, unrecorded."""
        node = self.make_node(index=index, provision_state=states.DEPLOYING, instance_info=INSTANCE)
        with self.acquire(node) as task:
            names = {
                "deploy": allocation.deploy_name,
                "cleaning": allocation.cleaning_name,
                "service": allocation.service_name,
            }
            uri = allocation.claim(task, names[name](task.node))
            allocation.forget(task)  # what a conductor killed before it saved the URI leaves
            task.node.provision_state = state
            task.node.save()
        node.refresh()
        self.assertNotIn(common.APPLIED_PROFILE_URI, node.driver_info)
        self.assertEqual(uri, self.server_of(node)["serverProfileUri"])
        return node, uri

    def _periodic(self):
        self.mgmt._periodic_check_lost_claims(self.service, self.context)

    def test_the_periodic_check_adopts_the_profile_of_each_failed_state(self):
        cases = [
            (states.DEPLOYFAIL, "deploy"),
            (states.CLEANFAIL, "cleaning"),
            (states.SERVICEFAIL, "service"),
        ]
        lost = [self._lost_claim(state, name, index) for index, (state, name) in enumerate(cases)]
        self._periodic()
        for node, uri in lost:
            node.refresh()
            self.assertEqual(uri, node.driver_info.get(common.APPLIED_PROFILE_URI))
            self.assertTrue(self.sim.exists(uri))

    def test_the_periodic_check_never_adopts_a_oneview_users_profile(self):
        node, ours = self._lost_claim(states.DEPLOYFAIL)
        uri = node.driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name="carol")
        theirs = self.sim.get(uri)["serverProfileUri"]
        self._periodic()
        node.refresh()
        self.assertNotIn(common.APPLIED_PROFILE_URI, node.driver_info)
        self.assertTrue(self.sim.exists(theirs))
        self.assertNotEqual(ours, theirs)

    def test_nor_a_profile_named_by_another_nodes_claim(self):
        node, _ = self._lost_claim(states.DEPLOYFAIL)
        other, _ = self._lost_claim(states.DEPLOYFAIL, index=1)
        # The other node's profile moved to this node's server: not this node's claim.
        with self.acquire(other) as task:
            name = allocation.deploy_name(task.node)
        with self.acquire(node) as task:
            self.assertNotIn(name, allocation.claim_names(task.node))
        uri = node.driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name=name)
        self._periodic()
        node.refresh()
        self.assertNotIn(common.APPLIED_PROFILE_URI, node.driver_info)

    def test_undeploy_before_the_periodic_check_releases_the_profile(self):
        node, uri = self._lost_claim(states.DEPLOYFAIL)
        self.service.do_node_tear_down(self.context, node.uuid)
        node.refresh()
        self.assertEqual(states.AVAILABLE, node.provision_state, node.last_error)
        self.assertNotIn(common.APPLIED_PROFILE_URI, node.driver_info)
        self.assertIsNone(self.server_of(node).get("serverProfileUri"))
        self.assertFalse(self.sim.exists(uri))

    def test_a_claim_adopts_only_a_profile_made_for_the_same_purpose(self):
        node, uri = self._lost_claim(states.DEPLOYFAIL, "cleaning")
        with self.acquire(node) as task:
            self.assertRaises(
                allocation.AllocationError,
                allocation.claim,
                task,
                allocation.deploy_name(task.node),
            )
            self.assertNotIn(common.APPLIED_PROFILE_URI, task.node.driver_info)
            self.assertEqual(uri, allocation.claim(task, allocation.cleaning_name(task.node)))
            self.assertEqual(uri, task.node.driver_info[common.APPLIED_PROFILE_URI])
            allocation.release(task)
        self.assertFalse(self.sim.exists(uri))

    def test_clean_failed_then_manage_and_provide_cleans_on_the_adopted_profile(self):
        node, uri = self._lost_claim(states.CLEANFAIL, "cleaning")
        self._periodic()
        self.config(automated_clean=True, group="conductor")
        for verb, state in (("manage", states.MANAGEABLE), ("provide", states.CLEANWAIT)):
            self.service.do_provisioning_action(self.context, node.uuid, verb)
            node.refresh()
            self.assertEqual(state, node.provision_state, node.last_error)
        self.assertEqual(uri, node.driver_info[common.APPLIED_PROFILE_URI])  # reused
        # the agent reports cleaning done: the conductor tears cleaning down and releases
        with self.acquire(node) as task:
            task.driver.deploy.tear_down_cleaning(task)
        self.assertFalse(self.sim.exists(uri))
        self.assertIsNone(self.server_of(node).get("serverProfileUri"))
