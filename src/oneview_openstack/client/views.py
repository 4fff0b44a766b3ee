"""Small read-only views of OneView bodies, parsed once, shared by every consumer.

Validation, inspection and enrollment (Ironic side) and the ML2 driver (Neutron side) all need
the same facts about a server's Ethernet ports and a profile's connections. Each used to walk
``portMap.deviceSlots[].physicalPorts[].virtualPorts[]`` itself and the copies disagreed (a FlexNIC
without a MAC gave a port in one tool and none in the other). Here is the one walk and its rules:

- One Ethernet port per physical port of type ``Ethernet``: its FlexNIC ``a`` when it has
  FlexNICs (that is the function a profile connection with ``portId "<slot>:<n>-a"`` uses), else
  the physical port itself. Its ``portId`` always ends in ``-a``: OneView's connection grammar
  (``Mezz 3:1-a``) names function ``a`` for a port without FlexNICs too.
- Its MAC is FlexNIC ``a``'s MAC when the port has FlexNICs, else the physical port's. A FlexNIC
  ``a`` that reports no MAC leaves its port out: the operating system sees the FlexNIC's own
  address, not the physical port's (they differ), so falling back would enroll a MAC that never
  PXE-boots. Enrollment and inspection therefore create the same ports, and report the gap.
- MACs are compared and returned in one form, lower-case ``aa:bb:cc:dd:ee:ff`` (netaddr).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import netaddr

FLEXNIC_BOOT_FUNCTION = "a"


def normalise_mac(value: Any) -> str | None:
    """``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff`` ... → ``aa:bb:cc:dd:ee:ff``; None if not a MAC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return str(netaddr.EUI(value.strip(), dialect=netaddr.mac_unix_expanded))
    except (netaddr.AddrFormatError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class EthernetPort:
    """One physical Ethernet port of a server, as a profile connection and Ironic see it."""

    port_id: str  # the profile connection's portId, e.g. "Mezz 3:1-a"
    mac: str  # lower-case; FlexNIC a's MAC with FlexNICs, else the physical port's
    physical_mac: str | None
    interconnect_uri: str | None
    downlink: int | None  # the interconnect's downlink port (interconnectPort)
    has_flexnics: bool
    label: str  # "Mezz 3:1-a" with FlexNICs, "Mezz 3:1" without: a name for people


def _where(slot: Mapping[str, Any], port: Mapping[str, Any]) -> str:
    return f"{slot.get('location')} {slot.get('slotNumber')}:{port.get('portNumber')}"


def _physical_ports(server: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], Mapping]]:
    port_map = server.get("portMap")
    slots = port_map.get("deviceSlots") if isinstance(port_map, Mapping) else None
    found = []
    for slot in slots if isinstance(slots, list) else []:
        if not isinstance(slot, Mapping):
            continue
        ports = slot.get("physicalPorts")
        for port in ports if isinstance(ports, list) else []:
            if isinstance(port, Mapping) and port.get("type") == "Ethernet":
                found.append((slot, port))
    return found


def _virtual_ports(port: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    virtual = port.get("virtualPorts")
    return [v for v in virtual if isinstance(v, Mapping)] if isinstance(virtual, list) else []


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mbps(value: Any) -> int | None:
    """OneView sends ``requestedMbps`` as a string of digits ("2500"), sometimes a number."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return _int_or_none(value)


def ethernet_ports(server: Mapping[str, Any]) -> tuple[EthernetPort, ...]:
    """The server's Ethernet ports with a MAC, in portMap order (see the module's rules)."""
    found = []
    for slot, port in _physical_ports(server):
        virtual = _virtual_ports(port)
        flexnic_a = next(
            (v for v in virtual if v.get("portFunction") == FLEXNIC_BOOT_FUNCTION), None
        )
        physical_mac = normalise_mac(port.get("mac"))
        if virtual:
            mac = normalise_mac(flexnic_a.get("mac")) if flexnic_a else None
        else:
            mac = physical_mac
        if mac is None:
            continue
        where = _where(slot, port)
        interconnect = port.get("interconnectUri")
        found.append(
            EthernetPort(
                port_id=f"{where}-{FLEXNIC_BOOT_FUNCTION}",
                mac=mac,
                physical_mac=physical_mac,
                interconnect_uri=interconnect if isinstance(interconnect, str) else None,
                downlink=_int_or_none(port.get("interconnectPort")),
                has_flexnics=bool(virtual),
                label=f"{where}-{FLEXNIC_BOOT_FUNCTION}" if virtual else where,
            )
        )
    return tuple(found)


def port_for_mac(server: Mapping[str, Any], mac: str) -> str | None:
    """The connection portId of the server's FlexNIC (any function) or port with this MAC."""
    wanted = normalise_mac(mac)
    if wanted is None:
        return None
    for slot, port in _physical_ports(server):
        where = _where(slot, port)
        for virtual in _virtual_ports(port):
            if normalise_mac(virtual.get("mac")) == wanted:
                return f"{where}-{virtual.get('portFunction')}"
        if normalise_mac(port.get("mac")) == wanted:
            return f"{where}-{FLEXNIC_BOOT_FUNCTION}"
    return None


