"""Bare-metal ports → the server profile connection of the port's server (after commit).

Ironic node (``binding:host_id``) → ``applied_server_profile_uri`` → ownership check (the server's
``serverProfileUri`` must be that profile, or a OneView user owns it and nothing is touched) →
eTag-checked edit of the connection list, one thread of the host's API workers per profile at a
time. The server's power is cycled only when OneView refuses the edit because the server is on,
and only while Ironic still owns the server.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from ..client import Conflict, NotFound, OneViewClient, OneViewError, TaskFailed
from . import connections as conns
from .errors import PortWiringError
from .ironic import IronicLookup, Node
from .locking import profile_locks
from .mappings import describe

LOG = logging.getLogger(__name__)

ConnectionsChange = Callable[[list[dict[str, Any]]], bool]
POWERED_ON = "ServerNotOffWithCauseForNoServerChange"
BUSY = ("RESOURCE_LOCKED", "POWER_CONTROL_NOT_ALLOWED")
POWERED_OFF_ATTEMPTS = 3  # power off + write, when the server keeps being switched back on


class NotOwned(PortWiringError):
    pass


@dataclass(frozen=True)
class Target:
    node: Node
    profile_uri: str
    server_uri: str
    server: dict[str, Any]


@dataclass(frozen=True)
class PortInfo:
    """What the driver needs of a Neutron port dict (current or original)."""

    id: str
    mac: str
    host: str
    pxe: bool

    @classmethod
    def of(cls, port: dict[str, Any], host: str | None = None) -> PortInfo:
        return cls(
            id=port["id"],
            mac=conns.normalise_mac(port.get("mac_address")),
            host=host or port.get("binding:host_id") or "",
            # Ironic's own ports (provisioning, cleaning, rescue, inspection) carry this owner.
            pxe=str(port.get("device_owner") or "").startswith("baremetal:"),
        )


class PortWiring:
    def __init__(
        self,
        client: OneViewClient,
        ironic: IronicLookup,
        busy_timeout: float,
        lock_dir: str | None = None,
    ) -> None:
        self.client = client
        self.ironic = ironic
        self.busy_timeout = busy_timeout
        self.locks = profile_locks(lock_dir)

    # -- lookups ---------------------------------------------------------------------------
    def target(self, host: str) -> Target:
        """The node's profile and server, after checking that Ironic owns the profile."""
        if not host:
            raise PortWiringError("the port has no binding:host_id (the Ironic node UUID)")
        node = self.ironic.node(host)
        if not node.profile_uri:
            raise PortWiringError(
                f"Ironic node {node.uuid} has no driver_info/applied_server_profile_uri: no "
                "server profile is applied yet, so there is no connection to wire"
            )
        try:
            profile = self.client.server_profiles.get(node.profile_uri)
        except NotFound:
            raise PortWiringError(
                f"driver_info/applied_server_profile_uri {node.profile_uri} of Ironic node "
                f"{node.uuid} does not exist in OneView"
            ) from None
        assigned = profile.get("serverHardwareUri")
        server_uri = node.server_hardware_uri or assigned
        if not server_uri:
            raise NotOwned(f"server profile {node.profile_uri} is not assigned to any server")
        server = self.client.server_hardware.get(server_uri)
        if server.get("serverProfileUri") != node.profile_uri:
            raise NotOwned(
                f"server {server.get('name') or server_uri} carries profile "
                f"{server.get('serverProfileUri')}, not {node.profile_uri} of Ironic node "
                f"{node.uuid}: a OneView user owns it, so the driver does not touch it"
            )
        return Target(node, node.profile_uri, server_uri, server)

    # -- plug / unplug ---------------------------------------------------------------------
    def plug(self, port: PortInfo, network_uri: str) -> bool:
        target = self.target(port.host)
        hw_port = conns.port_id_for_mac(target.server, port.mac)

        def change(connections: list[dict[str, Any]]) -> bool:
            return conns.attach(
                connections,
                port_id=port.id,
                mac=port.mac,
                network_uri=network_uri,
                hw_port=hw_port,
                pxe=port.pxe,
            )

        changed = self._write(target, change, f"wire port {port.id} to {network_uri}")
        LOG.info(
            "Port %s (MAC %s) of node %s is on %s in profile %s%s",
            port.id,
            port.mac,
            target.node.uuid,
            network_uri,
            target.profile_uri,
            "" if changed else " (already)",
        )
        return changed

    def unplug(self, port: PortInfo) -> bool:
        try:
            target = self.target(port.host)
        except NotOwned as error:
            LOG.warning("Not undoing port %s in OneView: %s", port.id, error)
            return False

        def change(connections: list[dict[str, Any]]) -> bool:
            return conns.detach(connections, port_id=port.id)

        changed = self._write(target, change, f"unwire port {port.id}")
        if changed:
            LOG.info("Port %s is no longer wired in profile %s", port.id, target.profile_uri)
        return changed

    # -- the write -------------------------------------------------------------------------
    def _write(self, target: Target, change: ConnectionsChange, action: str) -> bool:
        # Generous: a holder may wait out several busy OneView steps and cycle the power.
        with self.locks.hold(target.profile_uri, timeout=3 * self.busy_timeout + 60):
            try:
                return self._write_when_idle(target, change, action)
            except (Conflict, TaskFailed) as error:
                if error.error_code != POWERED_ON:
                    raise _failed(action, error) from None
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
    return PortWiringError(f"OneView could not {action}: {describe(error)}")
