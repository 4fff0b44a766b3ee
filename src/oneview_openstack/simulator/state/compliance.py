"""How a profile that keeps its template link differs from the template, section by section.

Each template section carries ``complianceControl``: ``Checked`` (the profile must match),
``CheckedMinimum`` (collections only: the profile holds at least the template's members) or
``Unchecked`` (OneView 4.2 consistency-validation pages; a section without the field counts as
``Unchecked`` here [unverified default]). Local storage differences are listed as manual
updates: OneView documents that an update from the template does not remediate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store import Resource

# (template/profile key, the label OneView's power-off errors use for the section)
CONTROLLED = (
    ("bios", "BIOS"),
    ("firmware", "Firmware"),
    ("bootMode", "Boot settings"),
    ("boot", "Boot settings"),
    ("connectionSettings", "Connections"),
    ("localStorage", "Local storage"),
)
OFFLINE_INSTALL = "FirmwareOnlyOfflineMode"


@dataclass(frozen=True)
class Difference:
    key: str
    label: str
    text: str
    needs_power_off: bool
    manual: bool = False


def control(template: Resource, key: str) -> str:
    return str((template.get(key) or {}).get("complianceControl") or "Unchecked")


def differences(template: Resource, profile: Resource) -> list[Difference]:
    """What an update from ``template`` would change in ``profile`` (and what it cannot)."""
    found = []
    for key, label in CONTROLLED:
        mode = control(template, key)
        if mode == "Unchecked":
            continue
        wanted, actual = template.get(key) or {}, profile.get(key) or {}
        text = _difference(key, mode, wanted, actual)
        if text is None:
            continue
        found.append(
            Difference(
                key,
                label,
                text,
                needs_power_off=_needs_power_off(key, wanted, actual),
                manual=key == "localStorage",
            )
        )
    return found


def _difference(key: str, mode: str, wanted: dict[str, Any], actual: dict[str, Any]) -> str | None:
    if key == "bios":
        same = bool(wanted.get("manageBios")) == bool(actual.get("manageBios")) and _settings(
            wanted
        ) == _settings(actual)
        return None if same else "Update the BIOS settings to the template's."
    if key == "firmware":
        if _firmware(wanted) == _firmware(actual):
            return None
        return f"Update the firmware baseline to {wanted.get('firmwareBaselineUri')}."
    if key == "bootMode":
        if _boot_mode(wanted) == _boot_mode(actual):
            return None
        return (
            f"Change the boot mode to {wanted.get('mode')} "
            f"(secure boot {wanted.get('secureBoot', 'Unmanaged')})."
        )
    if key == "boot":
        same = (bool(wanted.get("manageBoot")), list(wanted.get("order") or [])) == (
            bool(actual.get("manageBoot")),
            list(actual.get("order") or []),
        )
        return None if same else f"Change the boot order to {wanted.get('order') or []}."
    if key == "connectionSettings":
        template_set = _connections(wanted)
        profile_set = _connections(actual)
        ok = (
            template_set <= profile_set if mode == "CheckedMinimum" else template_set == profile_set
        )
        return None if ok else "Update the connections to the template's."
    template_drives = _logical_drives(wanted)
    profile_drives = _logical_drives(actual)
    ok = (
        template_drives <= profile_drives
        if mode == "CheckedMinimum"
        else template_drives == profile_drives
    )
    if ok:
        return None
    missing = sorted(name for _, name, *_ in template_drives - profile_drives)
    return (
        f"Local storage differs from the template (logical drives {missing}): local storage is "
        "not updated from the template; change it in the profile."
    )


def _settings(bios: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (str(s.get("id")), str(s.get("value")))
        for s in bios.get("overriddenSettings") or []
        if isinstance(s, dict)
    }


def _firmware(firmware: dict[str, Any]) -> tuple[Any, ...]:
    if not firmware.get("manageFirmware"):
        return (False,)
    return (
        True,
        firmware.get("firmwareBaselineUri"),
        firmware.get("firmwareInstallType"),
        bool(firmware.get("forceInstallFirmware")),
    )


def _boot_mode(boot_mode: dict[str, Any]) -> tuple[Any, ...]:
    if not boot_mode.get("manageMode"):
        return (False,)
    return (
        True,
        boot_mode.get("mode"),
        boot_mode.get("pxeBootPolicy", "Auto"),
        boot_mode.get("secureBoot", "Unmanaged"),
    )


def _connections(settings: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (
            c.get("id"),
            c.get("portId"),
            c.get("networkUri"),
            str(c.get("requestedMbps")),
            (c.get("boot") or {}).get("priority", "NotBootable"),
        )
        for c in settings.get("connections") or []
        if isinstance(c, dict)
    }


def _logical_drives(storage: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (
            c.get("deviceSlot"),
            d.get("name"),
            d.get("raidLevel"),
            d.get("numPhysicalDrives"),
            d.get("driveTechnology"),
        )
        for c in storage.get("controllers") or []
        if isinstance(c, dict)
        for d in c.get("logicalDrives") or []
        if isinstance(d, dict)
    }


def _needs_power_off(key: str, wanted: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Online firmware installs and a connection's network or bandwidth change work while on."""
    if key == "firmware":
        return any(
            f.get("manageFirmware")
            and f.get("firmwareInstallType", OFFLINE_INSTALL) == OFFLINE_INSTALL
            for f in (wanted, actual)
        )
    if key == "connectionSettings":
        ports = {(c[0], c[1]) for c in _connections(wanted)}
        return ports != {(c[0], c[1]) for c in _connections(actual)}
    return True


def preview(template: Resource, profile: Resource) -> dict[str, Any]:
    """``GET …/compliance-preview``: what an update from the template would do."""
    found = differences(template, profile)
    automatic = [d for d in found if not d.manual]
    return {
        "type": "ServerProfileCompliancePreviewV1",
        "isOnlineUpdate": not any(d.needs_power_off for d in automatic),
        "automaticUpdates": [d.text for d in automatic],
        "manualUpdates": [d.text for d in found if d.manual],
    }
