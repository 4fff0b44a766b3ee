"""Connection templates: the bandwidth (typical and maximum, Mbps) each network and network set
carries. Every network and network set owns one; the appliance also has one default template."""

from __future__ import annotations

from typing import Any

from .. import catalog
from ..store import Resource
from .core import Core


def default_bandwidth() -> dict[str, int]:
    return {
        "typicalBandwidth": catalog.TYPICAL_BANDWIDTH_MBPS,
        "maximumBandwidth": catalog.MAXIMUM_BANDWIDTH_MBPS,
    }


def new_template(core: Core, name: str, bandwidth: dict[str, Any] | None = None) -> Resource:
    """A template for a new network or network set (OneView names it after its owner)."""
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
