"""Power interface against the simulator: every action, timeouts, locks, ownership, the snapshot."""

from __future__ import annotations

import re
import time

from ironic.common import exception, states
from ironic.conductor import utils as conductor_utils
from ov_base import GOOD_TEMPLATE, OneViewTestCase, Sim, mgr_utils

from oneview_openstack.ironic import common
from oneview_openstack.ironic.snapshot import SNAPSHOT

ON, OFF = states.POWER_ON, states.POWER_OFF


class PowerTest(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.node = self.make_node()
        self.uri = self.node.driver_info["server_hardware_uri"]

    def _power(self, state, timeout=None):
        with self.acquire(self.node) as task:
            task.driver.power.set_power_state(task, state, timeout=timeout)
            return task.driver.power.get_power_state(task)

    def _power_off_fails(self, timeout=None) -> str:
        """Ask for power off, expect PowerStateFailure; its text, for the operator-facing checks."""
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.PowerStateFailure,
                task.driver.power.set_power_state,
                task,
                states.POWER_OFF,
                timeout=timeout,
            )
        return str(caught)

    def test_off_on_reboot_soft(self):
        self.assertEqual(states.POWER_OFF, self._power(states.POWER_OFF))
        self.assertEqual("Off", self.sim.get(self.uri)["powerState"])
        self.assertEqual(states.POWER_ON, self._power(states.POWER_ON))
        self.assertEqual(states.POWER_ON, self._power(states.REBOOT))
        self.assertEqual(states.POWER_ON, self._power(states.SOFT_REBOOT))
        self.assertEqual(states.POWER_OFF, self._power(states.SOFT_POWER_OFF))
        self.assertEqual(states.POWER_ON, self._power(states.REBOOT))  # reboot of an off node

    def test_supported_states(self):
        with self.acquire(self.node, shared=True) as task:
            supported = task.driver.power.get_supported_power_states(task)
        self.assertIn(states.SOFT_REBOOT, supported)
        self.assertIn(states.SOFT_POWER_OFF, supported)

    def test_a_server_already_in_the_state_gets_no_power_request(self):
        for state in (states.POWER_OFF, states.SOFT_POWER_OFF, states.POWER_ON):
            self._power(state)
            self.sim.reset_stats()
            self._power(state)
            self.assertEqual(0, self._power_puts(), state)

    def _power_puts(self) -> int:
        return self.sim.stats()["byRoute"].get("PUT /rest/server-hardware/{id}/powerState", 0)

    def _server_reads(self) -> int:
        return self.sim.stats()["byRoute"].get("GET /rest/server-hardware/{id}", 0)

    def test_refuses_a_server_a_oneview_user_owns(self):
        self.sim.action("take_server", uri=self.uri, name="bob")
        before = self.sim.get(self.uri)["powerState"]
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.PowerStateFailure,
                task.driver.power.set_power_state,
                task,
                states.POWER_OFF,
            )
            self.assertRaises(exception.PowerStateFailure, task.driver.power.reboot, task)
        self.assertIn("in use by OneView", str(caught))
        self.assertEqual(before, self.sim.get(self.uri)["powerState"])

    def test_waits_for_power_lock(self):
        self._power(states.POWER_OFF)
        self.sim.action("power_lock", uri=self.uri, seconds=20)  # 10 ms at the test time scale
        self.assertEqual(states.POWER_ON, self._power(states.POWER_ON))

    def test_waits_for_a_profile_being_applied(self):
        self._power(states.POWER_OFF)
        self.sim.action("applying_profile", uri=self.uri, seconds=20)
        self.assertEqual(states.POWER_ON, self._power(states.POWER_ON))

    def test_power_lock_wait_is_bounded(self):
        self.config(power_lock_timeout=0.05, group="oneview")
        self.sim.action("power_lock", uri=self.uri, seconds=100000)
        self.assertIn("power_lock_timeout", self._power_off_fails())

    def test_409_from_oneview_is_retried_within_the_lock_window(self):
        self.sim.arm(
            "http_error",
            method="PUT",
            path="/rest/server-hardware/*/powerState",
            times=2,
            params={"status": 409, "error_code": "POWER_CONTROL_NOT_ALLOWED"},
        )
        self.assertEqual(states.POWER_OFF, self._power(states.POWER_OFF))

    def test_timeout_is_honoured(self):
        self.sim.arm(
            "task_stuck", path="/rest/server-hardware/*/powerState", params={"percent": 50}
        )
        text = self._power_off_fails(timeout=1)
        self.assertIn("power task did not finish within Ironic's power timeout of 1 s", text)

    def test_a_held_server_fails_at_ironics_timeout_not_at_power_lock_timeout(self):
        # power_lock_timeout is the hang guard: waiting for it instead would take 30 s and
        # cost about 300 looks at the server.
        self.config(power_lock_timeout=30.0, power_lock_poll_interval=0.1, group="oneview")
        self.sim.action("power_lock", uri=self.uri, seconds=10_000_000)
        self.sim.reset_stats()
        started = time.monotonic()
        text = self._power_off_fails(timeout=2)
        waited = time.monotonic() - started
        self.assertIn("still held by OneView (powerLock=True", text)
        self.assertIn("at the end of Ironic's power timeout of 2 s", text)
        self.assertTrue(self.sim.get(self.uri)["powerLock"])
        self.assertEqual(0, self._power_puts())
        self.assertGreaterEqual(waited, 2.0)
        # one read before deciding, then one look per poll interval within the 2 s (+1 at the end)
        self.assertLessEqual(self._server_reads(), 1 + 2 / 0.1 + 2)
        self.assertGreaterEqual(self._server_reads(), 3)

    def test_refusals_are_retried_until_ironics_timeout(self):
        self.config(power_lock_timeout=30.0, power_lock_poll_interval=0.1, group="oneview")
        fault = self.sim.arm(
            "http_error",
            method="PUT",
            path="/rest/server-hardware/*/powerState",
            times=None,
            params={"status": 409, "error_code": "POWER_CONTROL_NOT_ALLOWED"},
        )
        text = self._power_off_fails(timeout=2)
        self.assertIn("at the end of Ironic's power timeout of 2 s", text)
        self.assertIn("its last answer: POWER_CONTROL_NOT_ALLOWED", text)
        refused = self.sim.fired(fault["id"])
        self.assertGreaterEqual(refused, 2)
        self.assertLessEqual(refused, 2 / 0.1 + 2)  # one try per poll interval, not 30 s worth
        self.assertEqual("On", self.sim.get(self.uri)["powerState"])

    def test_without_a_timeout_the_conductor_default_bounds_it(self):
        self.config(power_state_change_timeout=2, group="conductor")
        self.config(power_lock_timeout=30.0, power_lock_poll_interval=0.1, group="oneview")
        self.sim.action("power_lock", uri=self.uri, seconds=10_000_000)
        text = self._power_off_fails()
        self.assertIn("[conductor]power_state_change_timeout (2 s)", text)
        self.assertTrue(self.sim.get(self.uri)["powerLock"])

    def test_lock_wait_and_task_wait_share_one_deadline(self):
        # The lock holds for 1 real second (2000 simulated at the test time scale), then the
        # power task never ends: the task may only have what is left of the 2 s.
        self.sim.action("power_lock", uri=self.uri, seconds=2000)
        self.sim.arm(
            "task_stuck", path="/rest/server-hardware/*/powerState", params={"percent": 50}
        )
        self.sim.reset_stats()
        text = self._power_off_fails(timeout=2)
        self.assertIn("did not finish within Ironic's power timeout of 2 s", text)
        self.assertEqual(1, self._power_puts())
        left = float(re.search(r"task_timeout=([0-9.]+) s", text).group(1))
        self.assertLess(left, 1.5)  # about 1 s: what the lock wait left (not the whole 2 s)

    def test_reboot_is_bounded_by_one_timeout(self):
        self.config(power_lock_timeout=30.0, power_lock_poll_interval=0.1, group="oneview")
        self.sim.action("power_lock", uri=self.uri, seconds=10_000_000)
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.PowerStateFailure, task.driver.power.reboot, task, timeout=2
            )
        self.assertIn("Ironic's power timeout of 2 s", str(caught))
        self.assertEqual("On", self.sim.get(self.uri)["powerState"])

    def test_transitional_states_read_as_their_targets(self):
        # (state before, request, the transition OneView shows, what Ironic reads)
        cases = [
            ("On", {"powerState": "Off", "powerControl": "PressAndHold"}, "PoweringOff", OFF),
            ("Off", {"powerState": "On"}, "PoweringOn", ON),
            ("On", {"powerState": "On", "powerControl": "Reset"}, "Resetting", ON),
        ]
        for before, request, transition, expected in cases:
            with self.subTest(transition=transition):
                self.sim.action("set_power", uri=self.uri, powerState=before)
                self.sim.arm(
                    "task_stuck", path="/rest/server-hardware/*/powerState", params={"percent": 5}
                )
                reply = self.sim.http.put(
                    self.sim.server.url + self.uri + "/powerState", json=request, timeout=10
                )
                self.assertEqual(202, reply.status_code, reply.text)
                self.assertEqual(transition, self.sim.get(self.uri)["powerState"])
                SNAPSHOT.clear()
                for shared in (True, False):
                    with self.acquire(self.node, shared=shared) as task:
                        self.assertEqual(expected, task.driver.power.get_power_state(task))

    def test_failed_task_reaches_the_operator(self):
        self.sim.arm(
            "task_error",
            path="/rest/server-hardware/*/powerState",
            params={"error_code": "POWER_FAILED", "message": "The iLO did not answer."},
        )
        self.assertIn("The iLO did not answer.", self._power_off_fails())

    def test_a_power_anomaly_is_detected(self):
        self.sim.arm("power_anomaly", path="/rest/server-hardware/*/powerState")
        self.assertIn("'Unknown'", self._power_off_fails())

    def test_unknown_power_state_is_error(self):
        self.sim.action("set_power", uri=self.uri, powerState="Unknown")
        with self.acquire(self.node) as task:
            self.assertEqual(states.ERROR, task.driver.power.get_power_state(task))

    def test_session_expiry_is_invisible(self):
        self._power(states.POWER_OFF)
        self.sim.action("expire_sessions")
        self.assertEqual(states.POWER_ON, self._power(states.POWER_ON))
        self.assertGreaterEqual(self.sim.stats()["logins"], 2)

    def test_pending_boot_device_applied_before_power_on(self):
        from oneview_openstack.ironic import allocation

        with self.acquire(self.node) as task:
            allocation.claim(task, "test claim")
        self._power(states.POWER_ON)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, "disk", persistent=True)
            self.assertIn(common.PENDING_BOOT_DEVICE, task.node.driver_internal_info)
            task.driver.power.reboot(task)
            self.assertNotIn(common.PENDING_BOOT_DEVICE, task.node.driver_internal_info)
        profile = self.sim.get(self.server_of(self.node)["serverProfileUri"])
        self.assertEqual("HardDisk", profile["boot"]["order"][0])

    def test_conductor_power_action_through_node_power_action(self):
        with self.acquire(self.node) as task:
            conductor_utils.node_power_action(task, states.POWER_OFF)
        self.node.refresh()
        self.assertEqual(states.POWER_OFF, self.node.power_state)
        self.assertIsNone(self.node.last_error)


