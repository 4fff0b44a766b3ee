"""S-Channel LAGs (``lagName``): two profile connections Virtual Connect SE bonds with LACP.

Verified (HPE's QA data for Synergy S-Channel LAG, POSH-HPEOneView#640): names LAG1..LAG24; the
two members are the same FlexNIC function on the two ports of one adapter ("Mezz 3:1-b" with
"Mezz 3:2-b"); same network or network set (MISMATCH_NETWORK_LAG_VIOLATION_ERROR) and same
requestedMbps (MISMATCH_BANDWIDTH_LAG_VIOLATION_ERROR). Chosen (codes and details unverified):
exactly two members, on two different Synergy (VC SE) interconnects, and no lagName change while
the server is on.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import BadRequest, invalid_field
from ..store import Store
from .topology import PORT_ID

LAG_NAME = re.compile(r"^LAG([1-9]|1[0-9]|2[0-4])$")
SYNERGY = "Synergy"


def normalise_lag_name(value: Any, where: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not LAG_NAME.match(value):
        raise invalid_field(f"{where}.lagName", value, "null or one of LAG1 .. LAG24")
    return value


def _lag_error(code: str, message: str, members: list[dict[str, Any]]) -> BadRequest:
    return BadRequest(
        message,
        error_code=code,
        details=", ".join(f"connection {c['id']} ({c['portId']})" for c in members),
        recommended_actions=[
            "Pair the same FlexNIC of the two ports of one adapter (e.g. Mezz 3:1-a and "
            "Mezz 3:2-a), with the same network and requested bandwidth, on two interconnects."
        ],
    )


def check_lags(store: Store, connections: list[dict[str, Any]], *, has_server: bool) -> None:
    """Every lagName is held by exactly one valid pair of connections."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for conn in connections:
        if conn.get("lagName"):
            groups.setdefault(conn["lagName"], []).append(conn)
    for name, members in groups.items():
        if len(members) != 2:
            raise _lag_error(
                "CONNECTION_COUNT_LAG_VIOLATION_ERROR",
                f"The LAG {name} has {len(members)} connection(s); a LAG pairs exactly two.",
                members,
            )
        first, second = members
        ports = [PORT_ID.match(str(c["portId"])) for c in members]
        if not all(ports) and has_server:
            raise _lag_error(
                "PORT_PAIRING_LAG_VIOLATION_ERROR",
                f"The connections of LAG {name} need explicit ports (not 'Auto').",
                members,
            )
        a, b = ports
        if a and b:
            same_adapter = (a["location"], a["slot"]) == (b["location"], b["slot"])
            if not same_adapter or a["port"] == b["port"] or a["function"] != b["function"]:
                raise _lag_error(
                    "PORT_PAIRING_LAG_VIOLATION_ERROR",
                    f"The connections of LAG {name} are on {first['portId']} and "
                    f"{second['portId']}: a LAG pairs the same function of two different ports "
                    "of one adapter.",
                    members,
                )
        if first.get("networkUri") != second.get("networkUri"):
            raise _lag_error(
                "MISMATCH_NETWORK_LAG_VIOLATION_ERROR",
                f"The connections of LAG {name} must use the same network or network set "
                f"({first.get('networkUri')} and {second.get('networkUri')} differ).",
                members,
            )
        if str(first.get("requestedMbps")) != str(second.get("requestedMbps")):
            raise _lag_error(
                "MISMATCH_BANDWIDTH_LAG_VIOLATION_ERROR",
                f"The connections of LAG {name} must request the same bandwidth "
                f"({first.get('requestedMbps')} and {second.get('requestedMbps')} Mbps differ).",
                members,
            )
        if has_server:
            _check_interconnects(store, name, members)


def _check_interconnects(store: Store, name: str, members: list[dict[str, Any]]) -> None:
    uris = [c.get("interconnectUri") for c in members]
    interconnects = [store.find(uri) for uri in uris]
    if not all(interconnects) or any(
        SYNERGY not in str((ic or {}).get("productName") or (ic or {}).get("model"))
        for ic in interconnects
    ):
        raise _lag_error(
            "LAG_NOT_SUPPORTED_ERROR",
            f"LAG {name}: S-Channel LAGs need both connections on Synergy Virtual Connect SE "
            "interconnects.",
            members,
        )
    if uris[0] == uris[1]:
        raise _lag_error(
            "INTERCONNECT_LAG_VIOLATION_ERROR",
            f"The connections of LAG {name} reach the same interconnect {uris[0]}; a LAG spans "
            "two interconnects.",
            members,
        )
