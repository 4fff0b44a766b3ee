"""JSON shapes of uplink sets: the fields that do not depend on their networks, and port configs.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any

from .topology_shapes import location


def uplink_set_settings() -> dict[str, Any]:
    """Uplink-set fields that do not depend on the set's networks or ports."""
    return {
        "networkType": "Ethernet",
        "nativeNetworkUri": None,
        "fcNetworkUris": [],
        "fcoeNetworkUris": [],
        "connectionMode": "Auto",
        "lacpTimer": "Long",
        "manualLoginRedistributionState": "NotSupported",
        "primaryPort": None,
        "reachability": "Reachable",
    }


def uplink_port_config(port_uri: str, enclosure_uri: str, bay: int, port: str) -> dict[str, Any]:
    return {
        "portUri": port_uri,
        "desiredSpeed": "Auto",
        "expectedNeighbor": None,
        "location": location(enclosure_uri, bay, port),
    }
