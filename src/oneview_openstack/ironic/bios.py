"""BIOS interface ``oneview``: BIOS/UEFI settings through the server profile's ``bios`` section.

Settings are checked against the server hardware type's BIOS registry (``biosSettings``) before
anything is sent; the profile edit is asynchronous (``profile_steps``): the server is switched
off, OneView applies the settings (a few minutes) and the step resumes. A deployment whose
claim already applied the settings (``composition``) skips the deploy step.

Ironic's ``bios_settings`` table gets the server's current values (``…/bios``) with the
registry fields Ironic 39 stores (API 1.74): attribute type, allowable values, bounds, lengths,
read-only, reset-required.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from ironic.objects import bios as bios_objects
from oslo_log import log as logging

from ..client import OneViewError
from ..client import profile_sections as sections
from ..client.configuration import BiosSetting, current_bios, hardware_type_config
from . import common, composition, profile_steps, validation
from .view import view_of

LOG = logging.getLogger(__name__)

# OneView's registry kinds in the words Ironic's bios_settings (and redfish) use.
ATTRIBUTE_TYPES = {
    "enumeration": "Enumeration",
    "integer": "Integer",
    "string": "String",
    "boolean": "Boolean",
}
REGISTRY_FIELDS = (
    "attribute_type",
    "allowable_values",
    "lower_bound",
    "upper_bound",
    "min_length",
    "max_length",
    "read_only",
    "reset_required",
    "unique",
)
_SETTINGS_ARGSINFO: dict[str, base.ArgInfo] = {
    "settings": {
        "description": (
            'A list of BIOS settings, [{"name": <setting id of the server hardware type\'s '
            'BIOS registry, e.g. "WorkloadProfile">, "value": <option id, integer or string>}]'
        ),
        "required": True,
    }
}


def registry_fields(setting: BiosSetting | None, manageable: bool) -> dict[str, Any]:
    """Ironic's registry fields for one setting (all None when the registry lacks it)."""
    if setting is None:  # a value the profile cannot override
        return {**dict.fromkeys(REGISTRY_FIELDS), "read_only": True, "reset_required": True}
    numeric = setting.kind == "integer"
    textual = setting.kind == "string"
    return {
        "attribute_type": ATTRIBUTE_TYPES.get(setting.kind, "String"),
        "allowable_values": list(setting.options) if setting.kind == "enumeration" else None,
        "lower_bound": setting.lower_bound if numeric else None,
        "upper_bound": setting.upper_bound if numeric else None,
        "min_length": setting.min_length if textual else None,
        "max_length": setting.max_length if textual else None,
        # Only what the type lets a profile override can be set, and a change takes effect
        # when OneView restarts the server to apply the profile.
        "read_only": not manageable,
        "reset_required": True,
        "unique": False,
    }


def bios_settings(sht: Mapping[str, Any], values: Mapping[str, str]) -> list[dict[str, Any]]:
    """Pure: Ironic's bios_settings rows for the current ``values`` and the type's registry."""
    config = hardware_type_config(sht)
    return [
        {"name": name, "value": value, **registry_fields(config.bios.get(name), config.manage_bios)}
        for name, value in values.items()
    ]


def _section(body: Mapping[str, Any]) -> Mapping[str, Any]:
    current = body.get("bios")
    return current if isinstance(current, Mapping) else {}