def local_link(port: EthernetPort, interconnect_mac: str | None) -> dict[str, str]:
    """Ironic's ``local_link_connection`` for a port: the interconnect (switch) and its downlink.

    ``switch_id`` is the interconnect's MAC, ``port_id`` ``d<downlink>``, ``switch_info`` the
    interconnect's URI: what the ML2 driver binds by. A port OneView knows no switch for (rack
    servers cabled to unmanaged switches) is ``{"network_type": "unmanaged"}``.
    """
    switch_mac = normalise_mac(interconnect_mac)
    if not port.interconnect_uri or port.downlink is None or switch_mac is None:
        return {"network_type": "unmanaged"}
    return {
        "switch_id": switch_mac,
        "port_id": f"d{port.downlink}",
        "switch_info": port.interconnect_uri,
    }


_X86_WORDS = ("intel", "amd", "xeon", "epyc", "x86")
_ARM_WORDS = ("arm", "ampere", "aarch64", "neoverse")


def cpu_arch(server: Mapping[str, Any]) -> str | None:
    """The CPU architecture the server's ``processorType`` names; None when it does not say.

    The one rule for enrollment and inspection: ProLiant/Synergy are x86-64 (Intel Xeon, AMD EPYC)
    except the Ampere Altra based ProLiant RL300, which is aarch64.
    """
    text = str(server.get("processorType") or "").lower()
    if any(word in text for word in _X86_WORDS):
        return "x86_64"
    if any(word in text for word in _ARM_WORDS):
        return "aarch64"
    return None


@dataclass(frozen=True)
class ProfileConnection:
    """One connection of a server profile (read-only; edits go through the profile's body)."""

    id: int | None
    name: str
    port_id: str | None
    mac: str | None  # lower-case
    network_uri: str | None
    boot_priority: str | None  # "Primary", "Secondary", "NotBootable" or None
    function_type: str | None  # "Ethernet", "FibreChannel", ...
    lag_name: str | None = None  # "LAG1".."LAG24" on Synergy: the connection is half of a LAG
    requested_mbps: int | None = None  # the guaranteed share (Neutron's minimum bandwidth)


def _connection_list(profile: Mapping[str, Any]) -> list[Any]:
    settings = profile.get("connectionSettings")
    if isinstance(settings, Mapping) and isinstance(settings.get("connections"), list):
        return list(settings["connections"])
    connections = profile.get("connections")
    return list(connections) if isinstance(connections, list) else []


def profile_connections(profile: Mapping[str, Any]) -> tuple[ProfileConnection, ...]:
    """The profile's (or template's) connections: ``connectionSettings.connections`` or the
    older top-level ``connections``."""
    found = []
    for connection in _connection_list(profile):
        if not isinstance(connection, Mapping):
            continue
        boot = connection.get("boot")
        port_id = connection.get("portId")
        network = connection.get("networkUri")
        found.append(
            ProfileConnection(
                id=_int_or_none(connection.get("id")),
                name=str(connection.get("name") or ""),
                port_id=port_id if isinstance(port_id, str) else None,
                mac=normalise_mac(connection.get("mac")),
                network_uri=network if isinstance(network, str) else None,
                boot_priority=boot.get("priority") if isinstance(boot, Mapping) else None,
                function_type=connection.get("functionType"),
                lag_name=connection.get("lagName") or None,
                requested_mbps=_mbps(connection.get("requestedMbps")),
            )
        )
    return tuple(found)
