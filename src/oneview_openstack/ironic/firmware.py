"""Firmware interface ``oneview``: a firmware baseline (SPP) installed offline through the profile.

``update`` takes one setting naming a baseline of ``/rest/firmware-drivers``::

    [{"component": "baseline", "url": "SPP2020090", "force": false}]

``url`` is the baseline's URI, short name (``baselineShortName``), name or id; ``force``
reinstalls components already at the baseline's version. The profile's ``firmware`` section
then names the baseline with ``FirmwareOnlyOfflineMode`` (OneView boots the SPP itself; no agent
in the OS is needed), and OneView installs it in the profile task: 30 to 90 minutes, during which
the step's periodic keeps the node alive (``touch_provisioning``) past Ironic's callback timeouts.

``cache_firmware_components`` stores the server's installed components (``…/firmware``) in
Ironic's firmware table, one row per OneView component name ("System ROM", "iLO 5", ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from ironic.objects import firmware as firmware_objects
from oslo_log import log as logging

from ..client import OneViewError
from ..client import profile_sections as sections
from ..client.configuration import FirmwareComponent, firmware_components, hardware_type_config
from . import common, profile_steps, validation
from .view import view_of

LOG = logging.getLogger(__name__)

BASELINE_COMPONENT = "baseline"
SETTING_KEYS = ("component", "url", "force")
_SETTINGS_ARGSINFO: dict[str, base.ArgInfo] = {
    "settings": {
        "description": (
            'One firmware baseline: [{"component": "baseline", "url": <URI, short name, name '
            'or id of a /rest/firmware-drivers baseline>, "force": <reinstall components '
            "already at the baseline's version, default false>}]"
        ),
        "required": True,
    }
}


def baseline_request(node_uuid: str, settings: Any) -> tuple[str, bool]:
    """Pure: the baseline named by ``update``'s settings, and ``force``.

    :raises: InvalidParameterValue naming the field, the value and the accepted shape.
    """
    shape = '[{"component": "baseline", "url": <baseline>, "force": false}]'
    if (
        not isinstance(settings, Sequence)
        or isinstance(settings, str)
        or len(settings) != 1
        or not isinstance(settings[0], Mapping)
    ):
        raise exception.InvalidParameterValue(
            f"Node {node_uuid}: firmware settings {settings!r} are not one baseline; "
            f"expected {shape}."
        )
    setting = settings[0]
    unknown = sorted(set(setting) - set(SETTING_KEYS))
    if unknown:
        raise exception.InvalidParameterValue(
            f"Node {node_uuid}: firmware setting field {unknown[0]!r} is unknown; expected the "
            f"fields {list(SETTING_KEYS)}."
        )
    if setting.get("component") != BASELINE_COMPONENT:
        raise exception.InvalidParameterValue(
            f"Node {node_uuid}: firmware setting component {setting.get('component')!r} is not "
            f"supported; expected {BASELINE_COMPONENT!r} (OneView installs a whole baseline)."
        )
    url = setting.get("url")
    if not isinstance(url, str) or not url.strip():
        raise exception.InvalidParameterValue(
            f"Node {node_uuid}: firmware setting url {url!r} is not a baseline; expected the "
            "URI, short name, name or id of a /rest/firmware-drivers baseline."
        )
    force = setting.get("force", False)
    if not isinstance(force, bool):
        raise exception.InvalidParameterValue(
            f"Node {node_uuid}: firmware setting force {force!r} is not true or false."
        )
    return url.strip(), force


def ironic_components(installed: Sequence[FirmwareComponent]) -> list[dict[str, Any]]:
    """Pure: Ironic's firmware rows for the server's installed components (versionless ones
    are left out: Ironic needs a version)."""
    rows: dict[str, dict[str, Any]] = {}
    for component in installed:
        if component.version:
            rows.setdefault(
                component.name,
                {
                    "component": component.name,
                    "current_version": component.version,
                    "vendor": "HPE",
                    "model": component.location,
                    "serial_number": None,
                },
            )
    return list(rows.values())


class OneViewFirmware(profile_steps.ProfileEditPolling, base.FirmwareInterface):
    """Firmware baselines installed offline by OneView through the profile."""

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

    @base.deploy_step(priority=0, abortable=False, argsinfo=_SETTINGS_ARGSINFO)
    @base.clean_step(
        priority=0, abortable=False, argsinfo=_SETTINGS_ARGSINFO, requires_ramdisk=False
    )
    @base.service_step(
        priority=0, abortable=False, argsinfo=_SETTINGS_ARGSINFO, requires_ramdisk=False
    )
    def update(self, task: TaskManager, settings: list[dict[str, Any]]) -> str | None:
        """Install a firmware baseline offline through the node's profile.

        :param task: a TaskManager instance containing the node to act on.
        :param settings: ``[{"component": "baseline", "url": <baseline>, "force": bool}]``.
        :returns: states.CLEANWAIT, DEPLOYWAIT or SERVICEWAIT while OneView installs it, None
            when the profile already names that baseline.
        :raises: InvalidParameterValue for a malformed setting, a baseline that does not exist
            (naming those that do) or a hardware type without FirmwareUpdate; nothing is sent.
        :raises: NodeCleaningFailure, InstanceDeployFailure or NodeServicingFailure with
            OneView's words when the edit cannot start.
        """
        node = task.node
        name, force = baseline_request(node.uuid, settings)
        view = view_of(task)
        try:
            baseline = view.client.firmware_drivers.baseline(name)
            config = hardware_type_config(view.hardware_type())
            section = sections.firmware_section(baseline, force, config=config)
        except sections.SettingRejected as error:
            raise exception.InvalidParameterValue(f"Node {node.uuid}: {error}") from error
        except OneViewError as error:
            raise profile_steps.failure(
                task, f"Reading firmware baseline {name!r} failed: {error}"
            ) from error
        LOG.info(
            "Node %s: installing firmware baseline %s (%s, version %s) offline%s",
            node.uuid,
            baseline.short_name or baseline.name,
            baseline.uri,
            baseline.version,
            ", forced" if force else "",
        )

        def change(body: dict[str, Any]) -> bool:
            return sections.merge_sections(body, {"firmware": section})

        state = profile_steps.start_edit(task, change, owner=self.interface_type, step="update")
        if state is None:
            self._edit_finished(task)
        return state

    def _edit_finished(self, task: TaskManager) -> None:
        """The baseline is installed: refresh Ironic's components (a failure is only logged)."""
        try:
            self.cache_firmware_components(task)
        except exception.IronicException as error:
            LOG.warning(
                "Node %s: firmware installed, but caching its components failed: %s",
                task.node.uuid,
                error,
            )

    def cache_firmware_components(self, task: TaskManager) -> None:
        """Store the server's installed firmware components in Ironic's database.

        A component whose version changed keeps its ``initial_version`` and gets the new one
        as ``current_version`` and ``last_version_flashed``.

        :param task: a TaskManager instance containing the node to act on.
        :raises: UnsupportedDriverExtension when OneView reports no component with a version.
        :raises: OneViewDriverError with OneView's words if the inventory cannot be read.
        """
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            installed = firmware_components(view.client.server_hardware.firmware(uri))
        except OneViewError as error:
            raise common.driver_error(error, f"Reading the firmware of {uri}") from error
        rows = ironic_components(installed)
        if not rows:
            raise exception.UnsupportedDriverExtension(
                f"Node {task.node.uuid}: OneView reports no firmware component with a version "
                f"for server hardware {uri}."
            )
        context, node_id = task.context, task.node.id
        create, update, _same = firmware_objects.FirmwareComponentList.sync_firmware_components(
            context, node_id, rows
        )
        for row in create:
            firmware_objects.FirmwareComponent(context, node_id=node_id, **row).create()
        for row in update:
            stored = firmware_objects.FirmwareComponent.get(
                context, node_id=node_id, name=row["component"]
            )
            if stored.current_version != row["current_version"]:
                stored.last_version_flashed = row["current_version"]
                stored.current_version = row["current_version"]
            stored.vendor, stored.model = row["vendor"], row["model"]
            stored.save()
        LOG.debug("Node %s: %d firmware components cached", task.node.uuid, len(rows))
