"""Composition: a deployment's steps that are ours, merged into the claim's one profile.

OneView applies BIOS, local storage, boot mode and secure boot in the same profile task that
assigns the server, with the server off once. So at claim time (``deploy.prepare`` while
DEPLOYING) the deployment's steps that are ours go into the claim's body, and their names are
recorded in ``driver_internal_info`` so the steps are no-ops when the conductor runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ironic.common import exception, states
from ironic.conductor import steps as conductor_steps
from ironic.conductor.task_manager import TaskManager
from ironic.drivers.modules import boot_mode_utils
from oslo_log import log as logging

from ..client import OneViewError, configuration, profile_sections
from . import common, templates
from .view import View, view_of

LOG = logging.getLogger(__name__)

TEMPLATE_STEP = "deploy.apply_server_profile_template"
BIOS_APPLY = "bios.apply_configuration"
BIOS_RESET = "bios.factory_reset"
RAID_APPLY = "raid.apply_configuration"
RAID_CREATE = "raid.create_configuration"
RAID_DELETE = "raid.delete_configuration"
# Not steps: what instance_info/capabilities asks of the boot (Ironic sets them at boot time;
# composed, they find the profile already right and change nothing).
BOOT_MODE = "management.set_boot_mode"
SECURE_BOOT = "management.set_secure_boot_state"
# Interface -> the interface implementation whose steps are ours to compose.
_OURS = {"bios": "oneview", "raid": "oneview"}

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


# -- which steps ----------------------------------------------------------------------------
def deployment_steps(task: TaskManager) -> list[dict[str, Any]]:
    """The deployment's enabled user and deploy-template steps known at claim time.

    Ironic's own helpers read the deploy templates matching ``instance_info['traits']`` and the
    user's deploy steps, and validate them against the node's interfaces (a user step overrides
    a template's of the same name, priority 0 disables). Ironic 39 stores the steps given to
    ``baremetal node deploy --deploy-steps`` only after ``prepare``: those are composed by
    ``deploy.apply_server_profile_template`` when it runs (it re-claims the server).

    :raises: InvalidParameterValue if a deploy template's or user's step is malformed.
    """
    user = conductor_steps._get_validated_user_deploy_steps(task, skip_missing=True)
    templated = conductor_steps._get_validated_steps_from_templates(task, skip_missing=True)
    given = {(s["interface"], s["step"]) for s in user}
    return _enabled([*user, *(s for s in templated if (s["interface"], s["step"]) not in given)])


def _enabled(steps: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if (s.get("priority") or 0) > 0]


def check_deploy_templates(task: TaskManager) -> None:
    """Refuse at ``validate`` what the instance's deploy templates ask and OneView cannot apply.

    So ``baremetal node deploy`` (and Nova's validation) fails at once, the node still
    available, instead of the deployment failing at claim time. Only the deploy templates are
    checked: the user's deploy steps are not known yet.

    :raises: InvalidParameterValue naming the step, the field, the value and what is accepted.
    """
    if not (task.node.instance_info or {}).get("traits"):
        return
    plan(
        task,
        _enabled(conductor_steps._get_validated_steps_from_templates(task, skip_missing=True)),
    )


def _ours(task: TaskManager, step: Mapping[str, Any]) -> bool:
    interface = step.get("interface")
    if interface == "deploy":
        return step_name(step) == TEMPLATE_STEP
    wanted = _OURS.get(str(interface))
    return wanted is not None and task.node.get_interface(interface) == wanted


# -- the plan -------------------------------------------------------------------------------
@dataclass
class Plan:
    """What a claim applies: a template (None: the node's), sections merged into its body, and
    the steps (and boot requests) they satisfy."""

    template: dict[str, Any] | None = None
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    applied: bool = False

    @property
    def template_uri(self) -> str | None:
        return (self.template or {}).get("uri")

    def customise(self, body: dict[str, Any]) -> None:
        """The claim's ``customise``: merge the sections into the ``new-profile`` body."""
        profile_sections.merge_sections(body, self.sections)
        self.applied = True


def _refused(task: TaskManager, what: str, error: Exception) -> exception.InvalidParameterValue:
    return exception.InvalidParameterValue(
        f"Node {task.node.uuid}: {what}: {error}. Nothing was sent to OneView."
    )


class _Builder:
    """Builds the sections of one plan; OneView reads happen once, only when needed."""

    def __init__(self, task: TaskManager, view: View) -> None:
        self.task = task
        self.view = view
        self._config: configuration.HardwareTypeConfig | None = None

    @property
    def config(self) -> configuration.HardwareTypeConfig:
        if self._config is None:
            self._config = configuration.hardware_type_config(self.view.hardware_type())
        return self._config

    def drives(self) -> configuration.StorageInventory | None:
        uri = self.view.info.server_hardware_uri
        try:
            return configuration.local_storage(self.view.client.server_hardware.local_storage(uri))
        except OneViewError as error:
            LOG.warning("Node %s: drives of %s unknown (%s)", self.task.node.uuid, uri, error)
            return None

    def bios(self, steps: Mapping[str, Mapping[str, Any]], template: Mapping[str, Any]) -> dict:
        apply, reset = steps.get(BIOS_APPLY), steps.get(BIOS_RESET)
        if apply is None or _runs_after(reset, apply):
            return profile_sections.bios_section(None)
        settings = (apply.get("args") or {}).get("settings")
        if not isinstance(settings, list):
            raise _refused(
                self.task,
                f"deploy step {BIOS_APPLY} argument settings",
                ValueError(f"{settings!r} is not a list of {{'name', 'value'}} objects"),
            )
        overrides = profile_sections.bios_overrides(self.config, settings)
        existing = () if reset else ((template.get("bios") or {}).get("overriddenSettings") or ())
        return profile_sections.bios_section(overrides, existing=existing)

    def local_storage(self, steps: Mapping[str, Mapping[str, Any]]) -> dict:
        apply, create = steps.get(RAID_APPLY), steps.get(RAID_CREATE)
        step = apply or create or {}
        if not step or _runs_after(steps.get(RAID_DELETE), step):
            return profile_sections.empty_local_storage_section()
        args = step.get("args") or {}
        target = args.get("raid_config") if apply else self.task.node.target_raid_config
        if not isinstance(target, Mapping) or not target:
            raise _refused(
                self.task,
                f"deploy step {step_name(step)}",
                ValueError(
                    f"{'raid_config' if apply else 'target_raid_config'} {target!r} is not a "
                    "RAID configuration; expected {'logical_disks': [...]}"
                ),
            )
        target = _filtered(target, args)
        return profile_sections.local_storage_section(self.config, target, self.drives())

    def boot_mode(self) -> tuple[dict, list[dict[str, Any]]]:
        node = self.task.node
        mode = boot_mode_utils.get_boot_mode_for_deploy(node)
        secure = boot_mode_utils.is_secure_boot_requested(node) or None
        if mode is None and secure is None:
            return {}, []
        section = profile_sections.boot_mode_section(self.config, mode, secure)
        asked = [{"interface": "management", "step": "set_boot_mode", "args": {"mode": mode}}]
        if secure:
            asked.append(
                {
                    "interface": "management",
                    "step": "set_secure_boot_state",
                    "args": {"state": True},
                }
            )
        return section, asked


def _runs_after(later: Mapping[str, Any] | None, earlier: Mapping[str, Any]) -> bool:
    """Whether ``later`` runs after ``earlier`` (Ironic runs higher priorities first), so the
    claim must apply what ``later`` leaves, not ``earlier``."""
    return later is not None and (later.get("priority") or 0) < (earlier.get("priority") or 0)


def _filtered(target: Mapping[str, Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """The logical disks ``create_root_volume``/``create_nonroot_volumes`` keep."""
    root, nonroot = args.get("create_root_volume", True), args.get("create_nonroot_volumes", True)
    disks = [
        disk
        for disk in target.get("logical_disks") or []
        if (root if isinstance(disk, Mapping) and disk.get("is_root_volume") else nonroot)
    ]
    return {**target, "logical_disks": disks}


def plan(task: TaskManager, steps: Iterable[Mapping[str, Any]]) -> Plan:
    """Validate every step of ours among ``steps`` and the boot requests, and build the sections.

    Nothing is written to OneView: a bad value is refused before the claim powers anything off.

    :raises: InvalidParameterValue naming the step, the field, the value and what is accepted.
    """
    view = view_of(task)
    ours = {step_name(s): s for s in steps if _ours(task, s)}
    result = Plan()
    chosen = ours.get(TEMPLATE_STEP)
    if chosen is not None and (chosen.get("args") or {}).get(templates.ARGUMENT) is not None:
        try:
            result.template = templates.chosen(view, chosen["args"][templates.ARGUMENT])
        except exception.InvalidParameterValue as error:
            raise exception.InvalidParameterValue(
                f"{error} Nothing was sent to OneView."
            ) from error
    if chosen is not None:
        result.steps.append(dict(chosen))
    build = _Builder(task, view)
    body = result.template or view.template()
    parts: list[tuple[str, tuple[str, ...], Any]] = [
        ("bios", (BIOS_APPLY, BIOS_RESET), lambda: build.bios(ours, body)),
        ("localStorage", (RAID_APPLY, RAID_CREATE, RAID_DELETE), lambda: build.local_storage(ours)),
    ]
    for section, names, make in parts:
        mine = [ours[name] for name in names if name in ours]
        if not mine:
            continue
        try:
            result.sections[section] = make()
        except profile_sections.SettingRejected as error:
            raise _refused(task, f"deploy step {step_name(mine[0])}", error) from error
        result.steps.extend(dict(step) for step in mine)
    try:
        boot_section, asked = build.boot_mode()
    except profile_sections.SettingRejected as error:
        raise _refused(task, "instance_info/capabilities boot_mode/secure_boot", error) from error
    if boot_section:
        result.sections["bootMode"] = boot_section
        result.steps.extend(asked)
    return result
