"""The ``oneview`` bios interface through Ironic's conductor (manual cleaning, servicing, deploy
steps) and the simulator, whose profiles apply and validate the ``bios`` section.
"""

from __future__ import annotations

from typing import Any

from ironic.common import states
from ironic.objects import bios as bios_objects
from ov_base import InProcessConductor, OneViewTestCase, mgr_utils

from oneview_openstack.ironic import allocation, common, profile_steps
from oneview_openstack.simulator.testing import wait_until

SETTINGS = [
    {"name": "WorkloadProfile", "value": "GeneralThroughputCompute"},
    {"name": "NetworkBootRetryCount", "value": "5"},
    {"name": "ServerAssetTag", "value": "rack-42"},
]


def apply_step(settings: list[dict[str, Any]]) -> dict[str, Any]:
    return {"interface": "bios", "step": "apply_configuration", "args": {"settings": settings}}


@mgr_utils.mock_record_keepalive
class BiosTestBase(InProcessConductor, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start_conductor()
        self.node = self.make_node(
            bios_interface="oneview",
            provision_state=states.MANAGEABLE,
            power_state=states.POWER_OFF,
        )
        self.server_uri = self.node.driver_info["server_hardware_uri"]

    def _bios(self) -> dict[str, Any]:
        return {s["id"]: s["value"] for s in self.sim.get(self.server_uri + "/bios")["settings"]}

    def _poll_until(self, wanted: str) -> None:
        def reached() -> bool:
            with self.acquire(self.node, shared=True) as task:
                bios = task.driver.bios
            bios._periodic_check_profile_edits(self.service, self.context)
            self.node.refresh()
            return self.node.provision_state not in profile_steps.WAIT_STATES

        wait_until(reached, timeout=30, what="the node to leave its wait state")
        self.assertEqual(wanted, self.node.provision_state, self.node.last_error)

    def _clean(self, steps: list[dict[str, Any]]) -> None:
        self.service.do_node_clean(self.context, self.node.uuid, steps)
        self.node.refresh()

    def _cached(self) -> dict[str, Any]:
        return {
            s.name: s
            for s in bios_objects.BIOSSettingList.get_by_node_id(self.context, self.node.id)
        }


class ManualCleaningTest(BiosTestBase):
    def _claim(self) -> str:
        with self.acquire(self.node) as task:
            return allocation.claim(task, allocation.cleaning_name(task.node))

    def _claims(self) -> list[str]:
        """Profiles left by claims of this node (their names carry its UUID)."""
        return [
            p["uri"] for p in self.sim.members("server-profiles") if self.node.uuid in p["name"]
        ]

    def _profile_writes(self) -> dict[str, int]:
        return {
            route: n
            for route, n in self.sim.stats()["byRoute"].items()
            if route.startswith(("POST /rest/server-profiles", "PUT /rest/server-profiles"))
        }

    def test_apply_configuration_then_factory_reset_composed_into_the_claim(self):
        before = self._bios()
        self.sim.reset_stats()
        self._clean([apply_step(SETTINGS)])
        # Every step is out-of-band: Ironic skips the ramdisk and the step claims the server,
        # with the settings in the claim's one create: one OneView task, no edit after it.
        # (With the ramdisk the node would wait in clean wait for IPA.)
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual({"POST /rest/server-profiles": 1}, self._profile_writes())
        now = self._bios()
        self.assertEqual("GeneralThroughputCompute", now["WorkloadProfile"])
        self.assertEqual("5", now["NetworkBootRetryCount"])
        self.assertEqual("rack-42", now["ServerAssetTag"])
        self.assertNotEqual(before["WorkloadProfile"], now["WorkloadProfile"])
        # Released after the step, and Ironic's cache holds the new values.
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertEqual([], self._claims())
        cached = self._cached()
        self.assertEqual("GeneralThroughputCompute", cached["WorkloadProfile"].value)
        self.assertEqual("5", cached["NetworkBootRetryCount"].value)

        self._clean([{"interface": "bios", "step": "factory_reset", "args": {}}])
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual("GeneralPowerEfficientCompute", self._bios()["WorkloadProfile"])
        self.assertEqual("GeneralPowerEfficientCompute", self._cached()["WorkloadProfile"].value)

    def test_on_a_claimed_server_the_edit_waits_for_oneview(self):
        profile_uri = self._claim()
        self._clean([apply_step(SETTINGS)])
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual((profile_uri, False), (record["profile_uri"], record["claimed"]))
        overridden = self.sim.get(profile_uri)["bios"]["overriddenSettings"]
        self.assertEqual(
            {
                "WorkloadProfile": "GeneralThroughputCompute",
                "NetworkBootRetryCount": "5",
                "ServerAssetTag": "rack-42",
            },
            {o["id"]: o["value"] for o in overridden},
        )
        self._poll_until(states.MANAGEABLE)
        self.assertEqual("GeneralThroughputCompute", self._bios()["WorkloadProfile"])
        self.assertEqual("GeneralThroughputCompute", self._cached()["WorkloadProfile"].value)
        self.assertTrue(self.sim.exists(profile_uri))  # not the step's claim: not released

    def test_both_steps_in_one_clean_share_one_claim(self):
        self.sim.reset_stats()
        self._clean([apply_step(SETTINGS), {"interface": "bios", "step": "factory_reset"}])
        # The first step composed into the claim, the second edits it and waits.
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual(("factory_reset", False), (record["step"], record["claimed"]))
        self._poll_until(states.MANAGEABLE)
        self.assertFalse(self.sim.exists(record["profile_uri"]))
        self.assertEqual("GeneralPowerEfficientCompute", self._bios()["WorkloadProfile"])
        writes = self._profile_writes()
        self.assertEqual(1, writes.pop("POST /rest/server-profiles"))
        self.assertEqual([1], list(writes.values()))  # one PUT

    def _refused(self, settings: list[dict[str, Any]], *words: str) -> None:
        before = self._bios()
        self.sim.reset_stats()
        self._clean([apply_step(settings)])
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        for word in words:
            self.assertIn(word, self.node.last_error)
        routes = self.sim.stats()["byRoute"]
        self.assertEqual([], [r for r in routes if r.startswith(("PUT", "POST /rest/server-p"))])
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertEqual(before, self._bios())

    def test_an_unknown_setting_is_refused_naming_what_exists(self):
        self._refused([{"name": "TurboBoost", "value": "On"}], "TurboBoost", "WorkloadProfile")

    def test_a_value_outside_the_options_is_refused_naming_them(self):
        self._refused(
            [{"name": "WorkloadProfile", "value": "Fastest"}],
            "WorkloadProfile",
            "'Fastest'",
            "GeneralPeakFrequencyCompute",
        )

    def test_an_integer_outside_its_bounds_is_refused_naming_them(self):
        self._refused(
            [{"name": "NetworkBootRetryCount", "value": "99"}],
            "NetworkBootRetryCount",
            "'99'",
            "from 0 to 20",
        )

    def test_a_string_too_long_is_refused_naming_the_length(self):
        self._refused([{"name": "ServerAssetTag", "value": "x" * 40}], "ServerAssetTag", "0 to 31")

    def test_a_task_error_fails_the_step_with_oneviews_words(self):
        self._claim()
        self.sim.arm(
            "task_error",
            method="PUT",
            path="/rest/server-profiles/*",
            params={"error_code": "BIOS_APPLY_FAILED", "message": "iLO refused the settings."},
        )
        before = self._bios()
        self._clean([apply_step(SETTINGS)])
        self._poll_until(states.CLEANFAIL)
        self.assertIn("BIOS_APPLY_FAILED", self.node.last_error)
        self.assertIn("iLO refused the settings.", self.node.last_error)
        self.assertEqual(before, self._bios())
        # The failed clean's tear-down released the claim.
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))

    def test_a_failed_composed_claim_fails_the_step_and_leaves_no_profile(self):
        self.sim.arm(
            "task_error",
            method="POST",
            path="/rest/server-profiles",
            params={"error_code": "BIOS_APPLY_FAILED", "message": "iLO refused the settings."},
        )
        before = self._bios()
        self._clean([apply_step(SETTINGS)])
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("BIOS_APPLY_FAILED", self.node.last_error)
        self.assertIn("bios.apply_configuration", self.node.last_error)
        self.assertEqual(before, self._bios())
        self.assertEqual([], self._claims())
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))

    def test_a_setting_the_server_does_not_hold_afterwards_fails_the_step(self):
        self._claim()
        self._clean([apply_step(SETTINGS)])
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        wait_until(
            lambda: self.sim.get(record["task_uri"])["taskState"] == "Completed",
            timeout=20,
            what="the OneView task",
        )
        # Someone at the iLO puts one value back before Ironic looks.
        state = self.simulator_server.state
        with state.lock:
            state.core.store.get(self.server_uri)["_bios"]["WorkloadProfile"] = "LowLatency"
        self._poll_until(states.CLEANFAIL)
        self.assertIn("does not hold the BIOS settings asked", self.node.last_error)
        self.assertIn(
            "WorkloadProfile='LowLatency' (asked 'GeneralThroughputCompute')",
            self.node.last_error,
        )


