"""Enclosures, enclosure groups, interconnects, logical interconnects and their groups: the
fields a real appliance reports beyond the layout (bays, ports, settings).

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). Draw from your own RNG
(``random.Random(f"topology-{seed}")``), never the layout's, so existing ids and MACs stay.
"""

from __future__ import annotations

from typing import Any


def finish(inventory: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add the fields of frames and their fabric that the layout does not draw."""
