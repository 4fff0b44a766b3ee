"""The allocation periodic tasks, run by the real conductor manager against the simulator."""

from __future__ import annotations

from types import SimpleNamespace

from futurist import periodics as futurist_periodics
from ironic.common import states
from ov_base import OneViewTestCase, mgr_utils

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

    def test_per_node_logs_and_swallows(self):
        calls = []

        def failing(task):
            calls.append(task)
            raise RuntimeError("boom")

        task = SimpleNamespace(node=None)
        periodics.per_node(failing)(task)  # no exception escapes
        self.assertEqual([task], calls)
