"""The kinds of server the inventory builds, and the configuration each server starts with.

Apart from ``inventory`` because this is a job of its own: which kind (blade, DL360 Gen10, DL360
Gen9) a server is, and what BIOS values, installed firmware and local drives it has before any
profile touched it (the private ``_bios``, ``_firmware`` and ``_storage`` fields that
``state.server_config`` renders and changes). Everything here draws from the inventory's
*configuration* RNG only, never the layout one, so ids, MACs and power states do not depend on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import bios_registry, catalog, firmware_catalog, storage_catalog

Resource = dict[str, Any]


@dataclass(frozen=True)
class ServerKind:
    """What a kind of server (blade, Gen10 rack, Gen9 rack) is built from."""

    model: dict[str, str]
    sht: Resource
    storage: dict[str, Any]
    adapter: str
    rom_releases: tuple[str, ...]
    ilo_firmware: tuple[str, ...]


def is_gen9_rack(number: int) -> bool:
    """Rack servers 2, 5, 8... (1-based) are DL360 Gen9s."""
    return number % 3 == 2


def server_kinds(
    blade_type: Resource, rack_type: Resource, gen9_type: Resource
) -> tuple[ServerKind, ServerKind, ServerKind]:
    """(blade, Gen10 rack, Gen9 rack) kinds of the stored hardware types."""
    blade = ServerKind(
        catalog.BLADE_MODEL,
        blade_type,
        storage_catalog.BLADE_STORAGE,
        catalog.MEZZ_ADAPTER,
        catalog.ROM_RELEASES,
        catalog.ILO_FIRMWARE,
    )
    rack = ServerKind(
        catalog.RACK_MODEL,
        rack_type,
        storage_catalog.RACK_STORAGE,
        catalog.RACK_ADAPTER,
        catalog.ROM_RELEASES,
        catalog.ILO_FIRMWARE,
    )
    gen9 = ServerKind(
        catalog.GEN9_RACK_MODEL,
        gen9_type,
        storage_catalog.GEN9_RACK_STORAGE,
        catalog.RACK_ADAPTER,
        catalog.GEN9_ROM_RELEASES,
        catalog.GEN9_ILO_FIRMWARE,
    )
    return blade, rack, gen9


def configure(
    rng: random.Random,
    kind: ServerKind,
    server: Resource,
    *,
    drives: int,
    ssd_size: int,
    rack: bool,
) -> None:
    """Give ``server`` its ``_storage``, ``_firmware`` and ``_bios`` (drawn in that order)."""
    server["_storage"] = local_storage(rng, kind, drives, ssd_size, rack=rack)
    server["_firmware"] = installed_firmware(rng, kind, server)
    server["_bios"] = bios_values(rng, kind)


def local_storage(
    rng: random.Random, kind: ServerKind, drives: int, ssd_size: int, *, rack: bool
) -> Resource:
    """The embedded Smart Array: ``drives`` alike drives; racks start with a bootable RAID1
    on the first two (as shipped by an integrator), blades with no logical drive."""
    technology = rng.choice(kind.storage["technologies"])
    media, interface, model = storage_catalog.DRIVES[technology]
    size = ssd_size if media == "SSD" else rng.choice(storage_catalog.HDD_SIZES_GIB)
    physical = [
        {
            "bay": bay,
            "name": f"Drive {bay}",
            "model": model,
            "capacityGB": size,
            "mediaType": media,
            "interfaceType": interface,
            "driveTechnology": technology,
        }
        for bay in range(1, drives + 1)
    ]
    logical = []
    if rack:
        logical.append(
            {
                "name": "Logical Drive 1",
                "raidLevel": "RAID1",
                "bootable": True,
                "driveTechnology": technology,
                "drives": [1, 2],
                "capacityGB": size,
            }
        )
    controller = {
        "deviceSlot": "Embedded",
        "model": kind.storage["model"],
        "mode": "RAID",
        "drives": physical,
        "logicalDrives": logical,
    }
    return {"controllers": [controller]}


def installed_firmware(rng: random.Random, kind: ServerKind, server: Resource) -> list[Resource]:
    """Installed components: the ROM and iLO the server reports, the rest from one of the
    older baselines (so the newest baseline is newer than everything installed)."""
    older = rng.choice(firmware_catalog.SPP_BASELINES[:-1])["components"]
    family = kind.model["romFamily"]
    rows = firmware_catalog.firmware_components(family, kind.adapter, kind.storage["model"])
    for row in rows:
        if row["componentName"] == "System ROM":
            row["componentVersion"] = server["romVersion"]
        elif row["componentName"] == "iLO":
            row["componentVersion"] = server["mpFirmwareVersion"]
        else:
            row["componentVersion"] = older[row["componentKey"]]
    return rows


def bios_values(rng: random.Random, kind: ServerKind) -> dict[str, str]:
    """The type's defaults; about one server in five has an operator's changes."""
    values = bios_registry.bios_defaults(kind.sht["biosSettings"])
    if rng.random() < 0.2:
        variant = rng.choice(bios_registry.BIOS_VARIANTS)
        values.update({k: v for k, v in variant.items() if k in values})
    return values
