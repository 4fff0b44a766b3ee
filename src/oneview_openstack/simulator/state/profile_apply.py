"""What applying a profile's configuration sections costs (simulated time, task steps) and what it
does to the server when the task succeeds (SIM-A's ``server_config.apply_*``).

A profile apply that touches BIOS or local storage takes minutes more; one with a firmware
baseline boots the server into the SPP and runs SUM, which takes tens of minutes
(POSH-HPEOneView#15: "each of the profile assignment is taking ~30+min").
"""

from __future__ import annotations

from typing import Any

from ..store import Resource, Store
from .core import Core
from .profile_checks import writable
from .server_config import apply_baseline, apply_bios, apply_local_storage

# Section -> (task_durations kind, the step the task reports while it runs).
SECTION_WORK = {
    "localStorage": ("local_storage", "Apply local storage settings."),
    "firmware": ("firmware", "Install the firmware baseline (Service Pack for ProLiant)."),
    "bios": ("bios", "Apply BIOS settings."),
}


def managed(key: str, section: dict[str, Any] | None) -> bool:
    """Whether applying this section does anything to the hardware."""
    section = section or {}
    if key == "bios":
        return bool(section.get("manageBios"))
    if key == "firmware":
        return bool(section.get("manageFirmware"))
    return bool(section.get("controllers"))


def sections_to_apply(new: dict[str, dict[str, Any]], old: dict[str, Any] | None) -> list[str]:
    """Managed sections that are new or changed (a re-sent section is not applied again)."""
    return [
        key
        for key in SECTION_WORK
        if managed(key, new.get(key))
        and (old is None or writable(old.get(key)) != writable(new.get(key)))
    ]


def busy_state(keys: list[str]) -> str:
    """The server's ``state`` during the task: installing a baseline shows UpdatingFirmware
    (one of OneView's server states, team reference §5; that it shows for the whole profile
    task is [unverified])."""
    return "UpdatingFirmware" if "firmware" in keys else "ApplyingProfile"


def extra_work(core: Core, keys: list[str]) -> tuple[float, list[str]]:
    """Simulated seconds and progress steps the sections add to a profile task."""
    seconds, steps = 0.0, []
    for key in keys:
        kind, step = SECTION_WORK[key]
        seconds += core.duration(kind)
        steps.append(step)
    return seconds, steps


def apply_to_server(
    store: Store, server: Resource | None, sht: Resource, sections: dict[str, Any], keys: list[str]
) -> None:
    """The task succeeded: the server's BIOS, storage and firmware now show the sections."""
    if server is None:
        return
    for key in keys:
        section = sections[key]
        if key == "bios":
            apply_bios(server, sht, section.get("overriddenSettings") or [], True)
        elif key == "localStorage":
            apply_local_storage(server, section)
        else:
            baseline = store.get(section["firmwareBaselineUri"])
            apply_baseline(server, baseline, force=bool(section.get("forceInstallFirmware")))
    store.touch(server)
