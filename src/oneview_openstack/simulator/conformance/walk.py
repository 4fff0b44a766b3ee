"""The walk: every GET route the simulator serves, at one API version, with real ids.

Collections first (every page: their members are the ids), then every route with ``{id}`` for
one member of each kind (server hardware: one per hardware type, whose sub-resources differ by
generation), the one-body routes, a login, a write that answers a task, and an error. The test
walks over HTTPS; ``counts`` walks the app in-process; both through ``Client``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from .mapping import target_for

# Members whose sub-resources differ by this field: one of each is walked.
KIND_KEYS = {
    "server-hardware": "serverHardwareTypeUri",
    "server-profile-templates": "serverHardwareTypeUri",
    "server-profiles": "serverProfileTemplateUri",
    "interconnects": "productName",
}
# Routes that answer only for members with this field set (a preview needs a template).
NEEDS = {"/rest/server-profiles/{id}/compliance-preview": "serverProfileTemplateUri"}
MAX_PAGES = 100
MISSING = "/rest/server-hardware/conformance-walk-missing"


class Client(Protocol):
    """One API version's view of a simulator: a call answers (status, JSON body or None)."""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]: ...

    def login(self) -> int: ...

    def settle(self) -> None:
        """Let every running task finish (the test and ``counts`` advance the simulated clock)."""


@dataclass(frozen=True)
class Visit:
    method: str
    route: str
    path: str
    status: int


def get_routes(routes: Iterable[Any]) -> list[str]:
    """The OneView GET route templates of a route list (``build_routes()``)."""
    return [r.path for r in routes if "GET" in r.methods and r.path.startswith("/rest/")]


def walk(client: Client, templates: list[str], categories: Iterable[str], tag: str) -> list[Visit]:
    """Read every route once per representative member; ``tag`` names what the walk creates."""
    visits: list[Visit] = []

    def get(route: str, path: str) -> Any:
        status, body = client.call("GET", path)
        visits.append(Visit("GET", route, path, status))
        return body

    get("/rest/version", "/rest/version")
    visits.append(Visit("POST", "/rest/login-sessions", "/rest/login-sessions", client.login()))
    status, task = client.call("POST", "/rest/ethernet-networks", _network(tag))
    visits.append(Visit("POST", "/rest/ethernet-networks", "/rest/ethernet-networks", status))
    for body in _profiles(client, tag, visits):
        status, _task = client.call("POST", "/rest/server-profiles", body)
        visits.append(Visit("POST", "/rest/server-profiles", "/rest/server-profiles", status))
    client.settle()
    members: dict[str, list[dict[str, Any]]] = {}
    for route in templates:
        if not _is_collection(route):
            continue
        for category in _categories(route, categories):
            members[category] = _pages(get, route, f"/rest/{category}")
    if isinstance(task, dict) and task.get("uri"):
        get("/rest/tasks/{id}", task["uri"])
    for route in templates:
        if _is_collection(route):
            continue
        if "{id}" not in route:
            get(route, route)
            continue
        for category in _categories(route, categories):
            for member in _representatives(category, members.get(category, [])):
                if NEEDS.get(route) and not member.get(NEEDS[route]):
                    continue
                path = route.replace("{category}", category).replace("{id}", _id(member))
                for concrete in _nested(path, member):
                    get(route, concrete)
    get("/rest/{category}/{id}", MISSING)
    return visits


def _profiles(client: Client, tag: str, visits: list[Visit]) -> list[dict[str, Any]]:
    """One new profile per server hardware type a template serves, each on a free server
    (switched off first when it is on: OneView applies profiles to servers that are off)."""
    _status, templates = client.call("GET", "/rest/server-profile-templates")
    _status, servers = client.call("GET", "/rest/server-hardware?count=1000")
    chosen: dict[Any, tuple[dict[str, Any], dict[str, Any]]] = {}
    for template in (templates or {}).get("members", []):
        kind = template.get("serverHardwareTypeUri")
        free = [
            server
            for server in (servers or {}).get("members", [])
            if server.get("serverHardwareTypeUri") == kind
            and server.get("serverGroupUri") == template.get("enclosureGroupUri")
            and not server.get("serverProfileUri")
        ]
        free.sort(key=lambda server: server.get("powerState") != "Off")
        if kind not in chosen and free:
            chosen[kind] = (template, free[0])
    powered_on = [server for _t, server in chosen.values() if server.get("powerState") != "Off"]
    for server in powered_on:
        path = f"{server['uri']}/powerState"
        status, _task = client.call(
            "PUT", path, {"powerState": "Off", "powerControl": "PressAndHold"}
        )
        visits.append(Visit("PUT", "/rest/server-hardware/{id}/powerState", path, status))
    if powered_on:
        client.settle()
    bodies: list[dict[str, Any]] = []
    for template, server in chosen.values():
        _status, body = client.call("GET", f"{template['uri']}/new-profile")
        if isinstance(body, dict):
            body.update(
                name=f"conformance-walk-{tag}-{len(bodies)}", serverHardwareUri=server["uri"]
            )
            bodies.append(body)
    return bodies


def _network(tag: str) -> dict[str, Any]:
    return {
        "name": f"conformance-walk-{tag}",
        "vlanId": 3999,
        "ethernetNetworkType": "Tagged",
        "purpose": "General",
        "smartLink": False,
        "privateNetwork": False,
    }


def _is_collection(route: str) -> bool:
    target = target_for("GET", route, route, 200, {})
    return target is not None and target.members is not None


def _categories(route: str, categories: Iterable[str]) -> list[str]:
    return sorted(categories) if "{category}" in route else [route.split("/")[2]]


def _pages(get: Any, route: str, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    next_path: str | None = path
    for _ in range(MAX_PAGES):
        if not next_path:
            break
        page = get(route, next_path)
        if not isinstance(page, dict):
            break
        found.extend(m for m in page.get("members") or [] if isinstance(m, dict))
        next_path = page.get("nextPageUri")
    return found


def _representatives(category: str, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    key = KIND_KEYS.get(category)
    chosen: dict[Any, dict[str, Any]] = {}
    for member in members:
        if isinstance(member.get("uri"), str):
            chosen.setdefault(member.get(key) if key else None, member)
    return list(chosen.values())


def _nested(path: str, member: dict[str, Any]) -> list[str]:
    """``path`` itself, or for one with more placeholders (``/ports/{port_id}``) the URIs in the
    member's body that fit it: one per kind of object citing it (an uplink and a downlink port)."""
    if "{" not in path:
        return [path]
    pattern = re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(path)) + "$")
    found: dict[Any, str] = {}
    for value, holder in _strings(member, {}):
        if pattern.match(value):
            found.setdefault(holder.get("portType", holder.get("type")), value)
    return list(found.values())


def _strings(value: Any, holder: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, str):
        yield value, holder
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, value)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, holder)


def _id(member: dict[str, Any]) -> str:
    return str(member["uri"]).rsplit("/", 1)[1]
