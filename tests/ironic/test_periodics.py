"""The allocation periodic tasks, run by the real conductor manager against the simulator."""

from __future__ import annotations

import logging
import unittest
from types import SimpleNamespace

from futurist import periodics as futurist_periodics
from ironic.common import exception, states
from ov_base import OneViewTestCase, mgr_utils

from oneview_openstack.client import ServerError
from oneview_openstack.ironic import common, management, periodics


@mgr_utils.mock_record_keepalive
class PeriodicsTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self._start_service()
        self.mgmt = management.OneViewManagement()

    def _taken(self):
        self.mgmt._periodic_check_nodes_taken_by_oneview(self.service, self.context)

    def _freed(self):
        self.mgmt._periodic_check_nodes_freed_by_oneview(self.service, self.context)

    def _clean_failed(self):
        self.mgmt._periodic_check_nodes_taken_on_cleanfail(self.service, self.context)

    def test_periodics_are_lazy_config(self):
        self.config(periodic_check_interval=123, group="oneview")
        method = management.OneViewManagement._periodic_check_nodes_taken_by_oneview
        from ironic.conductor import periodics as ironic_periodics

        ironic_periodics.refresh_periodic_attributes(method)
        self.assertTrue(futurist_periodics.is_periodic(method))
        self.assertEqual(123, method._periodic_spacing)
        self.assertTrue(method._is_periodic)
        self.config(enable_periodic_tasks=False, group="oneview")
        ironic_periodics.refresh_periodic_attributes(method)
        self.assertFalse(method._is_periodic)
        self.config(enable_periodic_tasks=True, group="oneview")
        ironic_periodics.refresh_periodic_attributes(method)

    def test_taken_then_freed_goes_through_cleaning_back_to_available(self):
        node = self.make_node(provision_state=states.AVAILABLE)
        untouched = self.make_node(index=1, provision_state=states.AVAILABLE)
        uri = node.driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name="erin")
        self._taken()
        node.refresh()
        self.assertTrue(node.maintenance)
        self.assertEqual(common.MAINTENANCE_REASON, node.maintenance_reason)
        self.assertEqual(states.MANAGEABLE, node.provision_state)
        untouched.refresh()
        self.assertEqual(states.AVAILABLE, untouched.provision_state)
        self.assertFalse(untouched.maintenance)

        self._freed()  # still taken: nothing happens
        node.refresh()
        self.assertTrue(node.maintenance)

        self.sim.action("free_server", uri=uri)
        self._freed()
        node.refresh()
        self.assertFalse(node.maintenance)
        self.assertIsNone(node.maintenance_reason)
        self.assertEqual(states.AVAILABLE, node.provision_state, node.last_error)

    def test_freed_check_ignores_maintenance_set_by_an_operator(self):
        node = self.make_node(
            provision_state=states.MANAGEABLE, maintenance=True, maintenance_reason="disk swap"
        )
        self._freed()
        node.refresh()
        self.assertTrue(node.maintenance)

    def test_clean_failed_allocation_is_rescued(self):
        node = self.make_node(
            provision_state=states.CLEANFAIL,
            driver_internal_info={common.ALLOCATION_ERROR: common.ALLOCATION_ERROR_TEXT},
        )
        self._clean_failed()
        node.refresh()
        self.assertEqual(states.MANAGEABLE, node.provision_state)
        self.assertTrue(node.maintenance)
        self.assertEqual(common.MAINTENANCE_REASON, node.maintenance_reason)
        self.assertNotIn(common.ALLOCATION_ERROR, node.driver_internal_info)

    def test_one_failing_node_does_not_stop_the_sweep(self):
        broken = self.make_node(
            provision_state=states.AVAILABLE,
            driver_info={"server_hardware_uri": "/rest/server-hardware/missing"},
        )
        node = self.make_node(index=1, provision_state=states.AVAILABLE)
        self.sim.action("take_server", uri=node.driver_info["server_hardware_uri"])
        self._taken()
        node.refresh()
        broken.refresh()
        self.assertEqual(states.MANAGEABLE, node.provision_state)
        self.assertEqual(states.AVAILABLE, broken.provision_state)

    def test_taken_check_reads_the_snapshot_and_confirms_before_moving(self):
        nodes = [self.make_node(index=i, provision_state=states.AVAILABLE) for i in range(6)]
        taken = nodes[2]
        self.sim.action("take_server", uri=taken.driver_info["server_hardware_uri"], name="ann")
        self.sim.reset_stats()
        self._taken()
        by_route = self.sim.stats()["byRoute"]
        # one lone GET, one listing for the other five, one fresh GET confirming the taken one
        self.assertEqual(1, by_route.get("GET /rest/server-hardware"))
        self.assertEqual(2, by_route.get("GET /rest/server-hardware/{id}"))
        for node in nodes:
            node.refresh()
            moved = node.uuid == taken.uuid
            self.assertEqual(states.MANAGEABLE if moved else states.AVAILABLE, node.provision_state)

    def test_taken_in_the_snapshot_but_freed_since_stays_available(self):
        nodes = [self.make_node(index=i, provision_state=states.AVAILABLE) for i in range(3)]
        uri = nodes[1].driver_info["server_hardware_uri"]
        self.sim.action("take_server", uri=uri, name="ann")
        for node in nodes:  # the snapshot learns that the server is taken
            with self.acquire(node, shared=True) as task:
                task.driver.power.get_power_state(task)
        self.sim.action("free_server", uri=uri)
        self._taken()
        nodes[1].refresh()
        self.assertEqual(states.AVAILABLE, nodes[1].provision_state)
        self.assertFalse(nodes[1].maintenance)


