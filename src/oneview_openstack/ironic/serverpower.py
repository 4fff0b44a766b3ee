"""One power request to OneView, done safely: wait (bounded) for a locked server, then check.

OneView refuses power control while it holds the server (``powerLock``, a profile being applied
or removed): we wait up to ``power_lock_timeout`` for it, retrying a 409 the same way, and after
the task ends we read the server once to be sure it reached the state asked for.
"""

from __future__ import annotations

import time
from typing import Any

from ironic.common import exception
from ironic.conf import CONF
from oslo_log import log as logging

from ..client import Conflict, OneViewError, TaskTimeout
from .snapshot import SNAPSHOT
from .view import View

LOG = logging.getLogger(__name__)
BUSY_STATES = ("ApplyingProfile", "RemovingProfile", "UpdatingFirmware")


def locked(server: dict[str, Any]) -> bool:
    return bool(server.get("powerLock")) or server.get("state") in BUSY_STATES


def read_server(view: View) -> dict[str, Any]:
    """A fresh read of the server (bypassing the task cache), remembered by cache and snapshot."""
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


def wait_until_unlocked(view: View, deadline: float, server: dict[str, Any] | None = None) -> dict:
    """The server once OneView no longer holds it; PowerStateFailure at ``deadline``."""
    server = server if server is not None else read_server(view)
    while locked(server):
        if time.monotonic() >= deadline:
            raise exception.PowerStateFailure(
                f"Server hardware {server.get('uri')} of node {view.node.uuid} is still held by "
                f"OneView (powerLock={server.get('powerLock')}, state={server.get('state')}) "
                f"after {CONF.oneview.power_lock_timeout:g} s ([oneview]power_lock_timeout); "
                "try again once OneView has finished with it."
            )
        LOG.debug(
            "Node %s: server %s is held by OneView (state %s); waiting",
            view.node.uuid,
            server.get("uri"),
            server.get("state"),
        )
        time.sleep(CONF.oneview.power_lock_poll_interval)
        server = read_server(view)
    return server


def set_power(
    view: View, power_state: str, control: str | None, timeout: float | None
) -> dict[str, Any]:
    """Ask OneView for ``power_state`` with ``control``; returns the server afterwards."""
    uri = view.info.server_hardware_uri
    node = view.node.uuid
    deadline = time.monotonic() + CONF.oneview.power_lock_timeout
    server = wait_until_unlocked(view, deadline)
    wanted = f"{power_state} ({control or 'default'})"
    while True:
        try:
            view.client.server_hardware.set_power_state(uri, power_state, control, timeout=timeout)
            break
        except Conflict as error:
            if time.monotonic() >= deadline:
                raise exception.PowerStateFailure(
                    f"OneView refused power {wanted} for node {node} until "
                    f"[oneview]power_lock_timeout ran out: {error}"
                ) from error
            LOG.info("Node %s: OneView refused power %s (%s); waiting", node, wanted, error)
            time.sleep(CONF.oneview.power_lock_poll_interval)
            server = wait_until_unlocked(view, deadline)
        except TaskTimeout as error:
            raise exception.PowerStateFailure(
                f"Power {wanted} of node {node} did not finish within {timeout} s: {error}"
            ) from error
        except OneViewError as error:
            raise exception.PowerStateFailure(
                f"Power {wanted} of node {node} failed in OneView: {error}"
            ) from error
    server = read_server(view)
    reached = server.get("powerState")
    if reached != power_state:
        raise exception.PowerStateFailure(
            f"Power {wanted} of node {node}: OneView's task finished but server hardware "
            f"{uri} is {reached!r}, not {power_state!r}."
        )
    SNAPSHOT.set_power(uri, power_state)
    return server
