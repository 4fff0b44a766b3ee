"""Deploy interfaces ``oneview-direct`` and ``oneview-ramdisk``: Ironic's, plus dynamic allocation.

The server is claimed before Ironic wires any network (so the profile's connections exist when
the ML2 driver looks for them), for deploy, cleaning and service; it is released after tear-down
when cleaning is skipped, after cleaning, and after a service that had to claim it.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception, states
from ironic.conductor import utils as manager_utils
from ironic.drivers.modules import agent, deploy_utils, ramdisk
from oslo_log import log as logging

from . import allocation, common, validation

LOG = logging.getLogger(__name__)
RAMDISK_DEPLOY = "oneview-ramdisk"


def _teach_ironic_our_ramdisk_deploy() -> None:
    """Make Ironic's boot code treat ``oneview-ramdisk`` nodes as ramdisk deploys.

    Ironic 39 decides the boot option (``deploy_utils.get_boot_option``) by comparing the deploy
    interface's *name* with ``ramdisk`` (its own FIXME calls this an anti-pattern). Without this,
    PXE/iPXE/virtual-media boot would skip the ramdisk checks at validate and set a persistent
    disk boot at ``prepare_instance`` instead of booting the instance's kernel and ramdisk.
    Wrapping is idempotent and changes nothing for other interface names.
    """
    original = deploy_utils.is_ramdisk_deploy
    if getattr(original, "_oneview", False):
        return

    def is_ramdisk_deploy(node: Any) -> bool:
        return original(node) or node.get_interface("deploy") == RAMDISK_DEPLOY

    is_ramdisk_deploy._oneview = True  # type: ignore[attr-defined]
    deploy_utils.is_ramdisk_deploy = is_ramdisk_deploy


_teach_ironic_our_ramdisk_deploy()


def _mark_cleaning_failure(task: Any) -> None:
    """Flag the node so the clean-failed periodic can rescue it (see periodics)."""
    task.node.set_driver_internal_info(common.ALLOCATION_ERROR, common.ALLOCATION_ERROR_TEXT)
    task.node.save()


class _DynamicAllocation:
    """Mixed in before an Ironic deploy interface; each hook calls the interface's own."""

    def get_properties(self) -> dict[str, str]:
        return {**super().get_properties(), **common.COMMON_PROPERTIES}

    def validate(self, task: Any) -> None:
        validation.validate(task)
        super().validate(task)

    def prepare(self, task: Any) -> None:
        if task.node.provision_state == states.DEPLOYING:
            try:
                allocation.claim(task, allocation.deploy_name(task.node))
            except allocation.AllocationError as error:
                raise exception.InstanceDeployFailure(reason=str(error)) from error
        super().prepare(task)

    def tear_down(self, task: Any) -> str:
        if allocation.taken_by_oneview(task):
            return self._let_go(task)
        result = super().tear_down(task)
        if manager_utils.skip_automated_cleaning(task.node):
            try:
                allocation.release(task)
            except allocation.AllocationError as error:
                raise exception.InstanceDeployFailure(reason=str(error)) from error
        return result

    def _let_go(self, task: Any) -> str:
        """A OneView user took the server: unwire Ironic's networks, never touch its power."""
        LOG.warning(
            "Node %s: a OneView user owns its server hardware; tearing down without powering "
            "it off or deleting their profile",
            task.node.uuid,
        )
        task.driver.storage.detach_volumes(task)
        task.driver.network.unconfigure_tenant_networks(task)
        task.driver.network.remove_provisioning_network(task)
        allocation.forget(task)
        return states.DELETED

    def prepare_cleaning(self, task: Any) -> Any:
        try:
            allocation.claim(task, allocation.cleaning_name(task.node))
        except allocation.AllocationError as error:
            _mark_cleaning_failure(task)
            raise exception.NodeCleaningFailure(node=task.node.uuid, reason=str(error)) from error
        return super().prepare_cleaning(task)

    def tear_down_cleaning(self, task: Any) -> None:
        super().tear_down_cleaning(task)
        try:
            allocation.release(task)
        except allocation.AllocationError as error:
            raise exception.NodeCleaningFailure(node=task.node.uuid, reason=str(error)) from error

    def prepare_service(self, task: Any) -> Any:
        had_profile = bool((task.node.driver_info or {}).get(common.APPLIED_PROFILE_URI))
        try:
            allocation.claim(task, allocation.service_name(task.node))
        except allocation.AllocationError as error:
            raise exception.NodeServicingFailure(node=task.node.uuid, reason=str(error)) from error
        if not had_profile:
            task.node.set_driver_internal_info(common.CLAIMED_FOR, "service")
            task.node.save()
        return super().prepare_service(task)

    def tear_down_service(self, task: Any) -> None:
        super().tear_down_service(task)
        if task.node.driver_internal_info.get(common.CLAIMED_FOR) != "service":
            return  # an active node keeps the profile its deployment claimed
        try:
            allocation.release(task)
        except allocation.AllocationError as error:
            raise exception.NodeServicingFailure(node=task.node.uuid, reason=str(error)) from error


class OneViewAgentDeploy(_DynamicAllocation, agent.AgentDeploy):
    """Ironic's ``direct`` deploy on a server claimed from OneView for the time it is needed."""


class OneViewRamdiskDeploy(_DynamicAllocation, ramdisk.RamdiskDeploy):
    """Ironic's ``ramdisk`` deploy on a server claimed from OneView for the time it is needed."""
