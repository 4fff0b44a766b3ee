"""RAID interface ``oneview``: logical drives through the server profile's ``localStorage``.

Ironic 39 has no out-of-band RAID left for Gen9/Gen10 Smart Array (the ``ilo5`` RAID went with
the ``ilo`` hardware type, and iLO 5 does not create DMTF Volumes reliably); OneView builds the
logical drives of every generation it manages from the profile. Each step is one eTag'd profile
edit (``profile_steps.start_edit``: the server is switched off, the step waits for OneView's
task in a periodic), and ``node.raid_config`` is read back from ``localStorageV2`` afterwards.
OneView gives a logical drive no size, it spans whole drives: only ``size_gb: "MAX"`` can be
honoured. Every step initialises the controller: **its logical drives and their data are lost.**
"""

from __future__ import annotations

from typing import Any, cast

from ironic.common import exception
from ironic.common import raid as ironic_raid
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from oslo_log import log as logging

from ..client import OneViewError, configuration, profile_sections
from . import common, composition, profile_steps, validation
from .view import view_of

LOG = logging.getLogger(__name__)

CREATE_ARGSINFO: dict[str, base.ArgInfo] = {
    "create_root_volume": {
        "description": "Whether to create the root volume of the node's target_raid_config. "
        "Defaults to True.",
        "required": False,
    },
    "create_nonroot_volumes": {
        "description": "Whether to create the other volumes of the node's target_raid_config. "
        "Defaults to True.",
        "required": False,
    },
    "delete_existing": {
        "description": "Must be True (the default): OneView builds logical drives by "
        "initialising the controller, which deletes every existing one.",
        "required": False,
    },
}
# Ironic's own argsinfo of apply_configuration (its module leaves the dict untyped).
APPLY_ARGSINFO = cast(dict[str, base.ArgInfo], base.RAID_APPLY_CONFIGURATION_ARGSINFO)
# What OneView does with each of Ironic's logical-disk properties.
ONEVIEW_NOTES = {
    "raid_level": "one of the levels of the hardware type's controller "
    "(storageCapabilities.raidLevels); OneView has no JBOD or 2",
    "size_gb": "must be 'MAX': a OneView logical drive spans whole drives and has no size",
    "volume_name": "the logical drive's name in the profile (default LogicalDrive<n>)",
    "is_root_volume": "the bootable logical drive",
    "share_physical_disks": "ignored: OneView never shares drives between logical drives",
    "disk_type": "with interface_type, OneView's driveTechnology (ssd + sas: SasSsd)",
    "interface_type": "sas or sata (OneView has no scsi drive technology)",
    "number_of_physical_disks": "numPhysicalDrives (default: the level's minimum); all "
    "logical disks together at most the server's drives and the type's maximumDrives",
    "controller": "the profile's deviceSlot (default Embedded)",
    "physical_disks": "refused: OneView chooses the drives",
}


def raid_config_of(inventory: configuration.StorageInventory) -> dict[str, Any]:
    """Ironic's ``raid_config`` (what the server has now) from the client's localStorageV2 view."""
    disks = []
    for drive in inventory.logical_drives:
        disk: dict[str, Any] = {
            "raid_level": drive.raid_level,
            "size_gb": drive.size_gb if drive.size_gb is not None else "MAX",
            "is_root_volume": drive.bootable,
        }
        if drive.name:
            disk["volume_name"] = drive.name
        if drive.drive_count:
            disk["number_of_physical_disks"] = drive.drive_count
        if drive.controller:
            disk["controller"] = drive.controller
        disks.append(disk)
    return {"logical_disks": disks}


def _inventory(task: TaskManager) -> configuration.StorageInventory:
    """The server's drives and logical drives, read now.

    :raises: OneViewDriverError naming the server and OneView's answer.
    """
    view = view_of(task)
    uri = view.info.server_hardware_uri
    try:
        return configuration.local_storage(view.client.server_hardware.local_storage(uri))
    except OneViewError as error:
        raise common.driver_error(error, f"Reading the local storage of {uri}") from error


