"""Validation of a profile's ``localStorage``: controllers by device slot, their mode, and logical
drives (RAID level, whole drives only, counts against the hardware type and the drives present).
"""

from __future__ import annotations

import copy
from typing import Any

from ..store import Resource
from .profile_checks import (
    CHECKED_COLLECTION,
    SectionRefused,
    as_object,
    compliance_control,
    flag,
    refuse,
)

# Smart Array drive counts per RAID level: (minimum, multiple of) [unverified against HPE docs].
RAID_DRIVES = {
    "RAID0": (1, 1),
    "RAID1": (2, 2),
    "RAID10": (4, 2),
    "RAID1ADM": (3, 3),
    "RAID10ADM": (6, 3),
    "RAID5": (3, 1),
    "RAID50": (6, 1),
    "RAID6": (4, 1),
    "RAID60": (8, 1),
}
LOGICAL_DRIVE_FIELDS = frozenset(
    {
        "name",
        "raidLevel",
        "bootable",
        "numPhysicalDrives",
        "numSpareDrives",
        "driveTechnology",
        "accelerator",
        "sasLogicalJBODId",
        "driveNumber",
    }
)
# The physical drives' write cache (oneview-golang LocalStorageEmbeddedController; RTK bodies
# show "Unmanaged").
WRITE_CACHE_MODES = ("Enabled", "Disabled", "Unmanaged")
SIZE_FIELDS = ("sizeGB", "size", "capacity", "capacityGB", "size_gb")


# --- local storage ------------------------------------------------------------------------


def _storage_controllers(server: Resource | None) -> list[dict[str, Any]] | None:
    """The server's controllers as SIM-A's ``_storage`` describes them (None: unknown)."""
    storage = (server or {}).get("_storage")
    if not isinstance(storage, dict):
        return None
    controllers = storage.get("controllers")
    return controllers if isinstance(controllers, list) else None


