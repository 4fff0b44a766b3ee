"""Validation of a profile's or template's configuration sections: BIOS, local storage, firmware
and secure boot, against the server hardware type (and the server, when there is one).

OneView checks these when the profile task starts ("Validate configuration.") and fails the task
with a validation error (POSH-HPEOneView#453 shows FWBASELINE_NOT_FOUND arriving that way), so a
refusal here is a ``SectionRefused`` carrying the task error; the caller changes nothing. Every
message names the setting, the value and what would be accepted.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..resource_shapes import profile_firmware
from ..store import Resource, Store
from .profile_checks import (
    SectionRefused,
    as_object,
    compliance_control,
    flag,
    refuse,
    writable,
)
from .profile_storage import normalise_local_storage

INSTALL_TYPES = ("FirmwareOnly", "FirmwareAndOSDrivers", "FirmwareOnlyOfflineMode")
OFFLINE_INSTALL = "FirmwareOnlyOfflineMode"
ACTIVATION_TYPES = ("Immediate", "Scheduled", "NotScheduled")

__all__ = ["SectionRefused", "normalise_sections", "sections_needing_power_off", "stored"]


# --- BIOS ---------------------------------------------------------------------------------


def normalise_bios(raw: Any, sht: Resource) -> dict[str, Any]:
    if raw is None:
        return {"manageBios": False, "overriddenSettings": []}
    raw = as_object(raw, "bios", "an object with manageBios and overriddenSettings")
    manage = flag(raw, "manageBios", "bios")
    overrides = raw.get("overriddenSettings") or []
    if not isinstance(overrides, list):
        raise refuse(
            "INVALID_PARAMETER", "bios.overriddenSettings", overrides, "a list of {id, value}"
        )
    if manage and "ManageBIOS" not in sht.get("capabilities", []):
        raise SectionRefused(
            "BIOS_MANAGEMENT_NOT_SUPPORTED",
            f"The server hardware type '{sht['name']}' does not support BIOS management "
            "(bios.manageBios=true).",
            "bios.manageBios=false",
            "Set bios.manageBios to false for this server hardware type.",
        )
    if overrides and not manage:
        raise refuse(
            "INVALID_PARAMETER",
            "bios.manageBios",
            manage,
            "true",
            "BIOS settings are only applied when the profile manages the BIOS.",
        )
    registry = {s.get("id"): s for s in sht.get("biosSettings") or []}
    seen: set[Any] = set()
    result = []
    for index, item in enumerate(overrides):
        where = f"bios.overriddenSettings[{index}]"
        item = as_object(item, where, "an object with id and value")
        setting_id = item.get("id")
        if setting_id not in registry:
            known = sorted(str(k) for k in registry)
            raise SectionRefused(
                "BIOS_SETTING_NOT_FOUND",
                f"The BIOS setting {setting_id!r} of {where}.id is not a setting of the server "
                f"hardware type '{sht['name']}'. Accepted: one of {known}.",
                f"one of {known}",
                "Use the setting ids listed in the server hardware type's biosSettings.",
            )
        if setting_id in seen:
            raise refuse("INVALID_PARAMETER", f"{where}.id", setting_id, "each setting once")
        seen.add(setting_id)
        value = _bios_value(registry[setting_id], item.get("value"), f"{where}.value")
        result.append({"id": setting_id, "value": value})
    return {
        "manageBios": manage,
        "overriddenSettings": result,
        **compliance_control(raw, "bios"),
    }


def _bios_value(setting: dict[str, Any], value: Any, where: str) -> str:
    """The value as OneView stores it (a string), checked against the setting's registry entry."""
    kind = str(setting.get("type") or "").lower()
    name = f"{where} ({setting.get('id')})"
    code = "BIOS_SETTING_VALUE_INVALID"
    if kind == "enumeration" or (setting.get("options") and kind not in ("integer", "string")):
        options = [str(o.get("id")) for o in setting.get("options") or []]
        if str(value) not in options or isinstance(value, bool | dict | list) or value is None:
            raise refuse(code, name, value, f"one of {options}")
        return str(value)
    if kind == "integer":
        low, high = setting.get("lowerBound"), setting.get("upperBound")
        step = setting.get("scalarIncrement") or 1
        accepted = f"an integer from {low} to {high} in steps of {step}"
        try:
            number = int(str(value))
        except ValueError:
            raise refuse(code, name, value, accepted) from None
        if isinstance(value, bool) or (low is not None and number < low):
            raise refuse(code, name, value, accepted)
        if (high is not None and number > high) or (number - (low or 0)) % step:
            raise refuse(code, name, value, accepted)
        return str(number)
    if kind == "string":
        low, high = setting.get("stringMinLength") or 0, setting.get("stringMaxLength")
        accepted = f"a string of {low} to {high} characters"
        if (
            not isinstance(value, str)
            or len(value) < low
            or (high is not None and len(value) > high)
        ):
            raise refuse(code, name, value, accepted)
        return value
    if kind == "boolean":
        if str(value).lower() not in ("true", "false"):
            raise refuse(code, name, value, "true or false")
        return str(value).lower()
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise refuse(code, name, value, "a string")
    return str(value)


# --- firmware -----------------------------------------------------------------------------


