"""What a server's configuration is, and what applying a profile's sections does to it.

A server carries three private fields the store never renders (the inventory fills them):

- ``_bios``: setting id -> current value (a string, as OneView's BIOS values are), starting from
  its hardware type's defaults;
- ``_firmware``: installed components ``{componentName, componentVersion, componentKey,
  componentLocation}``; ``componentKey`` is what a baseline's ``swKeyNameList`` names;
- ``_storage``: ``{"controllers": [{deviceSlot, model, mode, drives: [{bay, name, model,
  capacityGB, mediaType, interfaceType, driveTechnology}], logicalDrives: [{name, raidLevel,
  bootable, driveTechnology, drives: [bay], capacityGB}]}]}``.

The ``apply_*`` functions are what a successful profile task does to the hardware (room SIM-B
calls them). They trust that the section was validated against the hardware type first, and
raise ``ValueError`` (naming the field, the value and what is accepted) when it was not, so a
validation gap shows up as a failed test rather than as silently wrong hardware. The renderers
build the ``/bios``, ``/firmware`` and ``/localStorageV2`` bodies from the same fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .. import bios_registry

Resource = dict[str, Any]

#: Drives a RAID level needs at least, and how many drives' worth of space it gives from n.
RAID_LEVELS: dict[str, tuple[int, Any]] = {
    "RAID0": (1, lambda n: n),
    "RAID1": (2, lambda n: n // 2),
    "RAID1ADM": (3, lambda n: n // 3),
    "RAID10": (4, lambda n: n // 2),
    "RAID5": (3, lambda n: n - 1),
    "RAID6": (4, lambda n: n - 2),
    "RAID50": (6, lambda n: n - 2),
    "RAID60": (8, lambda n: n - 4),
}

_VERSION_NUMBERS = re.compile(r"\d+")


def bios_settings(sht: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """id -> registry entry of a hardware type's ``biosSettings``."""
    return {setting["id"]: setting for setting in sht.get("biosSettings") or []}


def apply_bios(
    server: Resource,
    sht: Mapping[str, Any],
    overridden: Sequence[Mapping[str, Any]],
    manage: bool,
) -> None:
    """A profile's ``bios`` section lands: unmanaged leaves the BIOS alone; managed resets every
    setting to the type's default and then applies the overrides (so ``manageBios`` with no
    overrides is a factory reset, what a profile asserting the defaults does).

    :raises ValueError: an override names a setting the type does not have.
    """
    if not manage:
        return
    registry = bios_settings(sht)
    values = bios_registry.bios_defaults(list(registry.values()))
    for entry in overridden:
        sid = entry.get("id")
        if sid not in registry:
            raise ValueError(
                f"bios.overriddenSettings id {sid!r} is not a setting of "
                f"{sht.get('name')!r}; accepted ids: {sorted(registry)}"
            )
        values[sid] = str(entry.get("value"))
    server["_bios"] = values


def apply_local_storage(server: Resource, section: Mapping[str, Any]) -> None:
    """A normalised ``localStorage`` section lands on the server's controllers.

    Per controller named by ``deviceSlot``: ``mode`` is set; ``initialize`` (or HBA mode, which
    passes the drives through) wipes every existing logical drive first; then each logical drive of the section that the controller does not
    already have (by name) is built from ``numPhysicalDrives`` free drives of its
    ``driveTechnology`` (any technology when it names none), lowest bays first. OneView has no
    size per logical drive: it uses whole drives, so the capacity follows from the RAID level.

    :raises ValueError: unknown controller, RAID level, logical drives in HBA mode, or not
        enough free matching drives.
    """
    controllers = {c["deviceSlot"]: c for c in server["_storage"]["controllers"]}
    for wanted in section.get("controllers") or []:
        slot = wanted.get("deviceSlot")
        controller = controllers.get(slot)
        if controller is None:
            raise ValueError(
                f"localStorage.controllers deviceSlot {slot!r} is not on {server['name']!r}; "
                f"accepted: {sorted(controllers)}"
            )
        if wanted.get("mode"):
            controller["mode"] = wanted["mode"]
        if controller["mode"] == "HBA" and wanted.get("logicalDrives"):
            raise ValueError(
                f"localStorage.controllers[{slot}] mode 'HBA' has no logical drives, got "
                f"{len(wanted['logicalDrives'])}; accepted: mode RAID or Mixed for logical drives"
            )
        if wanted.get("initialize") or controller["mode"] == "HBA":
            controller["logicalDrives"] = []  # HBA passes the drives through: no arrays left
        existing = {ld["name"] for ld in controller["logicalDrives"]}
        for drive in wanted.get("logicalDrives") or []:
            if drive.get("name") not in existing:
                controller["logicalDrives"].append(_build_logical_drive(controller, drive))


