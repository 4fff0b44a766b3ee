"""Boot device, boot mode and secure boot through OneView, deferred while OneView refuses them.

A persistent boot device is the profile's boot order; the boot mode and secure boot are the
profile's ``bootMode`` (secure boot: ``secureBoot`` with mode ``UEFIOptimized``, Gen10 and
later). OneView changes none of them while the server is on, nor without a profile Ironic owns.
Such a change is stored in ``driver_internal_info`` and applied right before the next power-on
(when the server is off and, after a claim, carries our profile), all pending changes in one
profile update. Ironic asks for secure boot in ``prepare_instance`` while IPA may still run: it
is written when ``tear_down_agent`` has switched the server off, before ``boot_instance``.
A one-time boot is OneView's own ``oneTimeBoot`` override on the server, which works at any time
and needs no iLO credentials.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ironic.common import boot_devices, boot_modes, exception
from ironic.conductor.task_manager import TaskManager
from oslo_log import log as logging

from ..client import Conflict, OneViewError, configuration, profile_sections
from . import common
from .view import View

LOG = logging.getLogger(__name__)

# Ironic boot device -> OneView boot order name, and -> one-time boot value.
ORDER_NAMES = {
    boot_devices.PXE: "PXE",
    boot_devices.DISK: "HardDisk",
    boot_devices.CDROM: "CD",
    boot_devices.FLOPPY: "Floppy",
}
ONE_TIME_NAMES = {
    boot_devices.PXE: "Network",
    boot_devices.DISK: "HDD",
    boot_devices.CDROM: "CD",
    boot_devices.FLOPPY: "Floppy",
}
MODE_NAMES = {
    "BIOS": boot_modes.LEGACY_BIOS,
    "UEFI": boot_modes.UEFI,
    "UEFIOptimized": boot_modes.UEFI,
}
SECURE_BOOT_STATES = {"Enabled": True, "Disabled": False}  # "Unmanaged": unknown (None)


def _reverse(table: dict[str, str], value: Any) -> str | None:
    return next((ironic for ironic, name in table.items() if name == value), None)


def mode_of(body: dict[str, Any] | None) -> str | None:
    """The Ironic boot mode a profile's or template's ``bootMode`` names, or None."""
    mode = ((body or {}).get("bootMode") or {}).get("mode")
    return MODE_NAMES.get(mode) if isinstance(mode, str) else None


def supported_devices(view: View) -> list[str]:
    """Ironic boot devices the server hardware type can boot from, in Ironic's order."""
    capabilities = view.hardware_type().get("bootCapabilities") or []
    return [device for device, name in ORDER_NAMES.items() if name in capabilities]


def supported_modes(view: View) -> list[str]:
    modes = view.hardware_type().get("bootModes") or []
    return sorted({MODE_NAMES[m] for m in modes if m in MODE_NAMES})


def check_device(view: View, device: str) -> None:
    supported = supported_devices(view)
    if device not in supported:
        raise exception.InvalidParameterValue(
            f"Node {view.node.uuid}: boot device {device!r} is not supported by server hardware "
            f"type {view.info.server_hardware_type_uri}; expected one of {supported}."
        )


def _writable_profile(view: View) -> dict[str, Any] | None:
    """Our profile if OneView would accept a change to it now (server off), else None."""
    profile = view.profile()
    if profile is None or view.server_hardware().get("powerState") != "Off":
        return None
    return profile


def _store(task: TaskManager, key: str, value: Any, why: str) -> None:
    task.node.set_driver_internal_info(key, value)
    task.node.save()
    LOG.info("Node %s: %s stored and applied at the next power-on (%s)", task.node.uuid, key, why)


