"""Asynchronous profile edits: a step starts one OneView task and a periodic waits for it.

A BIOS, RAID or firmware change is one eTag'd PUT of the node's server profile; OneView applies
it in a task that takes minutes (tens of minutes with a firmware baseline), far longer than a
conductor worker may be held. So the step (``start_edit``) only starts the task, records it in
``driver_internal_info`` and returns Ironic's ``*WAIT`` state; the interface's periodic
(``ProfileEditPolling``) looks at the task, keeps the node alive with ``touch_provisioning``
(Ironic's callback timeouts default to 30 minutes), then resumes or fails the step with
OneView's own words, as Ironic's ``redfish`` BIOS and firmware periodics do.

Ironic skips ``prepare_cleaning``/``prepare_service`` (and so our claim) when every step runs
without the ramdisk: such a step claims the server itself and releases it after the last step
of ours in the operation. With the ramdisk, IPA dies when the server is switched off for the
edit, so the server is rebooted into IPA afterwards (``reboot_to_finish_step``), whose
heartbeat resumes the steps.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ironic.common import async_steps, exception, states
from ironic.conductor import periodics as ironic_periodics
from ironic.conductor import utils as manager_utils
from ironic.conductor.task_manager import TaskManager
from ironic.conf import CONF
from ironic.drivers.modules import deploy_utils
from oslo_log import log as logging
from oslo_utils import timeutils

from ..client import NotFound, OneViewError
from ..client.tasks import TaskView
from . import allocation, common, ownership, periodics, serverpower
from .ownership import Owner
from .view import view_of

if TYPE_CHECKING:  # the conductor imports the drivers; the drivers need not import it
    from ironic.common.context import RequestContext
    from ironic.conductor.manager import ConductorManager

LOG = logging.getLogger(__name__)

EDIT_KEY = common.PROFILE_EDIT
# Mutates the profile body it is given in place; True when it changed something.
ProfileChange = Callable[[dict[str, Any]], bool]
WAIT_STATES = (states.CLEANWAIT, states.DEPLOYWAIT, states.SERVICEWAIT)
_CLAIM_NAMES = {
    "clean": allocation.cleaning_name,
    "service": allocation.service_name,
    "deploy": allocation.deploy_name,
}


class EditRefused(Exception):
    """The edit cannot start; the text is for the operator (wrapped in the operation's error)."""


def operation(task: TaskManager) -> str:
    """``"clean"``, ``"service"`` or ``"deploy"``: the operation whose step is running."""
    node = task.node
    if node.clean_step:
        return "clean"
    if node.service_step:
        return "service"
    if node.deploy_step:
        return "deploy"
    raise exception.InvalidState(
        f"Node {node.uuid}: a OneView profile edit runs only inside a clean, deploy or "
        "service step, and the node has none."
    )


def failure(task: TaskManager, reason: str) -> exception.IronicException:
    """The Ironic exception a failed step of the running operation raises."""
    kind = operation(task)
    if kind == "clean":
        return exception.NodeCleaningFailure(node=task.node.uuid, reason=reason)
    if kind == "service":
        return exception.NodeServicingFailure(node=task.node.uuid, reason=reason)
    return exception.InstanceDeployFailure(reason=reason)


def start_edit(
    task: TaskManager,
    change: ProfileChange,
    *,
    owner: str,
    step: str,
    power_off: bool = True,
    compose: bool = False,
) -> str | None:
    """Start the eTag'd PUT of ``change`` to the node's profile; the operation's WAIT state.

    Claims the server first when the node has none (a step run without the ramdisk), refuses
    a server a OneView user owns, switches the server off only when it is on and the edit
    needs it off (``power_off``; OneView refuses most profile changes while it is on), PUTs
    without waiting and records the task in ``driver_internal_info[EDIT_KEY]`` for the
    ``owner`` interface's periodic. Nothing is sent, and None returned, when ``change`` finds
    nothing to do.

    :param task: a TaskManager instance with an exclusive lock, inside a clean, deploy or
        service step.
    :param change: edits the profile body in place; True if it changed anything. It may run
        more than once (a 412 re-reads the profile).
    :param owner: the interface type whose ``ProfileEditPolling`` periodic finishes the step.
    :param step: the step's name, for messages.
    :param power_off: whether OneView needs the server off for this edit.
    :param compose: when the step has to claim the server, put ``change`` into the claim's
        one create (one OneView task instead of two) and return None once it is applied. The
        claim waits for its task in the step, so only for edits of minutes (BIOS), not a
        firmware baseline.
    :returns: states.CLEANWAIT, DEPLOYWAIT or SERVICEWAIT, or None when nothing was to do.
    :raises: NodeCleaningFailure, InstanceDeployFailure or NodeServicingFailure (the running
        operation's) naming OneView's errorCode and message, or why the edit cannot start.
    """
    node = task.node
    kind = operation(task)
    view = view_of(task)
    doing = f"{owner}.{step} on node {node.uuid}"
    try:
        profile_uri, claimed, composed = _own_profile(task, kind, change if compose else None)
        if composed:
            LOG.info("Node %s: %s: applied by the claim's profile", node.uuid, doing)
            _release_if_done(task, kind)
            return None
        profiles = view.client.server_profiles
        preview = copy.deepcopy(profiles.get(profile_uri))
        if not change(preview):
            LOG.info(
                "Node %s: %s: the profile already holds the change; nothing sent", node.uuid, doing
            )
            _release_if_done(task, kind)
            return None
        server = serverpower.wait_until_unlocked(view, serverpower.lock_deadline())
        was_on = server.get("powerState") != "Off"
        if power_off and was_on:
            manager_utils.node_power_action(task, states.POWER_OFF)
        started = profiles.update(profile_uri, change, wait=False)
    except (
        OneViewError,
        EditRefused,
        allocation.AllocationError,
        exception.IronicException,
    ) as error:
        raise failure(task, f"{doing} failed: {error}") from error
    view.forget()
    return wait_for(
        task,
        started.task,
        owner=owner,
        step=step,
        profile_uri=profile_uri,
        switched_off=power_off and was_on,
        claimed=claimed,
    )


def wait_for(
    task: TaskManager,
    started: Mapping[str, Any] | None,
    *,
    owner: str,
    step: str,
    profile_uri: str,
    switched_off: bool,
    claimed: bool = False,
) -> str:
    """Record a OneView task a step started on the node's profile; the operation's WAIT state.

    For steps whose OneView call is not a PUT (e.g. a PATCH from the template): the
    ``owner`` interface's periodic then finishes the step as for ``start_edit``.

    :param started: the started task (``{"uri": ...}``), None when OneView finished at once.
    :param switched_off: whether the step switched the server off (it is brought back after).
    :param claimed: whether the step claimed the server itself.
    """
    node = task.node
    agent = _agent_running(task, operation(task))
    record = {
        "task_uri": (started or {}).get("uri"),
        "owner": owner,
        "step": step,
        "started": timeutils.utcnow().isoformat(),
        "claimed": claimed,
        # IPA was running and dies with the power: reboot into it afterwards.
        "reboot": switched_off and agent,
        # Something else ran (the tenant's OS, a server found on): switch it back on.
        "power_on": switched_off and not agent,
        "profile_uri": profile_uri,
    }
    node.set_driver_internal_info(EDIT_KEY, record)
    # The periodic, not IPA's heartbeat, ends the step (the heartbeat stands down).
    deploy_utils.set_async_step_flags(node, reboot=False, skip_current_step=True, polling=True)
    LOG.info(
        "Node %s: %s.%s started OneView task %s on profile %s (server %s)",
        node.uuid,
        owner,
        step,
        record["task_uri"],
        profile_uri,
        "switched off" if switched_off else "left as it was",
    )
    return async_steps.get_return_state(node)


def _agent_running(task: TaskManager, kind: str) -> bool:
    """Whether IPA runs on the server during this step: clean and service steps boot it
    unless the ramdisk is disabled; a deploy step only once IPA has called back (the in-band
    range), not before ``deploy.deploy`` (priority > 100, server off)."""
    node = task.node
    if kind == "deploy":
        return bool((node.driver_internal_info or {}).get("agent_url"))
    return not deploy_utils.is_ramdisk_disabled(node)


def _own_profile(
    task: TaskManager, kind: str, change: ProfileChange | None = None
) -> tuple[str, bool, bool]:
    """The URI of the node's Ironic profile (claimed now when there is none, with ``change``
    in the claim's body when given), whether a claim was made now, and whether its create
    carried ``change`` (a claim may reuse a profile it finds instead of creating one)."""
    view = view_of(task)
    node = task.node
    server = serverpower.read_server(view)
    applied = view.info.applied_server_profile_uri
    who = ownership.owner(server, applied)
    if who is Owner.ONEVIEW and allocation.adopt_lost_claim(task, server):
        who = Owner.IRONIC
    if who is Owner.ONEVIEW:
        raise EditRefused(ownership.in_use_message(node, server))
    if who is Owner.IRONIC:
        return str(server["serverProfileUri"]), False, False
    customise: allocation.Customise | None = None
    carried: list[bool] = []
    if change is not None:

        def customise(body: dict[str, Any]) -> None:
            change(body)
            carried.append(True)

    uri = allocation.claim(task, _CLAIM_NAMES[kind](node), customise=customise)
    node.set_driver_internal_info(common.CLAIMED_FOR, kind)
    node.save()
    LOG.info(
        "Node %s: claimed server %s for a %s step run without the ramdisk (released after "
        "the last profile step)",
        node.uuid,
        view.info.server_hardware_uri,
        kind,
    )
    return uri, True, bool(carried)


def _later_edit_steps(task: TaskManager, kind: str) -> bool:
    """Whether a step after the current one is another profile edit (it keeps the claim)."""
    info = task.node.driver_internal_info or {}
    steps = info.get(f"{kind}_steps") or []
    index = info.get(f"{kind}_step_index")
    if not isinstance(index, int):
        return False
    for later in steps[index + 1 :]:
        interface = getattr(task.driver, str(later.get("interface")), None)
        if isinstance(interface, ProfileEditPolling):
            return True
    return False


def _release_if_done(task: TaskManager, kind: str) -> None:
    """Release a claim a step made, unless a later step of ours still needs the profile.

    Only without the ramdisk: with it, Ironic's tear-down of the operation releases.
    """
    node = task.node
    if kind == "deploy" or not deploy_utils.is_ramdisk_disabled(node):
        return
    if node.driver_internal_info.get(common.CLAIMED_FOR) != kind or _later_edit_steps(task, kind):
        return
    try:
        allocation.release(task)
    except allocation.AllocationError as error:
        raise failure(task, str(error)) from error


# -- the periodic ---------------------------------------------------------------------------
def poll_spacing() -> int:
    return int(CONF.oneview.profile_edit_poll_interval)


def _has_edit(node: Any) -> bool:
    return bool((node.driver_internal_info or {}).get(EDIT_KEY))


class ProfileEditPolling:
    """Mixed into an interface whose steps call ``start_edit(owner=<its interface_type>)``.

    Subclasses may override ``_edit_finished`` (e.g. cache the BIOS settings) and
    ``_edit_owner`` (defaults to the interface type).
    """

    interface_type: str

    @property
    def _edit_owner(self) -> str:
        return self.interface_type

    def _edit_finished(self, task: TaskManager) -> None:
        """Called once OneView applied the edit, before the step resumes (exclusive lock)."""

    @ironic_periodics.node_periodic(
        purpose="checking OneView profile edits started by steps",
        spacing=poll_spacing,
        filters={"reserved": False, "provision_state_in": list(WAIT_STATES)},
        predicate_extra_fields=["driver_internal_info"],
        predicate=_has_edit,
    )
    def _periodic_check_profile_edits(
        self, task: TaskManager, manager: ConductorManager, context: RequestContext
    ) -> bool:
        record = (task.node.driver_internal_info or {}).get(EDIT_KEY) or {}
        if record.get("owner") != self._edit_owner:
            return False
        check_edit(task, self)
        return True


def _waited(record: Mapping[str, Any]) -> float:
    """Seconds since the recorded edit started."""
    started = timeutils.normalize_time(timeutils.parse_isotime(record["started"]))
    return float(timeutils.delta_seconds(started, timeutils.utcnow()))


@periodics.per_node
def check_edit(task: TaskManager, interface: ProfileEditPolling) -> None:
    """One look at the node's edit: still running, taken by a OneView user, failed or done."""
    node = task.node
    record = dict(node.driver_internal_info.get(EDIT_KEY) or {})
    if not _is_current(node, record):
        _drop_stale(task, record)
        return
    view = view_of(task)
    doing = f"{record.get('owner')}.{record.get('step')} on node {node.uuid}"
    task_uri = record.get("task_uri")
    try:
        seen = TaskView.of(view.client.tasks.get(task_uri)) if task_uri else None
    except NotFound as error:  # purged, or OneView restored: no look will ever see it end
        _fail(
            task,
            f"{doing} failed: OneView no longer knows task {task_uri} ({error.summary}); "
            f"whether profile {record.get('profile_uri')} holds the edit is unknown.",
        )
        return
    except OneViewError as error:  # unreadable now: bounded by the same timeout as a slow task
        waited, limit = _waited(record), CONF.oneview.profile_edit_timeout
        if waited <= limit:
            raise
        _fail(
            task,
            f"{doing} failed: OneView task {task_uri} could not be read ({error.summary}) "
            f"{waited:.0f} s after the edit started, beyond [oneview]profile_edit_timeout "
            f"({limit} s); it may still finish in OneView.",
        )
        return
    server = serverpower.read_server(view)
    if ownership.owner(server, record.get("profile_uri")) is Owner.ONEVIEW:
        _fail(
            task,
            f"{doing} failed: a OneView user took server hardware {server.get('uri')} (it "
            f"now carries profile {server.get('serverProfileUri')}, not Ironic's "
            f"{record.get('profile_uri')}) while OneView task {task_uri} applied the edit; "
            "Ironic leaves it alone.",
        )
        return
    if seen is not None and not seen.finished:
        waited, limit = _waited(record), CONF.oneview.profile_edit_timeout
        if waited > limit:
            _fail(
                task,
                f"{doing} failed: OneView task {task_uri} is still {seen.state} "
                f"({seen.percent or 0:g}% done) after {waited:.0f} s, beyond "
                f"[oneview]profile_edit_timeout ({limit} s); it may still finish in OneView.",
            )
            return
        node.touch_provisioning()
        LOG.debug(
            "Node %s: %s: OneView task %s is %s (%s%%)",
            node.uuid,
            doing,
            task_uri,
            seen.state,
            seen.percent,
        )
        return
    if seen is not None and seen.failed:
        _fail(task, f"{doing} failed: OneView task {task_uri} ended {seen.state}: {seen.reason()}")
        return
    _finish(task, interface, record)


def _is_current(node: Any, record: Mapping[str, Any]) -> bool:
    """Whether the record belongs to the step the node runs now (not to an earlier, failed
    operation: finishing that would resume a step that is not ours)."""
    step = node.clean_step or node.service_step or node.deploy_step or {}
    return (step.get("interface"), step.get("step")) == (record.get("owner"), record.get("step"))


def _drop_stale(task: TaskManager, record: Mapping[str, Any]) -> None:
    task.upgrade_lock(purpose="dropping a stale OneView profile edit record")
    node = task.node  # reloaded: a step may have recorded its own edit since the shared read
    current = node.driver_internal_info.get(EDIT_KEY) or {}
    if current.get("task_uri") != record.get("task_uri") or _is_current(node, current):
        return
    node.del_driver_internal_info(EDIT_KEY)
    node.save()
    LOG.warning(
        "Node %s: dropped the record of OneView task %s (%s.%s): the node now runs another "
        "step, so that edit's operation ended without it",
        node.uuid,
        record.get("task_uri"),
        record.get("owner"),
        record.get("step"),
    )


def _fail(task: TaskManager, message: str) -> None:
    task.upgrade_lock(purpose="failing a OneView profile edit")
    node = task.node
    node.del_driver_internal_info(EDIT_KEY)
    node.save()
    deploy_utils.step_error_handler(task, f"Node {node.uuid}: {message}", message)


def _still_waiting(node: Any, record: Mapping[str, Any]) -> bool:
    """After the lock upgrade (which reloads the node): whether the step still waits for this
    edit; an abort, a timeout or another look may have ended it since the shared read."""
    current = node.driver_internal_info.get(EDIT_KEY) or {}
    return (
        node.provision_state in WAIT_STATES
        and current.get("task_uri") == record.get("task_uri")
        and _is_current(node, record)
    )


def _finish(task: TaskManager, interface: ProfileEditPolling, record: dict[str, Any]) -> None:
    task.upgrade_lock(purpose="finishing a OneView profile edit")
    node = task.node
    if not _still_waiting(node, record):
        return  # ended meanwhile: neither resumed nor powered on
    kind = operation(task)
    view_of(task).forget()
    try:
        interface._edit_finished(task)
        node.del_driver_internal_info(EDIT_KEY)
        node.save()
        _release_if_done(task, kind)
    except (OneViewError, exception.IronicException) as error:
        _fail(task, f"{record.get('owner')}.{record.get('step')}: finishing failed: {error}")
        return
    LOG.info(
        "Node %s: OneView applied %s.%s (task %s); resuming the %s steps",
        node.uuid,
        record.get("owner"),
        record.get("step"),
        record.get("task_uri"),
        kind,
    )
    try:
        if record.get("reboot"):
            # IPA comes back and its heartbeat resumes the steps after this one.
            deploy_utils.set_async_step_flags(
                node, reboot=True, skip_current_step=True, polling=None
            )
            deploy_utils.reboot_to_finish_step(task)
            return
        deploy_utils.set_async_step_flags(node, skip_current_step=True, polling=None)
        if record.get("power_on") and node.driver_info.get(common.APPLIED_PROFILE_URI):
            manager_utils.node_power_action(task, states.POWER_ON)
    except (OneViewError, exception.IronicException) as error:
        # The record is gone and no heartbeat will come: fail now, never leave it waiting.
        _fail(
            task,
            f"{record.get('owner')}.{record.get('step')}: OneView applied the edit (task "
            f"{record.get('task_uri')}), but bringing the server back failed: {error}",
        )
        return
    manager_utils.notify_conductor_resume_operation(task, kind)
