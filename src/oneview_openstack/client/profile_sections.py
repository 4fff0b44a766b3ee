"""Profile sections built from Ironic's vocabulary, validated before anything is sent.

Ironic speaks of BIOS settings as ``[{"name", "value"}]``, of RAID as a ``target_raid_config``,
of firmware as a baseline and of boot mode and secure boot as words; a OneView profile holds them
as its ``bios``, ``localStorage``, ``firmware`` and ``bootMode`` sections. The builders here check
every value against what the server hardware type offers (its BIOS registry, its storage
capabilities, its boot modes) and refuse a bad one with :class:`SettingRejected`, naming the
field, the value and what would be accepted, so OneView is never asked to apply what it would
refuse half-way through a task. Nothing here sends a request: callers merge the sections into a
profile body (:func:`merge_sections`) inside a claim's ``customise`` or an eTag'd edit.
The local-storage builders live in ``raid_sections`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .configuration import SECURE_BOOT_MODE, BiosSetting, FirmwareBaseline, HardwareTypeConfig
from .raid_sections import (
    DEFAULT_CONTROLLER,
    ONEVIEW_RAID_LEVELS,
    empty_local_storage_section,
    local_storage_section,
)
from .setting_rejected import SettingRejected, one_of, type_name

BOOT_MODES = ("BIOS", "UEFI", "UEFIOptimized")
OFFLINE_INSTALL = "FirmwareOnlyOfflineMode"


# -- BIOS --------------------------------------------------------------------------------
def _integer(setting: BiosSetting, field: str, value: Any) -> str:
    low, high, step = setting.lower_bound, setting.upper_bound, setting.increment
    accepted = "an integer"
    if low is not None and high is not None:
        accepted += f" from {low} to {high}"
    elif low is not None:
        accepted += f" of at least {low}"
    elif high is not None:
        accepted += f" of at most {high}"
    if step and step > 1:
        accepted += f" in steps of {step}"
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None:
        raise SettingRejected(field, value, accepted)
    if (low is not None and number < low) or (high is not None and number > high):
        raise SettingRejected(field, value, accepted)
    if step and step > 1 and (number - (low or 0)) % step:
        raise SettingRejected(field, value, accepted)
    return str(number)


def _string(setting: BiosSetting, field: str, value: Any) -> str:
    low, high = setting.min_length, setting.max_length
    accepted = "a string"
    if low is not None and high is not None:
        accepted += f" of {low} to {high} characters"
    elif low is not None:
        accepted += f" of at least {low} characters"
    elif high is not None:
        accepted += f" of at most {high} characters"
    if not isinstance(value, str):
        raise SettingRejected(field, value, accepted)
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        raise SettingRejected(field, value, accepted)
    return value


def _enumeration(setting: BiosSetting, field: str, value: Any) -> str:
    if isinstance(value, str):
        if value in setting.options:
            return value
        if value in setting.option_names:  # a display name: its option id is what OneView takes
            return setting.options[setting.option_names.index(value)]
    raise SettingRejected(field, value, one_of(setting.options))


def _boolean(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower()
    raise SettingRejected(field, value, "true or false")


def bios_value(setting: BiosSetting, value: Any) -> str:
    """``value`` as OneView's overriddenSettings take it (a string), checked against the
    registry entry.

    :raises SettingRejected: the value is outside the setting's options, bounds or lengths.
    """
    field = f"BIOS setting {setting.id}"
    if setting.kind == "enumeration":
        return _enumeration(setting, field, value)
    if setting.kind == "integer":
        return _integer(setting, field, value)
    if setting.kind == "boolean":
        return _boolean(field, value)
    return _string(setting, field, value)


def bios_overrides(
    config: HardwareTypeConfig, settings: Sequence[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Ironic's ``[{"name", "value"}]`` → OneView's ``overriddenSettings`` ``[{"id", "value"}]``.

    A name is a setting id of the type's registry; a later duplicate wins.

    :raises SettingRejected: the type cannot manage BIOS, a name is not in its registry, or a
        value is outside its options, bounds, increment or lengths.
    """
    if not config.manage_bios:
        names = [s.get("name") for s in settings if isinstance(s, Mapping)]
        raise SettingRejected(
            f"BIOS settings on {type_name(config)}",
            names,
            "nothing: the type lacks the ManageBIOS capability",
        )
    chosen: dict[str, str] = {}
    for index, entry in enumerate(settings):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise SettingRejected(f"BIOS settings[{index}]", entry, 'a {"name", "value"} object')
        name = entry["name"]
        setting = config.bios.get(name)
        if setting is None:
            raise SettingRejected(
                "BIOS setting name",
                name,
                one_of(config.bios, f"the BIOS registry of {config.name}"),
            )
        chosen[setting.id] = bios_value(setting, entry.get("value"))
    return [{"id": setting_id, "value": value} for setting_id, value in chosen.items()]