class OneViewBIOS(profile_steps.ProfileEditPolling, base.BIOSInterface):
    """BIOS settings applied by OneView in the profile task that also holds RAID and firmware."""

    def get_properties(self) -> dict[str, str]:
        """The node contract's fields.

        :returns: dictionary of <property name>:<property description> entries.
        """
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract.

        :param task: a TaskManager instance containing the node to act on.
        :raises: MissingParameterValue, InvalidParameterValue
        """
        validation.validate(task)

    # -- steps ----------------------------------------------------------------------------
    @base.service_step(priority=0, argsinfo=_SETTINGS_ARGSINFO, requires_ramdisk=False)
    @base.clean_step(priority=0, argsinfo=_SETTINGS_ARGSINFO, requires_ramdisk=False)
    @base.deploy_step(priority=0, argsinfo=_SETTINGS_ARGSINFO)
    def apply_configuration(
        self, task: TaskManager, settings: Sequence[Mapping[str, Any]]
    ) -> str | None:
        """Override BIOS settings in the node's profile (others keep their values).

        :param task: a TaskManager instance containing the node to act on.
        :param settings: ``[{"name": <registry setting id>, "value": <value>}]``.
        :returns: states.CLEANWAIT, DEPLOYWAIT or SERVICEWAIT while OneView applies them,
            None when there was nothing to change.
        :raises: InvalidParameterValue naming the setting, the value and what the registry
            accepts (nothing is sent to OneView).
        :raises: NodeCleaningFailure, InstanceDeployFailure or NodeServicingFailure with
            OneView's words when the edit cannot start.
        """
        step = "apply_configuration"
        if composition.already_applied(task, f"{self.interface_type}.{step}"):
            LOG.info("Node %s: BIOS settings were applied by the claim's profile", task.node.uuid)
            self._edit_finished(task)
            return None
        overrides = self._checked(task, settings)

        def change(body: dict[str, Any]) -> bool:
            current = _section(body)
            kept = current.get("overriddenSettings") if current.get("manageBios") else None
            section = sections.bios_section(overrides, existing=kept or ())
            return sections.merge_sections(body, {"bios": section})

        return self._edit(task, change, step)

    @base.service_step(priority=0, requires_ramdisk=False)
    @base.clean_step(priority=0, requires_ramdisk=False)
    @base.deploy_step(priority=0)
    def factory_reset(self, task: TaskManager) -> str | None:
        """Every BIOS setting back to the type's default (BIOS managed, nothing overridden).

        :param task: a TaskManager instance containing the node to act on.
        :returns: states.CLEANWAIT, DEPLOYWAIT or SERVICEWAIT while OneView applies it, None
            when the profile already holds no override.
        :raises: InvalidParameterValue when the hardware type cannot manage BIOS.
        :raises: NodeCleaningFailure, InstanceDeployFailure or NodeServicingFailure with
            OneView's words when the edit cannot start.
        """
        step = "factory_reset"
        if composition.already_applied(task, f"{self.interface_type}.{step}"):
            self._edit_finished(task)
            return None
        self._checked(task, [])
        section = sections.bios_section(None)

        def change(body: dict[str, Any]) -> bool:
            current = _section(body)
            if current.get("manageBios") and not current.get("overriddenSettings"):
                return False
            return sections.merge_sections(body, {"bios": section})

        return self._edit(task, change, step)

    def _checked(
        self, task: TaskManager, settings: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, str]]:
        """OneView's overrides for ``settings``, refused before anything is sent."""
        if not isinstance(settings, Sequence) or isinstance(settings, str):
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: BIOS settings {settings!r} are not a list; expected "
                '[{"name": <setting id>, "value": <value>}].'
            )
        config = hardware_type_config(view_of(task).hardware_type())
        try:
            return sections.bios_overrides(config, settings)
        except sections.SettingRejected as error:
            raise exception.InvalidParameterValue(f"Node {task.node.uuid}: {error}") from error

    def _edit(self, task: TaskManager, change: profile_steps.ProfileChange, step: str) -> Any:
        state = profile_steps.start_edit(
            task, change, owner=self.interface_type, step=step, compose=True
        )
        if state is None:
            self._edit_finished(task)
        return state

    def _edit_finished(self, task: TaskManager) -> None:
        """The server's BIOS changed: check that it holds what ``apply_configuration`` asked
        (OneView's task can end well with a setting not applied), then refresh Ironic's cache.

        :raises: the operation's failure naming each setting the server does not hold.
        """
        node = task.node
        step = node.clean_step or node.service_step or node.deploy_step or {}
        if step.get("interface") == self.interface_type and step.get("step") == (
            "apply_configuration"
        ):
            asked = self._checked(task, (step.get("args") or {}).get("settings") or [])
            values = self._current(task)
            missing = [
                f"{o['id']}={values.get(o['id'])!r} (asked {o['value']!r})"
                for o in asked
                if values.get(o["id"]) != o["value"]
            ]
            if missing:
                raise profile_steps.failure(
                    task,
                    f"OneView's task ended well but server hardware "
                    f"{view_of(task).info.server_hardware_uri} does not hold the BIOS settings "
                    f"asked: {', '.join(missing)}",
                )
        try:
            self.cache_bios_settings(task)
        except exception.IronicException as error:
            LOG.warning(
                "Node %s: BIOS applied, but caching its settings failed: %s", node.uuid, error
            )

    def _current(self, task: TaskManager) -> dict[str, str]:
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            return current_bios(view.client.server_hardware.bios(uri))
        except OneViewError as error:
            raise common.driver_error(error, f"Reading the BIOS of {uri}") from error

    # -- cache ----------------------------------------------------------------------------
    def cache_bios_settings(self, task: TaskManager) -> None:
        """Store the server's current BIOS values, with the registry, in Ironic's database.

        :param task: a TaskManager instance containing the node to act on.
        :raises: OneViewDriverError with OneView's words if the values or the registry cannot
            be read.
        """
        settings = bios_settings(view_of(task).hardware_type(), self._current(task))
        node_id = task.node.id
        create, update, delete, _same = bios_objects.BIOSSettingList.sync_node_setting(
            task.context, node_id, settings
        )
        if create:
            bios_objects.BIOSSettingList.create(task.context, node_id, create)
        if update:
            bios_objects.BIOSSettingList.save(task.context, node_id, update)
        if delete:
            bios_objects.BIOSSettingList.delete(task.context, node_id, [d["name"] for d in delete])
        LOG.debug("Node %s: %d BIOS settings cached", task.node.uuid, len(settings))