def _build_logical_drive(controller: Resource, wanted: Mapping[str, Any]) -> Resource:
    level = wanted.get("raidLevel")
    if level not in RAID_LEVELS:
        raise ValueError(
            f"localStorage logicalDrives raidLevel {level!r} is not known; "
            f"accepted: {sorted(RAID_LEVELS)}"
        )
    count = int(wanted.get("numPhysicalDrives") or RAID_LEVELS[level][0])
    technology = wanted.get("driveTechnology")
    used = {bay for ld in controller["logicalDrives"] for bay in ld["drives"]}
    free = [
        d
        for d in controller["drives"]
        if d["bay"] not in used and (not technology or d["driveTechnology"] == technology)
    ]
    if count < RAID_LEVELS[level][0] or count > len(free):
        raise ValueError(
            f"localStorage logicalDrives numPhysicalDrives {count} for {level} of "
            f"{technology or 'any'} drives on {controller['model']!r}; accepted: "
            f"{RAID_LEVELS[level][0]}..{len(free)} (free matching drives)"
        )
    chosen = free[:count]
    return {
        "name": wanted.get("name") or f"Logical Drive {len(controller['logicalDrives']) + 1}",
        "raidLevel": level,
        "bootable": bool(wanted.get("bootable")),
        "driveTechnology": chosen[0]["driveTechnology"],
        "drives": [d["bay"] for d in chosen],
        "capacityGB": raid_capacity(level, [d["capacityGB"] for d in chosen]),
    }


def raid_capacity(level: str, sizes: Sequence[int]) -> int:
    """Usable GB of a logical drive over drives of ``sizes`` (the smallest sets the stripe)."""
    _, data_drives = RAID_LEVELS[level]
    return int(min(sizes) * data_drives(len(sizes)))


def apply_baseline(server: Resource, baseline: Mapping[str, Any], *, force: bool = True) -> None:
    """A firmware baseline is installed: every component the baseline carries (matched by
    ``componentKey`` in a component's ``swKeyNameList``) takes the baseline's version; with
    ``force`` False only older components change (OneView's default, no downgrade). The ROM and
    iLO versions the server resource reports (``romVersion``, ``mpFirmwareVersion``) follow, and
    so does its ``intelligentProvisioningVersion``."""
    by_key: dict[str, str] = {}
    for component in baseline.get("fwComponents") or []:
        for key in component.get("swKeyNameList") or []:
            by_key[str(key)] = component["componentVersion"]
    for row in server["_firmware"]:
        version = by_key.get(row["componentKey"])
        if version is None:
            continue
        if row["componentName"] == "System ROM":
            version = f"{row['componentKey']} {version}"
        if force or version_key(version) > version_key(row["componentVersion"]):
            row["componentVersion"] = version
    for row in server["_firmware"]:
        if row["componentName"] == "System ROM":
            server["romVersion"] = row["componentVersion"]
        elif row["componentName"] == "iLO":
            server["mpFirmwareVersion"] = row["componentVersion"]
        elif row["componentName"] == "Intelligent Provisioning" and (
            "intelligentProvisioningVersion" in server
        ):
            server["intelligentProvisioningVersion"] = row["componentVersion"]


