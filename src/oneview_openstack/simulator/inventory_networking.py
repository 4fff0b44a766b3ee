"""Ethernet networks, network sets, uplink sets, connection templates and fabrics: the fields a
real appliance reports beyond the layout.

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). Draw from your own RNG
(``random.Random(f"networking-{seed}")``), never the layout's, so existing ids and MACs stay.
"""

from __future__ import annotations

from typing import Any


def finish(inventory: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add the fields of networks and uplink sets that the layout does not draw."""