def _drives_of(controller: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("drives", "physicalDrives", "PhysicalDrives"):
        if isinstance(controller.get(key), list):
            return list(controller[key])
    return []


def normalise_local_storage(raw: Any, sht: Resource, server: Resource | None) -> dict[str, Any]:
    if raw is None:
        return {"controllers": [], "sasLogicalJBODs": []}
    raw = as_object(raw, "localStorage", "an object with controllers")
    controllers = raw.get("controllers") or []
    if not isinstance(controllers, list):
        raise refuse("INVALID_PARAMETER", "localStorage.controllers", controllers, "a list")
    caps = sht.get("storageCapabilities") or {}
    if controllers and "ManageLocalStorage" not in sht.get("capabilities", []):
        raise SectionRefused(
            "LOCAL_STORAGE_NOT_SUPPORTED",
            f"The server hardware type '{sht['name']}' does not support local storage "
            "management (localStorage.controllers is not empty).",
            "localStorage.controllers=[]",
            "Remove the controllers from the profile for this server hardware type.",
        )
    present = _storage_controllers(server)
    slots_present = [str(c.get("deviceSlot")) for c in present or []]
    result: list[dict[str, Any]] = []
    for index, controller in enumerate(controllers):
        where = f"localStorage.controllers[{index}]"
        controller = as_object(controller, where, "an object with deviceSlot, mode, logicalDrives")
        slot = controller.get("deviceSlot")
        if not isinstance(slot, str) or not slot:
            raise refuse("INVALID_PARAMETER", f"{where}.deviceSlot", slot, "'Embedded' or 'Mezz N'")
        if any(c["deviceSlot"] == slot for c in result):
            raise refuse("INVALID_PARAMETER", f"{where}.deviceSlot", slot, "each slot once")
        found = None
        if present is not None:
            found = next((c for c in present if str(c.get("deviceSlot")) == slot), None)
            if found is None:
                raise SectionRefused(
                    "LOCAL_STORAGE_CONTROLLER_NOT_FOUND",
                    f"The server '{(server or {}).get('name')}' has no storage controller in "
                    f"{where}.deviceSlot {slot!r}. Accepted: one of {slots_present}.",
                    f"one of {slots_present}",
                    "Use a device slot of the server's controllers (localStorageV2).",
                )
        modes = list(caps.get("controllerModes") or [])
        mode = controller.get("mode", "RAID")
        if mode not in modes:
            raise refuse("INVALID_CONTROLLER_MODE", f"{where}.mode", mode, f"one of {modes}")
        initialize = flag(controller, "initialize", where)
        write_cache = controller.get("driveWriteCache") or "Unmanaged"
        if write_cache not in WRITE_CACHE_MODES:
            raise refuse(
                "INVALID_PARAMETER",
                f"{where}.driveWriteCache",
                write_cache,
                f"one of {list(WRITE_CACHE_MODES)}",
            )
        drives = controller.get("logicalDrives") or []
        if not isinstance(drives, list):
            raise refuse("INVALID_PARAMETER", f"{where}.logicalDrives", drives, "a list")
        if drives and mode == "HBA":
            raise refuse(
                "INVALID_CONTROLLER_MODE",
                f"{where}.mode",
                mode,
                f"one of {[m for m in modes if m != 'HBA']} for a controller with logical drives",
                "A controller in HBA mode cannot hold logical drives.",
            )
        logical = [
            _logical_drive(d, f"{where}.logicalDrives[{i}]", caps) for i, d in enumerate(drives)
        ]
        _check_drive_counts(logical, where, caps, found, server, initialize)
        result.append(
            {
                "deviceSlot": slot,
                "mode": mode,
                "initialize": initialize,
                "importConfiguration": flag(controller, "importConfiguration", where),
                "driveWriteCache": write_cache,
                "logicalDrives": logical,
            }
        )
    jbods = raw.get("sasLogicalJBODs") or []
    if not isinstance(jbods, list):
        raise refuse("INVALID_PARAMETER", "localStorage.sasLogicalJBODs", jbods, "a list")
    return {
        "controllers": result,
        "sasLogicalJBODs": copy.deepcopy(jbods),
        **compliance_control(raw, "localStorage", CHECKED_COLLECTION),
    }


def _logical_drive(raw: Any, where: str, caps: dict[str, Any]) -> dict[str, Any]:
    raw = as_object(raw, where, "an object with name, raidLevel, numPhysicalDrives")
    for key in raw:
        if key in SIZE_FIELDS:
            raise SectionRefused(
                "INVALID_LOGICAL_DRIVE_SIZE",
                f"The field {where}.{key}={raw[key]!r} is not accepted: OneView logical drives "
                "use whole physical drives and have no size. Accepted: numPhysicalDrives.",
                "numPhysicalDrives (whole drives)",
                f"Remove {where}.{key} and choose the number of drives instead.",
            )
        if key not in LOGICAL_DRIVE_FIELDS:
            raise SectionRefused(
                "INVALID_JSON_FIELD",
                f"The field named {key} of {where} is not a valid field in this JSON object. "
                f"Accepted: {sorted(LOGICAL_DRIVE_FIELDS)}.",
                str(sorted(LOGICAL_DRIVE_FIELDS)),
                "Remove or correct the unrecognised field.",
            )
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise refuse("INVALID_PARAMETER", f"{where}.name", name, "a non-empty string")
    levels = list(caps.get("raidLevels") or [])
    level = raw.get("raidLevel")
    if level not in levels:
        raise refuse("RAID_LEVEL_NOT_SUPPORTED", f"{where}.raidLevel", level, f"one of {levels}")
    count = raw.get("numPhysicalDrives")
    minimum, multiple = RAID_DRIVES.get(str(level), (1, 1))
    if not isinstance(count, int) or isinstance(count, bool) or count < minimum or count % multiple:
        raise refuse(
            "INVALID_NUMBER_OF_DRIVES",
            f"{where}.numPhysicalDrives",
            count,
            f"at least {minimum} drives, a multiple of {multiple}, for {level}",
        )
    spares = raw.get("numSpareDrives", 0) or 0
    if not isinstance(spares, int) or isinstance(spares, bool) or spares < 0:
        raise refuse("INVALID_PARAMETER", f"{where}.numSpareDrives", spares, "an integer >= 0")
    technology = raw.get("driveTechnology")
    technologies = list(caps.get("driveTechnologies") or [])
    if technology is not None and technologies and technology not in technologies:
        raise refuse(
            "INVALID_DRIVE_TECHNOLOGY",
            f"{where}.driveTechnology",
            technology,
            f"one of {technologies}",
        )
    return {
        "name": name,
        "raidLevel": level,
        "bootable": flag(raw, "bootable", where),
        "numPhysicalDrives": count,
        "numSpareDrives": spares,
        "driveTechnology": technology,
        "accelerator": raw.get("accelerator", "Unmanaged"),
    }


def _drive_technology(drive: dict[str, Any]) -> str | None:
    """SasSsd-style name of a present drive, from localStorageV2-like fields."""
    if drive.get("driveTechnology"):
        return str(drive["driveTechnology"])
    interface = str(drive.get("InterfaceType") or drive.get("interfaceType") or "").lower()
    media = str(drive.get("MediaType") or drive.get("mediaType") or "").lower()
    if not interface or not media:
        return None
    return interface.capitalize() + ("Ssd" if "ssd" in media else "Hdd")


def _check_drive_counts(
    logical: list[dict[str, Any]],
    where: str,
    caps: dict[str, Any],
    controller: dict[str, Any] | None,
    server: Resource | None,
    initialize: bool,
) -> None:
    bootable = [d["name"] for d in logical if d["bootable"]]
    if len(bootable) > 1:
        raise refuse(
            "INVALID_PARAMETER", f"{where}.logicalDrives[].bootable", bootable, "one bootable drive"
        )
    names = [d["name"] for d in logical]
    if len(set(names)) != len(names):
        raise refuse("INVALID_PARAMETER", f"{where}.logicalDrives[].name", names, "unique names")
    needed = sum(d["numPhysicalDrives"] + d["numSpareDrives"] for d in logical)
    maximum = caps.get("maximumDrives")
    if isinstance(maximum, int) and needed > maximum:
        raise refuse(
            "INVALID_NUMBER_OF_DRIVES",
            f"{where}.logicalDrives[].numPhysicalDrives",
            needed,
            f"at most {maximum} drives in all (storageCapabilities.maximumDrives)",
        )
    if controller is None:
        return
    # Without initialize the controller's logical drives stay, holding their drives; a drive of
    # the section with the name of one of them is that drive, not a new one.
    kept = [] if initialize else list(controller.get("logicalDrives") or [])
    used = {bay for ld in kept for bay in ld.get("drives") or []}
    free = [d for d in _drives_of(controller) if d.get("bay") not in used]
    new = [d for d in logical if d["name"] not in {ld.get("name") for ld in kept}]
    owner = (server or {}).get("name")
    held = f" ({len(used)} held by logical drives kept without initialize)" if used else ""
    wanted = sum(d["numPhysicalDrives"] + d["numSpareDrives"] for d in new)
    if wanted > len(free):
        raise refuse(
            "INSUFFICIENT_PHYSICAL_DRIVES",
            f"{where}.logicalDrives[].numPhysicalDrives",
            wanted,
            f"at most the {len(free)} free drives on '{owner}'{held}",
        )
    by_technology: dict[str, int] = {}
    for drive in new:
        if drive["driveTechnology"] is not None:
            technology = drive["driveTechnology"]
            by_technology[technology] = (
                by_technology.get(technology, 0) + drive["numPhysicalDrives"]
            )
    for technology, count in by_technology.items():
        matching = sum(1 for d in free if _drive_technology(d) == technology)
        if matching < count:
            raise refuse(
                "INSUFFICIENT_PHYSICAL_DRIVES",
                f"{where}.logicalDrives[driveTechnology={technology}].numPhysicalDrives",
                count,
                f"at most the {matching} free {technology} drives on '{owner}'{held}",
            )
