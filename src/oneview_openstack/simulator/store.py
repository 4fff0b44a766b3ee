"""Resources by category, with the bookkeeping every OneView resource carries.

Every mutation goes through ``touch`` (new eTag and ``modified``), which is also what invalidates
the per-resource serialization cache that keeps 10,000-server listings fast. The eTag takes the
form real appliances show for the category (``ETAG_FORMS``); every touch yields a new value.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from .clock import SimClock
from .errors import not_found
from .versions import shape_for_version

Resource = dict[str, Any]

# eTag form per category, as appliance bodies show them (default: "<epoch ms>/<revision>", the form
# of profiles and templates, 1526058827348/42 in oneview-redfish-toolkit's ServerProfile.json).
#   timestamp: epoch ms, the instant of ``modified`` (ServerHardware.json 1504511998556,
#              ServerHardwareTypes.json 1504511960999; oneview-golang ov/server_hardware.go)
#   datetime:  ``modified`` itself (Enclosure.json 2017-08-25T00:47:39.702Z)
#   uuid:      a fresh UUID per change (oneview-sdk-ruby ethernet_networks_members.json,
#              NetworkSet.json; oneview-golang ov/interconnect.go, ov/logical_interconnects.go)
ETAG_FORMS: dict[str, str] = {
    "server-hardware": "timestamp",
    "server-hardware-types": "timestamp",
    "enclosures": "datetime",
    "ethernet-networks": "uuid",
    "network-sets": "uuid",
    "interconnects": "uuid",
    "logical-interconnects": "uuid",
}


def iso_ms(epoch_ms: int) -> str:
    """OneView's date form, 2017-08-25T00:47:39.702Z, of an epoch-milliseconds instant."""
    stamp = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def split_uri(uri: str) -> tuple[str, str]:
    """'/rest/server-hardware/ID' -> ('server-hardware', 'ID')."""
    parts = uri.split("/")
    if len(parts) != 4 or parts[0] or parts[1] != "rest" or not parts[3]:
        raise ValueError(f"not a resource URI: {uri!r}")
    return parts[2], parts[3]


class Store:
    def __init__(self, clock: SimClock) -> None:
        self._clock = clock
        self._by_category: dict[str, dict[str, Resource]] = {}
        self._rendered: dict[str, dict[int, tuple[str, bytes]]] = {}

    def categories(self) -> list[str]:
        return list(self._by_category)

    def ensure_category(self, category: str) -> None:
        self._by_category.setdefault(category, {})

    def add(self, resource: Resource) -> Resource:
        category, rid = split_uri(resource["uri"])
        resource.setdefault("category", category)
        resource.setdefault("created", self._clock.iso())
        resource["_revision"] = 0
        self._by_category.setdefault(category, {})[rid] = resource
        self.touch(resource)
        return resource

    def touch(self, resource: Resource) -> None:
        revision = resource["_revision"] = resource.get("_revision", 0) + 1
        # Later than this resource's last change by at least 1 ms: two changes in one millisecond
        # still get two eTags (the render cache and If-Match depend on it).
        epoch_ms = max(self._clock.wall_ms(), resource.get("_etag_ms", 0) + 1)
        resource["_etag_ms"] = epoch_ms
        modified = resource["modified"] = iso_ms(epoch_ms)
        form = ETAG_FORMS.get(resource.get("category", ""), "revision")
        if form == "timestamp":
            resource["eTag"] = str(epoch_ms)
        elif form == "datetime":
            resource["eTag"] = modified
        elif form == "uuid":
            resource["eTag"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource['uri']}#{epoch_ms}"))
        else:
            resource["eTag"] = f"{epoch_ms}/{revision}"

    def forget_rendering(self, uri: str) -> None:
        """Drop a resource's cached JSON when a derived (read-only) field changed in place."""
        self._rendered.pop(uri, None)

    def remove(self, uri: str) -> Resource | None:
        category, rid = split_uri(uri)
        self._rendered.pop(uri, None)
        return self._by_category.get(category, {}).pop(rid, None)

    def find(self, uri: str | None) -> Resource | None:
        if not uri or not isinstance(uri, str):
            return None
        try:
            category, rid = split_uri(uri)
        except ValueError:
            return None
        return self._by_category.get(category, {}).get(rid)

    def get(self, uri: str) -> Resource:
        resource = self.find(uri)
        if resource is None:
            raise not_found(uri)
        return resource

    def members(self, category: str) -> list[Resource]:
        return list(self._by_category.get(category, {}).values())

    def iter(self, category: str) -> Iterator[Resource]:
        return iter(self._by_category.get(category, {}).values())

    def count(self, category: str) -> int:
        return len(self._by_category.get(category, {}))

    def render_bytes(self, resource: Resource, version: int) -> bytes:
        """JSON of a resource as served at ``version``; cached until the eTag changes."""
        by_version = self._rendered.setdefault(resource["uri"], {})
        cached = by_version.get(version)
        if cached is not None and cached[0] == resource["eTag"]:
            return cached[1]
        data = orjson.dumps(shape_for_version(resource, version))
        by_version[version] = (resource["eTag"], data)
        return data

    def render(self, resource: Resource, version: int) -> Resource:
        return shape_for_version(resource, version)
