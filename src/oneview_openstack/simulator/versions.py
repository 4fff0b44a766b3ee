"""What changes with X-API-Version: ``type`` strings, fields that exist only at some versions,
and the profile connection shape.

The ``type`` of every served category, and of every collection envelope, per API version, is data:
``schemas/_types.json`` (with its sources), shared with the conformance checker. Above the last
version a source shows, the last known value holds. A shape module declares the top-level fields a
category has only from or until some version in its ``FIELD_VERSIONS`` table; rendering drops them
outside that range (the schemas carry the same ranges as x-since/x-until).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from importlib import resources
from typing import Any

from . import hardware_shapes, networking_shapes, topology_shapes
from .resource_shapes import for_version

# The API versions the simulator claims: OneView releases 1.20 .. 6.10 (contract section 1).
CLAIMED_VERSIONS: tuple[int, ...] = (
    120, 200, 300, 500, 600, 800, 1000, 1200, 1600, 1800, 2000, 2200, 2400, 2600, 2800,
)  # fmt: skip

Steps = list[tuple[int, str]]


def _load_steps(key: str) -> dict[str, Steps]:
    text = resources.files(__package__).joinpath("schemas", "_types.json").read_text("utf-8")
    table = json.loads(text)[key]
    return {category: sorted((int(v), str(t)) for v, t in rows) for category, rows in table.items()}


_TYPE_STEPS: dict[str, Steps] = _load_steps("types")
_COLLECTION_TYPE_STEPS: dict[str, Steps] = _load_steps("collectionTypes")


def _step_at(steps: Steps | None, version: int) -> str | None:
    if not steps:
        return None
    index = bisect_right([v for v, _ in steps], version) - 1
    return steps[max(index, 0)][1]


FieldRanges = dict[str, tuple[int, int | None]]


def _field_versions() -> dict[str, FieldRanges]:
    """category -> top-level field -> (first version, last version or None), from every shape
    module that declares ``FIELD_VERSIONS``: a body served at another version leaves it out."""
    merged: dict[str, FieldRanges] = {}
    for module in (hardware_shapes, networking_shapes, topology_shapes):
        for category, fields in getattr(module, "FIELD_VERSIONS", {}).items():
            merged.setdefault(category, {}).update(fields)
    return merged


FIELD_VERSIONS: dict[str, FieldRanges] = _field_versions()


def _drop_out_of_range(body: dict[str, Any], ranges: FieldRanges, version: int) -> None:
    for name, (since, until) in ranges.items():
        if version < since or (until is not None and version > until):
            body.pop(name, None)


# From this version profiles carry connections under connectionSettings (contract §7).
CONNECTION_SETTINGS_SINCE = 600
# From this version templates carry connectionSettings (contract §7: "from about API 500").
TEMPLATE_CONNECTION_SETTINGS_SINCE = 500


def resource_type(category: str, version: int) -> str | None:
    """The ``type`` a member of ``category`` carries at ``version``; None for an untyped category."""
    return _step_at(_TYPE_STEPS.get(category), version)


def collection_type(category: str, version: int) -> str:
    """The ``type`` of a ``category`` collection envelope at ``version``."""
    return _step_at(_COLLECTION_TYPE_STEPS.get(category), version) or f"{category}-collection"


def shape_for_version(resource: dict[str, Any], version: int) -> dict[str, Any]:
    """A rendered copy: private (``_``) keys dropped, ``type`` and connection placement versioned."""
    body = {k: v for k, v in resource.items() if k[0] != "_"}
    category = body.get("category", "")
    type_name = resource_type(category, version)
    if type_name:
        body["type"] = type_name
    ranges = FIELD_VERSIONS.get(category)
    if ranges:
        _drop_out_of_range(body, ranges, version)
    if category == "server-profiles" and version < CONNECTION_SETTINGS_SINCE:
        settings = body.pop("connectionSettings", None) or {}
        body["connections"] = [
            {**conn, "deploymentStatus": "Deployed"} for conn in settings.get("connections", [])
        ]
    elif category == "server-profile-templates" and version < TEMPLATE_CONNECTION_SETTINGS_SINCE:
        settings = body.pop("connectionSettings", None) or {}
        body["connections"] = list(settings.get("connections", []))
    # Profile and template fields that exist only at some versions (PROFILE's table).
    return for_version(body, version)


def connections_of(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Connections from a written body in either shape; None when the body carries none."""
    settings = body.get("connectionSettings")
    if isinstance(settings, dict) and "connections" in settings:
        return settings["connections"]
    if "connections" in body:
        return body["connections"]
    return None
