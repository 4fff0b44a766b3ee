"""Names the ML2 driver and its periodic worker share (kept apart so neither imports the other)."""

from __future__ import annotations

DRIVER_NAME = "oneview"  # the ML2 mechanism driver's entry-point name, as in binding levels
ENTITY = "ONEVIEW"  # the provisioning-block entity: the port goes ACTIVE once OneView is wired
