"""Composition: a deployment's steps that are ours, merged into the claim's one profile.

OneView applies BIOS, local storage, boot mode and secure boot in the same profile task that
assigns the server, with the server off once. So at claim time (``deploy.prepare`` while
DEPLOYING) the deployment's steps that are ours go into the claim's body, and their names are
recorded in ``driver_internal_info`` so the steps are no-ops when the conductor runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ironic.common import states
from ironic.conductor.task_manager import TaskManager

from . import common

# The provision states in which a deployment's recorded composition holds.
_DEPLOYMENT_STATES = frozenset({states.DEPLOYING, states.DEPLOYWAIT})


def step_name(step: Mapping[str, Any]) -> str:
    """``"interface.step"`` of an Ironic step dictionary."""
    return f"{step.get('interface')}.{step.get('step')}"


def already_applied(task: TaskManager, step: str) -> bool:
    """True when the deployment's claim already applied ``step`` (``"interface.step"``).

    Step bodies (bios, raid, deploy) call this first and return None when it is True. It holds
    only during the deployment that composed it, and only when the step runs with the
    arguments the claim applied (a user's deploy step may override a deploy template's).
    """
    node = task.node
    if node.provision_state not in _DEPLOYMENT_STATES:
        return False
    info = node.driver_internal_info or {}
    if step not in (info.get(common.COMPOSED_STEPS) or ()):
        return False
    current = node.deploy_step or {}
    recorded = (info.get(common.COMPOSED_ARGS) or {}).get(step)
    if current and step_name(current) == step and recorded is not None:
        return (current.get("args") or {}) == recorded
    return True


def record(task: TaskManager, steps: Iterable[Mapping[str, Any]]) -> None:
    """Remember which steps (Ironic step dictionaries) the claim applied, with their args."""
    names: list[str] = []
    args: dict[str, Any] = {}
    for step in steps:
        name = step_name(step)
        names.append(name)
        args[name] = dict(step.get("args") or {})
    task.node.set_driver_internal_info(common.COMPOSED_STEPS, names)
    task.node.set_driver_internal_info(common.COMPOSED_ARGS, args)


def forget(task: TaskManager) -> None:
    """Drop the record (a new claim or a release: nothing is composed any more)."""
    task.node.del_driver_internal_info(common.COMPOSED_STEPS)
    task.node.del_driver_internal_info(common.COMPOSED_ARGS)
