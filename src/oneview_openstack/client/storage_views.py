"""Read-only views of a server's local storage (``GET …/localStorageV2``), parsed once.

The RAID interface (``raid_config`` after a profile task), inspection (``local_gb``) and the RAID
builder (drive counts) read the same body: the physical drives of every controller, with their
capacity, media and interface, and the logical drives built on them. Ironic's vocabulary is
used where Ironic reads the result: ``"ssd"``/``"hdd"``, RAID levels ``"1"``, ``"1+0"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from . import json_fields as jf

#: OneView RAID level → Ironic's ``raid_level`` (target_raid_config vocabulary).
IRONIC_RAID_LEVELS: Mapping[str, str] = MappingProxyType(
    {
        "RAID0": "0",
        "RAID1": "1",
        "RAID1ADM": "1",
        "RAID5": "5",
        "RAID6": "6",
        "RAID10": "1+0",
        "RAID10ADM": "1+0",
        "RAID50": "5+0",
        "RAID60": "6+0",
    }
)
_RAID_DIGITS = re.compile(r"^(?:RAID)?\s*(\d+)\s*(ADM)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PhysicalDrive:
    name: str | None
    size_gb: int | None
    media: str | None  # "ssd" | "hdd" (Ironic's disk_type), None when unknown
    interface: str | None  # "sas" | "sata" | "nvme" ... (lower case), None when unknown
    controller: str | None = None  # the controller's Location (deviceSlot), else its Name


@dataclass(frozen=True)
class LogicalDrive:
    name: str | None
    raid_level: str | None  # Ironic's vocabulary: "1", "1+0"; the raw text if unknown
    size_gb: int | None
    bootable: bool
    drive_count: int | None
    controller: str | None = None
    drive_technology: str | None = None  # OneView's "SasSsd" ... when localStorageV2 says


@dataclass(frozen=True)
class StorageInventory:
    drives: tuple[PhysicalDrive, ...]
    logical_drives: tuple[LogicalDrive, ...]
    controllers: tuple[str, ...] = ()


def ironic_raid_level(value: Any) -> str | None:
    """``"RAID1"``, ``"1"``, ``"RAID 10"``, ``"RAID1ADM"`` → Ironic's ``"1"``, ``"1+0"``."""
    text = jf.text(value)
    if text is None:
        return None
    compact = text.replace(" ", "").upper()
    if compact in IRONIC_RAID_LEVELS:
        return IRONIC_RAID_LEVELS[compact]
    digits = _RAID_DIGITS.match(compact)
    if digits:
        return IRONIC_RAID_LEVELS.get(f"RAID{digits.group(1)}{digits.group(2) or ''}", text)
    return text


def _media(value: Any) -> str | None:
    text = (jf.text(value) or "").lower()
    if "ssd" in text or "solid" in text:
        return "ssd"
    if "hdd" in text or "rotational" in text or "hard" in text:
        return "hdd"
    return None


def _drive_count(entry: Mapping[str, Any]) -> int | None:
    for key in ("NumPhysicalDrives", "numPhysicalDrives", "DriveCount"):
        count = jf.integer(entry.get(key))
        if count is not None:
            return count
    for key in ("PhysicalDrives", "DataDrives", "Drives", "DriveNames"):
        if isinstance(entry.get(key), list):
            return len(entry[key])
    return None


def local_storage(body: Mapping[str, Any]) -> StorageInventory:
    """``GET …/localStorageV2`` → physical and logical drives of every controller."""
    drives: list[PhysicalDrive] = []
    logical: list[LogicalDrive] = []
    controllers: list[str] = []
    for controller in jf.objects(body.get("data")):
        # Location is the profile's deviceSlot ("Embedded"); Name is often just the product.
        where = jf.text(controller.get("Location")) or jf.text(controller.get("Name"))
        if where is not None:
            controllers.append(where)
        for drive in jf.objects(controller.get("PhysicalDrives")):
            drives.append(
                PhysicalDrive(
                    name=jf.text(drive.get("Name")) or jf.text(drive.get("Location")),
                    size_gb=jf.whole_gb(drive.get("CapacityGB")),
                    media=_media(drive.get("MediaType")),
                    interface=(jf.text(drive.get("InterfaceType")) or "").lower() or None,
                    controller=where,
                )
            )
        for volume in jf.objects(controller.get("LogicalDrives")):
            logical.append(
                LogicalDrive(
                    name=jf.text(volume.get("Name")) or jf.text(volume.get("LogicalDriveName")),
                    raid_level=ironic_raid_level(volume.get("Raid") or volume.get("RaidLevel")),
                    size_gb=jf.whole_gb(volume.get("CapacityGB")),
                    bootable=bool(jf.boolean(volume.get("Bootable"))),
                    drive_count=_drive_count(volume),
                    controller=where,
                    drive_technology=jf.text(volume.get("DriveTechnology")),
                )
            )
    return StorageInventory(tuple(drives), tuple(logical), tuple(controllers))
