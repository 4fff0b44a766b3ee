"""Server hardware and server hardware types: the fields a real appliance reports beyond the
layout (per-generation fields, rack servers' boot management, local disks).

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). Nothing here is drawn at
random (every value follows from the server, its type and its installed firmware), so the layout's
ids, MACs and power states stay what they were.

The DL360 Gen10 rack template ``ironic-dl360`` manages the boot order (OneView does for DL Gen10
with iLO 5: its type has ``ManageBootOrder``), so enrollment takes the Gen10 racks too; the Gen9
template stays unmanaged.
"""

from __future__ import annotations

from typing import Any

from . import hardware_shapes

#: The Gen10 rack template and the boot order it manages (network first, for Ironic's PXE).
RACK_TEMPLATE = "ironic-dl360"
RACK_BOOT_ORDER = ("PXE", "HardDisk")
RACK_TEMPLATE_DESCRIPTION = (
    "DL360 Gen10 racks: managed PXE boot, physical MACs, no Virtual Connect connections"
)


def finish(inventory: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add the fields of servers and their types that the layout does not draw."""
    del seed  # nothing is drawn (see the module docstring)
    types = {sht["uri"]: sht for sht in inventory["server-hardware-types"]}
    for server in inventory["server-hardware"]:
        server.update(hardware_shapes.server_fields(server, types[server["serverHardwareTypeUri"]]))
        if server["locationUri"] is not None:
            slots = server["portMap"]["deviceSlots"]
            server["portMap"]["deviceSlots"] = hardware_shapes.blade_device_slots(slots)
    for template in inventory["server-profile-templates"]:
        if template["name"] == RACK_TEMPLATE:
            template["boot"] = {"manageBoot": True, "order": list(RACK_BOOT_ORDER)}
            template["description"] = RACK_TEMPLATE_DESCRIPTION
            template["serverProfileDescription"] = RACK_TEMPLATE_DESCRIPTION
