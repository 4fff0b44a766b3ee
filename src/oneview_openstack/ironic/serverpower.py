"""One power request to OneView, done safely and within one deadline.

OneView refuses power control while it holds the server (``powerLock``, a profile being applied
or removed, a power transition): we look again until it lets go, retrying its 409 the same way,
then wait for the power task, then read the server once to be sure it reached the state asked
for. The lock wait, the 409 retries and the task wait share one :class:`Deadline`: for a power
action that is Ironic's ``timeout`` (``[conductor]power_state_change_timeout`` when Ironic gives
none, as Ironic's ``redfish`` power does), so a ``set_power_state(timeout=60)`` holds the node's
lock for about 60 s at most, never ``power_lock_timeout`` plus ``timeout``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ironic.common import exception
from ironic.conf import CONF
from oslo_log import log as logging
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from ..client import Conflict, OneViewError, TaskTimeout
from .snapshot import SNAPSHOT
from .view import View

LOG = logging.getLogger(__name__)
BUSY_STATES = ("ApplyingProfile", "RemovingProfile", "UpdatingFirmware")
# OneView refuses a power request while the server is on its way to a state.
TRANSITIONAL_STATES = ("PoweringOn", "PoweringOff", "Resetting")


@dataclass(frozen=True)
class Deadline:
    """When a whole action must be over (``time.monotonic()``), and its name for the operator."""

    ends: float
    name: str

    @classmethod
    def after(cls, seconds: float, name: str) -> Deadline:
        return cls(time.monotonic() + seconds, name)

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.ends

    def or_sooner(self, other: Deadline) -> Deadline:
        return other if other.ends < self.ends else self


def power_deadline(timeout: float | None, default: str = "power_state_change_timeout") -> Deadline:
    """The deadline of one Ironic power action: its ``timeout``, else ``[conductor]<default>``."""
    if timeout:
        return Deadline.after(float(timeout), f"Ironic's power timeout of {timeout:g} s")
    seconds = float(getattr(CONF.conductor, default))
    return Deadline.after(seconds, f"[conductor]{default} ({seconds:g} s)")


def lock_deadline() -> Deadline:
    """How long OneView may hold the server: alone for claims and releases, and as a cap inside
    a power action's own deadline."""
    seconds = float(CONF.oneview.power_lock_timeout)
    return Deadline.after(seconds, f"[oneview]power_lock_timeout ({seconds:g} s)")


def locked(server: dict[str, Any]) -> bool:
    return (
        bool(server.get("powerLock"))
        or server.get("state") in BUSY_STATES
        or server.get("powerState") in TRANSITIONAL_STATES
    )


def read_server(view: View) -> dict[str, Any]:
    """A fresh read of the server (bypassing the task cache), remembered by cache and snapshot.

    :raises: PowerStateFailure when OneView cannot be read, with OneView's errorCode and message.
    """
    uri = view.info.server_hardware_uri
    try:
        server = view.client.server_hardware.get(uri)
    except OneViewError as error:
        raise exception.PowerStateFailure(
            f"Reading server hardware {uri} of node {view.node.uuid} failed: {error}"
        ) from error
    view.remember_server(server)
    SNAPSHOT.record(uri, server)
    return server


class _Held(Exception):
    """OneView holds the server (lock, busy state, or a 409 refusal): look again later."""

    def __init__(self, server: dict[str, Any], refusal: OneViewError | None = None) -> None:
        super().__init__(server.get("uri"))
        self.server = server
        self.refusal = refusal


def _retrying(view: View, deadline: Deadline) -> Retrying:
    """Look again every ``power_lock_poll_interval`` while the server is held, until ``deadline``."""

    def pause(_state: RetryCallState) -> float:
        return min(CONF.oneview.power_lock_poll_interval, deadline.remaining())

    def log(state: RetryCallState) -> None:
        held = state.outcome.exception() if state.outcome else None
        if isinstance(held, _Held):
            LOG.debug(
                "Node %s: server %s is held by OneView (powerLock=%s, state=%s, powerState=%s%s);"
                " waiting",
                view.node.uuid,
                held.server.get("uri"),
                held.server.get("powerLock"),
                held.server.get("state"),
                held.server.get("powerState"),
                f", refused: {held.refusal.summary}" if held.refusal else "",
            )

    return Retrying(
        retry=retry_if_exception_type(_Held),
        stop=lambda _state: deadline.passed(),
        wait=pause,
        before_sleep=log,
        reraise=True,
    )


def _still_held(
    view: View, held: _Held, deadline: Deadline, doing: str
) -> exception.IronicException:
    server = held.server
    refused = f"; its last answer: {held.refusal.summary}" if held.refusal else ""
    return exception.PowerStateFailure(
        f"{doing}: server hardware {server.get('uri')} of node {view.node.uuid} is still held by "
        f"OneView (powerLock={server.get('powerLock')}, state={server.get('state')}, "
        f"powerState={server.get('powerState')}) at the end of {deadline.name}{refused}; try "
        "again once OneView has finished with it."
    )


def wait_until_unlocked(
    view: View, deadline: Deadline, server: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The server once OneView no longer holds it.

    :raises: PowerStateFailure when ``deadline`` passes first, naming the deadline.
    """
    given = [server] if server is not None else []

    def look() -> dict[str, Any]:
        current = given.pop() if given else read_server(view)
        if locked(current):
            raise _Held(current)
        return current

    try:
        return _retrying(view, deadline)(look)
    except _Held as held:
        raise _still_held(view, held, deadline, "Waiting for OneView") from held.refusal


def set_power(
    view: View, power_state: str, control: str | None, deadline: Deadline
) -> dict[str, Any]:
    """Ask OneView for ``power_state`` with ``control``; the server afterwards.

    Waiting for the lock, retrying OneView's 409 and waiting for the task all end at
    ``deadline``; the lock part also ends at ``[oneview]power_lock_timeout`` when that is sooner.

    :raises: PowerStateFailure naming what it waited for (the lock, the task) and OneView's
        answer, or when the server ends in another state than ``power_state``.
    """
    uri = view.info.server_hardware_uri
    node = view.node.uuid
    wanted = f"Power {power_state} ({control or 'default'}) of node {node}"
    lock_wait = deadline.or_sooner(lock_deadline())

    def attempt() -> None:
        server = read_server(view)
        if locked(server):
            raise _Held(server)
        if server.get("powerState") == power_state:
            return  # it got there while OneView held it: nothing to ask
        try:
            view.client.server_hardware.set_power_state(
                uri, power_state, control, timeout=deadline.remaining()
            )
        except Conflict as error:
            raise _Held(server, error) from error

    try:
        _retrying(view, lock_wait)(attempt)
    except _Held as held:
        raise _still_held(view, held, lock_wait, wanted) from held.refusal
    except TaskTimeout as error:
        raise exception.PowerStateFailure(
            f"{wanted}: OneView's power task did not finish within {deadline.name}: {error.summary}"
        ) from error
    except OneViewError as error:
        raise exception.PowerStateFailure(f"{wanted} failed in OneView: {error}") from error
    server = read_server(view)
    reached = server.get("powerState")
    if reached != power_state:
        raise exception.PowerStateFailure(
            f"{wanted}: OneView's task finished but server hardware {uri} is {reached!r}, not "
            f"{power_state!r}."
        )
    SNAPSHOT.set_power(uri, power_state)
    return server
