"""Read-only views of what a server can be configured with, and what it carries now.

The BIOS, RAID, firmware and secure-boot code (Ironic interfaces, composition, the builders in
``profile_sections``) all need the same facts from the same OneView bodies: a server hardware
type's BIOS registry and storage capabilities, a server's current BIOS values, firmware inventory
and local storage, an SPP baseline's components, a profile's compliance preview. Each body is
parsed here once, tolerantly: OneView versions and generations differ (a registry entry's ``type``
string varies, Gen8 ids are numbers), so an entry is classified by what it carries (``options`` →
enumeration, bounds → integer, string lengths → string) and a missing field is None or empty,
never an exception. The local-storage views live in ``storage_views`` and are re-exported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from . import json_fields as jf
from .storage_views import (
    IRONIC_RAID_LEVELS,
    LogicalDrive,
    PhysicalDrive,
    StorageInventory,
    ironic_raid_level,
    local_storage,
)

SettingKind = Literal["enumeration", "integer", "string", "boolean"]

#: The secure-boot rule [unverified, see docs/simulator.md]: what a type states
#: (``secureBootCapable``, or a ``SecureBoot`` capability), else Gen10 or later offering
#: UEFIOptimized (secure boot needs that mode; Gen9 offers UEFIOptimized but no secure boot).
SECURE_BOOT_CAPABILITY = "SecureBoot"
SECURE_BOOT_MODE = "UEFIOptimized"
SECURE_BOOT_MIN_GENERATION = 10

_GENERATION = re.compile(r"\bGen\s?(\d+)", re.IGNORECASE)


# -- server hardware type -------------------------------------------------------------------
@dataclass(frozen=True)
class BiosSetting:
    """One entry of a hardware type's BIOS registry (``biosSettings[]``)."""

    id: str  # what a profile's overriddenSettings[].id names ("WorkloadProfile", "210")
    name: str | None
    category: str | None
    kind: SettingKind
    default: str | None
    options: tuple[str, ...]  # option ids, the values a profile may set
    lower_bound: int | None
    upper_bound: int | None
    increment: int | None
    min_length: int | None
    max_length: int | None
    help_text: str | None
    option_names: tuple[str, ...] = ()  # display names, parallel to ``options``
    warning_text: str | None = None
    dependencies: tuple[str, ...] = ()  # dependencyList[].type, for people


def _kind(entry: Mapping[str, Any], options: tuple[str, ...]) -> SettingKind:
    if options:
        return "enumeration"
    if (
        jf.integer(entry.get("lowerBound")) is not None
        or jf.integer(entry.get("upperBound")) is not None
    ):
        return "integer"
    if (
        jf.integer(entry.get("stringMinLength")) is not None
        or jf.integer(entry.get("stringMaxLength")) is not None
    ):
        return "string"
    declared = (jf.text(entry.get("type")) or "").lower()
    if declared.startswith("int") or declared in ("number", "numeric"):
        return "integer"
    if declared.startswith("bool"):
        return "boolean"
    return "string"


def bios_setting(entry: Mapping[str, Any]) -> BiosSetting | None:
    """One registry entry; None when it has no id (nothing could name it)."""
    setting_id = jf.text(entry.get("id"))
    if setting_id is None:
        return None
    raw_options = [o for o in jf.objects(entry.get("options")) if jf.text(o.get("id")) is not None]
    options = tuple(str(jf.text(o.get("id"))) for o in raw_options)
    kind = _kind(entry, options)
    numeric = kind == "integer"
    textual = kind == "string"
    return BiosSetting(
        id=setting_id,
        name=jf.text(entry.get("name")),
        category=jf.text(entry.get("category")),
        kind=kind,
        default=jf.text(entry.get("defaultValue")),
        options=options,
        lower_bound=jf.integer(entry.get("lowerBound")) if numeric else None,
        upper_bound=jf.integer(entry.get("upperBound")) if numeric else None,
        increment=(jf.integer(entry.get("scalarIncrement")) or None) if numeric else None,
        min_length=jf.integer(entry.get("stringMinLength")) if textual else None,
        max_length=jf.integer(entry.get("stringMaxLength")) if textual else None,
        help_text=jf.text(entry.get("helpText")),
        option_names=tuple(
            jf.text(o.get("name")) or str(jf.text(o.get("id"))) for o in raw_options
        ),
        warning_text=jf.text(entry.get("warningText")),
        dependencies=tuple(
            t
            for t in (jf.text(d.get("type")) for d in jf.objects(entry.get("dependencyList")))
            if t
        ),
    )


