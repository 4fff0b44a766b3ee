"""An uplink set's ``portConfigInfos``: which interconnect uplink ports carry its networks.

A client names a port by ``portUri`` or by its location (enclosure, bay, port name, as
oneview-sdk-ruby and HPE's own test bodies do); the simulator answers with both, as an
appliance does. A port must be an uplink port of an interconnect in the uplink set's logical
interconnect, and belongs to one uplink set at most.
"""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest, invalid_field
from ..networking_shapes import DESIRED_SPEEDS, interconnect_of_port, uplink_port_config
from ..store import Resource, Store

SOURCE = "uplink-sets"


def _entries(location: Any) -> dict[str, Any]:
    entries = location.get("locationEntries") if isinstance(location, dict) else None
    if not isinstance(entries, list):
        return {}
    return {str(e.get("type")): e.get("value") for e in entries if isinstance(e, dict)}


def _bay(interconnect: Resource) -> str | None:
    value = _entries(interconnect.get("interconnectLocation")).get("Bay")
    return None if value is None else str(value)


def _uplink_port(interconnect: Resource, match: dict[str, Any]) -> dict[str, Any] | None:
    for port in interconnect.get("ports") or []:
        if all(port.get(key) == value for key, value in match.items()):
            return port if port.get("portType") == "Uplink" else None
    return None


def _by_location(store: Store, li_uri: str, where: str, location: Any) -> tuple[Resource, dict]:
    entries = _entries(location)
    enclosure, bay, name = entries.get("Enclosure"), entries.get("Bay"), entries.get("Port")
    if not (enclosure and bay is not None and name):
        raise invalid_field(
            where,
            location,
            "a portUri, or a location with Enclosure, Bay and Port locationEntries",
        )
    for interconnect in store.iter("interconnects"):
        if (
            interconnect.get("logicalInterconnectUri") == li_uri
            and interconnect.get("enclosureUri") == enclosure
            and _bay(interconnect) == str(bay)
        ):
            port = _uplink_port(interconnect, {"portName": name})
            if port is not None:
                return interconnect, port
    raise invalid_field(
        where,
        location,
        "the location of an uplink port on an interconnect of the uplink set's logical "
        "interconnect",
    )


def _by_uri(store: Store, li_uri: str, where: str, port_uri: Any) -> tuple[Resource, dict]:
    interconnect = store.find(interconnect_of_port(port_uri)) if isinstance(port_uri, str) else None
    port = _uplink_port(interconnect, {"uri": port_uri}) if interconnect else None
    if (
        interconnect is None
        or port is None
        or interconnect.get("category") != "interconnects"
        or interconnect.get("logicalInterconnectUri") != li_uri
    ):
        raise invalid_field(
            where,
            port_uri,
            "the URI of an uplink port on an interconnect of the uplink set's logical "
            "interconnect (GET /rest/interconnects/{id}: ports[].uri)",
        )
    return interconnect, port


def _neighbor(where: str, value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    keys = ("remoteChassisId", "remotePortId")
    if not isinstance(value, dict) or set(value) - set(keys):
        raise invalid_field(where, value, "null or an object with remoteChassisId, remotePortId")
    neighbor = {key: value.get(key) or "" for key in keys}
    if not all(isinstance(v, str) for v in neighbor.values()):
        raise invalid_field(where, value, "remoteChassisId and remotePortId as strings")
    return neighbor


def port_configs(store: Store, li_uri: str, raw: Any, own_uri: str | None) -> list[dict[str, Any]]:
    """The normalised ``portConfigInfos`` of a POST or PUT body.

    :raises BadRequest: a malformed entry, a port that is not an uplink port of the logical
        interconnect, a port named twice, or a port another uplink set uses.
    """
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise invalid_field("portConfigInfos", raw, "a list of port configurations")
    taken = {
        config.get("portUri"): other
        for other in store.iter("uplink-sets")
        if other["uri"] != own_uri
        for config in other.get("portConfigInfos") or []
    }
    configs: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        where = f"portConfigInfos[{index}]"
        if not isinstance(entry, dict):
            raise invalid_field(where, entry, "a port configuration object")
        if entry.get("portUri"):
            interconnect, port = _by_uri(store, li_uri, f"{where}.portUri", entry["portUri"])
        else:
            interconnect, port = _by_location(
                store, li_uri, f"{where}.location", entry.get("location")
            )
        speed = entry.get("desiredSpeed") or "Auto"
        if speed not in DESIRED_SPEEDS:
            raise invalid_field(f"{where}.desiredSpeed", speed, f"one of {DESIRED_SPEEDS}")
        if any(c["portUri"] == port["uri"] for c in configs):
            raise invalid_field(where, port["uri"], "each port at most once in an uplink set")
        other = taken.get(port["uri"])
        if other is not None:
            raise BadRequest(
                f"Another UplinkSet is using one of the ports: {other['name']} already uses "
                f"{port.get('portName')} of {interconnect.get('name')}.",
                # Message from the team's contract (section 9); the errorCode is chosen.
                error_code="CRM_UPLINK_PORT_ALREADY_ASSIGNED",
                error_source=SOURCE,
                details=f"{where}.portUri={port['uri']} (uplink set {other['uri']})",
                recommended_actions=["Remove the port from the other uplink set first."],
            )
        config = uplink_port_config(
            port["uri"],
            str(interconnect.get("enclosureUri")),
            int(_bay(interconnect) or 0),
            str(port.get("portName")),
        )
        config.update(
            desiredSpeed=speed,
            expectedNeighbor=_neighbor(f"{where}.expectedNeighbor", entry.get("expectedNeighbor")),
        )
        configs.append(config)
    return configs


def primary_location(value: Any) -> dict[str, Any] | None:
    """A FailOver uplink set's ``primaryPortLocation``: null or Enclosure/Bay/Port entries.

    :raises BadRequest: anything else.
    """
    if value is None:
        return None
    entries = value.get("locationEntries") if isinstance(value, dict) else None
    if (
        not isinstance(entries, list)
        or set(value) != {"locationEntries"}
        or not all(
            isinstance(e, dict)
            and set(e) == {"type", "value"}
            and e["type"] in ("Enclosure", "Bay", "Port")
            and isinstance(e["value"], (str, int))
            and not isinstance(e["value"], bool)
            for e in entries
        )
    ):
        raise invalid_field(
            "primaryPortLocation",
            value,
            "null or {'locationEntries': [{'type': 'Enclosure'|'Bay'|'Port', 'value': ...}]}",
        )
    return {"locationEntries": [{"type": e["type"], "value": str(e["value"])} for e in entries]}


def port_uris(uplink_set: Resource) -> list[str]:
    return [c["portUri"] for c in uplink_set.get("portConfigInfos") or [] if c.get("portUri")]
