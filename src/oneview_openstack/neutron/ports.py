"""Bare-metal ports → the server profile connection of the port's server (after commit).

Ironic node (``binding:host_id``) → ``applied_server_profile_uri`` → ownership check (the server's
``serverProfileUri`` must be that profile, or a OneView user owns it and nothing is touched) →
eTag-checked edit of the connection list, one writer per profile at a time.

Power belongs to Ironic. Edits prefer what OneView accepts while the server is on: changing the
network of an existing connection, and on undo restoring the network it had. Adding or removing a
connection needs the server off; the driver then powers the server off and on again only when
``[oneview] allow_power_cycle_for_connection_changes`` is set (and Ironic still owns the server).
Otherwise the port fails with :class:`NeedsPowerOff`, naming the option and the template change
that avoids the question. Reconciliation never cycles power, whatever the option says. The
writes themselves (lock, busy waits, the opt-in power cycle) are :mod:`profile_writes`.

A port on an Ironic port group (a bond, see :mod:`bonds`) owns one connection per member NIC; the
members come from Ironic's port group, and all of them change in the same single edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from ..client import NotFound, OneViewClient, views
from . import bonds
from . import connections as conns
from .errors import NeedsPowerOff, PortWiringError
from .ironic import GroupMember, IronicLookup
from .locking import profile_locks
from .profile_writes import (  # noqa: F401 - POWERED_ON is read from here (reconcile)
    POWERED_ON,
    ConnectionsChange,
    NotOwned,
    ProfileWrites,
    Target,
)

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortInfo:
    """What the driver needs of a Neutron port dict (current or original)."""

    id: str
    mac: str
    host: str
    # device_owner "baremetal:...": Ironic's own provisioning, cleaning, rescue or inspection
    # port, whose connection must be able to PXE boot.
    ironic_owned: bool
    bond: bonds.BondRequest | None = None  # the Ironic port group of a bond's port
    # Why the binding:profile names a bond that cannot be wired (precommit refuses such
    # requests; a port made before may still carry one). Plug fails with it; undo needs none.
    bond_problem: str | None = None

    @classmethod
    def of(cls, port: dict[str, Any], host: str | None = None) -> PortInfo:
        """:raises MalformedMac: the port's ``mac_address`` is not a MAC address."""
        bond, problem = None, None
        try:
            bond = bonds.request_of(port.get("binding:profile"))
        except bonds.BondRefused as error:
            problem = str(error)
        return cls(
            id=port["id"],
            mac=conns.normalise_mac(port.get("mac_address")),
            host=host or port.get("binding:host_id") or "",
            ironic_owned=str(port.get("device_owner") or "").startswith("baremetal:"),
            bond=bond,
            bond_problem=problem,
        )


