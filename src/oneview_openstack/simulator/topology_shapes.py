"""JSON shapes of the frames and their fabric: locations, interconnect ports, enclosure-group
settings and a logical interconnect group's map and uplink-set templates.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any

from .catalog import INTERCONNECT_MODEL, UPLINK_PORTS


def location(enclosure_uri: str, bay: int, port: str | None = None) -> dict[str, Any]:
    """An interconnect (or interconnect port) location inside a frame."""
    entries: list[dict[str, Any]] = [
        {"type": "Enclosure", "value": enclosure_uri},
        {"type": "Bay", "value": str(bay)},
    ]
    if port is not None:
        entries.append({"type": "Port", "value": port})
    return {"locationEntries": entries}


def interconnect_map_template(frames: int, bays: tuple[int, ...]) -> dict[str, Any]:
    """A LIG's map: one interconnect of the Synergy model in each of ``bays`` of every one of
    ``frames`` frames (enclosure indexes 1..frames)."""
    return {
        "interconnectMapEntryTemplates": [
            {
                "enclosureIndex": index,
                "logicalLocation": {
                    "locationEntries": [
                        {"type": "Enclosure", "relativeValue": index},
                        {"type": "Bay", "relativeValue": bay},
                    ]
                },
                "permittedInterconnectTypeName": INTERCONNECT_MODEL,
            }
            for index in range(1, frames + 1)
            for bay in bays
        ]
    }


def lig_uplink_set(name: str, kind: str, network_uris: list[str]) -> dict[str, Any]:
    """A LIG's uplink-set template (the ML2 driver matches it to LI uplink sets by name)."""
    return {
        "name": name,
        "networkType": "Ethernet",
        "ethernetNetworkType": kind,
        "networkUris": list(network_uris),
        "mode": "Auto",
        "logicalPortConfigInfos": [],
    }


def enclosure_group_settings() -> dict[str, Any]:
    return {
        "stackingMode": "Enclosure",
        "powerMode": "RedundantPowerFeed",
        "ipAddressingMode": "DHCP",
        "ipRangeUris": [],
        "ambientTemperatureMode": "Standard",
        "osDeploymentSettings": {
            "manageOSDeployment": False,
            "deploymentModeSettings": {"deploymentMode": "None"},
        },
    }


def interconnect_ports(rid: str, uri: str) -> list[dict[str, Any]]:
    """The uplink ports of one interconnect; their ``uri`` is what uplink sets' portUri cite."""
    return [
        {
            "portName": port,
            "portId": f"{rid}:{port}",
            "uri": f"{uri}/ports/{rid}:{port}",
            "portType": "Uplink",
            "portStatus": "Linked",
            "enabled": True,
        }
        for port in UPLINK_PORTS
    ]
