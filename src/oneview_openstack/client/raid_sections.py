"""Ironic's target RAID config → a profile's ``localStorage``, checked before it is sent.

OneView builds logical drives from whole drives that it picks itself: there is no size per
logical drive and no choice of drives, only a RAID level, a drive count and a drive technology
per logical drive, on a controller (``Embedded`` unless Ironic names one). So only
``size_gb: "MAX"`` can be honoured; a RAID level the type's controller lacks, a drive count wrong
for its level or larger than the type or the server allows, or physical disks named one by one
are refused with :class:`SettingRejected` before OneView is touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .configuration import HardwareTypeConfig, PhysicalDrive, StorageInventory
from .setting_rejected import SettingRejected, one_of, type_name

DEFAULT_CONTROLLER = "Embedded"
RAID_MODE = "RAID"
SIZE_MAX = "MAX"
#: Ironic raid_level → OneView raidLevel (Ironic's "JBOD" and "2" have no OneView equivalent).
ONEVIEW_RAID_LEVELS: Mapping[str, str] = {
    "0": "RAID0",
    "1": "RAID1",
    "5": "RAID5",
    "6": "RAID6",
    "1+0": "RAID10",
    "5+0": "RAID50",
    "6+0": "RAID60",
}
#: Drives a OneView logical drive of each level needs: (minimum, exactly-or-None, multiple of);
#: RAID1 is a two-drive mirror, as in Ironic (more drives is RAID 1+0).
_RAID_DRIVES: Mapping[str, tuple[int, int | None, int]] = {
    "RAID0": (1, None, 1),
    "RAID1": (2, 2, 1),
    "RAID5": (3, None, 1),
    "RAID6": (4, None, 1),
    "RAID10": (4, None, 2),
    "RAID50": (6, None, 1),
    "RAID60": (8, None, 1),
}
_MEDIA = {"ssd": "Ssd", "hdd": "Hdd"}
_INTERFACES = {"sas": "Sas", "sata": "Sata"}


def _technology_of(drive: PhysicalDrive) -> str | None:
    if drive.media in _MEDIA and drive.interface in _INTERFACES:
        return _INTERFACES[drive.interface] + _MEDIA[drive.media]
    return None


def _drive_technology(
    field: str, disk: Mapping[str, Any], drives: tuple[PhysicalDrive, ...]
) -> str | None:
    """``disk_type`` + ``interface_type`` → driveTechnology (None: OneView may choose)."""
    media, interface = disk.get("disk_type"), disk.get("interface_type")
    if media is not None and media not in _MEDIA:
        raise SettingRejected(f"{field}.disk_type", media, one_of(_MEDIA))
    if interface is not None and interface not in _INTERFACES:
        raise SettingRejected(f"{field}.interface_type", interface, one_of(_INTERFACES))
    if media is None and interface is None:
        return None
    if media is not None and interface is not None:
        return _INTERFACES[interface] + _MEDIA[media]
    present = {
        tech
        for tech in map(_technology_of, drives)
        if tech and (media is None or tech.endswith(_MEDIA[media]))
        if interface is None or tech.startswith(_INTERFACES[interface])
    }
    if len(present) == 1:
        return present.pop()
    given = "disk_type" if media is not None else "interface_type"
    missing = "interface_type" if media is not None else "disk_type"
    raise SettingRejected(
        f"{field}.{given}",
        media if media is not None else interface,
        f"given together with {missing} (the server's drives offer "
        f"{one_of(sorted(present), 'the server') if present else 'no matching drive'})",
        reason="cannot name a OneView driveTechnology alone",
    )


def _drive_count(field: str, level: str, disk: Mapping[str, Any]) -> int:
    minimum, exactly, multiple = _RAID_DRIVES.get(level, (1, None, 1))
    count = disk.get("number_of_physical_disks")
    if count is None:
        return exactly or minimum
    accepted = f"exactly {exactly}" if exactly else f"at least {minimum}"
    if multiple > 1:
        accepted += f", a multiple of {multiple}"
    accepted += f" (for {level})"
    if isinstance(count, bool) or not isinstance(count, int):
        raise SettingRejected(f"{field}.number_of_physical_disks", count, accepted)
    if count < minimum or (exactly and count != exactly) or count % multiple:
        raise SettingRejected(f"{field}.number_of_physical_disks", count, accepted)
    return count


def _logical_drive(
    config: HardwareTypeConfig, index: int, disk: Any, present: tuple[PhysicalDrive, ...]
) -> tuple[str, str | None, dict[str, Any]]:
    """One Ironic logical disk → (deviceSlot, driveTechnology, OneView logical drive)."""
    field = f"target_raid_config logical_disks[{index}]"
    if not isinstance(disk, Mapping):
        raise SettingRejected(field, disk, "a logical disk object")
    size = disk.get("size_gb")
    if size != SIZE_MAX:
        raise SettingRejected(
            f"{field}.size_gb",
            size,
            f"{SIZE_MAX!r}",
            reason="cannot be honoured: a OneView logical drive spans whole drives and has no size",
        )
    level = disk.get("raid_level")
    offered = [
        ironic for ironic, oneview in ONEVIEW_RAID_LEVELS.items() if oneview in config.raid_levels
    ]
    oneview_level = ONEVIEW_RAID_LEVELS.get(level) if isinstance(level, str) else None
    if oneview_level is None or oneview_level not in config.raid_levels:
        raise SettingRejected(
            f"{field}.raid_level", level, one_of(offered, f"the controller of {config.name}")
        )
    if disk.get("physical_disks"):
        raise SettingRejected(
            f"{field}.physical_disks",
            disk["physical_disks"],
            "number_of_physical_disks instead",
            reason="cannot be honoured: OneView chooses the drives of a logical drive",
        )
    technology = _drive_technology(field, disk, present)
    if technology and config.drive_technologies and technology not in config.drive_technologies:
        raise SettingRejected(
            f"{field} drive technology",
            technology,
            one_of(config.drive_technologies, config.name or "the type"),
        )
    drive: dict[str, Any] = {
        "name": disk.get("volume_name") or f"LogicalDrive{index + 1}",
        "raidLevel": oneview_level,
        "bootable": bool(disk.get("is_root_volume")),
        "numPhysicalDrives": _drive_count(field, oneview_level, disk),
    }
    if technology:
        drive["driveTechnology"] = technology
    slot = disk.get("controller") or DEFAULT_CONTROLLER
    return str(slot), technology, drive


def _check_drive_totals(
    config: HardwareTypeConfig,
    planned: list[tuple[str, str | None, dict[str, Any]]],
    present: tuple[PhysicalDrive, ...],
) -> None:
    total = sum(drive["numPhysicalDrives"] for _, _, drive in planned)
    field = "target_raid_config physical disks in all"
    if config.maximum_drives is not None and total > config.maximum_drives:
        raise SettingRejected(
            field, total, f"at most {config.maximum_drives} (maximumDrives of {config.name})"
        )
    if present and total > len(present):
        raise SettingRejected(field, total, f"at most {len(present)} (the drives the server has)")
    for technology in {tech for _, tech, _ in planned if tech}:
        wanted = sum(d["numPhysicalDrives"] for _, tech, d in planned if tech == technology)
        have = sum(1 for d in present if _technology_of(d) == technology)
        if present and wanted > have:
            raise SettingRejected(
                f"target_raid_config {technology} disks", wanted, f"at most {have} (present)"
            )


def local_storage_section(
    config: HardwareTypeConfig,
    target_raid_config: Mapping[str, Any],
    drives: StorageInventory | None,
) -> dict[str, Any]:
    """Ironic's target RAID config → ``localStorage``: one RAID controller per ``controller``
    named (``Embedded`` by default), initialised (existing logical drives are wiped).

    ``drives`` (localStorageV2) bounds the drive counts; None or no drives: not checked.

    :raises SettingRejected: the type cannot manage local storage or RAID, a size is not MAX, a
        RAID level is not offered, a drive count is wrong for its level or more than the type or
        the server has, or the disk type cannot be matched.
    """
    if not config.manage_local_storage:
        raise SettingRejected(
            f"target_raid_config on {type_name(config)}",
            dict(target_raid_config),
            "nothing: the type lacks the ManageLocalStorage capability",
        )
    if config.controller_modes and RAID_MODE not in config.controller_modes:
        raise SettingRejected(
            f"controller mode of {type_name(config)}", RAID_MODE, one_of(config.controller_modes)
        )
    disks = target_raid_config.get("logical_disks")
    if not isinstance(disks, list) or not disks:
        raise SettingRejected(
            "target_raid_config logical_disks", disks, "a non-empty list of logical disks"
        )
    present = drives.drives if drives is not None else ()
    planned = [_logical_drive(config, i, disk, present) for i, disk in enumerate(disks)]
    roots = [d["name"] for _, _, d in planned if d["bootable"]]
    if len(roots) > 1:
        raise SettingRejected("target_raid_config is_root_volume", roots, "at most one root volume")
    _check_drive_totals(config, planned, present)
    controllers: dict[str, dict[str, Any]] = {}
    for slot, _, drive in planned:
        controller = controllers.setdefault(
            slot,
            {"deviceSlot": slot, "mode": RAID_MODE, "initialize": True, "logicalDrives": []},
        )
        controller["logicalDrives"].append(drive)
    return {"controllers": list(controllers.values())}


def empty_local_storage_section(
    controllers: Sequence[str] = (DEFAULT_CONTROLLER,),
) -> dict[str, Any]:
    """``localStorage`` that wipes the controllers' logical drives and creates none."""
    return {
        "controllers": [
            {"deviceSlot": slot, "mode": RAID_MODE, "initialize": True, "logicalDrives": []}
            for slot in controllers
        ]
    }