def bios_section(
    overrides: Sequence[Mapping[str, Any]] | None, *, existing: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The ``bios`` section: ``existing`` overriddenSettings with ``overrides`` on top.

    ``overrides=None`` is a factory reset: BIOS managed, nothing overridden (defaults).
    """
    if overrides is None:
        return {"manageBios": True, "overriddenSettings": []}
    merged: dict[str, Any] = {}
    for entry in [*existing, *overrides]:
        if isinstance(entry, Mapping) and entry.get("id") is not None:
            merged[str(entry["id"])] = entry.get("value")
    return {
        "manageBios": True,
        "overriddenSettings": [{"id": key, "value": value} for key, value in merged.items()],
    }


# -- firmware, boot mode -------------------------------------------------------------------
def firmware_section(
    baseline: FirmwareBaseline, force: bool = False, *, config: HardwareTypeConfig | None = None
) -> dict[str, Any]:
    """``firmware`` installing ``baseline`` offline (no OS agent exists for online installs).

    :raises SettingRejected: the baseline has no URI, or ``config`` lacks FirmwareUpdate.
    """
    if config is not None and not config.firmware_update:
        raise SettingRejected(
            f"firmware baseline on {type_name(config)}",
            baseline.name or baseline.uri,
            "nothing: the type lacks the FirmwareUpdate capability",
        )
    if not baseline.uri:
        raise SettingRejected(
            "firmware baseline", baseline.name, "a baseline of /rest/firmware-drivers"
        )
    return {
        "manageFirmware": True,
        "firmwareBaselineUri": baseline.uri,
        "firmwareInstallType": OFFLINE_INSTALL,
        "forceInstallFirmware": bool(force),
    }


def _oneview_mode(config: HardwareTypeConfig, mode: str, secure_boot: bool | None) -> str:
    offered = config.boot_modes or BOOT_MODES
    if mode.lower() == "bios":
        wanted = "BIOS"
    elif mode.lower() == "uefi" and mode != "UEFI":  # Ironic's word: the best UEFI offered
        wanted = SECURE_BOOT_MODE if (secure_boot or SECURE_BOOT_MODE in offered) else "UEFI"
    else:
        wanted = mode
    if wanted not in BOOT_MODES or wanted not in offered:
        raise SettingRejected(f"boot mode of {type_name(config)}", mode, one_of(offered))
    return wanted


def boot_mode_section(
    config: HardwareTypeConfig, mode: str | None, secure_boot: bool | None
) -> dict[str, Any]:
    """``bootMode`` for a mode (OneView's name, or Ironic's ``bios``/``uefi``) and secure boot.

    ``secure_boot`` None leaves it as it is; True needs UEFIOptimized on a capable type;
    False is ``Disabled`` (``Unmanaged`` on a type without secure boot). ``mode`` None keeps
    the mode, or chooses UEFIOptimized when secure boot is turned on.

    :raises SettingRejected: the mode is not offered, or secure boot is asked of a type without
        it (Gen9) or with another mode.
    """
    if secure_boot and not config.secure_boot:
        generation = f"Gen{config.generation}" if config.generation else "of no known generation"
        raise SettingRejected(
            f"secure_boot on {type_name(config)} ({config.model or 'model unknown'}, {generation})",
            True,
            "False: secure boot needs a Gen10-or-later type offering UEFIOptimized",
        )
    section: dict[str, Any] = {}
    if mode is None and secure_boot:
        mode = SECURE_BOOT_MODE
    if mode is not None:
        section = {"manageMode": True, "mode": _oneview_mode(config, mode, secure_boot)}
    if secure_boot:
        if section.get("mode") != SECURE_BOOT_MODE:
            raise SettingRejected(
                "boot mode with secure_boot", mode, f"{SECURE_BOOT_MODE} (or Ironic's 'uefi')"
            )
        section["secureBoot"] = "Enabled"
    if secure_boot is False:
        section["secureBoot"] = "Disabled" if config.secure_boot else "Unmanaged"
    return section


def merge_sections(profile_body: dict[str, Any], sections: Mapping[str, dict[str, Any]]) -> bool:
    """Merge each section's keys into the body's section of that name (in place; keys the
    section does not name, e.g. ``complianceControl``, are kept). True if anything changed."""
    changed = False
    for name, section in sections.items():
        if not section:
            continue
        current = profile_body.get(name)
        current = current if isinstance(current, dict) else {}
        merged = {**current, **section}
        if merged != current or not isinstance(profile_body.get(name), dict):
            profile_body[name] = merged
            changed = True
    return changed


__all__ = [
    "BOOT_MODES",
    "DEFAULT_CONTROLLER",
    "OFFLINE_INSTALL",
    "ONEVIEW_RAID_LEVELS",
    "SettingRejected",
    "bios_overrides",
    "bios_section",
    "bios_value",
    "boot_mode_section",
    "empty_local_storage_section",
    "firmware_section",
    "local_storage_section",
    "merge_sections",
    "one_of",
]
