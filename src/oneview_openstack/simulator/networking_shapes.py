"""JSON shapes of Ethernet networks, network sets, uplink sets and fabrics: the fields a real
appliance reports beside the ones a client writes, shared by the stored inventory
(``inventory_networking.finish``) and the resources created at run time (``state/``).

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict. Sources and chosen values: the schemas
(``schemas/ethernet-networks.json`` and friends, ``x-sources`` / ``x-chosen``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .topology_shapes import location

#: category -> top-level field -> (first API version with it, last or None): a body served at
#: another version leaves the field out (the schemas carry the same ranges as x-since/x-until).
FIELD_VERSIONS: dict[str, dict[str, tuple[int, int | None]]] = {
    # Scopes arrived with OneView 3.0 (API 300); an API-200 appliance body has neither field
    # (oneview-sdk-ruby spec/support/fixtures/unit/resource/ethernet_networks_members.json).
    "ethernet-networks": {
        "subnetUri": (300, None),
        "scopesUri": (300, None),
        "ipv6SubnetUri": (2000, None),
    },
    # networkSetType: oneview-golang 7e24ac1 "API 1000 support for NetworkSet".
    "network-sets": {"scopesUri": (300, None), "networkSetType": (1000, None)},
    # privateVlanDomains: oneview-golang 9ce9c62 "Adding 1000 support"; fcMode: chosen (800).
    "uplink-sets": {"fcMode": (800, None), "privateVlanDomains": (1000, None)},
    # The reserved VLAN range is a Synergy fabric's (oneview-sdk-ruby api300/synergy/fabric.rb).
    "fabrics": {"reservedVlanRange": (300, None)},
}

#: A network's state on a real appliance (the API-200 fixture above says "Active").
NETWORK_STATE = "Active"
#: Synergy reserves VLANs 3967-4094 for its own use by default (chosen where no body shows it).
RESERVED_VLAN_START = 3967
RESERVED_VLAN_LENGTH = 128
#: portConfigInfos[].desiredSpeed values (oneview-golang PortConfigInfos; Synergy port speeds).
DESIRED_SPEEDS = (
    "Auto",
    "Speed1G",
    "Speed10G",
    "Speed20G",
    "Speed25G",
    "Speed40G",
    "Speed50G",
    "Speed100G",
)


def scopes_uri(uri: str) -> str:
    return f"/rest/scopes/resources{uri}"


def network_vlan(kind: str, vlan: int | None) -> int:
    """``vlanId`` as an appliance sends it: the VLAN of a Tagged network, 0 for the others."""
    return vlan if kind == "Tagged" and vlan is not None else 0


def ethernet_network_extras(uri: str) -> dict[str, Any]:
    """Network fields no client writes on this simulator (no address pools are modelled)."""
    return {"subnetUri": None, "ipv6SubnetUri": None, "scopesUri": scopes_uri(uri)}


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
        "primaryPortLocation": None,
        "fcMode": "NONE",
        "privateVlanDomains": [],
    }


def uplink_port_config(port_uri: str, enclosure_uri: str, bay: int, port: str) -> dict[str, Any]:
    return {
        "portUri": port_uri,
        "desiredSpeed": "Auto",
        "expectedNeighbor": None,
        "location": location(enclosure_uri, bay, port),
    }


def interconnect_of_port(port_uri: str) -> str:
    """'/rest/interconnects/ID/ports/ID:Q1' -> '/rest/interconnects/ID'."""
    return port_uri.split("/ports/", 1)[0]


def reachability(port_configs: Iterable[dict[str, Any]]) -> str:
    """Ports on two interconnects or more reach the networks redundantly; none, not at all."""
    interconnects = {
        interconnect_of_port(str(config.get("portUri") or "")) for config in port_configs
    }
    interconnects.discard("")
    if not interconnects:
        return "NotReachable"
    return "RedundantlyReachable" if len(interconnects) > 1 else "Reachable"


def reserved_vlan_range() -> dict[str, int]:
    return {"start": RESERVED_VLAN_START, "length": RESERVED_VLAN_LENGTH}
