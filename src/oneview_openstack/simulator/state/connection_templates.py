"""Connection templates: the bandwidth (typical and maximum, Mbps) each network and network set
carries. Every network and network set owns one; the appliance also has one default template."""

from __future__ import annotations

import uuid
from typing import Any

from .. import catalog
from ..errors import BadRequest, invalid_field
from ..store import Resource
from .connection_bandwidth import MAX_MBPS, STEP_MBPS, refresh_for_template
from .core import Core


def default_bandwidth() -> dict[str, int]:
    return {
        "typicalBandwidth": catalog.TYPICAL_BANDWIDTH_MBPS,
        "maximumBandwidth": catalog.MAXIMUM_BANDWIDTH_MBPS,
    }


def new_template(core: Core, name: str, bandwidth: dict[str, Any] | None = None) -> Resource:
    """A template for a new network or network set: the given bandwidth, else the default's."""
    if bandwidth is None:
        default = ConnectionTemplates(core).find_default()
        bandwidth = default["bandwidth"] if default else None
    return core.store.add(
        {
            "uri": f"/rest/connection-templates/{core.new_id()}",
            "category": "connection-templates",
            "name": name,
            "description": None,
            "state": "Normal",
            "status": "OK",
            "bandwidth": dict(bandwidth or default_bandwidth()),
        }
    )


DEFAULT_NAME = "defaultConnectionTemplate"


def _bandwidth_error(message: str, field_name: str, value: Any) -> BadRequest:
    # OneView's code for "Maximum bandwidth exceeds 20 GBits/s" (QA dictionary); the same code is
    # chosen for the other bandwidth refusals.
    return BadRequest(
        f"Updating connection-template: Invalid bandwidth: {message}",
        error_code="CRM_DEFAULT_INVALID_ARGUMENT",
        error_source="connection-templates",
        details=f"{field_name}={value!r}",
        recommended_actions=[
            f"Give bandwidth.typicalBandwidth and bandwidth.maximumBandwidth in Mbps, multiples "
            f"of {STEP_MBPS} from {STEP_MBPS} to {MAX_MBPS}, typical not above maximum."
        ],
    )


def checked_bandwidth(raw: Any, base: dict[str, Any] | None = None) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise invalid_field(
            "bandwidth", raw, "an object with typicalBandwidth and maximumBandwidth"
        )
    merged = {**(base or {}), **raw}
    values: dict[str, int] = {}
    for key in ("typicalBandwidth", "maximumBandwidth"):
        value = merged.get(key)
        where = f"bandwidth.{key}"
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid_field(where, value, "a whole number of Mbps")
        if key == "maximumBandwidth" and value > MAX_MBPS:
            raise _bandwidth_error("Maximum bandwidth exceeds 20 GBits/s", where, value)
        if not STEP_MBPS <= value <= MAX_MBPS or value % STEP_MBPS:
            raise _bandwidth_error(
                f"{key} {value} Mbps is not a multiple of {STEP_MBPS} from {STEP_MBPS} to "
                f"{MAX_MBPS}",
                where,
                value,
            )
        values[key] = value
    if values["typicalBandwidth"] > values["maximumBandwidth"]:
        raise _bandwidth_error(
            f"typical bandwidth {values['typicalBandwidth']} Mbps exceeds maximum bandwidth "
            f"{values['maximumBandwidth']} Mbps",
            "bandwidth.typicalBandwidth",
            values["typicalBandwidth"],
        )
    return values


class ConnectionTemplates:
    """GET of the default template and PUT of any template (synchronous: 200 with the body)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def ensure_default(self) -> Resource:
        """The appliance's default template, copied into every new network's or set's template."""
        found = self.find_default()
        if found is not None:
            return found
        seed = uuid.uuid5(uuid.NAMESPACE_URL, f"{DEFAULT_NAME}/{self._core.config.seed}")
        rid = uuid.UUID(bytes=seed.bytes, version=4)
        return self._core.store.add(
            {
                "uri": f"/rest/connection-templates/{rid}",
                "category": "connection-templates",
                "name": DEFAULT_NAME,
                "description": None,
                "state": "Normal",
                "status": "OK",
                "bandwidth": default_bandwidth(),
            }
        )

    def find_default(self) -> Resource | None:
        return next(
            (t for t in self._core.store.iter("connection-templates") if t["name"] == DEFAULT_NAME),
            None,
        )

    def update(self, uri: str, body: Any, if_match: str | None) -> Resource:
        core = self._core
        template = core.store.get(uri)
        if not isinstance(body, dict):
            raise BadRequest(
                "The connection template body must be a JSON object.", error_code="INVALID_JSON"
            )
        core.check_etag(template, body.get("eTag"), if_match)
        bandwidth = checked_bandwidth(
            body.get("bandwidth", template["bandwidth"]), template["bandwidth"]
        )
        name = body.get("name", template["name"])
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        if template["name"] == DEFAULT_NAME and name != DEFAULT_NAME:
            raise invalid_field(
                "name", name, f"{DEFAULT_NAME} (the default template keeps its name)"
            )
        description = body.get("description", template.get("description"))
        template.update(name=name, bandwidth=bandwidth, description=description)
        core.store.touch(template)
        refresh_for_template(core.store, uri)
        return template
