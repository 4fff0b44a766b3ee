"""The allocation periodic tasks' bodies (declared on the management interface).

* A server a OneView user took from an ``available`` node: maintenance with the reason
  ``node in use by OneView``, then ``manageable``.
* Such a node whose server is free again: out of maintenance, then ``provide``, which goes through
  cleaning (OneView does not wipe disks when a user gives a server back).
* A node whose claim failed during cleaning: the same as taken.
* A failed node (deploy, clean or service failed) whose server carries a profile with one of the
  node's claim names that ``driver_info`` does not record: the conductor stopped while OneView
  applied it. The profile is recorded as the node's, so undeploy, cleaning or a new deploy
  release or reuse it instead of leaking it.

Each node is handled on its own: a failure is logged and the sweep goes on. A OneView failure (or
one of Ironic's own, readable errors) is one WARNING line with OneView's ``errorCode: message``;
anything else is a bug and is logged at ERROR with its traceback. ``NodeLocked`` and
``NodeNotFound`` go to Ironic's ``node_periodic``, which logs them and skips the node.

The "taken" check reads ownership from the fleet snapshot (a handful of requests for every
``available`` node), and confirms with a fresh read of the server before it moves a node.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ironic.common import exception, states
from ironic.common.context import RequestContext
from ironic.conductor.task_manager import TaskManager
from ironic.conf import CONF
from oslo_log import log as logging

from ..client import OneViewError
from . import allocation, common, ownership, serverpower
from .common import Node
from .ownership import Owner
from .view import view_of

if TYPE_CHECKING:  # the conductor imports the drivers; the drivers need not import it
    from ironic.conductor.manager import ConductorManager

LOG = logging.getLogger(__name__)

# Where a conductor's restart leaves a node whose claim it was applying (Ironic fails them).
FAILED_STATES = [states.DEPLOYFAIL, states.CLEANFAIL, states.SERVICEFAIL]


def spacing() -> int:
    return CONF.oneview.periodic_check_interval


def enabled() -> bool:
    return bool(CONF.oneview.enable_periodic_tasks)


def moved_by_us(node: Node) -> bool:
    return node.maintenance_reason == common.MAINTENANCE_REASON


def allocation_failed(node: Node) -> bool:
    return bool((node.driver_internal_info or {}).get(common.ALLOCATION_ERROR))


def oneview_cause(error: BaseException) -> OneViewError | None:
    """The OneView error behind ``error`` (itself, or what it was raised from), if any."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OneViewError):
            return seen
        seen = seen.__cause__
    return None


def per_node(func: Callable[..., None]) -> Callable[..., None]:
    """One node's failure is logged, never raised: the sweep goes on with the next node."""

    @functools.wraps(func)
    def wrapper(task: TaskManager, *args: Any) -> None:
        try:
            func(task, *args)
        except (exception.NodeLocked, exception.NodeNotFound):
            raise  # Ironic's node_periodic logs these and goes on with the next node
        except (OneViewError, exception.IronicException) as error:
            cause = oneview_cause(error)
            LOG.warning(
                "OneView periodic check %s of node %s failed, retried next run: %s",
                func.__name__,
                task.node.uuid if task.node else "?",
                cause.summary if cause is not None else error,
            )
        except Exception:
            LOG.exception(
                "OneView periodic check %s of node %s failed unexpectedly, retried next run",
                func.__name__,
                task.node.uuid if task.node else "?",
            )

    return wrapper


def _owner(task: TaskManager) -> Owner:
    """Who owns the node's server, by a fresh read."""
    view = view_of(task)
    server = serverpower.read_server(view)
    return ownership.owner(server, view.info.applied_server_profile_uri)


def _snapshot_owner(task: TaskManager) -> Owner:
    """Who owns the node's server, by the fleet snapshot (under the periodic's shared lock)."""
    view = view_of(task)
    try:
        fields = view.server_fields()
    except OneViewError as error:
        raise common.driver_error(error, "Reading the server's profile") from error
    return ownership.owner(fields, view.info.applied_server_profile_uri)


def _to_manageable(task: TaskManager, why: str) -> None:
    task.upgrade_lock()
    node = task.node
    node.maintenance = True
    node.maintenance_reason = common.MAINTENANCE_REASON
    node.del_driver_internal_info(common.ALLOCATION_ERROR)
    node.save()
    task.process_event("manage")
    LOG.warning("Node %s: %s; now in maintenance and manageable", node.uuid, why)


@per_node
def check_taken(task: TaskManager) -> None:
    if _snapshot_owner(task) is not Owner.ONEVIEW:
        return
    task.upgrade_lock()
    if _owner(task) is Owner.ONEVIEW:  # confirmed by a fresh read before the node moves
        _to_manageable(task, "a OneView user took its server hardware")


@per_node
def check_freed(task: TaskManager, manager: ConductorManager, context: RequestContext) -> None:
    if _owner(task) is Owner.ONEVIEW:
        return
    task.upgrade_lock()
    node = task.node
    uuid = node.uuid
    node.maintenance = False
    node.maintenance_reason = None
    node.save()
    task.release_resources()  # provide takes its own exclusive lock
    LOG.info("Node %s: OneView user freed its server hardware; providing it (cleaning)", uuid)
    manager.do_provisioning_action(context, uuid, "provide")


@per_node
def check_clean_failed(task: TaskManager) -> None:
    if task.node.provision_state != states.CLEANFAIL:
        return
    _to_manageable(task, "its server hardware could not be claimed for cleaning")


@per_node
def check_lost_claim(task: TaskManager) -> None:
    view = view_of(task)
    server = serverpower.read_server(view)
    if ownership.owner(server, view.info.applied_server_profile_uri) is Owner.ONEVIEW:
        allocation.adopt_lost_claim(task, server)
