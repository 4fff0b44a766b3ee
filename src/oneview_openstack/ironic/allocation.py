"""Dynamic allocation: Ironic holds a server (a profile from the node's template) only while needed.

``claim`` reuses a profile Ironic already applied, heals a stale ``applied_server_profile_uri``,
refuses a server a OneView user owns, and never leaves a half-created profile behind. ``release``
deletes only a profile Ironic owns. Both power the server off first: OneView assigns and removes
profiles only on a server that is off.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from ironic.common import exception
from ironic.conf import CONF
from oslo_log import log as logging

from ..client import NotFound, OneViewError, TaskFailed
from . import boot, common, ownership, serverpower
from .ownership import Owner
from .view import View, view_of

LOG = logging.getLogger(__name__)


class AllocationError(Exception):
    """A claim or release failed; the text is for the operator (callers wrap it for Ironic)."""


def deploy_name(node: Any) -> str:
    display = (node.instance_info or {}).get("display_name") or node.name or "Ironic"
    return f"{display} [{node.instance_uuid or node.uuid}]"


def cleaning_name(node: Any) -> str:
    return f"Ironic Cleaning [{node.uuid}]"


def service_name(node: Any) -> str:
    return f"Ironic Servicing [{node.uuid}]"


def _power_off(view: View, server: dict[str, Any]) -> None:
    if server.get("powerState") != "Off":
        serverpower.set_power(
            view, "Off", "PressAndHold", float(CONF.conductor.power_state_change_timeout)
        )


def _record(task: Any, profile_uri: str | None) -> None:
    driver_info = dict(task.node.driver_info or {})
    if profile_uri:
        driver_info[common.APPLIED_PROFILE_URI] = profile_uri
    else:
        driver_info.pop(common.APPLIED_PROFILE_URI, None)
    task.node.driver_info = driver_info
    task.node.save()
    view_of(task).forget()


def claim(task: Any, name: str) -> str:
    """Make sure the node's server carries an Ironic profile; returns its URI."""
    view = view_of(task)
    node = task.node
    info = view.info
    try:
        server = serverpower.read_server(view)
        current = server.get("serverProfileUri")
        who = ownership.owner(server, info.applied_server_profile_uri)
        if who is Owner.ONEVIEW and _named(view, current) == name:
            LOG.warning(
                "Node %s: adopting profile %s, created by an earlier claim", node.uuid, current
            )
            _record(task, current)
            return current
        if who is Owner.ONEVIEW:
            raise AllocationError(ownership.in_use_message(node, server))
        if who is Owner.IRONIC:
            LOG.info(
                "Node %s: profile %s was already applied by Ironic; reusing it", node.uuid, current
            )
            return current
        if info.applied_server_profile_uri:
            LOG.warning(
                "Node %s: driver_info/%s %s is stale (server hardware %s carries no profile); "
                "removed",
                node.uuid,
                common.APPLIED_PROFILE_URI,
                info.applied_server_profile_uri,
                info.server_hardware_uri,
            )
            _record(task, None)
        server = serverpower.wait_until_unlocked(view, _deadline(), server)
        _power_off(view, server)
        profile = _create(view, name)
    except AllocationError:
        raise
    except (OneViewError, exception.IronicException) as error:
        raise AllocationError(
            f"Claiming server hardware {info.server_hardware_uri} failed: {error}"
        ) from error
    boot.record_mode(task, profile)
    _record(task, profile["uri"])
    LOG.info(
        "Node %s: claimed server hardware %s with profile %s",
        node.uuid,
        info.server_hardware_uri,
        profile["uri"],
    )
    return profile["uri"]


def _deadline() -> float:
    return time.monotonic() + CONF.oneview.power_lock_timeout


def _named(view: View, profile_uri: str | None) -> str | None:
    if not profile_uri:
        return None
    try:
        return view.client.server_profiles.get(profile_uri).get("name")
    except OneViewError:
        return None


def _create(view: View, name: str) -> dict[str, Any]:
    info = view.info
    profiles = view.client.server_profiles
    try:
        return profiles.create_from_template(
            info.server_profile_template_uri, name, info.server_hardware_uri
        )
    except TaskFailed as error:
        _remove_failed(view, error.resource_uri, name)
        raise AllocationError(
            f"OneView could not apply a profile from template {info.server_profile_template_uri} "
            f"to server hardware {info.server_hardware_uri}: {error}. The failed profile was "
            "removed."
        ) from error


def _remove_failed(view: View, profile_uri: str | None, name: str) -> None:
    """Delete what a failed create left behind (OneView keeps a CreateFailed profile)."""
    profiles = view.client.server_profiles
    try:
        if not profile_uri:
            found = profiles.find_by_name(name)
            if found is None or found.get("serverHardwareUri") not in (
                None,
                view.info.server_hardware_uri,
            ):
                return
            profile_uri = found["uri"]
        profiles.delete(profile_uri, force=True)
        LOG.info("Removed profile %s left by a failed claim", profile_uri)
    except NotFound:
        return
    except OneViewError as error:
        LOG.error("Could not remove profile %s left by a failed claim: %s", profile_uri, error)


def taken_by_oneview(task: Any) -> bool:
    """True when a OneView user owns the node's server now (a fresh read)."""
    view = view_of(task)
    try:
        server = serverpower.read_server(view)
    except exception.IronicException:
        return False  # unreadable: let the normal path report it
    return ownership.owner(server, view.info.applied_server_profile_uri) is Owner.ONEVIEW


def forget(task: Any) -> None:
    """Drop the node's record of a profile without touching OneView."""
    task.node.del_driver_internal_info(common.PROFILE_BOOT_MODE)
    if (task.node.driver_info or {}).get(common.APPLIED_PROFILE_URI):
        _record(task, None)


def release(task: Any) -> None:
    """Delete the node's profile if Ironic owns it; forget it in any case."""
    view = view_of(task)
    node = task.node
    info = view.info
    applied = info.applied_server_profile_uri
    try:
        server = serverpower.read_server(view)
        who = ownership.owner(server, applied)
        if who is Owner.IRONIC:
            server = serverpower.wait_until_unlocked(view, _deadline(), server)
            _power_off(view, server)
            with contextlib.suppress(NotFound):
                view.client.server_profiles.delete(applied)
            LOG.info(
                "Node %s: released server hardware %s (profile %s deleted)",
                node.uuid,
                info.server_hardware_uri,
                applied,
            )
        elif who is Owner.ONEVIEW:
            LOG.warning(
                "Node %s: not deleting profile %s of server hardware %s: it is not Ironic's "
                "(node's %s is %s)",
                node.uuid,
                server.get("serverProfileUri"),
                info.server_hardware_uri,
                common.APPLIED_PROFILE_URI,
                applied,
            )
    except AllocationError:
        raise
    except (OneViewError, exception.IronicException) as error:
        raise AllocationError(
            f"Releasing server hardware {info.server_hardware_uri} failed: {error}"
        ) from error
    if applied:
        _record(task, None)
    task.node.del_driver_internal_info(common.CLAIMED_FOR)
    task.node.del_driver_internal_info(common.PROFILE_BOOT_MODE)
    task.node.save()
