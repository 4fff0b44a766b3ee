"""Pure edits of a server profile's connection list for one Neutron port.

The connection itself records what the driver did, so undo needs no database: a connection the
driver points at a network is named ``Neutron [<port id>]``, followed, when it existed before, by
``was <network id> <its old name>`` (``was unassigned <its old name>`` for a connection that had
no network). Undo restores that network and name, or removes a connection the driver added, or,
where OneView would need the server off to remove it, leaves it *Unassigned* (no network).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..client import views
from ..client.views import ProfileConnection
from .errors import PortWiringError

MARK = re.compile(
    r"^Neutron \[(?P<port>[0-9a-fA-F-]{36})\](?: was (?P<net>[0-9A-Za-z-]+)(?: (?P<name>.*))?)?$"
)
NETWORKS = "/rest/ethernet-networks/"
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
    if match:
        history = connection["name"][match.end("port") + 1 :]
    else:
        previous = str(connection.get("networkUri") or "").rsplit("/", 1)[-1] or UNASSIGNED
        history = f" was {previous} {connection.get('name') or ''}".rstrip()
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


def detach(connections: list[dict[str, Any]], *, port_id: str, unassign: bool = False) -> bool:
    """Undo :func:`attach` for a port: restore the old network and name, or remove the
    connection the driver added (with ``unassign``: keep it, with no network, which OneView
    accepts while the server is on); True if changed."""
    for index, connection in enumerate(connections):
        if owner_of(connection.get("name")) != port_id.lower():
            continue
        match = MARK.match(connection["name"])
        if match and match["net"] == UNASSIGNED:
            connection.update(networkUri=None, name=match["name"] or "")
        elif match and match["net"]:
            connection.update(networkUri=NETWORKS + match["net"], name=match["name"] or "")
        elif unassign:
            connection.update(networkUri=None, name="")
        else:
            del connections[index]
        return True
    return False


def wired(connections: Iterable[ProfileConnection], port_id: str, network_uri: str) -> bool:
    """Whether the port's connection exists and points at its network (for reconciliation)."""
    return any(
        owner_of(c.name) == port_id.lower() and c.network_uri == network_uri for c in connections
    )


def owners(connections: Iterable[ProfileConnection]) -> set[str]:
    """The Neutron ports a profile's connections are wired for."""
    return {owner for c in connections if (owner := owner_of(c.name))}


def _free_priority(connections: list[dict[str, Any]]) -> str | None:
    used = {(c.get("boot") or {}).get("priority") for c in connections}
    return next((p for p in PRIORITIES if p not in used), None)