class SnapshotTest(OneViewTestCase):
    def test_shared_reads_come_from_one_fleet_listing(self):
        nodes = [self.make_node(index=i) for i in range(3)]
        self.sim.reset_stats()
        for _ in range(3):
            for node in nodes:
                with self.acquire(node, shared=True) as task:
                    task.driver.power.get_power_state(task)
        by_route = self.sim.stats()["byRoute"]
        # one lone GET, then one listing (16 servers: one page) for everything else
        self.assertEqual(1, by_route.get("GET /rest/server-hardware/{id}"))
        self.assertEqual(1, by_route.get("GET /rest/server-hardware"))

    def test_exclusive_reads_are_fresh_and_correct_the_snapshot(self):
        node, other = self.make_node(), self.make_node(index=1)
        for n in (node, other):
            with self.acquire(n, shared=True) as task:
                task.driver.power.get_power_state(task)
        uri = node.driver_info["server_hardware_uri"]
        self.sim.action("set_power", uri=uri, powerState="Off")  # behind our back
        with self.acquire(node, shared=True) as task:
            self.assertEqual(states.POWER_ON, task.driver.power.get_power_state(task))  # cached
        with self.acquire(node) as task:
            self.assertEqual(states.POWER_OFF, task.driver.power.get_power_state(task))
            task.driver.power.set_power_state(task, states.POWER_ON)
        self.sim.reset_stats()
        with self.acquire(node, shared=True) as task:
            self.assertEqual(states.POWER_ON, task.driver.power.get_power_state(task))
        self.assertEqual(0, self.sim.requests())

    def test_fleet_listing_over_several_pages(self):
        from oneview_openstack.ironic import snapshot
        from oneview_openstack.simulator.config import SimulatorConfig

        state = self.simulator_server.state
        with state.lock:
            state.reset(config=SimulatorConfig(time_scale=0.0005, servers=100))
        self.sim.close()
        self.sim = Sim(self.simulator_server)
        self.addCleanup(self.sim.close)
        self.sim.reset_stats()
        listed = snapshot.fleet(self.client)
        self.assertEqual(4, self.sim.stats()["byRoute"]["GET /rest/server-hardware"])
        raw = {s["uri"]: s["powerState"] for s in self.sim.members("server-hardware")}
        self.assertEqual(raw, {uri: fields["powerState"] for uri, fields in listed.items()})

    def test_ttl_zero_reads_every_time(self):
        self.config(power_state_cache_ttl=0, group="oneview")
        node = self.make_node()
        self.sim.reset_stats()
        for _ in range(3):
            with self.acquire(node, shared=True) as task:
                task.driver.power.get_power_state(task)
        self.assertEqual(3, self.sim.stats()["byRoute"].get("GET /rest/server-hardware/{id}"))
        self.assertEqual(0, SNAPSHOT.refreshes)


