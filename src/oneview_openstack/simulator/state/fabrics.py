"""A Synergy fabric's reserved VLAN range: the VLANs the frames keep for their own use.

``GET /rest/fabrics/{id}/reserved-vlan-range`` answers the range as a ``vlan-pool``
(oneview-sdk-ruby spec/unit/resource/api300/synergy/fabric_spec.rb); a PUT of ``{start,
length}`` changes it in a task whose resource is the fabric (hpeOneView
``Fabrics.update_reserved_vlan_range`` returns the fabric).
"""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest, invalid_field
from ..store import Resource
from ..tasks import Task
from .core import Core

#: Synergy keeps 60 to 128 VLANs reserved [chosen from the ranges HPE's examples use: 62, 67, 128].
MIN_LENGTH, MAX_LENGTH = 60, 128
VLAN_POOL = "vlan-pool"
#: The first API version with the range (oneview-sdk-ruby api300/synergy/fabric.rb).
SINCE = 300


def _fabric(core: Core, uri: str) -> Resource:
    fabric = core.store.get(uri)
    if "reservedVlanRange" not in fabric:
        raise BadRequest(
            f"The fabric {fabric.get('name')} has no reserved VLAN range.",
            error_code="INVALID_PARAMETER",
        )
    return fabric


def reserved_vlan_range(core: Core, uri: str) -> dict[str, Any]:
    """The range as ``GET …/reserved-vlan-range`` answers it."""
    return {"type": VLAN_POOL, **_fabric(core, uri)["reservedVlanRange"]}


def _checked(body: Any) -> dict[str, int]:
    if not isinstance(body, dict):
        raise invalid_field("(body)", body, "an object with start and length")
    extra = set(body) - {"start", "length", "type"}
    if extra:
        raise invalid_field(sorted(extra)[0], body[sorted(extra)[0]], "only start, length, type")
    if body.get("type", VLAN_POOL) != VLAN_POOL:
        raise invalid_field("type", body["type"], f"{VLAN_POOL!r}")
    values = {}
    for key in ("start", "length"):
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid_field(key, value, "a whole number")
        values[key] = value
    if not MIN_LENGTH <= values["length"] <= MAX_LENGTH:
        raise invalid_field("length", values["length"], f"{MIN_LENGTH} to {MAX_LENGTH} VLANs")
    last = values["start"] + values["length"] - 1
    if values["start"] < 1 or last > 4094:
        raise invalid_field(
            "start",
            values["start"],
            f"a first VLAN from 1 with start + length - 1 <= 4094 (got {last})",
        )
    return values


def update_reserved_vlan_range(core: Core, uri: str, body: Any) -> Task:
    """:raises BadRequest: a malformed range, naming the field."""
    fabric = _fabric(core, uri)
    wanted = _checked(body)
    before = dict(fabric["reservedVlanRange"])

    def apply(_task: Task) -> None:
        fabric["reservedVlanRange"] = wanted
        core.store.touch(fabric)

    return core.run_task(
        kind="fabric",
        name="Update",
        resource=fabric,
        status_text=f"Update the reserved VLAN range of {fabric['name']}: {before} -> {wanted}",
        on_success=apply,
    )
