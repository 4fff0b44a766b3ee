"""Asynchronous profile edits (profile_steps) through Ironic's conductor and the simulator.

Each test starts an edit the way a clean step does (node CLEANING with its clean step set),
lets the conductor move the node to CLEANWAIT, then runs the bios interface's periodic until
the node leaves CLEANWAIT: the resume is Ironic's own ``continue_node_clean`` (through the
in-process conductor, ``rpc_transport = none``), so cleaning really ends.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from ironic import objects
from ironic.common import exception, states
from ironic.conductor import task_manager
from ov_base import InProcessConductor, OneViewTestCase, mgr_utils

from oneview_openstack.ironic import common, profile_steps
from oneview_openstack.simulator.testing import wait_until

BIOS_RESET = {"manageBios": True, "overriddenSettings": []}


def reset_bios(body: dict[str, Any]) -> bool:
    """A profile change OneView applies with the server off (test data, not a builder)."""
    bios = body.get("bios") or {}
    if all(bios.get(key) == value for key, value in BIOS_RESET.items()):
        return False
    body["bios"] = {**bios, **BIOS_RESET}
    return True


def clean_step(step: str = "factory_reset") -> dict[str, Any]:
    return {"interface": "bios", "step": step, "priority": 0, "abortable": False, "args": {}}


@mgr_utils.mock_record_keepalive
class ProfileEditTest(InProcessConductor, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start_conductor()
        self.node = self.make_node(bios_interface="oneview")
        self.server_uri = self.node.driver_info["server_hardware_uri"]

    # -- helpers --------------------------------------------------------------------------
    def _cleaning(self, steps: list[dict[str, Any]], *, disable_ramdisk: bool = True) -> None:
        """The node as Ironic leaves it when it runs the first of ``steps`` of a manual clean."""
        node = self.node
        node.provision_state = states.CLEANING
        node.target_provision_state = states.MANAGEABLE
        node.clean_step = steps[0]
        node.set_driver_internal_info("clean_steps", steps)
        node.set_driver_internal_info("clean_step_index", 0)
        node.set_driver_internal_info("cleaning_disable_ramdisk", disable_ramdisk)
        node.save()

    def _start(self, change=reset_bios, **kwargs: Any) -> str | None:
        with self.acquire(self.node) as task:
            result = profile_steps.start_edit(
                task, change, owner="bios", step="factory_reset", **kwargs
            )
            if result is not None:
                task.process_event("wait", target_state=states.MANAGEABLE)
        self.node.refresh()
        return result

    def _poll(self) -> None:
        with self.acquire(self.node, shared=True) as task:
            bios = task.driver.bios
        bios._periodic_check_profile_edits(self.service, self.context)
        self.node.refresh()

    def _poll_until_done(self) -> None:
        def left_wait() -> bool:
            self._poll()
            return self.node.provision_state != states.CLEANWAIT

        wait_until(left_wait, timeout=20, what="the node to leave clean wait")

    def _claim(self) -> str:
        from oneview_openstack.ironic import allocation

        with self.acquire(self.node) as task:
            return allocation.claim(task, allocation.cleaning_name(task.node))

    def _profile(self) -> dict[str, Any]:
        return self.sim.get(self.server_of(self.node)["serverProfileUri"])

    # -- tests ----------------------------------------------------------------------------
    def test_edit_claims_applies_and_releases_without_the_ramdisk(self):
        self._cleaning([clean_step()])
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertEqual(states.CLEANWAIT, self._start())
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertTrue(record["claimed"])
        self.assertEqual("bios", record["owner"])
        self.assertTrue(record["task_uri"].startswith("/rest/tasks/"))
        self.assertTrue(self.node.driver_internal_info["cleaning_polling"])
        profile_uri = record["profile_uri"]
        self.assertFalse(reset_bios(self.sim.get(profile_uri)))  # the PUT holds the change
        self._poll_until_done()
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)
        # The claim the step made is given back once the last step of ours is done.
        self.assertFalse(self.sim.exists(profile_uri))
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertNotIn(common.APPLIED_PROFILE_URI, self.node.driver_info)

    def test_a_later_profile_step_keeps_the_claim(self):
        self._cleaning([clean_step(), clean_step("apply_configuration")])
        self._start()
        profile_uri = self.node.driver_internal_info[profile_steps.EDIT_KEY]["profile_uri"]
        with self.acquire(self.node) as task:
            self.assertTrue(profile_steps._later_edit_steps(task, "clean"))
            task.node.del_driver_internal_info(profile_steps.EDIT_KEY)
            profile_steps._release_if_done(task, "clean")
        self.assertTrue(self.sim.exists(profile_uri))
        self.assertEqual(profile_uri, self.server_of(self.node)["serverProfileUri"])

    def test_nothing_to_change_sends_nothing(self):
        self._claim()
        self._cleaning([clean_step()])
        self._start()  # the profile now holds the change
        self._poll_until_done()
        self.sim.reset_stats()
        self._cleaning([clean_step()])
        self.assertIsNone(self._start())
        puts = {r: n for r, n in self.sim.stats()["byRoute"].items() if r.startswith("PUT")}
        self.assertEqual({}, puts)
        self.assertEqual(states.CLEANING, self.node.provision_state)

    def test_a_server_on_with_the_ramdisk_is_rebooted_into_it_afterwards(self):
        self._claim()
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self._cleaning([clean_step()], disable_ramdisk=False)
        self._start()
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertTrue(record["reboot"])
        self.assertEqual("Off", self.server_of(self.node)["powerState"])
        # Done: the server is rebooted into IPA and the node waits for its heartbeat.
        wait_until(
            lambda: self._poll() or profile_steps.EDIT_KEY not in self.node.driver_internal_info,
            timeout=20,
            what="the edit to finish",
        )
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        self.assertTrue(self.node.driver_internal_info["cleaning_reboot"])
        self.assertNotIn("cleaning_polling", self.node.driver_internal_info)
        self.assertEqual("On", self.server_of(self.node)["powerState"])
        self.assertEqual(states.POWER_ON, self.node.power_state)

    def test_a_running_task_touches_provisioning_and_keeps_waiting(self):
        self._claim()
        self._cleaning([clean_step()])
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 40}
        )
        self._start()
        self.node.provision_updated_at = None
        self.node.save()
        self._poll()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state)
        self.assertIsNotNone(self.node.provision_updated_at)
        self.assertIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_a_task_beyond_the_edit_timeout_fails_the_step(self):
        self._claim()
        self._cleaning([clean_step()])
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 40}
        )
        self._start()
        record = dict(self.node.driver_internal_info[profile_steps.EDIT_KEY])
        record["started"] = "2026-01-01T00:00:00"
        self.node.set_driver_internal_info(profile_steps.EDIT_KEY, record)
        self.node.save()
        self._poll()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("[oneview]profile_edit_timeout", self.node.last_error)
        self.assertIn(record["task_uri"], self.node.last_error)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_a_task_unreadable_beyond_the_edit_timeout_fails_the_step(self):
        self._claim()
        self._cleaning([clean_step()])
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 40}
        )
        self._start()
        self.sim.arm(
            "http_error", method="GET", path="/rest/tasks/*", times=None, params={"status": 400}
        )
        self._poll()  # within the timeout: the look fails, the node keeps waiting
        self.assertEqual(states.CLEANWAIT, self.node.provision_state)
        record = dict(self.node.driver_internal_info[profile_steps.EDIT_KEY])
        record["started"] = "2026-01-01T00:00:00"
        self.node.set_driver_internal_info(profile_steps.EDIT_KEY, record)
        self.node.save()
        self._poll()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("could not be read", self.node.last_error)
        self.assertIn("[oneview]profile_edit_timeout", self.node.last_error)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_a_task_error_fails_the_step_with_oneviews_message(self):
        self._claim()
        self._cleaning([clean_step()])
        self.sim.arm(
            "task_error",
            method="PUT",
            path="/rest/server-profiles/*",
            params={
                "error_code": "BIOS_SETTINGS_APPLY_FAILED",
                "message": "The BIOS settings could not be applied.",
            },
        )
        self._start()
        self._poll_until_done()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("BIOS_SETTINGS_APPLY_FAILED", self.node.last_error)
        self.assertIn("The BIOS settings could not be applied.", self.node.last_error)
        self.assertIn("bios.factory_reset", self.node.last_error)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_a_session_expiring_in_the_middle_is_logged_in_again(self):
        self._claim()
        self._cleaning([clean_step()])
        self._start()
        self.sim.reset_stats()
        fault = self.sim.arm("session_expired", method="GET", path="/rest/tasks/*")
        self._poll_until_done()
        armed = [f["id"] for f in self.sim.get("/_sim/faults")["faults"]]
        self.assertNotIn(fault["id"], armed)  # it fired: the look at the task got a 401
        self.assertEqual(1, self.sim.stats()["byRoute"]["POST /rest/login-sessions"])
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)

    def test_a_oneview_user_taking_the_server_fails_the_step_and_leaves_it_alone(self):
        ours = self._claim()
        self._cleaning([clean_step()])
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 40}
        )
        self._start()
        taken = self.sim.action("take_server", uri=self.server_uri, name="a user's")
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self._poll()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("a OneView user took server hardware", self.node.last_error)
        self.assertIn(taken["profileUri"], self.node.last_error)
        self.assertIn(ours, self.node.last_error)
        server = self.server_of(self.node)
        self.assertEqual(taken["profileUri"], server["serverProfileUri"])
        self.assertEqual("On", server["powerState"])
        self.assertTrue(self.sim.exists(taken["profileUri"]))

    def test_a_oneview_users_server_is_refused_before_anything_is_sent(self):
        taken = self.sim.action("take_server", uri=self.server_uri)
        self._cleaning([clean_step()])
        self.sim.reset_stats()
        with self.acquire(self.node) as task:
            error = self.assertRaises(
                exception.NodeCleaningFailure,
                profile_steps.start_edit,
                task,
                reset_bios,
                owner="bios",
                step="factory_reset",
            )
        self.assertIn("in use by OneView", str(error))
        self.assertIn(taken["profileUri"], str(error))
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)
        writes = [
            r for r in self.sim.stats()["byRoute"] if not r.startswith(("GET", "POST /rest/login"))
        ]
        self.assertEqual([], [w for w in writes if "/_sim" not in w])

    def test_a_refused_put_raises_the_operations_error_with_oneviews_words(self):
        self._claim()
        self._cleaning([clean_step()])
        self.sim.arm(
            "http_error",
            method="PUT",
            path="/rest/server-profiles/*",
            params={"status": 400},
            times=1,
        )
        with self.acquire(self.node) as task:
            error = self.assertRaises(
                exception.NodeCleaningFailure,
                profile_steps.start_edit,
                task,
                reset_bios,
                owner="bios",
                step="factory_reset",
            )
        self.assertIn("bios.factory_reset", str(error))
        self.assertIn("HTTP 400", str(error))
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_another_interfaces_edit_is_not_touched(self):
        self._claim()
        self._cleaning([clean_step()])
        with self.acquire(self.node) as task:
            profile_steps.start_edit(task, reset_bios, owner="raid", step="create_configuration")
            task.process_event("wait", target_state=states.MANAGEABLE)
        self.node.refresh()
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        wait_until(
            lambda: self.sim.get(record["task_uri"])["taskState"] == "Completed",
            timeout=20,
            what="the OneView task",
        )
        self._poll()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state)
        self.assertEqual(record, self.node.driver_internal_info[profile_steps.EDIT_KEY])

    def test_outside_a_step_is_refused(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            self.assertRaises(
                exception.InvalidState,
                profile_steps.start_edit,
                task,
                reset_bios,
                owner="bios",
                step="x",
            )

    def test_a_stale_record_of_an_earlier_operation_is_dropped_not_resumed(self):
        self._claim()
        self._cleaning([clean_step()])
        self._start()
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        # That clean ended without the periodic (e.g. Ironic's timeout); a new one waits for
        # IPA to boot before its first step.
        self.node.clean_step = {}
        self.node.save()
        wait_until(
            lambda: self.sim.get(record["task_uri"])["taskState"] == "Completed",
            timeout=20,
            what="the OneView task",
        )
        self._poll()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_an_edit_oneview_takes_while_on_leaves_the_power_alone(self):
        self._claim()
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self._cleaning([clean_step()], disable_ramdisk=False)

        def describe(body: dict[str, Any]) -> bool:
            if body.get("description") == "edited online":
                return False
            body["description"] = "edited online"
            return True

        self.assertEqual(states.CLEANWAIT, self._start(describe, power_off=False))
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual((False, False), (record["reboot"], record["power_on"]))
        self.assertEqual("On", self.server_of(self.node)["powerState"])
        self.assertEqual("edited online", self.sim.get(record["profile_uri"])["description"])

    def test_a_server_that_cannot_be_brought_back_fails_the_step_instead_of_waiting(self):
        """OneView applied the edit but the reboot into IPA fails: no heartbeat can come, so
        the step fails with the power error rather than leave the node in clean wait."""
        self._claim()
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self._cleaning([clean_step()], disable_ramdisk=False)
        self._start()
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        wait_until(
            lambda: self.sim.get(record["task_uri"])["taskState"] == "Completed",
            timeout=20,
            what="the OneView task",
        )
        self.sim.arm(
            "http_error",
            method="PUT",
            path="/rest/server-hardware/*/powerState",
            params={"status": 400, "error_code": "POWER_CONTROL_FAILED"},
        )
        self._poll()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("bios.factory_reset", self.node.last_error)
        self.assertIn("POWER_CONTROL_FAILED", self.node.last_error)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_an_operation_that_ended_while_the_periodic_looked_is_left_alone(self):
        """The node left clean wait (an abort, a timeout) between the periodic's shared look
        and its exclusive lock: the ended operation is neither resumed nor powered on."""
        self._claim()
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self._cleaning([clean_step()])
        self._start()
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertTrue(record["power_on"])
        wait_until(
            lambda: self.sim.get(record["task_uri"])["taskState"] == "Completed",
            timeout=20,
            what="the OneView task",
        )
        with self.acquire(self.node, shared=True) as task:
            ended = objects.Node.get_by_uuid(self.context, self.node.uuid)
            ended.provision_state = states.CLEANFAIL
            ended.save()
            profile_steps.check_edit(task, task.driver.bios)
        self.node.refresh()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertEqual("Off", self.server_of(self.node)["powerState"])

    def test_a_task_oneview_no_longer_knows_fails_the_step_naming_it(self):
        """OneView purged the task (or was restored): no look can ever see it end, so the step
        fails with OneView's answer instead of waiting for Ironic's callback timeout."""
        self._claim()
        self._cleaning([clean_step()])
        self._start()
        record = {
            **self.node.driver_internal_info[profile_steps.EDIT_KEY],
            "task_uri": "/rest/tasks/purged-by-oneview",
        }
        self.node.set_driver_internal_info(profile_steps.EDIT_KEY, record)
        self.node.save()
        self._poll()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("/rest/tasks/purged-by-oneview", self.node.last_error)
        self.assertIn("no longer knows", self.node.last_error)
        self.assertIn("bios.factory_reset", self.node.last_error)
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_a_new_edit_recorded_while_the_periodic_looked_is_not_dropped_as_stale(self):
        """The periodic read a stale record under its shared lock; before its upgrade the node
        ran a new step that recorded its own edit: that record is kept (dropping it would leave
        the node waiting for good)."""
        self._claim()
        self._cleaning([clean_step()])
        self._start()
        fresh = dict(self.node.driver_internal_info[profile_steps.EDIT_KEY])
        self.node.clean_step = {}  # the earlier operation's record, as the periodic reads it
        self.node.save()
        with self.acquire(self.node, shared=True) as task:
            ran = objects.Node.get_by_uuid(self.context, self.node.uuid)
            ran.clean_step = clean_step()
            ran.save()
            profile_steps.check_edit(task, task.driver.bios)
        self.node.refresh()
        self.assertEqual(fresh, self.node.driver_internal_info.get(profile_steps.EDIT_KEY))

    def test_a_claim_that_did_not_take_the_change_is_followed_by_the_edit(self):
        """compose=True: when the claim's create did not carry the change (it found a profile
        to reuse), the step edits that profile instead of calling the change applied."""
        from oneview_openstack.ironic import allocation

        real_claim = allocation.claim

        def claim_without_customising(task, name, *, template_uri=None, customise=None):
            return real_claim(task, name, template_uri=template_uri)

        self._cleaning([clean_step()])
        with mock.patch.object(
            allocation, "claim", autospec=True, side_effect=claim_without_customising
        ):
            self.assertEqual(states.CLEANWAIT, self._start(compose=True))
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertFalse(reset_bios(self.sim.get(record["profile_uri"])))  # the PUT holds it