class PortWiring:
    def __init__(
        self,
        client: OneViewClient,
        ironic: IronicLookup,
        busy_timeout: float,
        lock_dir: str | None = None,
        *,
        allow_power_cycle: bool = False,
    ) -> None:
        self.client = client
        self.ironic = ironic
        self.writes = ProfileWrites(
            client, profile_locks(lock_dir), busy_timeout, allow_power_cycle=allow_power_cycle
        )

    @property
    def allow_power_cycle(self) -> bool:
        return self.writes.allow_power_cycle

    # -- lookups ---------------------------------------------------------------------------
    def target(self, host: str) -> Target:
        """The node's profile and server, after checking that Ironic owns the profile.

        :raises NodeNotFound, IronicUnavailable: Ironic does not answer for ``host``.
        :raises NotOwned: a OneView user owns the server (or no server carries the profile).
        :raises PortWiringError: the node has no applied profile, or OneView lacks it.
        :raises OneViewError: OneView cannot be read.
        """
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
    def plug(
        self,
        port: PortInfo,
        network_uri: str,
        *,
        may_power_cycle: bool | None = None,
        requested_mbps: int | None = None,
    ) -> bool:
        """Put the port's connection on ``network_uri``; True if the profile changed.

        ``may_power_cycle`` None follows the option; reconciliation passes False.
        ``requested_mbps``: the connection's guaranteed share (QoS minimum bandwidth).

        :raises NeedsPowerOff: OneView needs the server off and power cycling is not allowed.
        :raises UnknownMac: neither the profile nor the server carries the port's MAC (or a
            bond member's MAC).
        :raises BondRefused: the port's bond cannot be wired (mode, members, LAG pairing).
        :raises PortGroupNotFound: the bond's Ironic port group is gone.
        :raises PortWiringError: see :meth:`target`, or OneView refused the edit.
        """
        if port.bond_problem:
            raise bonds.BondRefused(port.bond_problem)
        target = self.target(port.host)
        if port.bond is not None:
            return self._plug_bond(
                port, port.bond, target, network_uri, may_power_cycle, requested_mbps
            )
        hw_port = views.port_for_mac(target.server, port.mac)

        def change(connections: list[dict[str, Any]]) -> bool:
            return conns.attach(
                connections,
                port_id=port.id,
                mac=port.mac,
                network_uri=network_uri,
                hw_port=hw_port,
                bootable=port.ironic_owned,
                requested_mbps=requested_mbps,
            )

        changed = self._write(
            target, change, f"wire port {port.id} to {network_uri}", may_power_cycle
        )
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

    def _plug_bond(
        self,
        port: PortInfo,
        bond: bonds.BondRequest,
        target: Target,
        network_uri: str,
        may_power_cycle: bool | None,
        requested_mbps: int | None,
    ) -> bool:
        """Every member NIC of the port group on ``network_uri`` (as one LAG for 802.3ad)."""
        members = self.group_members(bond, target)
        macs = [(m.mac or "", views.port_for_mac(target.server, m.mac or "")) for m in members]

        def change(connections: list[dict[str, Any]]) -> bool:
            return conns.attach_bond(
                connections,
                port_id=port.id,
                group=bond.group_id,
                members=macs,
                network_uri=network_uri,
                lacp=bond.lacp,
                server=target.server,
                bootable=port.ironic_owned,
                requested_mbps=requested_mbps,
            )

        action = f"wire port {port.id} ({bond.mode} bond of port group {bond.group_id}) to "
        changed = self._write(target, change, action + network_uri, may_power_cycle)
        LOG.info(
            "Port %s (%s bond, port group %s, member MACs %s) of node %s is on %s in profile %s%s",
            port.id,
            bond.mode,
            bond.group_id,
            ", ".join(mac for mac, _ in macs),
            target.node.uuid,
            network_uri,
            target.profile_uri,
            "" if changed else " (already)",
        )
        return changed

    def group_members(self, bond: bonds.BondRequest, target: Target) -> list[GroupMember]:
        """The bond's member NICs, from Ironic's port group, checked against the node.

        :raises BondRefused: the group is empty, belongs to another node, or a member's
            address is not a MAC.
        :raises PortGroupNotFound, IronicUnavailable: Ironic cannot tell.
        """
        members = self.ironic.portgroup_ports(bond.group_id)
        node = target.node.uuid
        if not members:
            raise bonds.BondRefused(
                f"Ironic port group {bond.group_id} of node {node} has no ports; add the "
                "member NICs' ports to it"
            )
        for member in members:
            if member.node_uuid not in (None, node):
                raise bonds.BondRefused(
                    f"Ironic port group {bond.group_id}: port {member.uuid} belongs to node "
                    f"{member.node_uuid}, not to node {node} the port is bound to"
                )
            if member.mac is None:
                raise bonds.BondRefused(
                    f"Ironic port group {bond.group_id}: port {member.uuid} has no MAC address "
                    "the driver can match to a connection"
                )
        return members

    def unplug(self, port: PortInfo, *, may_power_cycle: bool | None = None) -> bool:
        """Undo :meth:`plug`: restore the connection's old network, or remove what it added.

        Restoring a network is accepted while the server is on; removing an added connection
        is not. Unless power cycles are allowed (see :meth:`plug`), a connection the driver
        added to a server that is on is left *Unassigned* (no network) instead, which OneView
        accepts while on; the port's MAC then finds it again on the next bind. A server a
        OneView user owns now is left alone (logged, False).

        :raises PortWiringError: see :meth:`target`, or OneView refused the edit.
        """
        try:
            target = self.target(port.host)
        except NotOwned as error:
            LOG.warning("Not undoing port %s in OneView: %s", port.id, error)
            return False
        action = f"unwire port {port.id}"
        allowed = self.allow_power_cycle if may_power_cycle is None else may_power_cycle
        server_on = target.server.get("powerState") != "Off"
        try:
            changed = self._write(
                target,
                lambda cs: conns.detach(cs, port_id=port.id, unassign=server_on and not allowed),
                action,
                may_power_cycle,
            )
        except NeedsPowerOff:
            # Switched on since we looked: unassign instead of removing, and leave a LAG the
            # driver paired as it is (OneView changes LAG names only with the server off).
            changed = self._write(
                target,
                lambda cs: conns.detach(cs, port_id=port.id, unassign=True, keep_lag=True),
                action,
                False,
            )
            if port.bond is not None and port.bond.lacp:
                LOG.warning(
                    "Port %s: server %s is on, so its bond's connections keep their LAG name "
                    "until a change with the server off; they are back on their networks, or, "
                    "where those differ (OneView refuses a LAG on two networks), still wired "
                    "(reconciliation reports them as stale connections)",
                    port.id,
                    target.server.get("name") or target.server_uri,
                )
        if changed:
            LOG.info("Port %s is no longer wired in profile %s", port.id, target.profile_uri)
        return changed

    def _write(
        self,
        target: Target,
        change: ConnectionsChange,
        action: str,
        may_power_cycle: bool | None,
    ) -> bool:
        return self.writes.write(target, change, action, may_power_cycle)