def set_persistent_device(task: TaskManager, view: View, device: str) -> None:
    """Move ``device`` to the front of the profile's boot order, now or at the next power-on."""
    pending = {"boot_device": device, "persistent": True}
    profile = _writable_profile(view)
    if profile is None:
        _store(task, common.PENDING_BOOT_DEVICE, pending, "server on or no Ironic profile")
        return
    try:
        _write_order(view, profile, device)
    except Conflict as error:  # switched on meanwhile, or OneView busy
        _store(task, common.PENDING_BOOT_DEVICE, pending, f"OneView refused: {error}")
        return
    task.node.del_driver_internal_info(common.PENDING_BOOT_DEVICE)
    task.node.save()


def _write_order(view: View, profile: dict[str, Any], device: str) -> None:
    name = ORDER_NAMES[device]
    current = (profile.get("boot") or {}).get("order") or []
    order = [name, *[d for d in current if d != name]]
    view.client.server_profiles.set_boot_order(profile["uri"], order)
    view.forget("sp")


def set_one_time_device(view: View, device: str) -> None:
    uri = view.info.server_hardware_uri
    try:
        view.client.server_hardware.set_one_time_boot(uri, ONE_TIME_NAMES[device])
    except OneViewError as error:
        raise common.driver_error(error, f"Setting one-time boot {device} on {uri}") from error
    view.forget("sh")


def clear_one_time_device(view: View) -> None:
    server = view.server_hardware()
    if server.get("oneTimeBoot") not in (None, "Normal"):
        view.client.server_hardware.set_one_time_boot(server["uri"], "Normal")
        view.forget("sh")


def current_device(task: TaskManager, view: View) -> dict[str, Any]:
    """Pending change first, then OneView's one-time override, then the profile's order."""
    pending = task.node.driver_internal_info.get(common.PENDING_BOOT_DEVICE)
    if pending:
        return dict(pending)
    one_time = view.server_hardware().get("oneTimeBoot")
    if one_time not in (None, "Normal"):
        return {"boot_device": _reverse(ONE_TIME_NAMES, one_time), "persistent": False}
    profile = view.profile()
    order = ((profile or {}).get("boot") or {}).get("order") or []
    if not order:
        return {"boot_device": None, "persistent": None}
    return {"boot_device": _reverse(ORDER_NAMES, order[0]), "persistent": True}


def set_mode(task: TaskManager, view: View, mode: str) -> None:
    supported = supported_modes(view)
    if mode not in supported:
        raise exception.InvalidParameterValue(
            f"Node {view.node.uuid}: boot mode {mode!r} is not supported by server hardware type "
            f"{view.info.server_hardware_type_uri}; expected one of {supported}."
        )
    if mode == boot_modes.LEGACY_BIOS and current_secure_boot(task, view):
        raise exception.InvalidParameterValue(
            f"Node {view.node.uuid}: boot mode {mode!r} is refused while secure boot is "
            "enabled (or pending); secure boot needs UEFI. Turn secure boot off first "
            "(baremetal node secure boot off)."
        )
    profile = _writable_profile(view)
    if profile is None:
        _store(task, common.PENDING_BOOT_MODE, mode, "server on or no Ironic profile")
        return
    try:
        _write_mode(view, profile, mode)
    except Conflict as error:
        _store(task, common.PENDING_BOOT_MODE, mode, f"OneView refused: {error}")
        return
    task.node.del_driver_internal_info(common.PENDING_BOOT_MODE)
    task.node.save()


def _write_mode(view: View, profile: dict[str, Any], mode: str) -> None:
    if mode == boot_modes.UEFI:
        modes = view.hardware_type().get("bootModes") or []
        name = "UEFIOptimized" if "UEFIOptimized" in modes else "UEFI"
    else:
        name = "BIOS"
    if mode_of(profile) == mode:
        return
    view.client.server_profiles.set_boot_mode(profile["uri"], name)
    view.forget("sp")
    view.node.set_driver_internal_info(common.PROFILE_BOOT_MODE, mode)