class CacheTest(BiosTestBase):
    def test_values_with_the_registry_fields(self):
        with self.acquire(self.node) as task:
            task.driver.bios.cache_bios_settings(task)
        cached = self._cached()
        self.assertEqual(set(self._bios()), set(cached))
        workload = cached["WorkloadProfile"]
        self.assertEqual("Enumeration", workload.attribute_type)
        self.assertIn("GeneralThroughputCompute", workload.allowable_values)
        self.assertFalse(workload.read_only)
        self.assertTrue(workload.reset_required)
        retries = cached["NetworkBootRetryCount"]
        self.assertEqual(
            ("Integer", 0, 20), (retries.attribute_type, retries.lower_bound, retries.upper_bound)
        )
        tag = cached["ServerAssetTag"]
        self.assertEqual(("String", 31), (tag.attribute_type, tag.max_length))


class ServiceAndDeployTest(BiosTestBase):
    def test_service_step_on_an_active_node_powers_it_back_on(self):
        with self.acquire(self.node) as task:
            profile_uri = allocation.claim(task, allocation.deploy_name(task.node))
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self.node.refresh()
        self.node.provision_state = states.ACTIVE
        self.node.power_state = states.POWER_ON
        self.node.save()
        self.service.do_node_service(
            self.context, self.node.uuid, [apply_step(SETTINGS[:1])], disable_ramdisk=True
        )
        self.node.refresh()
        self.assertEqual(states.SERVICEWAIT, self.node.provision_state, self.node.last_error)
        self.assertEqual("Off", self.server_of(self.node)["powerState"])
        self._poll_until(states.ACTIVE)
        self.assertEqual("On", self.server_of(self.node)["powerState"])
        self.assertEqual(profile_uri, self.server_of(self.node)["serverProfileUri"])
        self.assertEqual("GeneralThroughputCompute", self._bios()["WorkloadProfile"])

    def test_deploy_step_composed_into_the_claim_is_a_no_op(self):
        with self.acquire(self.node) as task:
            allocation.claim(task, allocation.deploy_name(task.node))
        # What the server already holds (as after a claim that composed the step).
        held = [{"name": "WorkloadProfile", "value": self._bios()["WorkloadProfile"]}]
        step = {**apply_step(held), "priority": 150}
        self.node.refresh()
        self.node.provision_state = states.DEPLOYING
        self.node.deploy_step = step
        self.node.set_driver_internal_info(common.COMPOSED_STEPS, ["bios.apply_configuration"])
        self.node.set_driver_internal_info(
            common.COMPOSED_ARGS, {"bios.apply_configuration": step["args"]}
        )
        self.node.save()
        self.sim.reset_stats()
        with self.acquire(self.node) as task:
            self.assertIsNone(task.driver.bios.apply_configuration(task, held))
        routes = self.sim.stats()["byRoute"]
        self.assertEqual([], [r for r in routes if r.startswith("PUT")])
        self.assertIn("WorkloadProfile", self._cached())  # cached all the same
