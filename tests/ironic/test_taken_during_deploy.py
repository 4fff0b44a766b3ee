"""A OneView user takes the server during the deployment: our message, not Ironic's port wait.

Neutron's driver refuses to wire a OneView user's profile, so without the check Ironic's
tenant-network switch would end with "Port ... failed to reach status ACTIVE".
"""

from __future__ import annotations

from unittest import mock

from ironic.common import exception, states
from ironic.drivers.modules import fake
from ov_base import OneViewTestCase

from oneview_openstack.ironic import allocation, common

RAMDISK_BOOT = [*fake.FakeBoot.capabilities, "ramdisk_boot"]
INSTANCE = {"kernel": "file:///k", "ramdisk": "file:///r", "ironic_ramdisk_deploy": True}


class TakenDuringDeployTest(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(fake.FakeBoot, "capabilities", RAMDISK_BOOT)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _claimed(self, deploy_interface: str):
        """A deploying node whose server carries Ironic's profile."""
        node = self.make_node(
            provision_state=states.DEPLOYING,
            deploy_interface=deploy_interface,
            instance_info=INSTANCE,
        )
        with self.acquire(node) as task:
            allocation.claim(task, allocation.deploy_name(task.node))
        node.refresh()
        return node

    def _take(self, node, name: str = "erin") -> dict:
        uri = node.driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name=name)
        return self.sim.get(uri)

    def _assert_our_message(self, error: Exception, node, server: dict) -> None:
        text = str(error)
        self.assertIn("A OneView user took the server during the deployment", text)
        self.assertIn(node.uuid, text)
        self.assertIn(server["uri"], text)
        self.assertIn(server["serverProfileUri"], text)
        self.assertIn("in use by OneView", text)
        self.assertNotIn("failed to reach status", text)

    def test_direct_deploy_fails_before_the_tenant_network_with_our_message(self):
        node = self._claimed("oneview-direct")
        server = self._take(node)
        with self.acquire(node) as task:
            error = self.assertRaises(
                exception.InstanceDeployFailure,
                task.driver.deploy.switch_to_tenant_network,
                task,
            )
        self._assert_our_message(error, node, server)
        after = self.server_of(node)
        self.assertEqual(server["serverProfileUri"], after["serverProfileUri"])
        self.assertEqual(server["powerState"], after["powerState"])

    def test_ramdisk_deploy_fails_before_the_tenant_network_with_our_message(self):
        node = self._claimed("oneview-ramdisk")
        server = self._take(node, "frank")
        with self.acquire(node) as task:
            error = self.assertRaises(
                exception.InstanceDeployFailure, task.driver.deploy.deploy, task
            )
        self._assert_our_message(error, node, server)
        after = self.server_of(node)
        self.assertEqual(server["serverProfileUri"], after["serverProfileUri"])
        self.assertEqual(server["powerState"], after["powerState"])

    def test_a_server_ironic_still_owns_switches_to_the_tenant_network(self):
        node = self._claimed("oneview-direct")
        ours = node.driver_info[common.APPLIED_PROFILE_URI]
        with self.acquire(node) as task:
            task.driver.deploy.switch_to_tenant_network(task)
        self.assertEqual(ours, self.server_of(node)["serverProfileUri"])

    def test_a_server_ironic_still_owns_boots_its_ramdisk_instance(self):
        node = self._claimed("oneview-ramdisk")
        ours = node.driver_info[common.APPLIED_PROFILE_URI]
        with self.acquire(node) as task:
            self.assertIsNone(task.driver.deploy.deploy(task))
        server = self.server_of(node)
        self.assertEqual(ours, server["serverProfileUri"])
        self.assertEqual("On", server["powerState"])

    def test_the_overrides_stay_deploy_steps_at_ironics_priorities(self):
        for interface, step, priority in (
            ("oneview-direct", "switch_to_tenant_network", 30),
            ("oneview-direct", "deploy", 100),
            ("oneview-ramdisk", "deploy", 100),
        ):
            node = self.make_node(deploy_interface=interface, instance_info=INSTANCE)
            with self.acquire(node, shared=True) as task:
                steps = {
                    s["step"]: s["priority"] for s in task.driver.deploy.get_deploy_steps(task)
                }
            self.assertEqual(priority, steps.get(step), (interface, steps))
