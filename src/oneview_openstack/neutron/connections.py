"""Pure edits of a server profile's connection list for one Neutron port.

The connection itself records what the driver did, so undo needs no database: a connection the
driver points at a network is named ``Neutron [<port id>]``, followed, when it existed before, by
``was <network id> <its old name>`` (``was unassigned <its old name>`` for a connection that had
no network, ``was set:<network set id> ...`` for one on a network set), with ``had <LAG name>``
in front when it was half of a LAG. Undo restores that network, LAG name and name, or removes a
connection the driver added, or, where OneView would need the server off to remove it, leaves it
*Unassigned* (no network). A bond's port owns one connection per member NIC, all named so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..client import views
from ..client.views import ProfileConnection
from . import bonds
from .errors import PortWiringError

MARK = re.compile(
    r"^Neutron \[(?P<port>[0-9a-fA-F-]{36})\](?: had (?P<lag>LAG\d+))?"
    r"(?: was (?P<net>[0-9A-Za-z:-]+)(?: (?P<name>.*))?)?$"
)
NETWORKS = "/rest/ethernet-networks/"
NETWORK_SETS = "/rest/network-sets/"
SET_PREFIX = "set:"  # the history token's prefix for a network set
UNASSIGNED = "unassigned"  # the history token of a connection that had no network
PRIORITIES = ("Primary", "Secondary")


class MalformedMac(PortWiringError):
    """The port's MAC address is not a MAC address at all."""


class UnknownMac(PortWiringError):
    """A well-formed MAC that neither the profile's connections nor the server's ports carry."""


def normalise_mac(mac: Any) -> str:
    """``AA-BB-CC-DD-EE-FF`` / ``aabb.ccdd.eeff`` → ``aa:bb:cc:dd:ee:ff`` (the client's form).

    :raises MalformedMac: ``mac`` is not a MAC address.
    """
    normal = views.normalise_mac(mac)
    if normal is None:
        raise MalformedMac(
            f"MAC address {mac!r} is not a MAC address (expected e.g. aa:bb:cc:dd:ee:ff)"
        )
    return normal


def _same_mac(value: Any, mac: str) -> bool:
    return views.normalise_mac(value) == mac


def owner_of(connection_name: str | None) -> str | None:
    """The Neutron port id a connection (by its name) is wired for, or None."""
    match = MARK.match(connection_name or "")
    return match["port"].lower() if match else None


def find(connections: list[dict[str, Any]], mac: str, hw_port: str | None) -> dict[str, Any] | None:
    for connection in connections:
        if _same_mac(connection.get("mac"), mac):
            return connection
    if hw_port is not None:
        for connection in connections:
            if connection.get("portId") == hw_port:
                return connection
    return None


def attach(
    connections: list[dict[str, Any]],
    *,
    port_id: str,
    mac: str,
    network_uri: str,
    hw_port: str | None,
    bootable: bool = False,
    requested_mbps: int | None = None,
) -> bool:
    """Point the port's connection at ``network_uri`` (adding it if needed); True if changed.

    An existing connection (by MAC, then by the server port with that MAC) only changes its
    network, which OneView accepts while the server is on; a connection is added only when
    none exists. ``bootable`` (Ironic's own ports) asks for a free PXE boot priority.
    ``requested_mbps`` (a minimum-bandwidth rule) sets the connection's guaranteed share.

    :raises UnknownMac: no connection and no server port carries ``mac``.
    """
    connection = find(connections, mac, hw_port)
    if connection is None:
        if hw_port is None:
            raise UnknownMac(
                f"MAC address {mac} is neither on a connection of the profile nor a port of "
                "the server's port map; check the Ironic port's address"
            )
        priority = _free_priority(connections) if bootable else "NotBootable"
        connections.append(
            {
                "name": f"Neutron [{port_id}]",
                "functionType": "Ethernet",
                "portId": hw_port,
                "networkUri": network_uri,
                "requestedMbps": str(requested_mbps or 2500),
                "boot": {"priority": priority or "NotBootable"},
            }
        )
        return True
    match = MARK.match(connection.get("name") or "")
    history = connection["name"][match.end("port") + 1 :] if match else _history(connection)
    name = f"Neutron [{port_id}]{history}"
    changed = connection.get("name") != name or connection.get("networkUri") != network_uri
    connection.update(name=name, networkUri=network_uri)
    if requested_mbps is not None and str(connection.get("requestedMbps")) != str(requested_mbps):
        connection["requestedMbps"] = str(requested_mbps)
        changed = True
    if bootable and (connection.get("boot") or {}).get("priority") not in PRIORITIES:
        priority = _free_priority(connections)
        if priority:
            connection["boot"] = {**(connection.get("boot") or {}), "priority": priority}
            changed = True
    return changed


def _history(connection: dict[str, Any]) -> str:
    """The name suffix that lets undo restore a connection the driver found."""
    uri = str(connection.get("networkUri") or "")
    previous = uri.rsplit("/", 1)[-1] or UNASSIGNED
    if uri.startswith(NETWORK_SETS):
        previous = SET_PREFIX + previous
    lag = connection.get("lagName")
    had = f" had {lag}" if isinstance(lag, str) and lag in bonds.LAG_NAMES else ""
    return f"{had} was {previous} {connection.get('name') or ''}".rstrip()


