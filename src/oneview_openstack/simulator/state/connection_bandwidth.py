"""Bandwidth of profile connections: what a connection may request and what it is given.

OneView's rules (codes and message shapes from HPE's QA dictionaries, docs/simulator.md):
``requestedMbps`` is a multiple of 100 between 100 and the physical port's speed
(INVALID_REQUESTED_BANDWIDTH), at most the maximum of its network's connection template
(BW_NETWORKMAXBW_OVERFLOW_ERROR), and the FlexNICs of one physical port together request at most
the port's speed (BW_TOTAL_LINKRATE_OVERFLOW_ERROR). A connection without ``requestedMbps`` gets
its network's typical bandwidth. ``maximumMbps`` is min(port speed, the template's maximum).
"""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest
from ..store import Resource, Store
from .topology import PORT_ID

#: The largest port speed the simulated hardware has (and the template maximum OneView accepts).
MAX_MBPS = 20000
STEP_MBPS = 100
DEFAULT_MBPS = 2500


def port_speed(sht: Resource | None, port_id: str | None) -> int:
    """maxSpeedMbps of the physical port a portId ('Mezz 3:1-b') names, from the hardware type."""
    match = PORT_ID.match(port_id or "")
    if not match or sht is None:
        return MAX_MBPS
    for adapter in sht.get("adapters") or []:
        if (
            adapter.get("location") != match["location"]
            or str(adapter.get("slot")) != match["slot"]
        ):
            continue
        for port in adapter.get("ports") or []:
            if str(port.get("number")) == match["port"]:
                return int(port.get("maxSpeedMbps") or MAX_MBPS)
    return MAX_MBPS


def template_of(store: Store, network_uri: str | None) -> Resource | None:
    network = store.find(network_uri)
    return store.find(network.get("connectionTemplateUri")) if network else None


def _gbps(mbps: int) -> str:
    return f"{mbps / 1000:.1f}"


def requested_mbps(
    store: Store,
    conn: dict[str, Any],
    where: str,
    conn_id: int,
    network_uri: str | None,
    speed: int,
) -> int:
    """The connection's requestedMbps after OneView's checks (a string of digits or a number)."""
    template = template_of(store, network_uri)
    bandwidth = (template or {}).get("bandwidth") or {}
    raw = conn.get("requestedMbps")
    if raw is None:
        return min(int(bandwidth.get("typicalBandwidth") or DEFAULT_MBPS), speed)
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = -1
    if isinstance(raw, bool) or not STEP_MBPS <= number <= speed or number % STEP_MBPS:
        raise BadRequest(
            f"Bandwidth request is not valid ({raw!r} Mbps in '{where}.requestedMbps') for "
            f"connection {conn_id}.",
            error_code="INVALID_REQUESTED_BANDWIDTH",
            details=f"{where}.requestedMbps={raw!r}",
            recommended_actions=[
                f"Verify that the bandwidth parameter is in the increments of ({_gbps(STEP_MBPS)} "
                f"Gb/s). Specify a bandwidth value between the minimum ({_gbps(STEP_MBPS)} Gb/s) "
                f"and the maximum ({speed // 1000} Gb/s) and try again."
            ],
        )
    maximum = int(bandwidth.get("maximumBandwidth") or MAX_MBPS)
    if number > maximum:
        raise BadRequest(
            f"Requested bandwidth ({_gbps(number)} Gb/s) exceeds the maximum bandwidth "
            f"({_gbps(maximum)} Gb/s) configured on the network for connection {conn_id}.",
            error_code="BW_NETWORKMAXBW_OVERFLOW_ERROR",
            details=f"{where}.requestedMbps={number}; maximumBandwidth of "
            f"{(template or {}).get('uri')}={maximum}",
        )
    return number


def maximum_mbps(store: Store, network_uri: str | None, speed: int) -> int:
    template = template_of(store, network_uri)
    maximum = ((template or {}).get("bandwidth") or {}).get("maximumBandwidth") or MAX_MBPS
    return min(int(maximum), speed)


def check_port_totals(connections: list[dict[str, Any]], sht: Resource | None) -> None:
    """The FlexNICs of one physical port share its link: their requests add up to its speed."""
    by_port: dict[str, list[dict[str, Any]]] = {}
    for conn in connections:
        match = PORT_ID.match(str(conn.get("portId")))
        if match:
            physical = f"{match['location']} {match['slot']}:{match['port']}"
            by_port.setdefault(physical, []).append(conn)
    for physical, members in by_port.items():
        speed = port_speed(sht, members[0]["portId"])
        total = sum(int(c["requestedMbps"]) for c in members)
        if total > speed:
            ids = ", ".join(str(c["id"]) for c in members)
            raise BadRequest(
                f"Total requested bandwidth of {_gbps(total)} Gb/s from connections [{ids}] "
                f"exceeds physical link capacity of {speed // 1000} Gb/s of port {physical}.",
                error_code="BW_TOTAL_LINKRATE_OVERFLOW_ERROR",
                details=", ".join(f"{c['portId']}={c['requestedMbps']}" for c in members),
                recommended_actions=[
                    "Edit the requested bandwidth on these connections and try again."
                ],
            )


def refresh_for_template(store: Store, template_uri: str) -> None:
    """A template edit shows at once in the maximumMbps/allocatedMbps of connections using it.

    The profiles are not written (their eTag stays): only their rendering changes.
    """
    owners = {
        resource["uri"]
        for category in ("ethernet-networks", "network-sets")
        for resource in store.iter(category)
        if resource.get("connectionTemplateUri") == template_uri
    }
    if not owners:
        return
    for profile in store.iter("server-profiles"):
        changed = False
        sht = store.find(profile.get("serverHardwareTypeUri"))
        for conn in (profile.get("connectionSettings") or {}).get("connections", []):
            if conn.get("networkUri") in owners:
                speed = port_speed(sht, conn.get("portId"))
                conn["maximumMbps"] = maximum_mbps(store, conn["networkUri"], speed)
                conn["allocatedMbps"] = min(int(conn["requestedMbps"]), conn["maximumMbps"])
                changed = True
        if changed:
            store.forget_rendering(profile["uri"])