def current_mode(task: TaskManager, view: View) -> str | None:
    """Pending mode, else the mode of our profile (recorded when we wrote it), else the
    template's. Costs no request in Ironic's power sync, which asks this of every node."""
    info = task.node.driver_internal_info
    if info.get(common.PENDING_BOOT_MODE):
        return info[common.PENDING_BOOT_MODE]
    if view.info.applied_server_profile_uri and info.get(common.PROFILE_BOOT_MODE):
        return info[common.PROFILE_BOOT_MODE]
    if view.info.applied_server_profile_uri and not task.shared:
        profile = view.profile()
        if profile is not None:
            return mode_of(profile)
    return mode_of(view.shared_template())


def record_mode(task: TaskManager, profile: dict[str, Any]) -> None:
    """Remember our profile's boot mode and secure boot on the node (we are the only one who
    changes them), so Ironic's power sync asks OneView nothing for them."""
    mode = mode_of(profile)
    if mode:
        task.node.set_driver_internal_info(common.PROFILE_BOOT_MODE, mode)
    else:
        task.node.del_driver_internal_info(common.PROFILE_BOOT_MODE)
    _record_secure_boot(task, profile)


# -- secure boot ------------------------------------------------------------------------------
def secure_boot_of(body: dict[str, Any] | None) -> bool | None:
    """A profile's or template's ``bootMode.secureBoot``: True, False, or None (Unmanaged)."""
    value = ((body or {}).get("bootMode") or {}).get("secureBoot")
    return SECURE_BOOT_STATES.get(value) if isinstance(value, str) else None


def _record_secure_boot(task: TaskManager, profile: dict[str, Any]) -> None:
    """Tied to the profile's URI: a release or a new claim makes the record stale by itself."""
    state = {"profile": profile.get("uri"), "state": secure_boot_of(profile)}
    task.node.set_driver_internal_info(common.PROFILE_SECURE_BOOT, state)


def current_secure_boot(task: TaskManager, view: View) -> bool | None:
    """Pending state, else our profile's (recorded when claimed or written), else the
    template's. No request in Ironic's power sync, which asks this of every node."""
    info = task.node.driver_internal_info
    if info.get(common.PENDING_SECURE_BOOT) is not None:
        return bool(info[common.PENDING_SECURE_BOOT])
    applied = view.info.applied_server_profile_uri
    recorded = info.get(common.PROFILE_SECURE_BOOT) or {}
    if applied and recorded.get("profile") == applied:
        return recorded.get("state")
    if applied and not task.shared:
        profile = view.profile()
        if profile is not None:
            return secure_boot_of(profile)
    return secure_boot_of(view.shared_template())


def secure_boot_section(task: TaskManager, view: View, state: bool) -> dict[str, Any]:
    """The ``bootMode`` that turns secure boot on (with UEFIOptimized) or off, validated
    against the server hardware type (and a pending boot mode) before anything is sent.

    :raises: InvalidParameterValue naming the hardware type and what secure boot needs.
    """
    config = configuration.hardware_type_config(view.hardware_type())
    mode = task.node.driver_internal_info.get(common.PENDING_BOOT_MODE) if state else None
    try:
        return profile_sections.boot_mode_section(config, mode, state)
    except profile_sections.SettingRejected as error:
        raise exception.InvalidParameterValue(
            f"Node {task.node.uuid}: secure boot cannot be turned {'on' if state else 'off'} "
            f"on server hardware {view.info.server_hardware_uri} (server hardware type "
            f"{config.name!r}, {view.info.server_hardware_type_uri}): {error}. Nothing was "
            "changed in OneView."
        ) from error


