"""Ethernet networks, uplink sets, logical interconnect groups and the fabric's reserved VLANs."""

from __future__ import annotations

from typing import Any

from ..errors import not_found
from ..http import Call
from ..state import fabrics
from ..tasks import Task

NET = "/rest/ethernet-networks"


def _uri(call: Call, category: str) -> str:
    return f"/rest/{category}/{call.params['id']}"


def create_network(call: Call) -> Task:
    return call.state.networking.create_network(call.body)


def create_bulk(call: Call) -> Task:
    return call.state.networking.create_bulk(call.body)


def delete_bulk(call: Call) -> Task:
    return call.state.networking.delete_bulk(call.body)


def update_network(call: Call) -> Task:
    return call.state.networking.update_network(
        _uri(call, "ethernet-networks"), call.body, call.header("if-match")
    )


def delete_network(call: Call) -> Task:
    return call.state.networking.delete_network(_uri(call, "ethernet-networks"))


def associated_uplink_sets(call: Call) -> list[str]:
    return call.state.networking.associated_uplink_sets(_uri(call, "ethernet-networks"))


def associated_profiles(call: Call) -> list[str]:
    return call.state.networking.associated_profiles(_uri(call, "ethernet-networks"))


def create_uplink_set(call: Call) -> Task:
    return call.state.uplink_sets.create_uplink_set(call.body)


def update_uplink_set(call: Call) -> Task:
    return call.state.uplink_sets.update_uplink_set(
        _uri(call, "uplink-sets"), call.body, call.header("if-match")
    )


def delete_uplink_set(call: Call) -> Task:
    return call.state.uplink_sets.delete_uplink_set(_uri(call, "uplink-sets"))


def update_lig(call: Call) -> Task:
    return call.state.uplink_sets.update_lig(
        _uri(call, "logical-interconnect-groups"), call.body, call.header("if-match")
    )


def _range_uri(call: Call) -> str:
    """The fabric of a reserved-VLAN-range call; below API 300 the path does not exist."""
    if call.version < fabrics.SINCE:
        raise not_found(call.path)
    return _uri(call, "fabrics")


def reserved_vlan_range(call: Call) -> dict[str, Any]:
    return fabrics.reserved_vlan_range(call.state.core, _range_uri(call))


def update_reserved_vlan_range(call: Call) -> Task:
    return fabrics.update_reserved_vlan_range(call.state.core, _range_uri(call), call.body)


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("POST", NET, create_network, {}),
    ("POST", f"{NET}/bulk", create_bulk, {}),
    ("POST", f"{NET}/bulk-delete", delete_bulk, {}),
    ("PUT", f"{NET}/{{id}}", update_network, {}),
    ("DELETE", f"{NET}/{{id}}", delete_network, {}),
    ("GET", f"{NET}/{{id}}/associatedUplinkGroups", associated_uplink_sets, {}),
    ("GET", f"{NET}/{{id}}/associatedProfiles", associated_profiles, {}),
    ("POST", "/rest/uplink-sets", create_uplink_set, {}),
    ("PUT", "/rest/uplink-sets/{id}", update_uplink_set, {}),
    ("DELETE", "/rest/uplink-sets/{id}", delete_uplink_set, {}),
    ("PUT", "/rest/logical-interconnect-groups/{id}", update_lig, {}),
    ("GET", "/rest/fabrics/{id}/reserved-vlan-range", reserved_vlan_range, {}),
    ("PUT", "/rest/fabrics/{id}/reserved-vlan-range", update_reserved_vlan_range, {}),
]
