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

Each node is handled on its own: a failure is logged and the sweep goes on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ironic.common import states
from ironic.conf import CONF
from oslo_log import log as logging

from . import allocation, common, ownership, serverpower
from .ownership import Owner
from .view import view_of

LOG = logging.getLogger(__name__)

# Where a conductor's restart leaves a node whose claim it was applying (Ironic fails them).
FAILED_STATES = [states.DEPLOYFAIL, states.CLEANFAIL, states.SERVICEFAIL]


def spacing() -> int:
    return CONF.oneview.periodic_check_interval


def enabled() -> bool:
    return bool(CONF.oneview.enable_periodic_tasks)


def moved_by_us(node: Any) -> bool:
    return node.maintenance_reason == common.MAINTENANCE_REASON


def allocation_failed(node: Any) -> bool:
    return bool((node.driver_internal_info or {}).get(common.ALLOCATION_ERROR))


def per_node(func: Callable[..., None]) -> Callable[..., None]:
    """One node's failure is logged, never raised: the sweep goes on with the next node."""

    @functools.wraps(func)
    def wrapper(task: Any, *args: Any) -> None:
        try:
            func(task, *args)
        except Exception as error:
            LOG.warning(
                "OneView periodic check %s of node %s failed, retried next run: %s",
                func.__name__,
                task.node.uuid if task.node else "?",
                error,
            )

    return wrapper


def _owner(task: Any) -> Owner:
    view = view_of(task)
    server = serverpower.read_server(view)
    return ownership.owner(server, view.info.applied_server_profile_uri)


def _to_manageable(task: Any, why: str) -> None:
    task.upgrade_lock()
    node = task.node
    node.maintenance = True
    node.maintenance_reason = common.MAINTENANCE_REASON
    node.del_driver_internal_info(common.ALLOCATION_ERROR)
    node.save()
    task.process_event("manage")
    LOG.warning("Node %s: %s; now in maintenance and manageable", node.uuid, why)


@per_node
def check_taken(task: Any) -> None:
    if _owner(task) is Owner.ONEVIEW:
        _to_manageable(task, "a OneView user took its server hardware")


@per_node
def check_freed(task: Any, manager: Any, context: Any) -> None:
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
def check_clean_failed(task: Any) -> None:
    if task.node.provision_state != states.CLEANFAIL:
        return
    _to_manageable(task, "its server hardware could not be claimed for cleaning")


@per_node
def check_lost_claim(task: Any) -> None:
    view = view_of(task)
    server = serverpower.read_server(view)
    if ownership.owner(server, view.info.applied_server_profile_uri) is Owner.ONEVIEW:
        allocation.adopt_lost_claim(task, server)
