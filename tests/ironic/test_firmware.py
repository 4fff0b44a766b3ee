"""The ``oneview`` firmware interface through Ironic's conductor and the simulator, whose
profiles install a baseline of ``/rest/firmware-drivers`` in a long task and update
``…/firmware``.
"""

from __future__ import annotations

import datetime
from typing import Any

from ironic.common import exception, states
from ironic.objects import firmware as firmware_objects
from ov_base import InProcessConductor, OneViewTestCase, mgr_utils

from oneview_openstack.ironic import firmware, profile_steps
from oneview_openstack.simulator.testing import wait_until


def update_step(url: str, **extra: Any) -> dict[str, Any]:
    setting = {"component": "baseline", "url": url, **extra}
    return {"interface": "firmware", "step": "update", "args": {"settings": [setting]}}


@mgr_utils.mock_record_keepalive
class FirmwareTest(InProcessConductor, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start_conductor()
        self.node = self.make_node(
            firmware_interface="oneview",
            provision_state=states.MANAGEABLE,
            power_state=states.POWER_OFF,
        )
        self.server_uri = self.node.driver_info["server_hardware_uri"]
        baselines = sorted(self.sim.members("firmware-drivers"), key=lambda b: b["version"])
        self.newest = baselines[-1]

    def _installed(self) -> dict[str, str]:
        components = self.sim.get(self.server_uri + "/firmware")["components"]
        return {c["componentName"]: c["componentVersion"] for c in components}

    def _cached(self) -> dict[str, Any]:
        found = firmware_objects.FirmwareComponentList.get_by_node_id(self.context, self.node.id)
        return {c.component: c for c in found}

    def _poll(self) -> None:
        with self.acquire(self.node, shared=True) as task:
            interface = task.driver.firmware
        interface._periodic_check_profile_edits(self.service, self.context)
        self.node.refresh()

    def _poll_until(self, wanted: str) -> None:
        def left() -> bool:
            self._poll()
            return self.node.provision_state not in profile_steps.WAIT_STATES

        wait_until(left, timeout=60, what="the node to leave clean wait")
        self.assertEqual(wanted, self.node.provision_state, self.node.last_error)

    def _clean(self, steps: list[dict[str, Any]]) -> None:
        self.service.do_node_clean(self.context, self.node.uuid, steps)
        self.node.refresh()

    def _age_provisioning(self) -> None:
        """As if the last sign of life were an hour ago."""
        self.node.provision_updated_at = datetime.datetime.utcnow() - datetime.timedelta(hours=1)
        self.node.save()

    def test_cache_stores_the_installed_components(self):
        with self.acquire(self.node) as task:
            task.driver.firmware.cache_firmware_components(task)
        cached = self._cached()
        installed = self._installed()
        self.assertEqual(set(installed), set(cached))
        for name, version in installed.items():
            self.assertEqual(version, cached[name].current_version)
            self.assertEqual(version, cached[name].initial_version)
            self.assertIsNone(cached[name].last_version_flashed)

    def test_manual_clean_installs_the_baseline_and_caches_what_changed(self):
        with self.acquire(self.node) as task:
            task.driver.firmware.cache_firmware_components(task)
        before = self._installed()
        self._clean([update_step(self.newest["baselineShortName"])])
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        section = self.sim.get(record["profile_uri"])["firmware"]
        self.assertEqual(self.newest["uri"], section["firmwareBaselineUri"])
        self.assertEqual("FirmwareOnlyOfflineMode", section["firmwareInstallType"])
        self.assertFalse(section["forceInstallFirmware"])
        self._poll_until(states.MANAGEABLE)
        after = self._installed()
        changed = {name for name in after if after[name] != before.get(name)}
        self.assertTrue(changed, "the baseline changed no component")
        cached = self._cached()
        for name in changed:
            self.assertEqual(after[name], cached[name].current_version)
            self.assertEqual(after[name], cached[name].last_version_flashed)
            self.assertEqual(before[name], cached[name].initial_version)
        self.assertFalse(self.sim.exists(record["profile_uri"]))  # the step's claim released

    def test_an_update_outlasting_the_callback_timeout_stays_alive(self):
        self.config(clean_callback_timeout=60, group="conductor")
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 30}
        )
        self._clean([update_step(self.newest["uri"])])
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        # An hour without news, then the periodic looks at the running task: the node lives.
        self._age_provisioning()
        self._poll()
        self.service._check_cleanwait_timeouts(self.context)
        self.node.refresh()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        # The same hour without the periodic's touch: Ironic's own timeout fails the node.
        self._age_provisioning()
        self.service._check_cleanwait_timeouts(self.context)
        self.node.refresh()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)

    def test_a_baseline_that_does_not_exist_is_refused_naming_those_that_do(self):
        before = self._installed()
        self.sim.reset_stats()
        self._clean([update_step("SPP_1999_01")])
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("SPP_1999_01", self.node.last_error)
        self.assertIn(self.newest["baselineShortName"], self.node.last_error)
        routes = self.sim.stats()["byRoute"]
        self.assertEqual([], [r for r in routes if r.startswith(("PUT", "POST /rest/server-p"))])
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertEqual(before, self._installed())

    def test_a_task_error_fails_the_step_with_oneviews_words(self):
        before = self._installed()
        self.sim.arm(
            "task_error",
            method="PUT",
            path="/rest/server-profiles/*",
            params={"error_code": "FIRMWARE_INSTALL_FAILED", "message": "SUM could not flash."},
        )
        self._clean([update_step(self.newest["uri"])])
        self._poll_until(states.CLEANFAIL)
        self.assertIn("FIRMWARE_INSTALL_FAILED", self.node.last_error)
        self.assertIn("SUM could not flash.", self.node.last_error)
        self.assertEqual(before, self._installed())

    def test_a_oneview_user_taking_the_server_mid_update_fails_it_clearly(self):
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 60}
        )
        self._clean([update_step(self.newest["uri"])])
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        taken = self.sim.action("take_server", uri=self.server_uri, name="their own")
        self._poll_until(states.CLEANFAIL)
        self.assertIn("a OneView user took server hardware", self.node.last_error)
        self.assertIn(taken["profileUri"], self.node.last_error)
        self.assertIn("firmware.update", self.node.last_error)
        self.assertEqual(taken["profileUri"], self.server_of(self.node)["serverProfileUri"])
        self.assertTrue(self.sim.exists(taken["profileUri"]))

    def test_a_session_expiring_mid_update_is_logged_in_again(self):
        self._clean([update_step(self.newest["baselineShortName"])])
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        self.sim.reset_stats()
        fault = self.sim.arm("session_expired", method="GET", path="/rest/tasks/*")
        self._poll_until(states.MANAGEABLE)
        armed = [f["id"] for f in self.sim.get("/_sim/faults")["faults"]]
        self.assertNotIn(fault["id"], armed)  # it fired
        self.assertEqual(1, self.sim.stats()["byRoute"]["POST /rest/login-sessions"])


class SettingsShapeTest(OneViewTestCase):
    """The settings shape is checked before anything else (pure)."""

    def _refused(self, settings: Any, *words: str) -> None:
        error = self.assertRaises(
            exception.InvalidParameterValue, firmware.baseline_request, "n1", settings
        )
        for word in words:
            self.assertIn(word, str(error))

    def test_accepted(self):
        self.assertEqual(
            ("SPP2020090", True),
            firmware.baseline_request(
                "n1", [{"component": "baseline", "url": " SPP2020090 ", "force": True}]
            ),
        )

    def test_refused(self):
        self._refused([], "not one baseline", '"component": "baseline"')
        self._refused([{"component": "bmc", "url": "x"}], "'bmc'", "'baseline'")
        self._refused([{"component": "baseline"}], "url None", "/rest/firmware-drivers")
        self._refused([{"component": "baseline", "url": "x", "force": "yes"}], "force 'yes'")
        self._refused([{"component": "baseline", "url": "x", "wait": 5}], "'wait'", "'force'")