def normalise_firmware(raw: Any, sht: Resource, store: Store) -> dict[str, Any]:
    if raw is None:
        return {"manageFirmware": False, "forceInstallFirmware": False}
    raw = as_object(raw, "firmware", "an object with manageFirmware and firmwareBaselineUri")
    manage = flag(raw, "manageFirmware", "firmware")
    force = flag(raw, "forceInstallFirmware", "firmware")
    compliance = compliance_control(raw, "firmware")
    if not manage:
        return {"manageFirmware": False, "forceInstallFirmware": force, **compliance}
    if "FirmwareUpdate" not in sht.get("capabilities", []):
        raise SectionRefused(
            "FIRMWARE_MANAGEMENT_NOT_SUPPORTED",
            f"The server hardware type '{sht['name']}' does not support firmware management "
            "(firmware.manageFirmware=true).",
            "firmware.manageFirmware=false",
            "Set firmware.manageFirmware to false for this server hardware type.",
        )
    uri = raw.get("firmwareBaselineUri")
    baseline = store.find(uri) if isinstance(uri, str) else None
    if baseline is None or baseline.get("category") != "firmware-drivers":
        known = [b["uri"] for b in store.iter("firmware-drivers")]
        raise SectionRefused(
            "FWBASELINE_NOT_FOUND",
            f"The specified firmware baseline {uri} does not exist in the repository "
            f"(firmware.firmwareBaselineUri). Accepted: one of {known}.",
            f"one of {known}",
            "Verify that the firmware baseline is present in the repository and try again.",
        )
    install = raw.get("firmwareInstallType") or "FirmwareAndOSDrivers"
    if install not in INSTALL_TYPES:
        raise refuse(
            "INVALID_PARAMETER", "firmware.firmwareInstallType", install, f"one of {INSTALL_TYPES}"
        )
    activation = raw.get("firmwareActivationType") or "Immediate"
    if activation not in ACTIVATION_TYPES:
        raise refuse(
            "INVALID_PARAMETER",
            "firmware.firmwareActivationType",
            activation,
            f"one of {ACTIVATION_TYPES}",
        )
    return {
        "manageFirmware": True,
        "firmwareBaselineUri": uri,
        "firmwareInstallType": install,
        "firmwareActivationType": activation,
        "forceInstallFirmware": force,
        **compliance,
    }


# --- secure boot --------------------------------------------------------------------------


def secure_boot_capable(sht: Resource) -> bool:
    """Gen10 and later with UEFIOptimized [unverified rule, the one SIM-A documents]."""
    if "secureBootCapable" in sht:
        return bool(sht["secureBootCapable"])
    found = re.search(r"Gen(\d+)", str(sht.get("model") or sht.get("name") or ""))
    generation = int(found.group(1)) if found else None
    return (
        generation is not None and generation >= 10 and "UEFIOptimized" in sht.get("bootModes", [])
    )


def check_secure_boot(boot_mode: dict[str, Any] | None, sht: Resource) -> None:
    if not boot_mode or boot_mode.get("secureBoot") != "Enabled":
        return
    if not secure_boot_capable(sht):
        raise SectionRefused(
            "SECURE_BOOT_NOT_SUPPORTED",
            f"The value 'Enabled' of 'bootMode.secureBoot' is not valid: the server hardware "
            f"type '{sht['name']}' ({sht.get('model')}) does not support secure boot. "
            "Accepted: Unmanaged or Disabled.",
            "Unmanaged or Disabled",
            "Set bootMode.secureBoot to Unmanaged for this server hardware type.",
        )
    if not boot_mode.get("manageMode") or boot_mode.get("mode") != "UEFIOptimized":
        raise refuse(
            "SECURE_BOOT_REQUIRES_UEFI_OPTIMIZED",
            "bootMode.mode",
            boot_mode.get("mode") if boot_mode.get("manageMode") else None,
            "UEFIOptimized with bootMode.manageMode=true",
            "Secure boot needs the UEFI Optimized boot mode.",
        )


# --- all sections at once -----------------------------------------------------------------

SECTION_LABELS = {"bios": "BIOS", "localStorage": "Local storage", "firmware": "Firmware"}


def normalise_sections(
    body: dict[str, Any],
    previous: dict[str, Any] | None,
    sht: Resource,
    server: Resource | None,
    store: Store,
) -> dict[str, dict[str, Any]]:
    """bios, localStorage and firmware as they will be stored (absent: the previous ones).

    :raises SectionRefused: a section OneView would refuse.
    """
    old = previous or {}
    return {
        "bios": normalise_bios(body.get("bios", old.get("bios")), sht),
        "localStorage": normalise_local_storage(
            body.get("localStorage", old.get("localStorage")), sht, server
        ),
        "firmware": normalise_firmware(body.get("firmware", old.get("firmware")), sht, store),
    }


def _offline(firmware: Any) -> bool:
    return bool(
        isinstance(firmware, dict)
        and firmware.get("manageFirmware")
        and firmware.get("firmwareInstallType", OFFLINE_INSTALL) == OFFLINE_INSTALL
    )


def sections_needing_power_off(old: dict[str, Any], new: dict[str, dict[str, Any]]) -> list[str]:
    """Changed sections OneView applies only with the server off (online firmware installs run
    through iSUT in the host OS, so they do not need it off)."""
    changed = []
    for key, label in SECTION_LABELS.items():
        if writable(old.get(key)) == writable(new[key]):
            continue
        if key == "firmware" and not (_offline(old.get(key)) or _offline(new[key])):
            continue
        changed.append(label)
    return changed


def stored(key: str, section: dict[str, Any]) -> dict[str, Any]:
    """The section as a profile shows it: with OneView's read-only reapply state (and, for
    firmware, every field, null when unused: RTK's V9 profile body)."""
    if key == "firmware":
        return profile_firmware(copy.deepcopy(section))
    return {**copy.deepcopy(section), "reapplyState": "NotApplying"}
