"""Ethernet networks, network sets, uplink sets, connection templates and fabrics: the fields a
real appliance reports beyond the layout.

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). Nothing here is drawn at
random, so the layout's ids and MACs stay what they were.
"""

from __future__ import annotations

from typing import Any

from . import networking_shapes as shapes


def finish(inventory: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add the fields of networks, uplink sets and fabrics that the layout does not draw."""
    for network in inventory.get("ethernet-networks", []):
        network["vlanId"] = shapes.network_vlan(network["ethernetNetworkType"], network["vlanId"])
        network["state"] = shapes.NETWORK_STATE
        for key, value in shapes.ethernet_network_extras(network["uri"]).items():
            network.setdefault(key, value)
    for network_set in inventory.get("network-sets", []):
        network_set["state"] = shapes.NETWORK_STATE
    for uplink_set in inventory.get("uplink-sets", []):
        for key, value in shapes.uplink_set_settings().items():
            uplink_set.setdefault(key, value)
        uplink_set["reachability"] = shapes.reachability(uplink_set["portConfigInfos"])
    for fabric in inventory.get("fabrics", []):
        fabric["reservedVlanRange"] = shapes.reserved_vlan_range()
