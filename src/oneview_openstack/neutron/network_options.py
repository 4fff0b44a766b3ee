"""How a Neutron network's OneView network is made: private networks, Tunnel networks for VLAN
transparency (issue 15, QOS room)."""

from __future__ import annotations

from typing import Any

from .mappings import Mappings, Plan


def oneview_fields(network: dict[str, Any], plan: Plan, opts: Any) -> dict[str, Any]:
    """Extra fields of the OneView network created for ``network`` (e.g. ``privateNetwork``)."""
    return {}


def vlan_transparent(mappings: Mappings, network: dict[str, Any]) -> bool | None:
    """``check_vlan_transparency``: True, False, or None to abstain."""
    return None
