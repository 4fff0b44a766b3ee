"""Composition: a deployment's steps that are ours, applied by the claim's one profile task."""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest import mock

from ironic import objects
from ironic.common import exception, states
from ironic.drivers.modules import fake
from ov_base import OneViewTestCase, mgr_utils
from test_templates import (
    INSTANCE,
    RAMDISK_BOOT,
    TRAIT,
    add_template,
    deploy_template,
    refusal,
    template_step,
    writes,
)

from oneview_openstack.ironic import allocation, common, composition, profile_steps

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


RAID_CONFIG = {
    "logical_disks": [
        {"size_gb": "MAX", "raid_level": "1", "is_root_volume": True, "volume_name": "root"}
    ]
}
RAID_STEP = {
    "interface": "raid",
    "step": "apply_configuration",
    "args": {"raid_config": RAID_CONFIG},
    "priority": 140,
}
SECURE_UEFI = {"capabilities": {"boot_mode": "uefi", "secure_boot": "true"}}


class PlanTest(OneViewTestCase):
    """What a claim would apply, built and validated with nothing sent to OneView."""

    def _node(self, **instance_info: Any) -> Any:
        return self.make_node(
            provision_state=states.DEPLOYING,
            bios_interface="oneview",
            raid_interface="oneview",
            instance_info=instance_info,
        )

    def test_bios_raid_boot_mode_and_secure_boot_become_sections(self):
        node = self._node(**SECURE_UEFI)
        with self.acquire(node) as task:
            self.sim.reset_stats()
            plan = composition.plan(task, [BIOS_STEP, RAID_STEP])
            self.assertEqual({}, writes(self.sim.stats()))
        self.assertIsNone(plan.template_uri)  # the node's own
        self.assertEqual(
            {
                "manageBios": True,
                "overriddenSettings": [
                    {"id": "WorkloadProfile", "value": "Virtualization-MaxPerformance"}
                ],
            },
            plan.sections["bios"],
        )
        (controller,) = plan.sections["localStorage"]["controllers"]
        self.assertEqual(
            {"name": "root", "raidLevel": "RAID1", "bootable": True, "numPhysicalDrives": 2},
            controller["logicalDrives"][0],
        )
        self.assertEqual(
            {"manageMode": True, "mode": "UEFIOptimized", "secureBoot": "Enabled"},
            plan.sections["bootMode"],
        )
        self.assertEqual(
            [
                "bios.apply_configuration",
                "raid.apply_configuration",
                "management.set_boot_mode",
                "management.set_secure_boot_state",
            ],
            [composition.step_name(s) for s in plan.steps],
        )
        body: dict[str, Any] = {
            "bios": {"manageBios": False},
            "bootMode": {"pxeBootPolicy": "Auto"},
        }
        plan.customise(body)
        self.assertTrue(plan.applied)
        self.assertEqual("Auto", body["bootMode"]["pxeBootPolicy"])  # kept from the template

    def test_steps_of_interfaces_that_are_not_ours_are_left_alone(self):
        node = self.make_node(provision_state=states.DEPLOYING, bios_interface="no-bios")
        with self.acquire(node) as task:
            plan = composition.plan(task, [BIOS_STEP])
        self.assertEqual({}, plan.sections)
        self.assertEqual([], plan.steps)

    def test_a_reset_or_delete_running_after_the_apply_is_what_the_claim_applies(self):
        """Ironic runs higher priorities first: a factory_reset (delete_configuration) of lower
        priority than the apply undoes it, so the claim applies the reset, not the apply."""
        node = self._node()
        reset = {"interface": "bios", "step": "factory_reset", "args": {}, "priority": 140}
        delete = {"interface": "raid", "step": "delete_configuration", "args": {}, "priority": 130}
        with self.acquire(node) as task:
            plan = composition.plan(task, [BIOS_STEP, reset, RAID_STEP, delete])
            earlier = composition.plan(
                task,
                [{**BIOS_STEP, "priority": 100}, reset, {**RAID_STEP, "priority": 120}, delete],
            )
        self.assertEqual({"manageBios": True, "overriddenSettings": []}, plan.sections["bios"])
        (controller,) = plan.sections["localStorage"]["controllers"]
        self.assertEqual([], controller["logicalDrives"])
        # The apply running last keeps its settings and logical drives.
        self.assertEqual(1, len(earlier.sections["bios"]["overriddenSettings"]))
        (controller,) = earlier.sections["localStorage"]["controllers"]
        self.assertEqual(["root"], [d["name"] for d in controller["logicalDrives"]])

    def _refused(self, steps: list[dict[str, Any]], *words: str, **instance_info: Any) -> None:
        node = self._node(**instance_info)
        with self.acquire(node) as task:
            self.sim.reset_stats()
            error = self.assertRaises(
                exception.InvalidParameterValue, composition.plan, task, steps
            )
            self.assertEqual({}, writes(self.sim.stats()), "OneView was written to")
        for word in (*words, "Nothing was sent to OneView"):
            self.assertIn(word, str(error))

    def test_a_bios_value_outside_its_options_is_refused_naming_field_value_and_options(self):
        bad = {**BIOS_STEP, "args": {"settings": [{"name": "ProcTurbo", "value": "Sometimes"}]}}
        self._refused([bad], "bios.apply_configuration", "ProcTurbo", "'Sometimes'", "Enabled")

    def test_an_unknown_bios_setting_is_refused(self):
        bad = {**BIOS_STEP, "args": {"settings": [{"name": "NoSuchThing", "value": "1"}]}}
        self._refused([bad], "'NoSuchThing'", "WorkloadProfile")

    def test_a_raid_size_that_is_not_max_is_refused(self):
        disks = [{"size_gb": 100, "raid_level": "1", "is_root_volume": True}]
        bad = {**RAID_STEP, "args": {"raid_config": {"logical_disks": disks}}}
        self._refused([bad], "raid.apply_configuration", "size_gb", "100", "'MAX'")

    def test_a_raid_level_the_controller_lacks_is_refused(self):
        disks = [{"size_gb": "MAX", "raid_level": "5"}]
        bad = {**RAID_STEP, "args": {"raid_config": {"logical_disks": disks}}}
        self._refused([bad], "raid_level", "'5'", "0, 1")

    def test_secure_boot_on_gen9_is_refused(self):
        gen9 = self.sim.template("ironic-dl360-gen9")
        server = next(
            s
            for s in self.sim.members("server-hardware")
            if s["serverHardwareTypeUri"] == gen9["serverHardwareTypeUri"]
        )
        node = self.make_node(
            server=server,
            template=gen9,
            provision_state=states.DEPLOYING,
            instance_info={"capabilities": {"secure_boot": "true"}},
            properties={
                "capabilities": f"server_hardware_type_uri:{server['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{gen9['uri']}"
            },
        )
        with self.acquire(node) as task:
            self.sim.reset_stats()
            error = self.assertRaises(exception.InvalidParameterValue, composition.plan, task, [])
            self.assertEqual({}, writes(self.sim.stats()), "OneView was written to")
        for word in ("instance_info/capabilities", "secure_boot", "Gen9", "Gen10"):
            self.assertIn(word, str(error))

    def test_a_chosen_template_of_another_type_is_refused_before_the_steps(self):
        step = {
            "interface": "deploy",
            "step": "apply_server_profile_template",
            "args": {"template": "ironic-dl360"},
            "priority": 150,
        }
        self._refused([step, BIOS_STEP], "ironic-dl360", "server hardware type")


