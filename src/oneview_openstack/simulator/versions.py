"""What changes with X-API-Version: versioned ``type`` strings and the profile connection shape.

One table keyed by API version (contract §3). Values above 1800 are not public; the last known ones
are kept, as the contract asks.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

# API version -> type, for the versions where a type changed (contract §3 table).
_TYPE_STEPS: dict[str, list[tuple[int, str]]] = {
    "server-profiles": [
        (200, "ServerProfileV5"),
        (300, "ServerProfileV6"),
        (500, "ServerProfileV7"),
        (600, "ServerProfileV8"),
        (800, "ServerProfileV9"),
        (1000, "ServerProfileV10"),
        (1200, "ServerProfileV11"),
        (1600, "ServerProfileV12"),
    ],
    "server-profile-templates": [
        (200, "ServerProfileTemplateV1"),
        (300, "ServerProfileTemplateV2"),
        (500, "ServerProfileTemplateV3"),
        (600, "ServerProfileTemplateV4"),
        (800, "ServerProfileTemplateV5"),
        (1000, "ServerProfileTemplateV6"),
        (1200, "ServerProfileTemplateV7"),
        (1600, "ServerProfileTemplateV8"),
    ],
    "ethernet-networks": [
        (200, "ethernet-networkV3"),
        (300, "ethernet-networkV300"),
        (600, "ethernet-networkV4"),
    ],
    "bulk-ethernet-networks": [
        (200, "bulk-ethernet-network"),
        (600, "bulk-ethernet-networkV1"),
        (1200, "bulk-ethernet-networkV2"),
    ],
    "uplink-sets": [
        (200, "uplink-setV3"),
        (300, "uplink-setV300"),
        (600, "uplink-setV4"),
        (1000, "uplink-setV5"),
        (1200, "uplink-setV6"),
        (1600, "uplink-setV7"),
    ],
    "logical-interconnect-groups": [
        (200, "logical-interconnect-groupV3"),
        (300, "logical-interconnect-groupV300"),
        (600, "logical-interconnect-groupV4"),
        (800, "logical-interconnect-groupV5"),
        (1000, "logical-interconnect-groupV6"),
        (1200, "logical-interconnect-groupV7"),
        (1400, "logical-interconnect-groupV8"),
    ],
    "server-hardware": [
        (1, "server-hardware-1"),
        (200, "server-hardware-3"),
        (300, "server-hardware-5"),
        (600, "server-hardware-10"),
    ],
    "server-hardware-types": [
        (1, "server-hardware-type-4"),
        (300, "server-hardware-type-5"),
        (600, "server-hardware-type-10"),
    ],
    "enclosure-groups": [(1, "EnclosureGroupV200"), (300, "EnclosureGroupV300")],
    "logical-interconnects": [(1, "logical-interconnectV3"), (300, "logical-interconnectV300")],
    "interconnects": [(1, "interconnectV3"), (300, "interconnectV300")],
    "enclosures": [(1, "EnclosureV200"), (300, "EnclosureV300")],
    # oneview-python network_sets.py DEFAULT_VALUES: V5 from 1200.
    "network-sets": [
        (1, "network-setV3"),
        (300, "network-setV300"),
        (600, "network-setV4"),
        (1200, "network-setV5"),
    ],
    "connection-templates": [(1, "connection-template")],
    # Not in the contract's table; OneView's fabric resources are typed "fabric" [unverified].
    "fabrics": [(1, "fabric")],
    "tasks": [(1, "TaskResourceV2")],
}

_COLLECTION_TYPES: dict[str, str] = {
    "server-hardware": "server-hardware-list-3",
    "server-profiles": "ServerProfileListV1",
    "server-profile-templates": "ServerProfileTemplateListV1",
    "tasks": "TaskResourceCollectionV2",
}

# From this version profiles carry connections under connectionSettings (contract §7).
CONNECTION_SETTINGS_SINCE = 600
# From this version templates carry connectionSettings (contract §7: "from about API 500").
TEMPLATE_CONNECTION_SETTINGS_SINCE = 500


def resource_type(category: str, version: int) -> str | None:
    steps = _TYPE_STEPS.get(category)
    if not steps:
        return None
    index = bisect_right([v for v, _ in steps], version) - 1
    return steps[max(index, 0)][1]


def collection_type(category: str) -> str:
    return _COLLECTION_TYPES.get(category, f"{category}-collection")


def shape_for_version(resource: dict[str, Any], version: int) -> dict[str, Any]:
    """A rendered copy: private (``_``) keys dropped, ``type`` and connection placement versioned."""
    body = {k: v for k, v in resource.items() if k[0] != "_"}
    category = body.get("category", "")
    type_name = resource_type(category, version)
    if type_name:
        body["type"] = type_name
    if category == "server-profiles" and version < CONNECTION_SETTINGS_SINCE:
        settings = body.pop("connectionSettings", None) or {}
        body["connections"] = [
            {**conn, "deploymentStatus": "Deployed"} for conn in settings.get("connections", [])
        ]
    elif category == "server-profile-templates" and version < TEMPLATE_CONNECTION_SETTINGS_SINCE:
        settings = body.pop("connectionSettings", None) or {}
        body["connections"] = list(settings.get("connections", []))
    return body


def connections_of(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Connections from a written body in either shape; None when the body carries none."""
    settings = body.get("connectionSettings")
    if isinstance(settings, dict) and "connections" in settings:
        return settings["connections"]
    if "connections" in body:
        return body["connections"]
    return None
