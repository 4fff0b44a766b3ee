"""Management interface ``oneview``: boot device, mode and secure boot, sensors, health, UID
LED, MACs, and the ``update_from_template`` service step.

It also carries the allocation periodic tasks (``periodics``): every ``oneview`` node has this
interface whatever its deploy interface, so each node is swept exactly once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironic.common import components, exception, indicator_states
from ironic.common.context import RequestContext
from ironic.common.health_states import HealthState
from ironic.conductor import periodics as ironic_periodics
from ironic.conductor import task_manager
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from oslo_log import log as logging

from ..client import OneViewError
from . import boot, common, compliance, periodics, profile_steps, sensors, validation
from .view import view_of

if TYPE_CHECKING:  # the conductor imports the drivers; the drivers need not import it
    from ironic.conductor.manager import ConductorManager

LOG = logging.getLogger(__name__)

UID_INDICATOR = "uid"
UID_TO_IRONIC = {
    "On": indicator_states.ON,
    "Off": indicator_states.OFF,
    "Blink": indicator_states.BLINKING,
}
HEALTH = {"OK": HealthState.OK, "Warning": HealthState.WARNING, "Critical": HealthState.CRITICAL}


class OneViewManagement(profile_steps.ProfileEditPolling, base.ManagementInterface):
    """Boot through the profile and OneView's one-time boot; data from the server hardware."""

    def get_properties(self) -> dict[str, str]:
        """The node contract's fields.

        :returns: dictionary of <property name>:<property description> entries.
        """
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract and its consistency with OneView (no ownership needed).

        :param task: a TaskManager instance containing the node to act on.
        :raises: MissingParameterValue if a field of the node contract is missing.
        :raises: InvalidParameterValue if a field is malformed, disagrees with OneView, or
            OneView cannot be read.
        """
        validation.validate(task)

    # -- boot device ----------------------------------------------------------------------
    def get_supported_boot_devices(self, task: TaskManager) -> list[str]:
        """The boot devices the server hardware type offers (``bootCapabilities``).

        :param task: a TaskManager instance containing the node to act on.
        :returns: a list of :mod:`ironic.common.boot_devices` values.
        :raises: OneViewDriverError if the server hardware type cannot be read.
        """
        return boot.supported_devices(view_of(task))

    @task_manager.require_exclusive_lock
    def set_boot_device(self, task: TaskManager, device: str, persistent: bool = False) -> None:
        """A one-time boot (OneView's ``oneTimeBoot``), or the front of the profile's boot order.

        A persistent device OneView cannot take now (server on, no Ironic profile) is stored and
        written before the next power-on.

        :param task: a TaskManager instance containing the node to act on.
        :param device: the boot device, one of :mod:`ironic.common.boot_devices`.
        :param persistent: whether the device applies to every boot, not just the next.
        :raises: InvalidParameterValue if the hardware type cannot boot from ``device``.
        :raises: OneViewDriverError if OneView refuses or fails the change.
        """
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

    def get_boot_device(self, task: TaskManager) -> dict[str, Any]:
        """A pending change first, then the one-time override, then the profile's order.

        :param task: a TaskManager instance containing the node to act on.
        :returns: ``{"boot_device": <device or None>, "persistent": <bool or None>}``.
        :raises: OneViewDriverError if the server or its profile cannot be read.
        """
        return boot.current_device(task, view_of(task))

    # -- boot mode ------------------------------------------------------------------------
    def get_supported_boot_modes(self, task: TaskManager) -> list[str]:
        """The boot modes the server hardware type offers.

        :param task: a TaskManager instance containing the node to act on.
        :returns: a list of :mod:`ironic.common.boot_modes` values.
        :raises: OneViewDriverError if the server hardware type cannot be read.
        """
        return boot.supported_modes(view_of(task))

    @task_manager.require_exclusive_lock
    def set_boot_mode(self, task: TaskManager, mode: str) -> None:
        """The profile's ``bootMode``, now or (server on, no profile) before the next power-on.

        :param task: a TaskManager instance containing the node to act on.
        :param mode: the boot mode, one of :mod:`ironic.common.boot_modes`.
        :raises: InvalidParameterValue if the hardware type does not offer ``mode``.
        :raises: OneViewDriverError if OneView refuses or fails the change.
        """
        try:
            boot.set_mode(task, view_of(task), mode)
        except OneViewError as error:
            raise common.driver_error(error, f"Setting boot mode {mode}") from error

    def get_boot_mode(self, task: TaskManager) -> str | None:
        """A pending mode, else the profile's, else the template's (no request in a power sync).

        :param task: a TaskManager instance containing the node to act on.
        :returns: a :mod:`ironic.common.boot_modes` value, or None when none is known.
        :raises: OneViewDriverError if the profile or template cannot be read.
        """
        return boot.current_mode(task, view_of(task))

    # -- secure boot ------------------------------------------------------------------------
    def get_secure_boot_state(self, task: TaskManager) -> bool | None:
        """The profile's ``bootMode.secureBoot`` (a pending change first; the template's when
        the node has no profile); no request in a power sync.

        :param task: a TaskManager instance containing the node to act on.
        :returns: True or False, or None when OneView leaves it unmanaged.
        :raises: OneViewDriverError if the profile or template cannot be read.
        """
        return boot.current_secure_boot(task, view_of(task))

    @task_manager.require_exclusive_lock
    def set_secure_boot_state(self, task: TaskManager, state: bool) -> None:
        """``bootMode.secureBoot`` (with mode UEFIOptimized), now or before the next power-on.

        Ironic calls this from ``prepare_instance`` while IPA may still run: the change is
        then kept and written with the server off, right before it is switched on.

        :param task: a TaskManager instance containing the node to act on.
        :param state: True to enable secure boot, False to disable it.
        :raises: InvalidParameterValue if the server hardware type has no secure boot (Gen9),
            naming it and what secure boot needs; nothing is sent to OneView.
        :raises: OneViewDriverError if OneView refuses or fails the change.
        """
        try:
            boot.set_secure_boot(task, view_of(task), bool(state))
        except OneViewError as error:
            doing = f"Turning secure boot {'on' if state else 'off'}"
            raise common.driver_error(error, doing) from error

    # -- template compliance ----------------------------------------------------------------
    @base.service_step(priority=0, requires_ramdisk=False)
    def update_from_template(self, task: TaskManager) -> str | None:
        """Bring the node's linked profile back in line with its server profile template.

        OneView's update from the template; the server is switched off only when OneView's
        compliance preview says the update cannot be made online, and on again afterwards.
        Needs ``[oneview] keep_profiles_linked_to_template`` when the profile was claimed.

        :param task: a TaskManager instance containing the node to act on.
        :returns: states.SERVICEWAIT while OneView applies it, None when already Compliant.
        :raises: NodeServicingFailure if the profile is detached or a OneView user's, the
            template's connections are compliance-Checked, or OneView refuses the update.
        """
        return compliance.update_from_template(task)

    def _edit_finished(self, task: TaskManager) -> None:
        """After an update from the template: the template may have changed the boot mode or
        secure boot; remember the profile's (power sync reads them from the node)."""
        profile = view_of(task).profile()
        if profile is not None:
            boot.record_mode(task, profile)

    # -- data -----------------------------------------------------------------------------
    def get_sensors_data(self, task: TaskManager) -> dict[str, Any]:
        """Temperature and power from OneView's utilization and environmental configuration.

        :param task: a TaskManager instance containing the node to act on.
        :returns: ``{"Temperature": {...}, "Power": {...}}`` in Ironic's sensor format.
        :raises: FailedToGetSensorData with OneView's words if a read fails.
        """
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

    def get_node_health(self, task: TaskManager) -> HealthState | None:
        """The server's ``status``, from the fleet snapshot in Ironic's periodic sync; WARNING
        when the node's linked profile is NonCompliant with its template (reason logged).

        :param task: a TaskManager instance containing the node to act on.
        :returns: a HealthState, or None when OneView reports none Ironic knows.
        :raises: OneViewDriverError if the server cannot be read.
        """
        view = view_of(task)
        try:
            status = view.server_fields().get("status")
        except OneViewError as error:
            raise common.driver_error(error, "Reading the server's health") from error
        known = HEALTH.get(status) if isinstance(status, str) else None
        return compliance.health(task, view, known)

    def get_mac_addresses(self, task: TaskManager) -> list[str]:
        """The MAC of each physical Ethernet port (FlexNIC ``a``'s with FlexNICs), lower-case.

        :param task: a TaskManager instance containing the node to act on.
        :returns: a list of MAC addresses.
        :raises: OneViewDriverError if the server cannot be read.
        """
        return validation.server_macs(view_of(task).server_hardware())

    # -- UID indicator ----------------------------------------------------------------------
    def get_supported_indicators(
        self, task: TaskManager, component: str | None = None
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """The UID LED (``system``/``uid``): on, off, blinking.

        :param task: a TaskManager instance containing the node to act on.
        :param component: only this component's indicators, when given.
        :returns: ``{component: {indicator: {"readonly": bool, "states": [...]}}}``.
        """
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

    def _check_indicator(self, task: TaskManager, component: str, indicator: str) -> None:
        if component != components.SYSTEM or indicator != UID_INDICATOR:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: indicator {component}/{indicator} does not exist; "
                f"expected {components.SYSTEM}/{UID_INDICATOR}."
            )

    @task_manager.require_exclusive_lock
    def set_indicator_state(
        self, task: TaskManager, component: str, indicator: str, state: str
    ) -> None:
        """Switch the UID LED.

        :param task: a TaskManager instance containing the node to act on.
        :param component: must be ``system``.
        :param indicator: must be ``uid``.
        :param state: one of :mod:`ironic.common.indicator_states` (on, off, blinking).
        :raises: InvalidParameterValue for another indicator or state.
        :raises: OneViewDriverError if OneView refuses or fails the change.
        """
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

    def get_indicator_state(self, task: TaskManager, component: str, indicator: str) -> str:
        """The UID LED's state.

        :param task: a TaskManager instance containing the node to act on.
        :param component: must be ``system``.
        :param indicator: must be ``uid``.
        :returns: one of :mod:`ironic.common.indicator_states`; unknown when OneView says none.
        :raises: InvalidParameterValue for another indicator.
        :raises: OneViewDriverError if the server cannot be read.
        """
        self._check_indicator(task, component, indicator)
        value = view_of(task).server_hardware().get("uidState")
        known = UID_TO_IRONIC.get(value) if isinstance(value, str) else None
        return known or indicator_states.UNKNOWN

    # -- periodic tasks (see periodics.py) --------------------------------------------------
    @ironic_periodics.node_periodic(
        purpose="checking for nodes taken by OneView users",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state": "available", "maintenance": False},
    )
    def _periodic_check_nodes_taken_by_oneview(
        self, task: TaskManager, manager: ConductorManager, context: RequestContext
    ) -> None:
        periodics.check_taken(task)

    @ironic_periodics.node_periodic(
        purpose="checking for nodes freed by OneView users",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state": "manageable", "maintenance": True},
        predicate=periodics.moved_by_us,
        predicate_extra_fields=["maintenance_reason"],
    )
    def _periodic_check_nodes_freed_by_oneview(
        self, task: TaskManager, manager: ConductorManager, context: RequestContext
    ) -> None:
        periodics.check_freed(task, manager, context)

    @ironic_periodics.node_periodic(
        purpose="checking for nodes whose OneView allocation failed during cleaning",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state": "clean failed"},
        predicate=periodics.allocation_failed,
        predicate_extra_fields=["driver_internal_info"],
    )
    def _periodic_check_nodes_taken_on_cleanfail(
        self, task: TaskManager, manager: ConductorManager, context: RequestContext
    ) -> None:
        periodics.check_clean_failed(task)

    @ironic_periodics.node_periodic(
        purpose="checking failed nodes for a claimed profile whose record was lost",
        spacing=periodics.spacing,
        enabled=periodics.enabled,
        filters={"provision_state_in": periodics.FAILED_STATES},
    )
    def _periodic_check_lost_claims(
        self, task: TaskManager, manager: ConductorManager, context: RequestContext
    ) -> None:
        periodics.check_lost_claim(task)
