"""After the soak: does what Ironic and Neutron believe equal what OneView holds?

OneView is read through the simulator's witness view (``/_sim/state``), never through the
product's client, so a mistake shared by the drivers and their client cannot hide. Drift is a
list of sentences an operator could act on; an empty list is the claim under test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openstack import connection as os_connection

from .faults import TAKEN_PROFILE

# The ML2 driver's connection name (oneview_openstack.neutron.connections.MARK), restated here
# so the check imports nothing of Neutron.
OWNER = re.compile(r"^Neutron \[(?P<port>[0-9a-fA-F-]{36})\]")
NETWORK = re.compile(r"^Neutron \[(?P<id>[0-9a-fA-F-]{36})\]$")
# secrets.token_urlsafe(32), the simulator's session ids: 43 URL-safe characters, mixed case.
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    settings = profile.get("connectionSettings") or {}
    return list(settings.get("connections") or profile.get("connections") or [])


def drift(
    conn: os_connection.Connection,
    state: dict[str, Any],
    baseline_profiles: set[str],
) -> list[str]:
    """Every difference between Ironic/Neutron and OneView, as readable sentences."""
    found: list[str] = []
    profiles = {p["uri"]: p for p in state["server-profiles"]}
    servers = {s["uri"]: s for s in state["server-hardware"]}
    by_name = {n["name"]: n for n in state["ethernet-networks"]}
    tagged = [u for u in state["uplink-sets"] if u.get("ethernetNetworkType") == "Tagged"]

    # -- Ironic: profiles -------------------------------------------------------------------
    nodes = list(conn.baremetal.nodes(details=True))
    applied: dict[str, str] = {}  # profile uri -> node name
    for node in nodes:
        info = node.driver_info or {}
        uri = info.get("applied_server_profile_uri")
        server = servers.get(info.get("server_hardware_uri") or "", {})
        if uri:
            applied[uri] = node.name
            if uri not in profiles:
                found.append(f"lost profile: node {node.name} believes {uri}; OneView has none")
            elif server.get("serverProfileUri") != uri:
                found.append(f"node {node.name}: server carries {server.get('serverProfileUri')}")
            if node.provision_state == "available":
                found.append(f"node {node.name} is available but still holds profile {uri}")
        elif node.provision_state == "active":
            found.append(f"node {node.name} is active without a profile")
    for uri, profile in profiles.items():
        if uri in baseline_profiles or uri in applied or profile.get("name") == TAKEN_PROFILE:
            continue
        found.append(f"leaked profile {profile.get('name')} ({uri}) on {profile.get('state')}")

    # -- Neutron: networks and uplink-set memberships ------------------------------------------
    networks = {n.id: n for n in conn.network.networks()}
    expected_uri: dict[str, str] = {}
    for network in networks.values():
        if network.provider_network_type != "vlan":
            continue
        oneview = by_name.get(f"Neutron [{network.id}]")
        if oneview is None:
            found.append(f"lost network: {network.name} ({network.id}) missing in OneView")
            continue
        expected_uri[network.id] = oneview["uri"]
        if oneview.get("vlanId") != network.provider_segmentation_id:
            found.append(f"network {network.name}: VLAN {oneview.get('vlanId')} in OneView")
        for uplink in tagged:
            if oneview["uri"] not in (uplink.get("networkUris") or []):
                found.append(f"lost membership: {network.name} not in uplink set {uplink['name']}")
    for name, oneview in by_name.items():
        match = NETWORK.match(name)
        if match and match["id"] not in networks:
            found.append(f"leaked network {name} ({oneview['uri']})")

    # -- Neutron: port connections -------------------------------------------------------------
    wired: dict[str, tuple[str, str]] = {}  # port id -> (profile uri, network uri)
    for uri, profile in profiles.items():
        for connection in connections(profile):
            match = OWNER.match(connection.get("name") or "")
            if match:
                wired[match["port"].lower()] = (uri, connection.get("networkUri") or "")
    node_profile = {n.id: (n.driver_info or {}).get("applied_server_profile_uri") for n in nodes}
    bound = set()
    for port in conn.network.ports():
        if port.binding_vif_type != "other" or not port.binding_host_id:
            continue
        bound.add(port.id)
        have = wired.get(port.id)
        want = (node_profile.get(port.binding_host_id), expected_uri.get(port.network_id))
        if port.status == "ACTIVE" and have != want:
            found.append(f"port {port.id} ACTIVE but OneView wires {have}, expected {want}")
    for port_id, (uri, _network) in wired.items():
        if port_id not in bound:
            found.append(f"leaked connection of port {port_id} in profile {uri}")
    return found


def secrets_in_logs(files: list[Path], secrets: list[str]) -> list[str]:
    """Log files that contain a password or something shaped like a session token."""
    hits = []
    for path in files:
        text = path.read_text(errors="replace") if path.exists() else ""
        for secret in secrets:
            if secret and secret in text:
                hits.append(f"{path.name}: contains a password")
        for token in TOKEN.findall(text):
            kinds = (str.isupper, str.islower, str.isdigit)
            if all(any(test(c) for c in token) for test in kinds):
                hits.append(f"{path.name}: session-token-like string {token[:6]}…")
                break
    return hits


# Ironic's and Neutron's own frameworks log tracebacks (e.g. a failed tear-down); our modules
# must say what OneView answered instead. oslo.log writes every line of a traceback with the
# record's prefix (time, pid, level, logger), the exception itself last.
OUR_TRACEBACK = re.compile(r"^(?P<prefix>.* ERROR (?P<module>oneview_openstack[\w.]*) )Traceback")
LONGEST_EXCEPTION = 300  # characters of the exception line kept in the report


def driver_tracebacks(files: list[Path]) -> list[str]:
    """Modules of ours that logged a traceback: how many times, and each one's exception line.

    e.g. ``neutron.log: oneview_openstack.neutron.segments (2x): oslo_db.exception.
    DBReferenceError: ...``, so that a failed soak already says what went wrong.
    """
    counts: dict[tuple[str, str, str], int] = {}
    for path in files:
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        index = 0
        while index < len(lines):
            match = OUR_TRACEBACK.match(lines[index])
            if not match:
                index += 1
                continue
            exception, index = _exception_line(lines, index, match["prefix"])
            where = (path.name, match["module"], exception)
            counts[where] = counts.get(where, 0) + 1
    return [
        f"{name}: {module} ({count}x): {exception}"
        for (name, module, exception), count in sorted(counts.items())
    ]


def _exception_line(lines: list[str], start: int, prefix: str) -> tuple[str, int]:
    """The last unindented line of the traceback starting at ``start`` (its exception, after
    any chained ones), and the index of the first line after that traceback.

    It ends at the first line without the record's prefix, or at the next record of the same
    logger in the same millisecond (its message starts with the request context, ``[``).
    """
    exception = "(no exception line)"
    end = start + 1
    while end < len(lines):
        text = lines[end][len(prefix) :]
        if not lines[end].startswith(prefix) or text.startswith("["):
            break
        if text.strip() and not text[0].isspace():
            exception = text.strip()
        end += 1
    if len(exception) > LONGEST_EXCEPTION:
        exception = exception[:LONGEST_EXCEPTION] + "…"
    return exception, end
