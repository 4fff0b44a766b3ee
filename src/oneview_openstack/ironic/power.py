"""Power interface ``oneview``: on, off, reboot, soft off, soft reboot through OneView.

Reads under a shared lock (Ironic's power sync) come from the fleet snapshot; reads under an
exclusive lock (a power action is about to decide) always ask OneView. A server a OneView user
owns is never touched. A pending boot device or mode is applied before every power-on.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception, states
from ironic.conductor import task_manager
from ironic.conf import CONF
from ironic.drivers import base
from oslo_log import log as logging

from ..client import OneViewError
from . import boot, common, ownership, serverpower, validation
from .view import view_of

LOG = logging.getLogger(__name__)

POWER_MAP = {
    "On": states.POWER_ON,
    "PoweringOff": states.POWER_ON,
    "Off": states.POWER_OFF,
    "PoweringOn": states.POWER_OFF,
    "Resetting": states.REBOOT,
}


def _timeout(timeout: int | None) -> float:
    return float(timeout or CONF.conductor.power_state_change_timeout)


class OneViewPower(base.PowerInterface):
    """Power of the node's server hardware, by OneView's ``powerState`` requests."""

    def get_properties(self) -> dict[str, str]:
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        """The node contract and its consistency with OneView.

        A server a OneView user owns passes: Ironic validates power before an undeploy too, and
        letting go of such a server must stay possible. The power actions refuse to touch it.
        """
        validation.validate(task)

    def get_supported_power_states(self, task: Any) -> list[str]:
        return [
            states.POWER_ON,
            states.POWER_OFF,
            states.REBOOT,
            states.SOFT_POWER_OFF,
            states.SOFT_REBOOT,
        ]

    def get_power_state(self, task: Any) -> str:
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            server = view.server_fields() if task.shared else serverpower.read_server(view)
        except OneViewError as error:
            raise common.driver_error(error, f"Reading the power state of {uri}") from error
        state = POWER_MAP.get(server.get("powerState"))
        if state is None:
            LOG.warning(
                "Node %s: server hardware %s reports power state %r",
                task.node.uuid,
                uri,
                server.get("powerState"),
            )
            return states.ERROR
        return state

    @task_manager.require_exclusive_lock
    def set_power_state(self, task: Any, power_state: str, timeout: int | None = None) -> None:
        view = view_of(task)
        server = serverpower.read_server(view)
        ownership.refuse_if_oneview_owned(task.node, server, exception.PowerStateFailure)
        wait = _timeout(timeout)
        if power_state == states.POWER_ON:
            self._power_on(task, server, wait)
        elif power_state == states.POWER_OFF:
            serverpower.set_power(view, "Off", "PressAndHold", wait)
        elif power_state == states.SOFT_POWER_OFF:
            serverpower.set_power(
                view,
                "Off",
                "MomentaryPress",
                float(timeout or CONF.conductor.soft_power_off_timeout),
            )
        elif power_state == states.REBOOT:
            self.reboot(task, timeout)
        elif power_state == states.SOFT_REBOOT:
            if server.get("powerState") != "Off":
                serverpower.set_power(view, "Off", "MomentaryPress", wait)
            self._power_on(task, None, wait)
        else:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: power state {power_state!r} is not supported; expected "
                f"one of {self.get_supported_power_states(task)}."
            )

    def _power_on(self, task: Any, server: dict[str, Any] | None, wait: float) -> None:
        view = view_of(task)
        server = server or serverpower.read_server(view)
        if server.get("powerState") == "On":
            return
        boot.apply_pending(task, view)
        serverpower.set_power(view, "On", None, wait)

    @task_manager.require_exclusive_lock
    def reboot(self, task: Any, timeout: int | None = None) -> None:
        """Hard off (when on), apply pending boot settings, on: a powered-off node just starts."""
        view = view_of(task)
        server = serverpower.read_server(view)
        ownership.refuse_if_oneview_owned(task.node, server, exception.PowerStateFailure)
        wait = _timeout(timeout)
        if server.get("powerState") != "Off":
            server = serverpower.set_power(view, "Off", "PressAndHold", wait)
        self._power_on(task, server, wait)