class PerNodeLoggingTest(unittest.TestCase):
    """``per_node``: what reaches the log, at which level, with or without a traceback."""

    LOGGER = "oneview_openstack.ironic.periodics"

    def setUp(self) -> None:
        super().setUp()
        # A conductor started by an earlier test (oslo.log's set-up) leaves existing loggers
        # disabled; this test is about what the module logs, so it listens regardless.
        logger = logging.getLogger(self.LOGGER)
        self.addCleanup(setattr, logger, "disabled", logger.disabled)
        logger.disabled = False

    def _run(self, error: BaseException) -> logging.LogRecord:
        def failing(task):
            raise error

        task = SimpleNamespace(node=SimpleNamespace(uuid="node-1"))
        with self.assertLogs(self.LOGGER, level="DEBUG") as logs:
            periodics.per_node(failing)(task)  # nothing escapes
        self.assertEqual(1, len(logs.records), logs.output)
        return logs.records[0]

    def test_a_oneview_error_is_one_warning_line_with_its_error_code(self):
        error = ServerError(
            "The appliance failed.", error_code="INTERNAL_ERROR", status=500, method="GET"
        )
        record = self._run(error)
        self.assertEqual(logging.WARNING, record.levelno)
        self.assertIn("failing of node node-1 failed", record.getMessage())
        self.assertTrue(record.getMessage().endswith("INTERNAL_ERROR: The appliance failed."))
        self.assertIsNone(record.exc_info)

    def test_an_ironic_error_caused_by_oneview_carries_oneviews_words(self):
        cause = ServerError("The appliance failed.", error_code="INTERNAL_ERROR", status=500)
        try:
            raise exception.PowerStateFailure("Reading server hardware X failed") from cause
        except exception.PowerStateFailure as error:
            record = self._run(error)
        self.assertEqual(logging.WARNING, record.levelno)
        self.assertIn("INTERNAL_ERROR: The appliance failed.", record.getMessage())
        self.assertIsNone(record.exc_info)

    def test_a_bug_is_an_error_with_its_traceback(self):
        record = self._run(KeyError("serverProfileUri"))
        self.assertEqual(logging.ERROR, record.levelno)
        self.assertIn("failing of node node-1 failed unexpectedly", record.getMessage())
        self.assertIsNotNone(record.exc_info)
        self.assertIs(KeyError, record.exc_info[0])

    def test_node_locked_is_left_to_ironics_node_periodic(self):
        def locked(task):
            raise exception.NodeLocked(node="node-1", host="other")

        task = SimpleNamespace(node=SimpleNamespace(uuid="node-1"))
        self.assertRaises(exception.NodeLocked, periodics.per_node(locked), task)
