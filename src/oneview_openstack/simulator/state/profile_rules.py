"""Validation of what a server profile body asks for: boot, boot mode and connections.

Pure checks against the server hardware type and the server's port map; they raise 400s that
name the field, the value and what OneView would accept.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import BadRequest, invalid_field
from ..resource_shapes import BOOT_VOLUME_SOURCES, ETHERNET_BOOT_TYPES, connection_boot
from ..store import Resource
from ..versions import connections_of
from .connection_bandwidth import check_port_totals, maximum_mbps, port_speed, requested_mbps
from .core import Core
from .lag_rules import check_lags, normalise_lag_name
from .topology import ethernet_port_ids, find_port, network_members, networks_on_interconnect

BOOT_PRIORITIES = ("Primary", "Secondary", "NotBootable")
PXE_POLICIES = ("Auto", "IPv4", "IPv6", "IPv4ThenIPv6", "IPv6ThenIPv4")
MAC_TYPES = ("Virtual", "Physical", "UserDefined")


def normalise_boot(raw: Any, sht: Resource) -> dict[str, Any]:
    if raw is None:
        return {"manageBoot": False, "order": []}
    if not isinstance(raw, dict):
        raise invalid_field("boot", raw, "an object with manageBoot and order")
    manage = raw.get("manageBoot", False)
    order = raw.get("order") or []
    if not isinstance(manage, bool):
        raise invalid_field("boot.manageBoot", manage, "true or false")
    if not isinstance(order, list) or not all(isinstance(item, str) for item in order):
        raise invalid_field("boot.order", order, "a list of boot device names")
    if manage and "ManageBootOrder" not in sht.get("capabilities", []):
        raise BadRequest(
            f"The server hardware type '{sht['name']}' does not support boot order management.",
            error_code="BOOT_ORDER_NOT_SUPPORTED",
            details="boot.manageBoot=true",
            recommended_actions=["Set boot.manageBoot to false for this server hardware type."],
        )
    if len(set(order)) != len(order):
        raise BadRequest(
            f"The boot order {order} lists a device twice.", error_code="DUPLICATE_BOOT_ORDER"
        )
    allowed = sht.get("bootCapabilities", [])
    for device in order:
        if device not in allowed:
            raise invalid_field("boot.order", device, f"one of {allowed}")
    return {"manageBoot": manage, "order": list(order)}


def normalise_boot_mode(raw: Any, sht: Resource) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_field("bootMode", raw, "an object with manageMode and mode")
    manage = raw.get("manageMode", False)
    if not isinstance(manage, bool):
        raise invalid_field("bootMode.manageMode", manage, "true or false")
    mode, policy = raw.get("mode"), raw.get("pxeBootPolicy", "Auto")
    if manage:
        if mode not in sht.get("bootModes", []):
            raise invalid_field("bootMode.mode", mode, f"one of {sht.get('bootModes', [])}")
        if policy not in PXE_POLICIES:
            raise invalid_field("bootMode.pxeBootPolicy", policy, f"one of {PXE_POLICIES}")
    secure = raw.get("secureBoot", "Unmanaged")
    if secure not in ("Enabled", "Disabled", "Unmanaged"):
        raise invalid_field("bootMode.secureBoot", secure, "Enabled, Disabled or Unmanaged")
    return {"manageMode": manage, "mode": mode, "pxeBootPolicy": policy, "secureBoot": secure}


def connection_id(conn: dict[str, Any], where: str, used: set[Any]) -> int:
    """A connection's id: the one it carries, or the lowest one not ``used`` (then taken).

    :raises BadRequest: the id is not a positive integer.
    """
    conn_id = conn.get("id")
    if conn_id is None:
        conn_id = next(n for n in range(1, len(used) + 2) if n not in used)
        used.add(conn_id)
    if not isinstance(conn_id, int) or isinstance(conn_id, bool) or conn_id < 1:
        raise invalid_field(f"{where}.id", conn_id, "a positive integer")
    return conn_id


def normalise_connections(
    core: Core,
    body: dict[str, Any],
    server: Resource | None,
    sht: Resource,
    mac_type: str,
    previous: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    raw = connections_of(body)
    if raw is None:
        return copy.deepcopy(previous)
    if not isinstance(raw, list):
        raise invalid_field("connectionSettings.connections", raw, "a list of connections")
    if raw and "VCConnections" not in sht.get("capabilities", []):
        raise BadRequest(
            f"The server hardware type '{sht['name']}' does not support managed connections.",
            error_code="CONNECTIONS_NOT_SUPPORTED",
            recommended_actions=["Remove the connections from the profile."],
        )
    old_by_id = {conn.get("id"): conn for conn in previous}
    used_ids = {c.get("id") for c in raw if isinstance(c, dict) and isinstance(c.get("id"), int)}
    free_ports = ethernet_port_ids(server) if server else []
    taken_ports = {
        c.get("portId")
        for c in raw
        if isinstance(c, dict) and isinstance(c.get("portId"), str) and c.get("portId") != "Auto"
    }
    result: list[dict[str, Any]] = []
    priorities: dict[str, int] = {}
    for index, conn in enumerate(raw):
        where = f"connections[{index}]"
        if not isinstance(conn, dict):
            raise invalid_field(where, conn, "a connection object")
        conn_id = connection_id(conn, where, used_ids)
        if sum(1 for c in result if c["id"] == conn_id):
            raise invalid_field(f"{where}.id", conn_id, "an id not used by another connection")
        function = conn.get("functionType", "Ethernet")
        if function != "Ethernet":
            raise BadRequest(
                f"The function type {function!r} of {where} is not supported on this port; use Ethernet.",
                error_code="PORT_FUNCTION_NOT_SUPPORTED",
            )
        network_uri = conn.get("networkUri")
        network = None  # None: "Unassigned", a port reserved with no network (OV 5.4 UI/API)
        if network_uri is not None:
            network = core.reference(f"{where}.networkUri", network_uri)
            if network.get("category") not in ("ethernet-networks", "network-sets"):
                raise invalid_field(
                    f"{where}.networkUri", network_uri, "an Ethernet network or network set"
                )
        port_name = conn.get("portId")
        if port_name is not None and not isinstance(port_name, str):
            raise invalid_field(
                f"{where}.portId", port_name, "a port such as 'Mezz 3:1-a', or 'Auto'"
            )
        port_name = port_name or "Auto"
        if port_name == "Auto" and server is not None:
            port_name = next((p for p in free_ports if p not in taken_ports), None)
            if port_name is None:
                raise BadRequest(
                    f"No free port is left for {where}.", error_code="NO_AVAILABLE_PORT"
                )
            taken_ports.add(port_name)
        if sum(1 for c in result if c["portId"] == port_name and port_name != "Auto"):
            raise BadRequest(
                f"The port '{port_name}' is used by two connections.",
                error_code="DUPLICATE_PORT_ID",
            )
        physical, virtual = None, None
        if server is not None:
            found = find_port(server, port_name)
            if found is None:
                raise invalid_field(
                    f"{where}.portId",
                    port_name,
                    f"a port of the server's port map, e.g. {free_ports[:2]}",
                )
            physical, virtual = found
            carried = networks_on_interconnect(core.store, physical.get("interconnectUri"))
            members = network_members(core.store, str(network_uri)) if network else []
            missing = [uri for uri in members if uri not in carried]
            if network is not None and missing:
                raise BadRequest(
                    f"The network '{network.get('name')}' of {where} is not carried by any uplink set "
                    f"of the logical interconnect serving port '{port_name}'.",
                    error_code="UnavailableEthernetFCError",
                    details=f"networkUri={network_uri}",
                    recommended_actions=[
                        "Add the network to an uplink set of the logical interconnect."
                    ],
                )
        boot = conn.get("boot") or {"priority": "NotBootable"}
        priority = boot.get("priority", "NotBootable") if isinstance(boot, dict) else boot
        if priority not in BOOT_PRIORITIES:
            raise invalid_field(f"{where}.boot.priority", priority, f"one of {BOOT_PRIORITIES}")
        if priority != "NotBootable":
            priorities[priority] = priorities.get(priority, 0) + 1
            if priorities[priority] > 1:
                raise BadRequest(
                    f"More than one connection has boot priority {priority}.",
                    error_code=f"DUPLICATE_{priority.upper()}_BOOT_CONNECTION",
                )
        boot_block = _boot_block(boot, priority, where)
        isolated = conn.get("isolatedTrunk", False)
        if not isinstance(isolated, bool):
            raise invalid_field(f"{where}.isolatedTrunk", isolated, "true or false")
        ipv4 = conn.get("ipv4")
        if ipv4 is not None and not isinstance(ipv4, dict):
            raise invalid_field(f"{where}.ipv4", ipv4, "null or an object (iSCSI boot only)")
        speed = port_speed(sht, port_name)
        requested = requested_mbps(core.store, conn, where, conn_id, network_uri, speed)
        maximum = maximum_mbps(core.store, network_uri, speed)
        old = old_by_id.get(conn_id, {})
        if mac_type == "Physical":
            mac = (virtual or physical or {}).get("mac")
        elif mac_type == "UserDefined":
            mac = conn.get("mac")
            if not isinstance(mac, str):
                raise invalid_field(
                    f"{where}.mac", mac, "a MAC address when macType is UserDefined"
                )
        else:
            same_port = old.get("portId") == port_name and old.get("macType") == "Virtual"
            mac = old.get("mac") if same_port else (core.new_virtual_mac() if server else None)
        result.append(
            {
                "id": conn_id,
                "name": conn.get("name") or "",
                "functionType": "Ethernet",
                "networkUri": network_uri,
                "portId": port_name,
                "interconnectUri": (physical or {}).get("interconnectUri"),
                "interconnectPort": (physical or {}).get("interconnectPort"),
                "mac": mac,
                "macType": mac_type,
                "wwnn": None,
                "wwpn": None,
                "wwpnType": "Virtual",
                "requestedMbps": str(requested),
                "allocatedMbps": min(requested, maximum),
                "maximumMbps": maximum,
                "requestedVFs": "0",
                "allocatedVFs": 0,
                "ipv4": copy.deepcopy(ipv4),
                "boot": boot_block,
                "state": "Deployed" if server else "Reserved",
                "status": "OK",
                "managed": True,
                # OneView resolves a networkName to networkUri and answers null (RTK V9 body).
                "networkName": None,
                "lagName": normalise_lag_name(conn.get("lagName"), where),
                "isolatedTrunk": isolated,
                # Read-only, set for private (PVLAN) networks; none is simulated [chosen].
                "privateVlanPortType": None,
            }
        )
    if "Secondary" in priorities and "Primary" not in priorities:
        raise BadRequest(
            "A Secondary boot connection needs a Primary one.",
            error_code="INVALID_SECONDARY_BOOT_CONNECTION",
        )
    check_port_totals(result, sht)
    check_lags(core.store, result, has_server=server is not None)
    return result


def _boot_block(raw: Any, priority: str, where: str) -> dict[str, Any]:
    """The connection's boot block with its boot type and volume source checked."""
    given = raw if isinstance(raw, dict) else {}
    for key, allowed in (
        ("ethernetBootType", ETHERNET_BOOT_TYPES),
        ("bootVolumeSource", BOOT_VOLUME_SOURCES),
    ):
        value = given.get(key)
        if value is not None and value not in allowed:
            raise invalid_field(f"{where}.boot.{key}", value, f"one of {list(allowed)}")
    return connection_boot(priority, given)


def connection_changes_need_power_off(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> bool:
    """Adding, removing or re-porting a connection needs the server off; moving its network not.

    A lagName change also needs it off: a conservative choice (unverified, docs/simulator.md).
    """
    old_ports = {c["id"]: (c["portId"], c["functionType"], c.get("lagName")) for c in old}
    new_ports = {c["id"]: (c["portId"], c["functionType"], c.get("lagName")) for c in new}
    return old_ports != new_ports
