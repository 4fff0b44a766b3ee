"""Composition: a deployment's steps that are ours, applied by the claim's one profile task."""

from __future__ import annotations

from ironic.common import states
from ov_base import OneViewTestCase

from oneview_openstack.ironic import composition

BIOS_STEP = {
    "interface": "bios",
    "step": "apply_configuration",
    "args": {"settings": [{"name": "WorkloadProfile", "value": "Virtualization-MaxPerformance"}]},
    "priority": 150,
}


class AlreadyAppliedTest(OneViewTestCase):
    def test_a_composed_step_is_applied_only_while_its_deployment_runs(self):
        node = self.make_node(provision_state=states.DEPLOYING)
        with self.acquire(node) as task:
            self.assertFalse(composition.already_applied(task, "bios.apply_configuration"))
            composition.record(task, [BIOS_STEP])
            self.assertTrue(composition.already_applied(task, "bios.apply_configuration"))
            self.assertFalse(composition.already_applied(task, "raid.apply_configuration"))
            task.node.deploy_step = BIOS_STEP
            self.assertTrue(composition.already_applied(task, "bios.apply_configuration"))
            task.node.deploy_step = {**BIOS_STEP, "args": {"settings": []}}
            self.assertFalse(
                composition.already_applied(task, "bios.apply_configuration"),
                "a user's step with other arguments than the composed one must run",
            )
            task.node.provision_state = states.CLEANING
            task.node.deploy_step = {}
            self.assertFalse(composition.already_applied(task, "bios.apply_configuration"))
            task.node.provision_state = states.DEPLOYWAIT
            self.assertTrue(composition.already_applied(task, "bios.apply_configuration"))
            composition.forget(task)
            self.assertFalse(composition.already_applied(task, "bios.apply_configuration"))
