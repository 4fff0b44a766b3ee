"""Server hardware and server hardware types: the fields a real appliance reports beyond the
layout (per-generation fields, rack servers' boot management, local disks).

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). Draw from your own RNG
(``random.Random(f"hardware-{seed}")``), never the layout's, so existing ids and MACs stay.
"""

from __future__ import annotations

from typing import Any


def finish(inventory: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add the fields of servers and their types that the layout does not draw."""
