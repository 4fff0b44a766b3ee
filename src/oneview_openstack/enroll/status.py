"""Ironic nodes beside their OneView servers and profiles: who owns each server right now.

Ownership is the product's one rule (ARCHITECTURE "Ownership"): the server's ``serverProfileUri``
equal to the node's ``driver_info/applied_server_profile_uri`` -> Ironic; empty -> free; anything
else -> a OneView user, whose profile Ironic must not touch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

COLUMNS = (
    "Node",
    "UUID",
    "Provision State",
    "Power State",
    "Server Hardware",
    "OneView Power",
    "Server Profile",
    "Owner",
)

IRONIC, FREE, ONEVIEW_USER = "ironic", "free", "oneview user"
NO_SERVER = "not in OneView"


def owner(applied_profile_uri: str | None, server_profile_uri: str | None) -> str:
    if not server_profile_uri:
        return FREE
    return IRONIC if applied_profile_uri == server_profile_uri else ONEVIEW_USER


def rows(
    nodes: Iterable[Any],
    servers: Iterable[Mapping[str, Any]],
    profiles: Iterable[Mapping[str, Any]],
) -> list[tuple[str, ...]]:
    """One row per node, from one list of servers and one of profiles (no read per node)."""
    server_by_uri = {str(s.get("uri")): s for s in servers}
    profile_name = {str(p.get("uri")): str(p.get("name") or p.get("uri")) for p in profiles}
    found = []
    for node in nodes:
        info = node.driver_info or {}
        server = server_by_uri.get(str(info.get("server_hardware_uri")))
        if server is None:
            hardware, power, profile, who = NO_SERVER, "-", "-", "-"
        else:
            uri = server.get("serverProfileUri") or None
            hardware = str(server.get("name") or server.get("uri"))
            power = str(server.get("powerState") or "-")
            profile = profile_name.get(uri, uri) if uri else "-"
            who = owner(info.get("applied_server_profile_uri"), uri)
        found.append(
            (
                str(node.name or "-"),
                str(node.id),
                str(node.provision_state),
                str(node.power_state or "-"),
                hardware,
                power,
                profile,
                who,
            )
        )
    return sorted(found)