@dataclass(frozen=True)
class HardwareTypeConfig:
    """What a server hardware type lets a profile configure."""

    uri: str | None
    name: str | None
    model: str | None
    generation: int | None  # 9, 10, 11 ... from "Gen10" in the model or name
    manage_bios: bool
    manage_local_storage: bool
    firmware_update: bool
    secure_boot: bool
    boot_modes: tuple[str, ...]
    bios: Mapping[str, BiosSetting]  # by setting id, in registry order
    raid_levels: tuple[str, ...]  # OneView's names: "RAID0", "RAID1", "RAID10" ...
    controller_modes: tuple[str, ...]
    drive_technologies: tuple[str, ...]  # "SasHdd", "SataSsd" ...; empty = not stated
    maximum_drives: int | None
    capabilities: tuple[str, ...] = ()
    controller_capabilities: tuple[str, ...] = ()


def generation_of(*names: str | None) -> int | None:
    """``"ProLiant DL360 Gen10 Plus"`` → 10; the first of ``names`` that says."""
    for name in names:
        found = _GENERATION.search(name or "")
        if found:
            return int(found.group(1))
    return None


def hardware_type_config(sht: Mapping[str, Any]) -> HardwareTypeConfig:
    """The configuration facts of a ``/rest/server-hardware-types/{id}`` body."""
    capabilities = jf.strings(sht.get("capabilities"))
    boot_modes = jf.strings(sht.get("bootModes"))
    model = jf.text(sht.get("model"))
    name = jf.text(sht.get("name"))
    generation = generation_of(model, name)
    storage = jf.mapping(sht.get("storageCapabilities"))
    settings: dict[str, BiosSetting] = {}
    for entry in jf.objects(sht.get("biosSettings")):
        setting = bios_setting(entry)
        if setting is not None:
            settings.setdefault(setting.id, setting)
    stated = jf.boolean(sht.get("secureBootCapable"))  # a type that says so outright
    secure_boot = (
        stated
        if stated is not None
        else SECURE_BOOT_CAPABILITY in capabilities
        or (
            generation is not None
            and generation >= SECURE_BOOT_MIN_GENERATION
            and SECURE_BOOT_MODE in boot_modes
        )
    )
    maximum = jf.integer(storage.get("maximumDrives"))
    return HardwareTypeConfig(
        uri=jf.text(sht.get("uri")),
        name=name,
        model=model,
        generation=generation,
        manage_bios="ManageBIOS" in capabilities,
        manage_local_storage="ManageLocalStorage" in capabilities,
        firmware_update="FirmwareUpdate" in capabilities,
        secure_boot=secure_boot,
        boot_modes=boot_modes,
        bios=MappingProxyType(settings),
        raid_levels=jf.strings(storage.get("raidLevels")),
        controller_modes=jf.strings(storage.get("controllerModes")),
        drive_technologies=jf.strings(storage.get("driveTechnologies")),
        maximum_drives=maximum if maximum is not None and maximum > 0 else None,
        capabilities=capabilities,
        controller_capabilities=jf.strings(storage.get("controllerCapabilities")),
    )