def version_key(version: str) -> tuple[int, ...]:
    """Numbers of a firmware version, for ordering: 'U32 v2.36 (07/16/2020)' -> (2, 36).

    The date in brackets and an iLO's 'Aug 27 2020' are not compared: the dotted number is the
    version in every format the simulator uses."""
    head = version.split("(")[0]
    head = re.sub(r"^[A-Z]\d+\s+", "", head)  # a ROM family prefix such as "U32 "
    head = re.split(r"\s[A-Z][a-z]{2}\s", head)[0]  # an iLO build date
    return tuple(int(n) for n in _VERSION_NUMBERS.findall(head))


# --- renderings -----------------------------------------------------------------------------


def bios_body(uri: str, server: Mapping[str, Any]) -> dict[str, Any]:
    """``GET …/bios``: the current value of every setting."""
    return {
        "uri": f"{uri}/bios",
        "romVersion": server.get("romVersion"),
        "settings": [{"id": sid, "value": value} for sid, value in server["_bios"].items()],
    }


def firmware_body(uri: str, server: Mapping[str, Any]) -> dict[str, Any]:
    """``GET …/firmware``: the installed components, with the inventory's own ``type`` and
    times (oneview-golang ov/server_hardware.go ``ServerFirmware``: ``server-hardware-firmware-1``,
    ``eTag`` null, ``created``/``modified`` of the inventory: here the server's)."""
    return {
        "type": "server-hardware-firmware-1",
        "category": "server-hardware",
        "uri": f"{uri}/firmware",
        "eTag": None,
        "created": server.get("created"),
        "modified": server.get("modified"),
        "serverHardwareUri": uri,
        "serverModel": server.get("model"),
        "serverName": server.get("name"),
        "state": "Updating" if server.get("state") == "UpdatingFirmware" else "Idle",
        "components": [
            {
                "componentName": row["componentName"],
                "componentVersion": row["componentVersion"],
                "componentLocation": row["componentLocation"],
                "componentKey": row["componentKey"],
            }
            for row in server["_firmware"]
        ],
    }


def local_storage_body(
    uri: str, server: Mapping[str, Any], leaf: str = "localStorageV2"
) -> dict[str, Any]:
    """``GET …/localStorageV2`` (or the older ``…/localStorage``, ``leaf``, same body): each
    controller with its physical and logical drives."""
    data = []
    for controller in server["_storage"]["controllers"]:
        names = {d["bay"]: d["name"] for d in controller["drives"]}
        data.append(
            {
                "Name": "HPE Smart Array",
                "Model": controller["model"],
                "Location": controller["deviceSlot"],
                "Mode": controller["mode"],
                "PhysicalDrives": [
                    {
                        "Name": drive["name"],
                        "Model": drive["model"],
                        "Location": f"1I:1:{drive['bay']}",
                        "CapacityGB": drive["capacityGB"],
                        "MediaType": drive["mediaType"],
                        "InterfaceType": drive["interfaceType"],
                        "Status": {"Health": "OK", "State": "Enabled"},
                    }
                    for drive in controller["drives"]
                ],
                "LogicalDrives": [
                    {
                        "Name": ld["name"],
                        "Raid": ld["raidLevel"],
                        "CapacityGB": ld["capacityGB"],
                        "Bootable": ld["bootable"],
                        "DriveTechnology": ld["driveTechnology"],
                        "DataDrives": [names[bay] for bay in ld["drives"]],
                        "Status": {"Health": "OK", "State": "Enabled"},
                    }
                    for ld in controller["logicalDrives"]
                ],
            }
        )
    return {
        "uri": f"{uri}/{leaf}",
        "collectionState": "Success" if data else "NotSupported",
        "data": data,
    }