class OneViewRAID(profile_steps.ProfileEditPolling, base.RAIDInterface):
    """Out-of-band RAID on Smart Array controllers, applied by OneView in a profile task."""

    def get_properties(self) -> dict[str, str]:
        """The node contract's fields.

        :returns: dictionary of <property name>:<property description> entries.
        """
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract, then the node's target RAID configuration if it has one.

        :param task: a TaskManager instance containing the node to act on.
        :raises: MissingParameterValue if a field of the node contract is missing.
        :raises: InvalidParameterValue if a field is malformed, or OneView cannot build the
            target RAID configuration on the node's server.
        """
        validation.validate(task)
        super().validate(task)

    def validate_raid_config(self, task: TaskManager, raid_config: dict[str, Any]) -> None:
        """Ironic's schema, then what OneView can build on this server; nothing is sent.

        :param task: a TaskManager instance containing the node to act on.
        :param raid_config: the RAID configuration to validate.
        :raises: InvalidParameterValue naming the field, the value and what is accepted (a
            size other than MAX, a RAID level the controller lacks, more drives than the
            server has or its type allows, ...), or when OneView cannot be read.
        """
        super().validate_raid_config(task, raid_config)
        self._local_storage(task, raid_config)

    def get_logical_disk_properties(self) -> dict[str, str]:
        """Ironic's logical-disk properties, each with what OneView does with it.

        :returns: dictionary of <property name>:<description> entries.
        """
        return {
            name: f"{text} OneView: {ONEVIEW_NOTES[name]}." if name in ONEVIEW_NOTES else text
            for name, text in super().get_logical_disk_properties().items()
        }

    def _local_storage(self, task: TaskManager, raid_config: dict[str, Any]) -> dict[str, Any]:
        """The profile's ``localStorage`` section for ``raid_config``, checked by the client."""
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            config = configuration.hardware_type_config(view.hardware_type())
            drives = _inventory(task)
        except common.OneViewDriverError as error:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: the RAID configuration cannot be checked against "
                f"server hardware {uri}: {error}"
            ) from error
        try:
            return profile_sections.local_storage_section(config, raid_config, drives)
        except profile_sections.SettingRejected as error:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: RAID configuration refused: {error}. Nothing was sent "
                "to OneView."
            ) from error

    @base.clean_step(priority=0, abortable=False, argsinfo=CREATE_ARGSINFO, requires_ramdisk=False)
    def create_configuration(
        self,
        task: TaskManager,
        create_root_volume: bool = True,
        create_nonroot_volumes: bool = True,
        delete_existing: bool = True,
    ) -> str | None:
        """Build the node's target RAID configuration; every existing logical drive is lost.

        :param task: a TaskManager instance containing the node to act on.
        :param create_root_volume: False leaves out the root volume of target_raid_config.
        :param create_nonroot_volumes: False leaves out the other volumes.
        :param delete_existing: must be True: OneView initialises the controller.
        :returns: states.CLEANWAIT or DEPLOYWAIT while OneView applies the profile, None when
            the profile already holds this layout.
        :raises: MissingParameterValue if the node has no target RAID configuration (left).
        :raises: InvalidParameterValue if OneView cannot build it (nothing is sent).
        :raises: NodeCleaningFailure or InstanceDeployFailure with OneView's message if the
            edit cannot start.
        """
        return self._build(
            task,
            create_root_volume,
            create_nonroot_volumes,
            delete_existing,
            "create_configuration",
        )

    def _build(
        self, task: TaskManager, root: bool, nonroot: bool, delete_existing: bool, step: str
    ) -> str | None:
        """The node's target RAID configuration (filtered as Ironic does) into the profile."""
        if not delete_existing:
            raise exception.InvalidParameterValue(
                f"Node {task.node.uuid}: delete_existing False cannot be honoured: OneView "
                "builds logical drives by initialising the controller, which deletes every "
                "existing one; accepted: True (the default)."
            )
        target = ironic_raid.filter_target_raid_config(
            task.node, create_root_volume=root, create_nonroot_volumes=nonroot
        )
        return self._edit(task, self._local_storage(task, target), step)

    @base.clean_step(priority=0, abortable=False, requires_ramdisk=False)
    @base.deploy_step(priority=0)
    def delete_configuration(self, task: TaskManager) -> str | None:
        """Delete every logical drive (and its data) of the server's controllers.

        In a deployment whose claim already did it (composition), it only records it.

        :param task: a TaskManager instance containing the node to act on.
        :returns: states.CLEANWAIT or DEPLOYWAIT while OneView applies the profile, None when
            the profile already holds no logical drive.
        :raises: NodeCleaningFailure or InstanceDeployFailure with OneView's message if the
            local storage cannot be read or the edit cannot start.
        """
        if composition.already_applied(task, f"{self.interface_type}.delete_configuration"):
            LOG.info(
                "Node %s: the deployment's claim already emptied the controller", task.node.uuid
            )
            self._edit_finished(task)
            return None
        try:
            inventory = _inventory(task)
        except common.OneViewDriverError as error:
            raise profile_steps.failure(task, str(error)) from error
        slots = {profile_sections.DEFAULT_CONTROLLER}
        slots.update(d.controller for d in inventory.logical_drives if d.controller)
        section = profile_sections.empty_local_storage_section(sorted(slots))
        return self._edit(task, section, "delete_configuration")

    @base.clean_step(
        priority=0,
        abortable=False,
        argsinfo=APPLY_ARGSINFO,
        requires_ramdisk=False,
    )
    @base.deploy_step(priority=0, argsinfo=APPLY_ARGSINFO)
    def apply_configuration(
        self,
        task: TaskManager,
        raid_config: dict[str, Any],
        create_root_volume: bool = True,
        create_nonroot_volumes: bool = True,
        delete_existing: bool = True,
    ) -> str | None:
        """Make ``raid_config`` the node's target and build it; existing drives are lost.

        In a deployment whose claim already built it (composition), it is only recorded.

        :param task: a TaskManager instance containing the node to act on.
        :param raid_config: the RAID configuration to apply (Ironic's schema).
        :param create_root_volume: False leaves out its root volume.
        :param create_nonroot_volumes: False leaves out the other volumes.
        :param delete_existing: must be True: OneView initialises the controller.
        :returns: states.CLEANWAIT or DEPLOYWAIT while OneView applies the profile, else None.
        :raises: InvalidParameterValue if OneView cannot build it (nothing is sent).
        :raises: NodeCleaningFailure or InstanceDeployFailure with OneView's message if the
            edit cannot start.
        """
        node = task.node
        self.validate_raid_config(task, raid_config)
        node.target_raid_config = raid_config
        node.save()
        if composition.already_applied(task, f"{self.interface_type}.apply_configuration"):
            LOG.info("Node %s: the deployment's claim already built its RAID layout", node.uuid)
            self._edit_finished(task)
            return None
        return self._build(
            task, create_root_volume, create_nonroot_volumes, delete_existing, "apply_configuration"
        )

    def _edit(self, task: TaskManager, section: dict[str, Any], step: str) -> str | None:
        def change(profile: dict[str, Any]) -> bool:
            return profile_sections.merge_sections(profile, {"localStorage": section})

        LOG.warning(
            "Node %s: raid.%s initialises the controllers %s of server hardware %s: their "
            "logical drives and data are lost",
            task.node.uuid,
            step,
            [c.get("deviceSlot") for c in section.get("controllers") or []],
            view_of(task).info.server_hardware_uri,
        )
        state = profile_steps.start_edit(task, change, owner=self.interface_type, step=step)
        if state is None:  # the profile already holds it: nothing sent, record what is there
            self._edit_finished(task)
        return state

    def _edit_finished(self, task: TaskManager) -> None:
        """``raid_config`` (and Ironic's root-volume facts) from the server's localStorageV2.

        :raises: OneViewDriverError if the local storage cannot be read.
        """
        ironic_raid.update_raid_info(task.node, raid_config_of(_inventory(task)))
        LOG.info("Node %s: raid_config is now %s", task.node.uuid, task.node.raid_config)
