"""How servers reach networks: portMap → interconnect → logical interconnect → uplink sets."""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from typing import Any

from ..errors import not_found
from ..store import Resource, Store
from ..topology_shapes import (
    FIELD_VERSIONS,
    associate_uplink_port,
    ethernet_settings,
    igmp_settings,
)

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


# --- reads of frame and fabric sub-resources (routes/topology.py) -----------------------------

#: Logical-interconnect sub-resource path -> the body field it reads (hpeOneView's getters).
LI_SETTINGS = {
    "ethernetSettings": "ethernetSettings",
    "igmpSettings": "igmpSettings",
    "snmp-configuration": "snmpConfiguration",
    "port-monitor": "portMonitor",
    "qos-aggregated-configuration": "qosConfiguration",
}


def li_setting(store: Store, li_uri: str, leaf: str) -> dict[str, Any]:
    """A settings block of a logical interconnect, as its own GET answers it (at every API
    version, also below the one from which the LI body carries the block: chosen)."""
    li = store.get(li_uri)
    block = li.get(LI_SETTINGS[leaf])
    if not isinstance(block, dict):
        raise not_found(f"{li_uri}/{leaf}")
    return copy.deepcopy(block)


def li_telemetry(store: Store, li_uri: str, setting_id: str) -> dict[str, Any]:
    block = store.get(li_uri).get("telemetryConfiguration") or {}
    uri = f"{li_uri}/telemetry-configurations/{setting_id}"
    if block.get("uri") != uri:
        raise not_found(uri)
    return copy.deepcopy(block)


def interconnect_ports(store: Store, interconnect_uri: str) -> dict[str, Any]:
    """Every port of an interconnect, as a collection (hpeOneView's ``get_ports``)."""
    ports = copy.deepcopy(store.get(interconnect_uri).get("ports") or [])
    return {
        "type": "PortCollectionV2",
        "uri": f"{interconnect_uri}/ports",
        "category": "ports",
        "eTag": None,
        "created": None,
        "modified": None,
        "start": 0,
        "count": len(ports),
        "total": len(ports),
        "prevPageUri": None,
        "nextPageUri": None,
        "members": ports,
    }


def interconnect_port(store: Store, interconnect_uri: str, port_id: str) -> dict[str, Any]:
    """One port, by its ``portId`` (``<interconnect id>:Q1``) or its port name."""
    for port in store.get(interconnect_uri).get("ports") or []:
        if port_id in (port.get("portId"), port.get("portName")):
            return copy.deepcopy(port)
    raise not_found(f"{interconnect_uri}/ports/{port_id}")


def lig_settings(store: Store, lig_uri: str | None, version: int) -> dict[str, Any]:
    """A LIG's interconnect settings (``/settings``), or the defaults a new LIG gets; the IGMP
    block only at the versions where LIG bodies carry it."""
    if lig_uri is None:
        owner = "/rest/logical-interconnect-groups"
        ethernet = ethernet_settings(owner, "00000000-0000-4000-8000-000000000000")
        igmp = igmp_settings(owner, "00000000-0000-4000-8000-000000000001")
        uri = f"{owner}/defaultSettings"
    else:
        lig = store.get(lig_uri)
        ethernet = copy.deepcopy(lig["ethernetSettings"])
        igmp = copy.deepcopy(lig["igmpSettings"])
        uri = f"{lig_uri}/settings"
    body = {
        "type": "InterconnectSettingsV7",
        "uri": uri,
        "category": None,
        "eTag": None,
        "created": None,
        "modified": None,
        "name": None,
        "description": None,
        "state": None,
        "status": None,
        "ethernetSettings": ethernet,
        "igmpSettings": igmp,
        "fcoeSettings": None,
    }
    since, _until = FIELD_VERSIONS["logical-interconnect-groups"]["igmpSettings"]
    if version < since:
        del body["igmpSettings"]
    return body


def enclosure_environment(store: Store, enclosure_uri: str) -> dict[str, Any]:
    """A frame's environmental configuration: its power envelope, PSUs and rack placement."""
    enclosure = store.get(enclosure_uri)
    group = [
        e["uri"]
        for e in store.iter("enclosures")
        if e.get("enclosureGroupUri") == enclosure.get("enclosureGroupUri")
    ]
    order = group.index(enclosure_uri) + 1 if enclosure_uri in group else 1
    return {
        "uri": f"{enclosure_uri}/environmentalConfiguration",
        "calibratedMaxPower": enclosure.get("powerCapacityWatts", 0),
        "idleMaxPower": 0,
        "capHistorySupported": False,
        "powerHistorySupported": True,
        "thermalHistorySupported": True,
        "utilizationHistorySupported": False,
        "historyBufferSize": 288,
        "historySampleIntervalSeconds": 300,
        "licenseRequirement": "",
        "powerCapType": "",
        "psuList": [
            {"capacity": 0, "inputVoltage": 48, "powerType": "AC", "psuId": n, "side": "Dynamic"}
            for n in range(1, int(enclosure.get("powerSupplyBayCount") or 0) + 1)
        ],
        "rackId": str(enclosure.get("rackName", "")).removeprefix("Rack-").upper(),
        "rackModel": "HPE 42U 600mmx1200mm G2 Enterprise Shock Rack",
        "rackName": enclosure.get("rackName", ""),
        "rackUHeight": 42,
        "height": 10,
        "relativeOrder": order,
        "uSlot": 1 + 10 * (order - 1),
    }


def li_internal_vlans(store: Store, li_uri: str) -> dict[str, Any]:
    """The VLAN each network of a logical interconnect's uplink sets uses inside it."""
    li = store.get(li_uri)
    members = []
    for uplink_set in uplink_sets_of(store, li_uri):
        for network_uri in uplink_set.get("networkUris") or []:
            network = store.find(network_uri) or {}
            vlan = network.get("vlanId")
            members.append(
                {
                    "type": "internal-vlan-association",
                    "uri": None,
                    "category": None,
                    "eTag": None,
                    "created": li.get("created"),
                    "modified": li.get("modified"),
                    "name": None,
                    "description": None,
                    "state": None,
                    "status": None,
                    "internalVlanId": vlan if isinstance(vlan, int) and vlan > 0 else -1,
                    "generalNetworkUri": network_uri,
                    "logicalInterconnectUri": li_uri,
                }
            )
    return {
        "type": "InternalVlanAssociationCollection",
        "uri": f"{li_uri}/internalVlans",
        "category": "logical-interconnects",
        "eTag": None,
        "created": None,
        "modified": None,
        "start": 0,
        "count": len(members),
        "total": len(members),
        "prevPageUri": None,
        "nextPageUri": None,
        "members": members,
    }
