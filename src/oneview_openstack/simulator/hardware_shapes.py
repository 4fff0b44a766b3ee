"""JSON shapes of a server's portMap: physical Ethernet ports and their FlexNICs.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any


def virtual_port(number: int, function: str, mac: str) -> dict[str, Any]:
    return {
        "portNumber": number,
        "portFunction": function,
        "mac": mac,
        "wwnn": None,
        "wwpn": None,
        "currentAllocatedVirtualFunctionCount": 0,
    }


def physical_port(
    number: int,
    mac: str,
    interconnect_uri: str | None = None,
    downlink: int | None = None,
    virtual_ports: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A portMap Ethernet port; racks have no interconnect, downlink or virtual ports."""
    return {
        "portNumber": number,
        "type": "Ethernet",
        "mac": mac,
        "wwn": None,
        "interconnectUri": interconnect_uri,
        "interconnectPort": downlink,
        "physicalInterconnectUri": interconnect_uri,
        "physicalInterconnectPort": downlink,
        "virtualPorts": virtual_ports if virtual_ports is not None else [],
    }