def tasks_by_kind(sim: Any, seen: set[str]) -> Counter[str]:
    """OneView tasks started since ``seen`` (task URIs), as "category: name" counts."""
    found: Counter[str] = Counter()
    for task in sim.members("tasks"):
        if task["uri"] not in seen:
            found[f"{task['associatedResource']['resourceCategory']}: {task['name']}"] += 1
    return found


@mgr_utils.mock_record_keepalive
class ComposedDeploymentTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    """A deployment whose deploy template chooses a template and configures the server."""

    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(fake.FakeBoot, "capabilities", RAMDISK_BOOT)
        patcher.start()
        self.addCleanup(patcher.stop)
        self._start_service()
        self.alternative = add_template(self.simulator_server, self.template, "ironic-database")

    def _deploy(self, index: int, **instance_info: Any) -> tuple[Any, Counter[str]]:
        node = self.make_node(
            index=index,
            provision_state=states.AVAILABLE,
            bios_interface="oneview",
            raid_interface="oneview",
            instance_info={**INSTANCE, **instance_info},
        )
        objects.TraitList.create(self.context, node.id, [TRAIT])
        # Both deployments start from a server left on: each must switch it off once.
        self.sim.action("set_power", uri=node.driver_info["server_hardware_uri"], powerState="On")
        seen = {task["uri"] for task in self.sim.members("tasks")}
        self.service.do_node_deploy(self.context, node.uuid)
        node.refresh()
        self.assertEqual(states.ACTIVE, node.provision_state, node.last_error)
        return node, tasks_by_kind(self.sim, seen)

    def test_one_profile_task_and_no_power_cycle_beyond_the_deployments_own(self):
        _, plain = self._deploy(0)
        deploy_template(
            self.context, TRAIT, [template_step("ironic-database"), BIOS_STEP, RAID_STEP]
        )
        node, composed = self._deploy(1, traits=[TRAIT], **SECURE_UEFI)
        self.assertEqual(
            {
                "server-profiles: Create": 1,
                "server-hardware: Power off": 1,
                "server-hardware: Power on": 1,
            },
            plain,
        )
        self.assertEqual(plain, composed, "composition added OneView tasks (power or profile)")
        self.assertEqual(
            [
                "deploy.apply_server_profile_template",
                "bios.apply_configuration",
                "raid.apply_configuration",
                "management.set_boot_mode",
                "management.set_secure_boot_state",
            ],
            node.driver_internal_info[common.COMPOSED_STEPS],
        )
        profile = self.sim.get(node.driver_info[common.APPLIED_PROFILE_URI])
        self.assertEqual("from ironic-database", profile["description"])
        self.assertIn(
            {"id": "WorkloadProfile", "value": "Virtualization-MaxPerformance"},
            profile["bios"]["overriddenSettings"],
        )
        (controller,) = profile["localStorage"]["controllers"]
        self.assertEqual("RAID1", controller["logicalDrives"][0]["raidLevel"])
        self.assertEqual("Enabled", profile["bootMode"]["secureBoot"])
        self.assertEqual("UEFIOptimized", profile["bootMode"]["mode"])
        self.assertEqual(RAID_CONFIG, node.target_raid_config)  # recorded by the no-op step

    def test_a_retried_deployment_re_claims_from_the_template_its_traits_now_choose(self):
        # A deployment that failed after its claim keeps the profile (no composition at the
        # next claim): the template step re-claims. (Ironic 39's rebuild path cannot be used
        # here: start_deploy reads an unset auto_lessee for the rebuild event.)
        node, _ = self._deploy(0)
        old = node.driver_info[common.APPLIED_PROFILE_URI]
        deploy_template(self.context, TRAIT, [template_step("ironic-database"), BIOS_STEP])
        node.instance_info = {**node.instance_info, "traits": [TRAIT]}
        node.provision_state = states.DEPLOYFAIL
        node.save()
        seen = {task["uri"] for task in self.sim.members("tasks")}
        self.service.do_node_deploy(self.context, node.uuid)
        node.refresh()
        self.assertEqual(states.ACTIVE, node.provision_state, node.last_error)
        self.assertFalse(self.sim.exists(old))
        profile = self.sim.get(node.driver_info[common.APPLIED_PROFILE_URI])
        self.assertEqual("from ironic-database", profile["description"])
        self.assertIn(
            {"id": "WorkloadProfile", "value": "Virtualization-MaxPerformance"},
            profile["bios"]["overriddenSettings"],
        )
        tasks = tasks_by_kind(self.sim, seen)
        self.assertEqual(1, tasks["server-profiles: Delete"], tasks)
        self.assertEqual(1, tasks["server-profiles: Create"], tasks)
        self.assertEqual(0, tasks["server-profiles: Update"], "the BIOS step edited the profile")

    def test_a_re_claim_that_did_not_compose_leaves_the_steps_to_apply_themselves(self):
        """The template step's re-claim reused a profile instead of creating one (customise
        never ran): nothing is recorded as composed, so the BIOS step makes its own edit."""
        node, _ = self._deploy(0)
        deploy_template(self.context, TRAIT, [template_step("ironic-database"), BIOS_STEP])
        node.instance_info = {**node.instance_info, "traits": [TRAIT]}
        node.provision_state = states.DEPLOYFAIL
        node.save()
        real_claim = allocation.claim

        def claim_without_customising(task, name, *, template_uri=None, customise=None):
            return real_claim(task, name, template_uri=template_uri)

        with mock.patch.object(
            allocation, "claim", autospec=True, side_effect=claim_without_customising
        ):
            self.service.do_node_deploy(self.context, node.uuid)
        node.refresh()
        self.assertNotIn(
            composition.BIOS_APPLY, node.driver_internal_info.get(common.COMPOSED_STEPS) or []
        )
        self.assertEqual(states.DEPLOYWAIT, node.provision_state, node.last_error)
        record = node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual(("bios", "apply_configuration"), (record["owner"], record["step"]))

    def test_a_bad_bios_value_refuses_the_deployment_before_oneview_is_touched(self):
        bad = {**BIOS_STEP, "args": {"settings": [{"name": "ProcTurbo", "value": "Sometimes"}]}}
        deploy_template(self.context, TRAIT, [bad])
        node = self.make_node(
            provision_state=states.AVAILABLE,
            bios_interface="oneview",
            instance_info={**INSTANCE, "traits": [TRAIT]},
        )
        objects.TraitList.create(self.context, node.id, [TRAIT])
        self.sim.reset_stats()
        error = refusal(
            self.assertRaises, lambda: self.service.do_node_deploy(self.context, node.uuid)
        )
        node.refresh()
        self.assertEqual(states.AVAILABLE, node.provision_state)
        for word in ("ProcTurbo", "'Sometimes'", "Enabled", "Nothing was sent to OneView"):
            self.assertIn(word, str(error))
        self.assertEqual({}, writes(self.sim.stats()))


class DeploymentStepsTest(OneViewTestCase):
    """Which steps a claim sees: deploy templates of the instance's traits, user steps first."""

    def test_user_steps_override_templates_and_priority_zero_disables(self):
        deploy_template(self.context, TRAIT, [BIOS_STEP, {**RAID_STEP, "priority": 0}])
        node = self.make_node(
            provision_state=states.DEPLOYING,
            bios_interface="oneview",
            raid_interface="oneview",
            instance_info={"traits": [TRAIT]},
        )
        objects.TraitList.create(self.context, node.id, [TRAIT])
        with self.acquire(node) as task:
            self.assertEqual(
                [BIOS_STEP], composition.deployment_steps(task), "a priority-0 step is disabled"
            )
            user = {**BIOS_STEP, "args": {"settings": []}, "priority": 160}
            task.node.set_driver_internal_info("user_deploy_steps", [user])
            self.assertEqual([user], composition.deployment_steps(task))
