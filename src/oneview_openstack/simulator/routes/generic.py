"""Reads every category shares: collections and single resources (with ETag and 304)."""

from __future__ import annotations

from typing import Any

from ..errors import not_found
from ..http import Call, Reply

# Categories served read-only through these generic routes.
READABLE = frozenset(
    {
        "server-hardware",
        "server-hardware-types",
        "enclosures",
        "enclosure-groups",
        "server-profile-templates",
        "server-profiles",
        "ethernet-networks",
        "network-sets",
        "connection-templates",
        "uplink-sets",
        "logical-interconnects",
        "logical-interconnect-groups",
        "interconnects",
        "fabrics",
    }
)


def _category(call: Call) -> str:
    category = call.params["category"]
    if category not in READABLE:
        raise not_found(call.path)
    return category


def tasks(call: Call) -> bytes:
    return call.state.collections.tasks_page(call.path, call.query)


def task(call: Call) -> dict:
    found = call.state.core.tasks.get(call.params["id"])
    if found is None:
        raise not_found(call.path)
    return call.state.core.tasks.render(found)


def collection(call: Call) -> bytes:
    return call.state.collections.page(_category(call), call.path, call.query, call.version)


def single(call: Call) -> Reply:
    _category(call)
    store = call.state.core.store
    resource = store.get(call.uri)
    etag = f'"{resource["eTag"]}"'
    if _none_match(call.header("if-none-match"), resource["eTag"]):
        return Reply(304, None, {"ETag": etag})
    return Reply(200, store.render_bytes(resource, call.version), {"ETag": etag})


def _none_match(header: str | None, current: str) -> bool:
    """If-None-Match holds ``*`` or one of a comma-separated list of (weak or strong) tags."""
    for tag in (header or "").split(","):
        tag = tag.strip()
        if tag == "*" or (tag and tag.removeprefix("W/").strip('"') == current):
            return True
    return False


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("GET", "/rest/tasks", tasks, {}),
    ("GET", "/rest/tasks/{id}", task, {}),
    ("GET", "/rest/{category}", collection, {}),
    ("GET", "/rest/{category}/{id}", single, {}),
]
