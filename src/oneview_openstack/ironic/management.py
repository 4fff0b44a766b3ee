"""Management interface ``oneview``: boot device and mode, sensors, health, UID LED, MACs.

It also carries the allocation periodic tasks (``periodics``): every ``oneview`` node has this
interface whatever its deploy interface, so each node is swept exactly once.
"""

from __future__ import annotations

from typing import Any

from ironic.common import components, exception, indicator_states
from ironic.common.health_states import HealthState
from ironic.conductor import periodics as ironic_periodics
from ironic.conductor import task_manager
from ironic.drivers import base
from oslo_log import log as logging

from ..client import OneViewError
from . import boot, common, periodics, sensors, validation
from .view import view_of

LOG = logging.getLogger(__name__)

UID_INDICATOR = "uid"
UID_TO_IRONIC = {
    "On": indicator_states.ON,
    "Off": indicator_states.OFF,
    "Blink": indicator_states.BLINKING,
}
HEALTH = {"OK": HealthState.OK, "Warning": HealthState.WARNING, "Critical": HealthState.CRITICAL}


class OneViewManagement(base.ManagementInterface):
    """Boot through the profile and OneView's one-time boot; data from the server hardware."""

    def get_properties(self) -> dict[str, str]:
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        """The node contract and its consistency with OneView (no ownership needed)."""
        validation.validate(task)

    # -- boot device ----------------------------------------------------------------------
    def get_supported_boot_devices(self, task: Any) -> list[str]:
        return boot.supported_devices(view_of(task))

    @task_manager.require_exclusive_lock
    def set_boot_device(self, task: Any, device: str, persistent: bool = False) -> None:
        view = view_of(task)
        boot.check_device(view, device)
        try:
            if persistent:
                boot.clear_one_time_device(view)
                boot.set_persistent_device(task, view, device)
            else:
                boot.set_one_time_device(view, device)
        except OneViewError as error:
            raise common.driver_error(error, f"Setting boot device {device}") from error

    def get_boot_device(self, task: Any) -> dict[str, Any]:
        return boot.current_device(task, view_of(task))

    # -- boot mode ------------------------------------------------------------------------
    def get_supported_boot_modes(self, task: Any) -> list[str]:
        return boot.supported_modes(view_of(task))

    @task_manager.require_exclusive_lock
    def set_boot_mode(self, task: Any, mode: str) -> None:
        try:
            boot.set_mode(task, view_of(task), mode)
        except OneViewError as error:
            raise common.driver_error(error, f"Setting boot mode {mode}") from error

    def get_boot_mode(self, task: Any) -> str | None:
        return boot.current_mode(task, view_of(task))

    # -- data -----------------------------------------------------------------------------
    def get_sensors_data(self, task: Any) -> dict[str, Any]:
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            server = view.server_hardware()
            utilization = view.client.server_hardware.utilization(
                uri, ["AmbientTemperature", "AveragePower", "PeakPower", "PowerCap"]
            )
            environment = view.client.server_hardware.environmental_configuration(uri)
        except (OneViewError, common.OneViewDriverError) as error:
            raise exception.FailedToGetSensorData(node=task.node.uuid, error=str(error)) from error
        return sensors.sensors_data(server, utilization, environment)

    def get_node_health(self, task: Any) -> HealthState | None:
        """From the fleet snapshot in Ironic's periodic sync (no request per node)."""
        try:
            status = view_of(task).server_fields().get("status")
        except OneViewError as error:
            raise common.driver_error(error, "Reading the server's health") from error
        return HEALTH.get(status)

    def get_mac_addresses(self, task: Any) -> list[str]:
        return validation.server_macs(view_of(task).server_hardware())

    # -- UID indicator ----------------------------------------------------------------------
    def get_supported_indicators(self, task: Any, component: str | None = None) -> dict:
        indicators = {
            components.SYSTEM: {
                UID_INDICATOR: {
                    "readonly": False,
                    "states": [
                        indicator_states.OFF,
                        indicator_states.ON,
                        indicator_states.BLINKING,
                    ],
                }
            }
        }
        if component is not None:
            return {k: v for k, v in indicators.items() if k == component}
        return indicators

    def _check_indicator(self, task: Any, component: str, indicator: str) -> None:
        if component != components.SYSTEM or indicator != UID_INDICATOR:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: indicator {component}/{indicator} does not exist; "
                f"expected {components.SYSTEM}/{UID_INDICATOR}."
            )

    @task_manager.require_exclusive_lock
    def set_indicator_state(self, task: Any, component: str, indicator: str, state: str) -> None:
        self._check_indicator(task, component, indicator)
        wanted = next((k for k, v in UID_TO_IRONIC.items() if v == state), None)
        if wanted is None:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: indicator state {state!r} is not supported; expected one "
                f"of {sorted(UID_TO_IRONIC.values())}."
            )
        view = view_of(task)
        try:
            view.client.server_hardware.set_uid_state(view.info.server_hardware_uri, wanted)
        except OneViewError as error:
            raise common.driver_error(error, f"Setting the UID LED to {wanted}") from error
        view.forget("sh")

    def get_indicator_state(self, task: Any, component: str, indicator: str) -> str:
        self._check_indicator(task, component, indicator)
        value = view_of(task).server_hardware().get("uidState")
        return UID_TO_IRONIC.get(value, indicator_states.UNKNOWN)

    # -- periodic tasks (see periodics.py) --------------------------------------------------
    @ironic_periodics.node_periodic(
        purpose="checking for nodes taken by OneView users",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state": "available", "maintenance": False},
    )
    def _periodic_check_nodes_taken_by_oneview(self, task: Any, manager: Any, context: Any):
        periodics.check_taken(task)

    @ironic_periodics.node_periodic(
        purpose="checking for nodes freed by OneView users",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state": "manageable", "maintenance": True},
        predicate=periodics.moved_by_us,
        predicate_extra_fields=["maintenance_reason"],
    )
    def _periodic_check_nodes_freed_by_oneview(self, task: Any, manager: Any, context: Any):
        periodics.check_freed(task, manager, context)

    @ironic_periodics.node_periodic(
        purpose="checking for nodes whose OneView allocation failed during cleaning",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state": "clean failed"},
        predicate=periodics.allocation_failed,
        predicate_extra_fields=["driver_internal_info"],
    )
    def _periodic_check_nodes_taken_on_cleanfail(self, task: Any, manager: Any, context: Any):
        periodics.check_clean_failed(task)

    @ironic_periodics.node_periodic(
        purpose="checking failed nodes for a claimed profile whose record was lost",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state_in": periodics.FAILED_STATES},
    )
    def _periodic_check_lost_claims(self, task: Any, manager: Any, context: Any):
        periodics.check_lost_claim(task)
