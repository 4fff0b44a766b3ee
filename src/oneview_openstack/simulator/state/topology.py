"""How servers reach networks: portMap → interconnect → logical interconnect → uplink sets."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from ..store import Resource, Store
from ..topology_shapes import associate_uplink_port

PORT_ID = re.compile(r"^(?P<location>[A-Za-z]+) (?P<slot>\d+):(?P<port>\d+)-(?P<function>[a-h])$")


def port_id(slot: dict[str, Any], port: dict[str, Any], function: str) -> str:
    return f"{slot['location']} {slot['slotNumber']}:{port['portNumber']}-{function}"


def find_port(server: Resource, wanted: str) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """(physical port, virtual port or None) for a connection portId such as 'Mezz 3:1-a'."""
    match = PORT_ID.match(wanted)
    if not match:
        return None
    for slot in (server.get("portMap") or {}).get("deviceSlots", []):
        if (
            slot.get("location") != match["location"]
            or str(slot.get("slotNumber")) != match["slot"]
        ):
            continue
        for port in slot.get("physicalPorts", []):
            if str(port.get("portNumber")) != match["port"]:
                continue
            for virtual in port.get("virtualPorts", []):
                if virtual.get("portFunction") == match["function"]:
                    return port, virtual
            return (port, None) if match["function"] == "a" else None
    return None


def ethernet_port_ids(server: Resource) -> list[str]:
    """Every assignable portId of a server, in portMap order (used for portId 'Auto')."""
    ids = []
    for slot in (server.get("portMap") or {}).get("deviceSlots", []):
        for port in slot.get("physicalPorts", []):
            if port.get("type") != "Ethernet" or not port.get("interconnectUri"):
                continue
            for virtual in port.get("virtualPorts", []) or [{"portFunction": "a"}]:
                ids.append(port_id(slot, port, virtual["portFunction"]))
    return ids


def logical_interconnect_of(store: Store, interconnect_uri: str | None) -> Resource | None:
    interconnect = store.find(interconnect_uri)
    return store.find(interconnect.get("logicalInterconnectUri")) if interconnect else None


def uplink_sets_of(store: Store, li_uri: str) -> list[Resource]:
    return [us for us in store.iter("uplink-sets") if us.get("logicalInterconnectUri") == li_uri]


def networks_on_interconnect(store: Store, interconnect_uri: str | None) -> set[str]:
    """Network URIs carried by the uplink sets of an interconnect's logical interconnect."""
    li = logical_interconnect_of(store, interconnect_uri)
    if li is None:
        return set()
    carried: set[str] = set()
    for uplink_set in uplink_sets_of(store, li["uri"]):
        carried.update(uplink_set.get("networkUris") or [])
    return carried


def network_members(store: Store, uri: str) -> list[str]:
    """A network set stands for its networks; an Ethernet network for itself."""
    resource = store.find(uri)
    if resource and resource.get("category") == "network-sets":
        return list(resource.get("networkUris") or [])
    return [uri]


def assign_uplink_ports(store: Store, uplink_set_uri: str, port_uris: Collection[str]) -> None:
    """Make exactly ``port_uris`` the uplink ports that name ``uplink_set_uri``.

    Called by the uplink-set state after every membership change (create, edit, delete with
    no ports, and the undo of a failed task): ports listed get ``associatedUplinkSetUri`` (and
    their LAG id), ports that still name the set but are no longer listed get None. Calling it
    twice is harmless; only interconnects whose ports changed get a new eTag.
    """
    wanted = set(port_uris)
    for interconnect in store.iter("interconnects"):
        changed = False
        for port in interconnect.get("ports") or []:
            if port.get("portType") != "Uplink":
                continue
            if port.get("uri") in wanted:
                changed |= associate_uplink_port(port, uplink_set_uri)
            elif port.get("associatedUplinkSetUri") == uplink_set_uri:
                changed |= associate_uplink_port(port, None)
        if changed:
            store.touch(interconnect)


def follow_server_profile(store: Store, server: Resource) -> None:
    """Copy a blade's ``serverProfileUri`` into its frame's device bay (``profileUri`` and
    ``coveredByProfile``).

    Called wherever a server's profile changes; a rack server (no frame) is left alone, and the
    enclosure gets a new eTag only when the bay's value changed.
    """
    enclosure = store.find(server.get("locationUri"))
    if enclosure is None:
        return
    for bay in enclosure.get("deviceBays") or []:
        if bay.get("bayNumber") == server.get("position"):
            profile_uri = server.get("serverProfileUri")
            if bay.get("profileUri") != profile_uri or bay.get("coveredByProfile") != profile_uri:
                bay.update(profileUri=profile_uri, coveredByProfile=profile_uri)
                store.touch(enclosure)
            return
