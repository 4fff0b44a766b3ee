"""Dynamic allocation: Ironic holds a server (a profile from the node's template) only while needed.

``claim`` reuses a profile Ironic already applied, heals a stale ``applied_server_profile_uri``,
refuses a server a OneView user owns, and never leaves a half-created profile behind. ``release``
deletes only a profile Ironic owns. Both power the server off first: OneView assigns and removes
profiles only on a server that is off.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager
from oslo_log import log as logging

from ..client import NotFound, OneViewError, TaskFailed
from . import boot, common, composition, ownership, serverpower
from .common import Node
from .ownership import Owner
from .view import View, view_of

LOG = logging.getLogger(__name__)
Customise = Callable[[dict[str, Any]], None]


class AllocationError(Exception):
    """A claim or release failed; the text is for the operator (callers wrap it for Ironic)."""


def deploy_name(node: Node) -> str:
    display = (node.instance_info or {}).get("display_name") or node.name or "Ironic"
    return f"{display} [{node.instance_uuid or node.uuid}]"


def cleaning_name(node: Node) -> str:
    return f"Ironic Cleaning [{node.uuid}]"


def service_name(node: Node) -> str:
    return f"Ironic Servicing [{node.uuid}]"


def _power_off(view: View, server: dict[str, Any]) -> None:
    if server.get("powerState") != "Off":
        serverpower.set_power(view, "Off", "PressAndHold", serverpower.power_deadline(None))


def _record(task: TaskManager, profile_uri: str | None) -> None:
    driver_info = dict(task.node.driver_info or {})
    if profile_uri:
        driver_info[common.APPLIED_PROFILE_URI] = profile_uri
    else:
        driver_info.pop(common.APPLIED_PROFILE_URI, None)
    task.node.driver_info = driver_info
    task.node.save()
    view_of(task).forget()


def claim(
    task: TaskManager,
    name: str,
    *,
    template_uri: str | None = None,
    customise: Customise | None = None,
) -> str:
    """Make sure the node's server carries an Ironic profile; returns its URI.

    A new profile comes from ``template_uri`` (default: the node's template), its body edited
    by ``customise`` before the one POST (a deployment's composed steps). An existing Ironic
    profile is reused as it is.
    """
    view = view_of(task)
    node = task.node
    info = view.info
    try:
        server = serverpower.read_server(view)
        current = str(server.get("serverProfileUri") or "")
        who = ownership.owner(server, info.applied_server_profile_uri)
        if who is Owner.ONEVIEW and adopt_lost_claim(task, server, (name,)):
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
        template_uri = template_uri or info.server_profile_template_uri
        profile = _create(view, name, template_uri, customise)
    except (OneViewError, exception.IronicException) as error:
        raise AllocationError(
            f"Claiming server hardware {info.server_hardware_uri} failed: {error}"
        ) from error
    boot.record_mode(task, profile)
    task.node.set_driver_internal_info(common.CLAIM_TEMPLATE, template_uri)
    _record(task, profile["uri"])
    LOG.info(
        "Node %s: claimed server hardware %s with profile %s",
        node.uuid,
        info.server_hardware_uri,
        profile["uri"],
    )
    return profile["uri"]


def _deadline() -> serverpower.Deadline:
    return serverpower.lock_deadline()


def claim_names(node: Node) -> tuple[str, ...]:
    """Every name a claim of this node gives its profile (each carries a UUID of the node's)."""
    return (deploy_name(node), cleaning_name(node), service_name(node))


def adopt_lost_claim(
    task: TaskManager, server: dict[str, Any], names: tuple[str, ...] | None = None
) -> bool:
    """Record the server's profile as the node's when it carries one of its claim ``names``.

    A conductor that dies while OneView applies a claim's profile never writes
    ``applied_server_profile_uri``, and OneView finishes the apply without it. Unrecorded, the
    profile looks like a OneView user's: tear-down would leave it and a new claim be refused.
    The name says whose it is. ``names`` defaults to every claim name of the node (recording or
    releasing a profile is right whatever it was made for; a claim passes only its own name, so
    a deployment never runs on a profile made for cleaning). Returns True when adopted.
    """
    view = view_of(task)
    current = server.get("serverProfileUri")
    if not current or current == view.info.applied_server_profile_uri:
        return False
    name = _named(view, current)
    if name not in (names or claim_names(task.node)):
        return False
    LOG.warning(
        "Node %s: adopting profile %s (%s), applied by a claim whose record was lost (e.g. the "
        "conductor stopped while OneView applied it)",
        task.node.uuid,
        current,
        name,
    )
    task.upgrade_lock()
    _record(task, current)
    return True


def _named(view: View, profile_uri: str | None) -> str | None:
    if not profile_uri:
        return None
    try:
        return view.client.server_profiles.get(profile_uri).get("name")
    except OneViewError:
        return None


def _create(
    view: View, name: str, template_uri: str, customise: Customise | None
) -> dict[str, Any]:
    info = view.info
    profiles = view.client.server_profiles
    try:
        return profiles.create_from_template(
            template_uri,
            name,
            info.server_hardware_uri,
            detach=not common.CONF.oneview.keep_profiles_linked_to_template,
            customise=customise,
        )
    except TaskFailed as error:
        _remove_failed(view, error.resource_uri, name)
        raise AllocationError(
            f"OneView could not apply a profile from template {template_uri} "
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


def _delete_if_left_unassigned(task: TaskManager, profile_uri: str) -> None:
    """Delete Ironic's profile that a OneView user unassigned to take the server.

    OneView keeps an unassigned profile; forgetting it would leave Ironic's profile behind for
    good. Only a profile on no server and carrying one of the node's claim names is deleted
    (no power is involved: it is on no server).
    """
    profiles = view_of(task).client.server_profiles
    try:
        profile = profiles.get(profile_uri)
        if profile.get("serverHardwareUri") or profile.get("name") not in claim_names(task.node):
            return
        profiles.delete(profile_uri)
    except NotFound:
        return
    except OneViewError as error:
        LOG.warning(
            "Node %s: could not delete its unassigned profile %s: %s",
            task.node.uuid,
            profile_uri,
            error.summary,
        )
        return
    LOG.info(
        "Node %s: deleted its profile %s, which a OneView user had unassigned",
        task.node.uuid,
        profile_uri,
    )


def taken_by_oneview(task: TaskManager) -> bool:
    """True when a OneView user owns the node's server now (a fresh read)."""
    view = view_of(task)
    try:
        server = serverpower.read_server(view)
    except exception.IronicException:
        return False  # unreadable: let the normal path report it
    if ownership.owner(server, view.info.applied_server_profile_uri) is not Owner.ONEVIEW:
        return False
    return not adopt_lost_claim(task, server)


def forget(task: TaskManager) -> None:
    """Drop the node's record of a profile without touching OneView."""
    task.node.del_driver_internal_info(common.PROFILE_BOOT_MODE)
    task.node.del_driver_internal_info(common.CLAIM_TEMPLATE)
    composition.forget(task)
    if (task.node.driver_info or {}).get(common.APPLIED_PROFILE_URI):
        _record(task, None)


def release(task: TaskManager) -> None:
    """Delete the node's profile if Ironic owns it; forget it in any case."""
    view = view_of(task)
    node = task.node
    info = view.info
    applied = info.applied_server_profile_uri
    try:
        server = serverpower.read_server(view)
        who = ownership.owner(server, applied)
        if who is Owner.ONEVIEW and adopt_lost_claim(task, server):
            applied, who = server["serverProfileUri"], Owner.IRONIC
        if who is Owner.IRONIC and applied:
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
            if applied:
                _delete_if_left_unassigned(task, applied)
    except (OneViewError, exception.IronicException) as error:
        raise AllocationError(
            f"Releasing server hardware {info.server_hardware_uri} failed: {error}"
        ) from error
    if applied:
        _record(task, None)
    task.node.del_driver_internal_info(common.CLAIMED_FOR)
    task.node.del_driver_internal_info(common.PROFILE_BOOT_MODE)
    task.node.del_driver_internal_info(common.CLAIM_TEMPLATE)
    composition.forget(task)
    task.node.save()