@mgr_utils.mock_record_keepalive
class ConductorPowerSyncTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    """Ironic's own periodic power sync over several nodes: a handful of requests, not N."""

    def setUp(self) -> None:
        super().setUp()
        self.config(force_power_state_during_sync=False, group="conductor")
        self._start_service()
        self.nodes = [self.make_node(index=i, power_state=states.POWER_OFF) for i in range(4)]

    def test_sync_updates_the_database_from_one_listing(self):
        self.service._sync_power_states(self.context)  # the database learns the real states
        SNAPSHOT.clear()  # the next interval: the snapshot has expired
        uri = self.nodes[0].driver_info["server_hardware_uri"]
        self.sim.action("set_power", uri=uri, powerState="Off")
        self.sim.reset_stats()
        self.service._sync_power_states(self.context)
        by_route = self.sim.stats()["byRoute"]
        # power, health and boot mode of 4 nodes: one lone GET, then one page of the fleet
        self.assertEqual(
            {"GET /rest/server-hardware": 1, "GET /rest/server-hardware/{id}": 1},
            {k: v for k, v in by_route.items() if "/_sim" not in k},
        )
        self.nodes[0].refresh()
        self.assertEqual(states.POWER_OFF, self.nodes[0].power_state)
        for node in self.nodes[1:]:
            node.refresh()
            server = self.sim.get(node.driver_info["server_hardware_uri"])
            expected = states.POWER_ON if server["powerState"] == "On" else states.POWER_OFF
            self.assertEqual(expected, node.power_state)

    def test_sync_forces_the_database_state_when_configured(self):
        self.config(force_power_state_during_sync=True, group="conductor")
        node = self.nodes[0]
        uri = node.driver_info["server_hardware_uri"]
        self.sim.action("set_power", uri=uri, powerState="On")
        self.service._sync_power_states(self.context)
        self.assertEqual("Off", self.sim.get(uri)["powerState"])