# -- server hardware sub-resources ----------------------------------------------------------
def current_bios(body: Mapping[str, Any]) -> dict[str, str]:
    """``GET …/bios`` → setting id → current value (entries without an id are skipped)."""
    values: dict[str, str] = {}
    for entry in jf.objects(body.get("settings")):
        setting_id = jf.text(entry.get("id"))
        value = entry.get("value")
        if isinstance(value, bool):
            text: str | None = "true" if value else "false"
        else:
            text = value if isinstance(value, str) else jf.text(value)
        if setting_id is not None and text is not None:
            values[setting_id] = text
    return values


@dataclass(frozen=True)
class FirmwareComponent:
    """One firmware component: installed (``/firmware``) or in a baseline (``fwComponents``)."""

    name: str
    version: str | None
    location: str | None  # where it is installed ("System Board"); None in a baseline
    key: str | None  # componentKey when installed; the first swKeyNameList entry in a baseline
    file_name: str | None = None  # a baseline's component file ("cp012345.exe")


def firmware_components(body: Mapping[str, Any]) -> tuple[FirmwareComponent, ...]:
    """``GET …/firmware`` → its components (nameless ones are skipped)."""
    found = []
    for entry in jf.objects(body.get("components")):
        name = jf.text(entry.get("componentName"))
        if name is None:
            continue
        found.append(
            FirmwareComponent(
                name=name,
                version=jf.text(entry.get("componentVersion")),
                location=jf.text(entry.get("componentLocation")),
                key=jf.text(entry.get("componentKey")),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class FirmwareBaseline:
    """An SPP (or custom) baseline of ``/rest/firmware-drivers``."""

    uri: str | None
    name: str | None
    short_name: str | None  # baselineShortName, e.g. "SPP_2026_03"
    version: str | None
    release_date: str | None
    components: tuple[FirmwareComponent, ...]
    bundle_type: str | None = None  # "SPP", "Custom", "Hotfix"
    state: str | None = None  # "Created" when usable


def firmware_baseline(body: Mapping[str, Any]) -> FirmwareBaseline:
    """A ``/rest/firmware-drivers/{id}`` body."""
    components = []
    for entry in jf.objects(body.get("fwComponents")):
        name = jf.text(entry.get("name"))
        if name is None:
            continue
        keys = jf.strings(entry.get("swKeyNameList"))
        components.append(
            FirmwareComponent(
                name=name,
                version=jf.text(entry.get("componentVersion")),
                location=None,
                key=keys[0] if keys else None,
                file_name=jf.text(entry.get("fileName")),
            )
        )
    return FirmwareBaseline(
        uri=jf.text(body.get("uri")),
        name=jf.text(body.get("name")),
        short_name=jf.text(body.get("baselineShortName")),
        version=jf.text(body.get("version")),
        release_date=jf.text(body.get("releaseDate")),
        components=tuple(components),
        bundle_type=jf.text(body.get("bundleType")),
        state=jf.text(body.get("state")),
    )


# -- profiles ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompliancePreview:
    """What an update from the template would change (``…/compliance-preview``)."""

    online: bool  # isOnlineUpdate: the update can be made with the server on
    automatic: tuple[str, ...]
    manual: tuple[str, ...]

    @property
    def changes(self) -> bool:
        return bool(self.automatic or self.manual)


def compliance_preview(body: Mapping[str, Any]) -> CompliancePreview:
    return CompliancePreview(
        online=bool(jf.boolean(body.get("isOnlineUpdate"))),
        automatic=jf.strings(body.get("automaticUpdates")),
        manual=jf.strings(body.get("manualUpdates")),
    )


__all__ = [
    "IRONIC_RAID_LEVELS",
    "BiosSetting",
    "CompliancePreview",
    "FirmwareBaseline",
    "FirmwareComponent",
    "HardwareTypeConfig",
    "LogicalDrive",
    "PhysicalDrive",
    "StorageInventory",
    "bios_setting",
    "compliance_preview",
    "current_bios",
    "firmware_baseline",
    "firmware_components",
    "generation_of",
    "hardware_type_config",
    "ironic_raid_level",
    "local_storage",
]
