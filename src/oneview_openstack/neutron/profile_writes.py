"""ETag-checked edits of a server profile's connections: one writer per profile at a time,
OneView's busy answers waited out for a bounded time, and the power-off OneView demands for
adding or removing a connection, only with the operator's opt-in.

Power belongs to Ironic: :meth:`ProfileWrites.write` cycles a server's power only when
``[oneview] allow_power_cycle_for_connection_changes`` is set (or its caller allows it) and
Ironic still owns the server; otherwise the change fails with :class:`NeedsPowerOff`, naming the
option and the template change that avoids the question.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from ..client import Conflict, OneViewClient, OneViewError, TaskFailed
from .errors import NeedsPowerOff, PortWiringError
from .ironic import Node
from .locking import WriterLocks

LOG = logging.getLogger(__name__)

ConnectionsChange = Callable[[list[dict[str, Any]]], bool]
POWERED_ON = "ServerNotOffWithCauseForNoServerChange"
BUSY = ("RESOURCE_LOCKED", "POWER_CONTROL_NOT_ALLOWED")
POWERED_OFF_ATTEMPTS = 3  # power off + write, when the server keeps being switched back on
POWER_OPTION = "[oneview] allow_power_cycle_for_connection_changes"
TEMPLATE_ADVICE = (
    "give the server profile template a connection for every port Neutron binds, so changes "
    "are network changes OneView accepts while the server is on"
)


class NotOwned(PortWiringError):
    pass


@dataclass(frozen=True)
class Target:
    node: Node
    profile_uri: str
    server_uri: str
    server: dict[str, Any]


class ProfileWrites:
    """The profile writes of :class:`~.ports.PortWiring`."""

    def __init__(
        self,
        client: OneViewClient,
        locks: WriterLocks,
        busy_timeout: float,
        *,
        allow_power_cycle: bool = False,
    ) -> None:
        self.client = client
        self.locks = locks
        self.busy_timeout = busy_timeout
        self.allow_power_cycle = allow_power_cycle

    def write(
        self,
        target: Target,
        change: ConnectionsChange,
        action: str,
        may_power_cycle: bool | None,
    ) -> bool:
        # Generous: a holder may wait out several busy OneView steps and cycle the power.
        with self.locks.hold(target.profile_uri, timeout=3 * self.busy_timeout + 60):
            try:
                return self._write_when_idle(target, change, action)
            except (Conflict, TaskFailed) as error:
                if error.error_code != POWERED_ON:
                    raise _failed(action, error) from None
                refusal = error
            allowed = self.allow_power_cycle if may_power_cycle is None else may_power_cycle
            if not allowed:
                raise _needs_power_off(target, action, refusal, by_option=may_power_cycle is None)
            return self._write_powered_off(target, change, action)

    def _write_when_idle(self, target: Target, change: ConnectionsChange, action: str) -> bool:
        """One eTag-checked edit; a busy profile or server is waited for, up to the limit."""
        return self._when_idle(
            lambda: (
                self.client.server_profiles.update_connections(target.profile_uri, change).changed
            ),
            action,
        )

    def _when_idle(self, call: Callable[[], Any], action: str) -> Any:
        """``call()``, retried while OneView answers busy, for at most ``busy_timeout`` s."""
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.05
        while True:
            try:
                return call()
            except Conflict as error:
                if error.error_code not in BUSY or time.monotonic() + pause > deadline:
                    raise
                LOG.info(
                    "%s: OneView is busy (%s); retrying in %.2f s", action, error.error_code, pause
                )
            time.sleep(pause * random.uniform(0.5, 1.0))  # noqa: S311 - jitter only
            pause = min(pause * 2, 5.0)

    def _write_powered_off(self, target: Target, change: ConnectionsChange, action: str) -> bool:
        """OneView demands the server off: power it off, write, restore its power."""
        server = self.client.server_hardware.get(target.server_uri)
        if server.get("serverProfileUri") != target.profile_uri:
            raise NotOwned(
                f"{action}: OneView needs server {server.get('name')} off, but Ironic no longer "
                "owns it; its power is left alone"
            )
        was_on = server.get("powerState") != "Off"
        LOG.warning(
            "%s: OneView needs server %s powered off for this change; cycling its power",
            action,
            server.get("name"),
        )
        power = self.client.server_hardware.set_power_state
        try:
            try:
                return self._write_while_off(target, change, action, server.get("name"))
            finally:
                if was_on:
                    self._when_idle(lambda: power(target.server_uri, "On"), action)
        except OneViewError as error:
            raise _failed(action, error) from None

    def _write_while_off(
        self, target: Target, change: ConnectionsChange, action: str, name: Any
    ) -> bool:
        """Power off and write; again if the server was switched back on in between.

        Typically Ironic's power-state sync (``force_power_state_during_sync``) found the node
        off and powered it on while the driver was changing its profile.
        """
        power = self.client.server_hardware.set_power_state
        attempt = 1
        while True:
            self._when_idle(lambda: power(target.server_uri, "Off", "PressAndHold"), action)
            try:
                return self._write_when_idle(target, change, action)
            except (Conflict, TaskFailed) as error:
                if error.error_code != POWERED_ON or attempt >= POWERED_OFF_ATTEMPTS:
                    raise
            attempt += 1
            LOG.warning(
                "%s: server %s was powered on again during the change; powering it off once "
                "more (attempt %d of %d)",
                action,
                name,
                attempt,
                POWERED_OFF_ATTEMPTS,
            )


def _failed(action: str, error: OneViewError) -> PortWiringError:
    return PortWiringError(f"OneView could not {action}: {error.summary}")


def _needs_power_off(
    target: Target, action: str, error: OneViewError, *, by_option: bool
) -> NeedsPowerOff:
    name = target.server.get("name") or target.server_uri
    why = (
        f"the driver leaves a tenant server's power to Ironic unless {POWER_OPTION} = true"
        if by_option
        else "reconciliation never changes a server's power; it retries on its next pass"
    )
    return NeedsPowerOff(
        f"OneView could not {action}: server {name} is on, and OneView makes this change "
        f"(adding or removing a connection) only with the server off ({error.summary}); {why}. "
        f"To avoid the power cycle, {TEMPLATE_ADVICE}."
    )