@mgr_utils.mock_record_keepalive
class FailedListingSyncTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    """Ironic's power sync of 50 nodes while OneView's server-hardware listing fails."""

    NODES = 50

    def setUp(self) -> None:
        super().setUp()
        from oneview_openstack.simulator.config import SimulatorConfig

        state = self.simulator_server.state
        with state.lock:
            state.reset(config=SimulatorConfig(time_scale=0.0005, servers=64))
        self.sim.close()
        self.sim = Sim(self.simulator_server)
        self.addCleanup(self.sim.close)
        self.template = self.sim.template(GOOD_TEMPLATE)
        # One listing is then one request (each retry would be another request to the route).
        self.config(request_retries=0, group="oneview")
        self.config(force_power_state_during_sync=False, group="conductor")
        self._start_service()
        servers = self.sim.members("server-hardware")[: self.NODES]
        self.nodes = [self.make_node(server=s, power_state=states.POWER_OFF) for s in servers]
        self.assertEqual(self.NODES, len(self.nodes))
        self.service._sync_power_states(self.context)  # the database learns states and modes
        SNAPSHOT.clear()  # the next interval: the snapshot has expired

    def _fail(self, path: str) -> int:
        """Every GET matching ``path`` answers 500 from now on; the fault's id."""
        armed = self.sim.arm(
            "http_error",
            method="GET",
            path=path,
            times=None,
            params={"status": 500, "error_code": "INTERNAL_ERROR", "message": "Listing broke."},
        )
        return armed["id"]

    def test_a_failed_listing_is_tried_once_and_each_node_reads_its_own_server(self):
        listing = self._fail("/rest/server-hardware")
        self.sim.reset_stats()
        self.service._sync_power_states(self.context)
        self.assertEqual(1, self.sim.fired(listing))
        by_route = self.sim.stats()["byRoute"]
        self.assertEqual(self.NODES, by_route.get("GET /rest/server-hardware/{id}"))
        self.assertEqual(1, SNAPSHOT.failures)
        for node in self.nodes:
            node.refresh()
            server = self.sim.get(node.driver_info["server_hardware_uri"])
            expected = states.POWER_ON if server["powerState"] == "On" else states.POWER_OFF
            self.assertEqual(expected, node.power_state)
            self.assertEqual(0, self.service.power_state_sync_count[node.uuid])

    def test_with_oneview_down_each_read_fails_readably_after_one_listing(self):
        listing = self._fail("/rest/server-hardware")
        single = self._fail("/rest/server-hardware/*")
        before = {n.uuid: self.service.power_state_sync_count[n.uuid] for n in self.nodes}
        self.service._sync_power_states(self.context)
        self.assertEqual(1, self.sim.fired(listing))
        self.assertEqual(self.NODES, self.sim.fired(single))
        for node in self.nodes:  # Ironic counted one failed read for each node
            self.assertEqual(before[node.uuid] + 1, self.service.power_state_sync_count[node.uuid])
        with self.acquire(self.nodes[0], shared=True) as task:
            caught = self.assertRaises(
                common.OneViewDriverError, task.driver.power.get_power_state, task
            )
        self.assertIn("INTERNAL_ERROR: Listing broke.", str(caught))
        self.assertEqual(1, self.sim.fired(listing))  # still backing off: no second listing