def attach_bond(
    connections: list[dict[str, Any]],
    *,
    port_id: str,
    group: str,
    members: list[tuple[str, str | None]],
    network_uri: str,
    lacp: bool,
    server: dict[str, Any],
    bootable: bool = False,
    requested_mbps: int | None = None,
) -> bool:
    """Point every member NIC's connection at ``network_uri`` in one edit; True if changed.

    ``members``: (MAC, the server port with that MAC) per member of Ironic port group
    ``group``. With ``lacp`` the two connections become one LAG (the same ``lagName`` and
    ``requestedMbps``); otherwise a LAG name they carried is cleared (the server's bond does
    not speak LACP), and restored on undo.

    :raises UnknownMac: a member's MAC is on no connection and no server port.
    :raises BondRefused: the members cannot form a OneView LAG (see
        :func:`bonds.check_lag_pair`), or two members share one connection.
    """
    changed = False
    wired_members: list[dict[str, Any]] = []
    for mac, hw_port in members:
        changed |= attach(
            connections,
            port_id=port_id,
            mac=mac,
            network_uri=network_uri,
            hw_port=hw_port,
            bootable=bootable,
            requested_mbps=requested_mbps,
        )
        connection = find(connections, mac, hw_port)
        if connection is None or any(connection is c for c in wired_members):
            raise bonds.BondRefused(
                f"Ironic port group {group}: member MAC {mac} shares connection "
                f"{(connection or {}).get('portId')} with another member; each member NIC "
                "needs its own connection"
            )
        wired_members.append(connection)
    if not lacp:
        for connection in wired_members:
            if connection.get("lagName"):
                connection["lagName"] = None
                changed = True
        return changed
    bonds.check_lag_pair(group, wired_members, server)
    lag = bonds.free_lag_name(connections, wired_members)
    rates = {str(c.get("requestedMbps")) for c in wired_members}
    rate = str(requested_mbps) if requested_mbps is not None else max(rates, key=_mbps_key)
    for connection in wired_members:
        if connection.get("lagName") != lag or str(connection.get("requestedMbps")) != rate:
            connection.update(lagName=lag, requestedMbps=rate)
            changed = True
    return changed


def _mbps_key(value: str) -> int:
    return int(value) if value.isdigit() else 0


def detach(
    connections: list[dict[str, Any]],
    *,
    port_id: str,
    unassign: bool = False,
    keep_lag: bool = False,
) -> bool:
    """Undo :func:`attach` (or :func:`attach_bond`) for a port: restore every connection's old
    network, LAG name and name, or remove the connection the driver added (with ``unassign``:
    keep it, with no network, which OneView accepts while the server is on); True if changed.

    ``keep_lag`` (a server OneView will not re-pair while on) leaves LAG names as they are; a
    pair whose restored networks would differ, which OneView refuses for a LAG, is then left
    wired for the port (its history intact) for an undo with the server off.
    """
    kept: list[dict[str, Any]] = []
    saved: dict[int, dict[str, Any]] = {}
    for connection in connections:
        match = MARK.match(connection.get("name") or "")
        if match is None or match["port"].lower() != port_id.lower():
            kept.append(connection)
            continue
        saved[id(connection)] = dict(connection)
        net = match["net"]
        if net is None and not unassign:
            continue  # added by the driver: removed
        if net is None:
            connection.update(networkUri=None, name="")
        elif net == UNASSIGNED:
            connection.update(networkUri=None, name=match["name"] or "")
        elif net.startswith(SET_PREFIX):
            uri = NETWORK_SETS + net[len(SET_PREFIX) :]
            connection.update(networkUri=uri, name=match["name"] or "")
        else:
            connection.update(networkUri=NETWORKS + net, name=match["name"] or "")
        lag = match["lag"]
        if not keep_lag and (connection.get("lagName") or None) != lag:
            connection["lagName"] = lag
        kept.append(connection)
    if keep_lag:
        _keep_lag_pairs_whole(kept, saved)
    removed = len(kept) != len(connections)
    connections[:] = kept
    return removed or any(c != saved[id(c)] for c in kept if id(c) in saved)


def _keep_lag_pairs_whole(connections: list[dict[str, Any]], saved: dict[int, dict]) -> None:
    """Put back, as they were, the undone connections of a LAG whose networks would differ."""
    pairs: dict[str, list[dict[str, Any]]] = {}
    for connection in connections:
        if id(connection) in saved and connection.get("lagName"):
            pairs.setdefault(connection["lagName"], []).append(connection)
    for pair in pairs.values():
        if len({c.get("networkUri") for c in pair}) > 1:
            for connection in pair:
                connection.clear()
                connection.update(saved[id(connection)])


def wired(
    connections: Iterable[ProfileConnection],
    port_id: str,
    network_uri: str,
    *,
    members: int = 1,
    lag: bool = False,
) -> bool:
    """Whether the port's connections (``members`` of them: one per bond member) exist and
    point at its network, as one LAG when ``lag`` (for reconciliation)."""
    owned = [c for c in connections if owner_of(c.name) == port_id.lower()]
    if len(owned) < members or any(c.network_uri != network_uri for c in owned):
        return False
    if lag:
        names = {c.lag_name for c in owned}
        return len(names) == 1 and None not in names
    return True


def owners(connections: Iterable[ProfileConnection]) -> set[str]:
    """The Neutron ports a profile's connections are wired for."""
    return {owner for c in connections if (owner := owner_of(c.name))}


def _free_priority(connections: list[dict[str, Any]]) -> str | None:
    used = {(c.get("boot") or {}).get("priority") for c in connections}
    return next((p for p in PRIORITIES if p not in used), None)
