"""Pure edits of a server profile's connection list for one Neutron port.

The connection itself records what the driver did, so undo needs no database: a connection the
driver points at a network is named ``Neutron [<port id>]``, followed, when it existed before, by
``was <network id> <its old name>``. Undo restores that network and name, or removes a connection
the driver added.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import PortWiringError

MARK = re.compile(
    r"^Neutron \[(?P<port>[0-9a-fA-F-]{36})\](?: was (?P<net>[0-9A-Za-z-]+)(?: (?P<name>.*))?)?$"
)
MAC = re.compile(r"^[0-9A-F]{2}([:-]?[0-9A-F]{2}){5}$")
NETWORKS = "/rest/ethernet-networks/"
PRIORITIES = ("Primary", "Secondary")


class UnknownMac(PortWiringError):
    pass


def normalise_mac(mac: Any) -> str:
    """``aa-bb-cc-dd-ee-ff`` / ``aabb.ccdd.eeff`` → ``AA:BB:CC:DD:EE:FF`` (OneView's form)."""
    text = str(mac or "").strip().upper().replace(".", "")
    if not MAC.match(text):
        raise UnknownMac(f"MAC address {mac!r} is not a MAC address (expected aa:bb:cc:dd:ee:ff)")
    digits = re.sub(r"[:-]", "", text)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _same_mac(value: Any, mac: str) -> bool:
    try:
        return normalise_mac(value) == mac
    except UnknownMac:
        return False


def port_id_for_mac(server: dict[str, Any], mac: str) -> str | None:
    """The profile ``portId`` (e.g. ``Mezz 3:1-a``) of the server port with this MAC."""
    for slot in (server.get("portMap") or {}).get("deviceSlots") or []:
        for port in slot.get("physicalPorts") or []:
            where = f"{slot.get('location')} {slot.get('slotNumber')}:{port.get('portNumber')}"
            for virtual in port.get("virtualPorts") or []:
                if _same_mac(virtual.get("mac"), mac):
                    return f"{where}-{virtual.get('portFunction')}"
            if _same_mac(port.get("mac"), mac):
                return f"{where}-a"
    return None


def owner_of(connection: dict[str, Any]) -> str | None:
    """The Neutron port id a connection is wired for, or None."""
    match = MARK.match(connection.get("name") or "")
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
    pxe: bool = False,
) -> bool:
    """Point the port's connection at ``network_uri`` (adding it if needed); True if changed."""
    connection = find(connections, mac, hw_port)
    if connection is None:
        if hw_port is None:
            raise UnknownMac(
                f"MAC address {mac} is neither on a connection of the profile nor a port of "
                "the server's port map; check the Ironic port's address"
            )
        priority = _free_priority(connections) if pxe else "NotBootable"
        connections.append(
            {
                "name": f"Neutron [{port_id}]",
                "functionType": "Ethernet",
                "portId": hw_port,
                "networkUri": network_uri,
                "requestedMbps": "2500",
                "boot": {"priority": priority or "NotBootable"},
            }
        )
        return True
    match = MARK.match(connection.get("name") or "")
    if match:
        history = connection["name"][match.end("port") + 1 :]
    else:
        previous = str(connection.get("networkUri") or "").rsplit("/", 1)[-1]
        history = f" was {previous} {connection.get('name') or ''}".rstrip() if previous else ""
    name = f"Neutron [{port_id}]{history}"
    changed = connection.get("name") != name or connection.get("networkUri") != network_uri
    connection.update(name=name, networkUri=network_uri)
    if pxe and (connection.get("boot") or {}).get("priority") not in PRIORITIES:
        priority = _free_priority(connections)
        if priority:
            connection["boot"] = {**(connection.get("boot") or {}), "priority": priority}
            changed = True
    return changed


def detach(connections: list[dict[str, Any]], *, port_id: str) -> bool:
    """Undo :func:`attach` for a port: restore the old network and name, or remove."""
    for index, connection in enumerate(connections):
        if owner_of(connection) != port_id.lower():
            continue
        match = MARK.match(connection["name"])
        if match and match["net"]:
            connection.update(networkUri=NETWORKS + match["net"], name=match["name"] or "")
        else:
            del connections[index]
        return True
    return False


def wired(connections: list[dict[str, Any]], port_id: str, network_uri: str) -> bool:
    """Whether the port's connection exists and points at its network (for reconciliation)."""
    return any(
        owner_of(c) == port_id.lower() and c.get("networkUri") == network_uri for c in connections
    )


def _free_priority(connections: list[dict[str, Any]]) -> str | None:
    used = {(c.get("boot") or {}).get("priority") for c in connections}
    return next((p for p in PRIORITIES if p not in used), None)
