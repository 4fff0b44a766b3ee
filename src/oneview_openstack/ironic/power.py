"""Power interface ``oneview``: on, off, reboot, soft off, soft reboot through OneView.

Reads under a shared lock (Ironic's power sync) come from the fleet snapshot; reads under an
exclusive lock (a power action is about to decide) always ask OneView. A server a OneView user
owns is never touched. A pending boot device or mode is applied before every power-on.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception, states
from ironic.conductor import task_manager
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from oslo_log import log as logging

from ..client import OneViewError
from . import boot, common, ownership, serverpower, validation
from .view import View, view_of

LOG = logging.getLogger(__name__)

# OneView powerState -> Ironic power state. A transition reads as its target (as Ironic's redfish
# GET_POWER_STATE_MAP does): Ironic's power sync compares the answer with the node's recorded
# state, and "rebooting" there would be recorded as the node's power state or, with
# [conductor]force_power_state_during_sync, acted on. Resetting ends On. Unknown is not here: it
# reads as ERROR.
POWER_MAP = {
    "On": states.POWER_ON,
    "PoweringOn": states.POWER_ON,
    "Resetting": states.POWER_ON,
    "Off": states.POWER_OFF,
    "PoweringOff": states.POWER_OFF,
}


class OneViewPower(base.PowerInterface):
    """Power of the node's server hardware, by OneView's ``powerState`` requests."""

    def get_properties(self) -> dict[str, str]:
        """The node contract's fields.

        :returns: dictionary of <property name>:<property description> entries.
        """
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract and its consistency with OneView.

        A server a OneView user owns passes: Ironic validates power before an undeploy too, and
        letting go of such a server must stay possible. The power actions refuse to touch it.

        :param task: a TaskManager instance containing the node to act on.
        :raises: MissingParameterValue if a field of the node contract is missing.
        :raises: InvalidParameterValue if a field is malformed, disagrees with OneView, or
            OneView cannot be read.
        """
        validation.validate(task)

    def get_supported_power_states(self, task: TaskManager) -> list[str]:
        """Every state ``set_power_state`` accepts.

        :param task: a TaskManager instance containing the node to act on.
        :returns: a list of power states from :mod:`ironic.common.states`.
        """
        return [
            states.POWER_ON,
            states.POWER_OFF,
            states.REBOOT,
            states.SOFT_POWER_OFF,
            states.SOFT_REBOOT,
        ]

    def get_power_state(self, task: TaskManager) -> str:
        """The server's power state; a transition reads as its target (see ``POWER_MAP``).

        Under a shared lock (Ironic's power sync) it comes from the fleet snapshot, under an
        exclusive lock from a fresh read.

        :param task: a TaskManager instance containing the node to act on.
        :returns: POWER_ON, POWER_OFF, or ERROR when OneView reports a state it cannot map.
        :raises: MissingParameterValue or InvalidParameterValue on a bad node contract.
        :raises: OneViewDriverError when the snapshot or the server cannot be read.
        :raises: PowerStateFailure when the fresh read fails.
        """
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            server = view.server_fields() if task.shared else serverpower.read_server(view)
        except OneViewError as error:
            raise common.driver_error(error, f"Reading the power state of {uri}") from error
        reported = server.get("powerState")
        state = POWER_MAP.get(reported) if isinstance(reported, str) else None
        if state is None:
            LOG.warning(
                "Node %s: server hardware %s reports power state %r", task.node.uuid, uri, reported
            )
            return states.ERROR
        return state

    @task_manager.require_exclusive_lock
    def set_power_state(
        self, task: TaskManager, power_state: str, timeout: int | None = None
    ) -> None:
        """Switch the server to ``power_state``, all within ``timeout``.

        Waiting while OneView holds the server, retrying its refusals and waiting for its power
        task share one deadline: ``timeout``, else ``[conductor]power_state_change_timeout``
        (``[conductor]soft_power_off_timeout`` for a soft power off). A server already in the
        state asked for gets no request.

        :param task: a TaskManager instance containing the node to act on.
        :param power_state: any power state from :mod:`ironic.common.states`.
        :param timeout: seconds the whole action may take.
        :raises: InvalidParameterValue if ``power_state`` is not supported.
        :raises: PowerStateFailure if a OneView user owns the server, OneView refuses or fails
            the change, the deadline passes, or the server ends in another state.
        :raises: OneViewDriverError if pending boot settings cannot be written before a power-on.
        """
        soft_off = power_state == states.SOFT_POWER_OFF
        deadline = serverpower.power_deadline(
            timeout, "soft_power_off_timeout" if soft_off else "power_state_change_timeout"
        )
        view = view_of(task)
        server = serverpower.read_server(view)
        ownership.refuse_if_oneview_owned(task.node, server, exception.PowerStateFailure)
        if power_state == states.POWER_ON:
            self._power_on(task, server, deadline)
        elif power_state == states.POWER_OFF:
            self._power_off(view, server, "PressAndHold", deadline)
        elif power_state == states.SOFT_POWER_OFF:
            self._power_off(view, server, "MomentaryPress", deadline)
        elif power_state == states.REBOOT:
            self._reboot(task, server, deadline)
        elif power_state == states.SOFT_REBOOT:
            server = self._power_off(view, server, "MomentaryPress", deadline)
            self._power_on(task, server, deadline)
        else:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: power state {power_state!r} is not supported; expected "
                f"one of {self.get_supported_power_states(task)}."
            )

    @task_manager.require_exclusive_lock
    def reboot(self, task: TaskManager, timeout: int | None = None) -> None:
        """Hard off (when not off), apply pending boot settings, on; all within ``timeout``.

        :param task: a TaskManager instance containing the node to act on.
        :param timeout: seconds the whole reboot may take (else
            ``[conductor]power_state_change_timeout``).
        :raises: PowerStateFailure if a OneView user owns the server, OneView refuses or fails
            a step, or the deadline passes.
        :raises: OneViewDriverError if pending boot settings cannot be written.
        """
        deadline = serverpower.power_deadline(timeout)
        view = view_of(task)
        server = serverpower.read_server(view)
        ownership.refuse_if_oneview_owned(task.node, server, exception.PowerStateFailure)
        self._reboot(task, server, deadline)

    def _reboot(
        self, task: TaskManager, server: dict[str, Any], deadline: serverpower.Deadline
    ) -> None:
        server = self._power_off(view_of(task), server, "PressAndHold", deadline)
        self._power_on(task, server, deadline)

    @staticmethod
    def _power_off(
        view: View, server: dict[str, Any], control: str, deadline: serverpower.Deadline
    ) -> dict[str, Any]:
        """Off with ``control``, unless it is off already (then nothing is sent)."""
        if server.get("powerState") == "Off":
            return server
        return serverpower.set_power(view, "Off", control, deadline)

    @staticmethod
    def _power_on(
        task: TaskManager, server: dict[str, Any], deadline: serverpower.Deadline
    ) -> None:
        """Pending boot settings first (the server is off then), then on; nothing if on."""
        if server.get("powerState") == "On":
            return
        view = view_of(task)
        boot.apply_pending(task, view)
        serverpower.set_power(view, "On", None, deadline)
