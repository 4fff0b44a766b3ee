"""Template compliance of linked profiles (``keep_profiles_linked_to_template``): node health, the
``management.update_from_template`` service step through Ironic's conductor, and the refusal of
templates whose connections are compliance-``Checked``."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import oslo_messaging as messaging
from ironic.common import exception, states
from ironic.common.health_states import HealthState
from ov_base import InProcessConductor, OneViewTestCase, mgr_utils

from oneview_openstack.ironic import allocation, common, compliance, profile_steps
from oneview_openstack.simulator.testing import wait_until

STEP = {"interface": "management", "step": "update_from_template", "args": {}}
STEP_NAME = f"{compliance.OWNER}.{compliance.STEP}"
PROFILE_LISTING = "GET /rest/server-profiles"


class CompliantTestCase(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.config(keep_profiles_linked_to_template=True, group="oneview")
        compliance.NONCOMPLIANT.clear()
        self.addCleanup(compliance.NONCOMPLIANT.clear)

    def _claim(self, node: Any) -> dict[str, Any]:
        with self.acquire(node) as task:
            uri = allocation.claim(task, allocation.deploy_name(task.node))
        node.refresh()
        return self.sim.get(uri)

    def _edit_template(self, change: Callable[[dict[str, Any]], None]) -> None:
        """PUT the template (with its eTag) and wait for OneView's task."""
        body = copy.deepcopy(self.sim.get(self.template["uri"]))
        change(body)
        reply = self.sim.http.put(self.sim.server.url + self.template["uri"], json=body, timeout=10)
        reply.raise_for_status()
        task_uri = reply.json()["uri"]

        def ended() -> bool:
            state = self.sim.get(task_uri)["taskState"]
            assert state not in ("Error", "Killed"), self.sim.get(task_uri)
            return state == "Completed"

        wait_until(ended, timeout=10, what="the template update task")

    def _require_secure_boot(self) -> None:
        """An administrator's edit in a Checked section: the linked profiles drift."""

        def change(body: dict[str, Any]) -> None:
            body["bootMode"] = {
                **body["bootMode"],
                "secureBoot": "Enabled",
                "complianceControl": "Checked",
            }

        self._edit_template(change)


class HealthTest(CompliantTestCase):
    def _health(self, node: Any, shared: bool = True) -> HealthState | None:
        with self.acquire(node, shared=shared) as task:
            return task.driver.management.get_node_health(task)

    def test_a_noncompliant_profile_makes_the_health_warning(self):
        node = self.make_node()
        profile = self._claim(node)
        self.assertEqual(self.template["uri"], profile["serverProfileTemplateUri"])  # linked
        self.assertEqual("Compliant", profile["templateCompliance"])
        self.assertEqual(HealthState.OK, self._health(node))
        compliance.NONCOMPLIANT.clear()
        self._require_secure_boot()
        self.assertEqual("NonCompliant", self.sim.get(profile["uri"])["templateCompliance"])
        logger = logging.getLogger(compliance.__name__)  # oslo.log may have disabled it
        self.addCleanup(setattr, logger, "disabled", logger.disabled)
        logger.disabled = False
        with self.assertLogs(compliance.__name__, level="WARNING") as logs:
            self.assertEqual(HealthState.WARNING, self._health(node, shared=False))
        self.assertIn(profile["uri"], logs.output[0])
        self.assertIn(self.template["uri"], logs.output[0])
        self.assertIn("management.update_from_template", logs.output[0])
        self.assertEqual(HealthState.WARNING, self._health(node))
        node.health = HealthState.WARNING.value  # what Ironic's power sync stores
        node.save()
        with self.assertLogs(compliance.__name__, level="DEBUG") as again:
            self.assertEqual(HealthState.WARNING, self._health(node))
        self.assertEqual(["DEBUG"], [record.levelname for record in again.records])

    def test_a_power_sync_of_many_nodes_lists_noncompliant_profiles_once(self):
        nodes = [self.make_node(index=i) for i in range(3)]
        for node in nodes:
            self._claim(node)
        self._require_secure_boot()
        compliance.NONCOMPLIANT.clear()
        self.sim.reset_stats()
        healths = [self._health(node) for node in nodes]
        self.assertEqual([HealthState.WARNING] * 3, healths)
        self.assertEqual(1, self.sim.stats()["byRoute"].get(PROFILE_LISTING))
        self.assertEqual(1, compliance.NONCOMPLIANT.listings)

    def test_detached_profiles_cost_no_compliance_read(self):
        self.config(keep_profiles_linked_to_template=False, group="oneview")
        node = self.make_node()
        profile = self._claim(node)
        self.assertEqual("", profile["serverProfileTemplateUri"] or "")
        self._require_secure_boot()
        self.sim.reset_stats()
        self.assertEqual(HealthState.OK, self._health(node))
        self.assertIsNone(self.sim.stats()["byRoute"].get(PROFILE_LISTING))

    def test_critical_stays_critical(self):
        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            view = compliance.view_of(task)
            self.assertIs(HealthState.CRITICAL, compliance.health(task, view, HealthState.CRITICAL))