def set_secure_boot(task: TaskManager, view: View, state: bool) -> None:
    """``bootMode.secureBoot`` of our profile, now (server off) or before the next power-on.

    Turning it off on a type without secure boot changes nothing (a tear-down must not fail).
    """
    config = configuration.hardware_type_config(view.hardware_type())
    if not state and not config.secure_boot:
        task.node.del_driver_internal_info(common.PENDING_SECURE_BOOT)
        task.node.save()
        LOG.info(
            "Node %s: server hardware type %s has no secure boot; nothing to turn off",
            task.node.uuid,
            config.name,
        )
        return
    section = secure_boot_section(task, view, state)
    current = view.profile()
    if current is not None and not profile_sections.merge_sections(
        copy.deepcopy(current), {"bootMode": section}
    ):  # e.g. composed into the claim: prepare_instance then asks for what is there
        task.node.del_driver_internal_info(common.PENDING_SECURE_BOOT)
        task.node.save()
        LOG.debug("Node %s: the profile already has secure boot %s", task.node.uuid, state)
        return
    profile = _writable_profile(view)
    if profile is None:
        _store(task, common.PENDING_SECURE_BOOT, state, "server on or no Ironic profile")
        return
    try:
        _write_boot_mode_section(task, view, profile, section)
    except Conflict as error:
        _store(task, common.PENDING_SECURE_BOOT, state, f"OneView refused: {error}")
        return
    task.node.del_driver_internal_info(common.PENDING_SECURE_BOOT)
    task.node.save()


def _write_boot_mode_section(
    task: TaskManager, view: View, profile: dict[str, Any], section: dict[str, Any]
) -> None:
    """One eTag'd PUT merging ``section`` into ``bootMode`` (nothing sent when it holds it)."""
    result = view.client.server_profiles.update(
        profile["uri"], lambda body: profile_sections.merge_sections(body, {"bootMode": section})
    )
    view.forget("sp")
    record_mode(task, result.resource)  # the body as written (or found, when unchanged)


def _pending_change(
    view: View, device: str | None, mode: str | None, secure: bool | None
) -> Callable[[dict[str, Any]], bool]:
    """One profile change carrying every pending boot setting (one OneView task, not three).

    :raises: SettingRejected when the pending mode and secure boot cannot go together.
    """
    section: dict[str, Any] = {}
    if mode or secure is not None:
        config = configuration.hardware_type_config(view.hardware_type())
        if secure is False and not config.secure_boot:
            secure = None
        if mode or secure is not None:
            section = profile_sections.boot_mode_section(config, mode, secure)

    def change(profile: dict[str, Any]) -> bool:
        changed = profile_sections.merge_sections(profile, {"bootMode": section})
        if device:
            name = ORDER_NAMES[device]
            boot = profile.setdefault("boot", {})
            current = boot.get("order") or []
            order = [name, *[d for d in current if d != name]]
            if order != current or not boot.get("manageBoot"):
                boot.update(manageBoot=True, order=order)
                changed = True
        return changed

    return change


def apply_pending(task: TaskManager, view: View) -> None:
    """Before a power-on, with the server off: write what OneView refused earlier, at once."""
    info = task.node.driver_internal_info
    device = (info.get(common.PENDING_BOOT_DEVICE) or {}).get("boot_device")
    mode = info.get(common.PENDING_BOOT_MODE)
    secure = info.get(common.PENDING_SECURE_BOOT)
    if not device and not mode and secure is None:
        return
    profile = _writable_profile(view)
    if profile is None:
        LOG.info("Node %s: pending boot settings kept (no Ironic profile yet)", task.node.uuid)
        return
    doing = f"Applying the pending boot settings of {task.node.uuid}"
    try:
        change = _pending_change(view, device, mode, secure)
        result = view.client.server_profiles.update(profile["uri"], change)
    except profile_sections.SettingRejected as error:
        raise common.OneViewDriverError(
            error=f"{doing} failed before anything was sent: {error}"
        ) from error
    except OneViewError as error:
        raise common.driver_error(error, doing) from error
    view.forget("sp")
    record_mode(task, result.resource)  # the body as written
    for key in (common.PENDING_BOOT_DEVICE, common.PENDING_BOOT_MODE, common.PENDING_SECURE_BOOT):
        task.node.del_driver_internal_info(key)
    task.node.save()
    LOG.info("Node %s: pending boot settings applied to its profile", task.node.uuid)
