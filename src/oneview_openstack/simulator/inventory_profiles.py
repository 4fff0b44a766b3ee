"""Server profile templates and server profiles: the fields a real appliance reports beyond the
layout.

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). It fills in the same
fields every profile and template written at run time gets (``resource_shapes.complete_*``), so
stored and created resources look alike. Nothing here is random: the fields derive from what the
layout drew (serial numbers, URIs), so the layout's RNG stream is untouched and no RNG of its own
is needed.
"""

from __future__ import annotations

from typing import Any

from .resource_shapes import complete_profile, complete_template


def finish(inventory: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add the fields of templates and profiles that the layout does not draw."""
    del seed  # derived fields only (see the module docstring)
    for template in inventory.get("server-profile-templates", []):
        complete_template(template)
    for profile in inventory.get("server-profiles", []):
        complete_profile(profile)