@mgr_utils.mock_record_keepalive
class UpdateFromTemplateTest(InProcessConductor, CompliantTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start_conductor()
        self.node = self.make_node(provision_state=states.ACTIVE, instance_uuid=None)
        self.profile = self._claim(self.node)
        self.server_uri = self.node.driver_info["server_hardware_uri"]
        self.sim.action("set_power", uri=self.server_uri, powerState="On")  # the tenant's OS

    def _service(self) -> None:
        """``baremetal node service --steps '[management.update_from_template]'``."""
        self.service.do_node_service(self.context, self.node.uuid, [STEP])
        wait_until(
            lambda: self._refreshed().provision_state != states.SERVICING,
            timeout=20,
            what="the service step to start",
        )

    def _refreshed(self) -> Any:
        self.node.refresh()
        return self.node

    def _poll_until_active(self) -> None:
        def done() -> bool:
            with self.acquire(self.node, shared=True) as task:
                management = task.driver.management
            management._periodic_check_profile_edits(self.service, self.context)
            return self._refreshed().provision_state != states.SERVICEWAIT

        wait_until(done, timeout=20, what="the node to leave service wait")

    def test_an_offline_update_switches_the_server_off_and_back_on(self):
        self._require_secure_boot()
        preview = self.sim.get(self.profile["uri"] + "/compliance-preview")
        self.assertFalse(preview["isOnlineUpdate"], preview)
        self._service()
        self.assertEqual(states.SERVICEWAIT, self.node.provision_state, self.node.last_error)
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual(("management", "update_from_template"), (record["owner"], record["step"]))
        self.assertTrue(record["power_on"])
        self.assertEqual("Off", self.server_of(self.node)["powerState"])
        self._poll_until_active()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        profile = self.sim.get(self.profile["uri"])
        self.assertEqual("Compliant", profile["templateCompliance"])
        self.assertEqual("Enabled", profile["bootMode"]["secureBoot"])
        self.assertEqual("On", self.server_of(self.node)["powerState"])  # the tenant is back
        with self.acquire(self.node, shared=True) as task:  # recorded for the power sync
            self.assertIs(True, task.driver.management.get_secure_boot_state(task))
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_an_online_update_leaves_the_server_on(self):
        def more_bandwidth(body: dict[str, Any]) -> None:
            settings = body["connectionSettings"]
            settings["complianceControl"] = "CheckedMinimum"
            settings["connections"][0]["requestedMbps"] = 5000

        self._edit_template(more_bandwidth)
        preview = self.sim.get(self.profile["uri"] + "/compliance-preview")
        self.assertTrue(preview["isOnlineUpdate"], preview)
        self.sim.reset_stats()
        self._service()
        self.assertEqual(states.SERVICEWAIT, self.node.provision_state, self.node.last_error)
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertFalse(record["power_on"] or record["reboot"])
        self._poll_until_active()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertEqual("Compliant", self.sim.get(self.profile["uri"])["templateCompliance"])
        self.assertEqual("On", self.server_of(self.node)["powerState"])
        power = [r for r in self.sim.stats()["byRoute"] if r.startswith("PUT") and "power" in r]
        self.assertEqual([], power)

    def test_a_compliant_profile_sends_nothing(self):
        self.sim.reset_stats()
        self._service()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        patches = [r for r in self.sim.stats()["byRoute"] if r.startswith("PATCH")]
        self.assertEqual([], patches)
        self.assertEqual("On", self.server_of(self.node)["powerState"])

    def test_a_detached_profile_is_refused_naming_the_option(self):
        self.config(keep_profiles_linked_to_template=False, group="oneview")
        with self.acquire(self.node) as task:
            allocation.release(task)
        self.node.refresh()
        self._claim(self.node)  # detached now
        self._service()
        self.assertEqual(states.SERVICEFAIL, self.node.provision_state)
        self.assertIn("not linked to a server profile template", self.node.last_error)
        self.assertIn("keep_profiles_linked_to_template", self.node.last_error)

    def _check_connections(self) -> None:
        def change(body: dict[str, Any]) -> None:
            body["connectionSettings"]["complianceControl"] = "Checked"
            body["bootMode"] = {**body["bootMode"], "secureBoot": "Enabled"}
            body["bootMode"]["complianceControl"] = "Checked"

        self._edit_template(change)

    def test_checked_connections_are_refused_when_servicing_is_asked(self):
        self._check_connections()
        caught = self.assertRaises(
            messaging.rpc.ExpectedException,  # how the RPC layer carries it to the API
            self.service.do_node_service,
            self.context,
            self.node.uuid,
            [STEP],
        )
        self.assertIsInstance(caught.exc_info[1], exception.InvalidParameterValue)
        self.assertIn("connectionSettings.complianceControl 'Checked'", str(caught.exc_info[1]))
        self.assertEqual(states.ACTIVE, self._refreshed().provision_state)

    def test_the_step_refuses_checked_connections_of_a_linked_profile(self):
        """Linked while the option was on, then the option went off: the step still checks."""
        self._check_connections()
        self.config(keep_profiles_linked_to_template=False, group="oneview")
        self.sim.reset_stats()
        self._service()
        self.assertEqual(states.SERVICEFAIL, self.node.provision_state)
        self.assertIn("connectionSettings.complianceControl 'Checked'", self.node.last_error)
        self.assertIn("undo the connections Neutron made", self.node.last_error)
        self.assertEqual([], [r for r in self.sim.stats()["byRoute"] if r.startswith("PATCH")])
        self.assertEqual("On", self.server_of(self.node)["powerState"])
        self.assertEqual("NonCompliant", self.sim.get(self.profile["uri"])["templateCompliance"])

    def test_a_server_ironic_may_not_switch_off_fails_the_step_naming_it(self):
        """disable_power_off: Ironic refuses the power-off an offline update needs; the step
        fails as a servicing failure of update_from_template, nothing sent, the server on."""
        self._require_secure_boot()
        self.node.disable_power_off = True
        self.node.save()
        self.sim.reset_stats()
        self._service()
        self.assertEqual(states.SERVICEFAIL, self.node.provision_state)
        self.assertIn(f"{STEP_NAME} on node {self.node.uuid} failed", self.node.last_error)
        self.assertEqual([], [r for r in self.sim.stats()["byRoute"] if r.startswith("PATCH")])
        self.assertEqual("On", self.server_of(self.node)["powerState"])

    def test_a_failed_update_fails_the_step_with_oneviews_words(self):
        self._require_secure_boot()
        self.sim.arm(
            "task_error",
            method="PATCH",
            path="/rest/server-profiles/*",
            params={"error_code": "UPDATE_FAILED", "message": "iLO did not answer"},
        )
        self._service()
        if self.node.provision_state == states.SERVICEWAIT:
            self._poll_until_active()
        self.assertEqual(states.SERVICEFAIL, self.node.provision_state)
        self.assertIn("iLO did not answer", self.node.last_error)


class CheckedConnectionsValidationTest(CompliantTestCase):
    def _check_connections(self, value: str) -> None:
        def change(body: dict[str, Any]) -> None:
            body["connectionSettings"]["complianceControl"] = value

        self._edit_template(change)

    def test_validate_refuses_checked_connections_with_linked_profiles(self):
        self._check_connections("Checked")
        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            caught = self.assertRaises(
                exception.InvalidParameterValue, task.driver.management.validate, task
            )
        text = str(caught)
        self.assertIn(self.template["uri"], text)
        self.assertIn(repr(self.template["name"]), text)
        self.assertIn("connectionSettings.complianceControl 'Checked'", text)
        self.assertIn("expected one of Unchecked, CheckedMinimum", text)
        self.assertIn("keep_profiles_linked_to_template", text)

    def test_checked_minimum_and_detached_profiles_pass(self):
        self._check_connections("CheckedMinimum")
        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            task.driver.management.validate(task)
        self._check_connections("Checked")
        self.config(keep_profiles_linked_to_template=False, group="oneview")
        with self.acquire(node, shared=True) as task:
            task.driver.management.validate(task)
        self.assertNotIn(common.APPLIED_PROFILE_URI, node.driver_info)
