"""Deploy interfaces ``oneview-direct`` and ``oneview-ramdisk``: Ironic's, plus dynamic allocation.

The server is claimed before Ironic wires any network (so the profile's connections exist when
the ML2 driver looks for them), for deploy, cleaning and service; it is released after tear-down
when cleaning is skipped, after cleaning, and after a service that had to claim it.

A deployment's claim is composed (``composition``): the template its deploy template chooses
(``deploy.apply_server_profile_template``), its BIOS and RAID steps and the boot mode and secure
boot it asks for go into the claim's one profile, so those steps are no-ops when they run.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception, states
from ironic.conductor import utils as manager_utils
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from ironic.drivers.modules import agent, agent_base, deploy_utils, ramdisk
from oslo_log import log as logging

from . import allocation, common, composition, ownership, templates, validation
from .common import Node
from .view import view_of

LOG = logging.getLogger(__name__)
RAMDISK_DEPLOY = "oneview-ramdisk"
# Off by default, like Ironic's optional steps (bios, raid): a deploy template (trait) enables
# it, at a priority above deploy.deploy's 100 so it runs out of band with the server off
# (the deploy templates the enrollment tool prints use 150).
TEMPLATE_STEP_PRIORITY = 0
TEMPLATE_ARGSINFO: dict[str, Any] = {
    templates.ARGUMENT: {
        "description": "URI (/rest/server-profile-templates/<id>) or name of the server profile "
        "template the deployment claims its server from, instead of the node's "
        "properties/capabilities/server_profile_template_uri. It must be of the server's "
        "hardware type and enclosure group. Without it: the node's template.",
        "required": False,
    }
}


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

    def is_ramdisk_deploy(node: Node) -> bool:
        return original(node) or node.get_interface("deploy") == RAMDISK_DEPLOY

    is_ramdisk_deploy._oneview = True  # type: ignore[attr-defined]
    deploy_utils.is_ramdisk_deploy = is_ramdisk_deploy


_teach_ironic_our_ramdisk_deploy()


def _fail_if_taken(task: TaskManager, before: str) -> None:
    """Fail the deployment with our words when a OneView user took the server meanwhile.

    Checked before Ironic wires the tenant network: Neutron's driver refuses to wire a OneView
    user's profile, and Ironic would otherwise end the deployment with its own wait for the
    port ("failed to reach status ACTIVE"), our reason only in neutron.log.

    :raises: InstanceDeployFailure naming the node, the server hardware and the user's profile.
    """
    if not allocation.taken_by_oneview(task):
        return
    server = view_of(task).server_hardware()
    raise exception.InstanceDeployFailure(
        reason=f"A OneView user took the server during the deployment, before {before}. "
        f"{ownership.in_use_message(task.node, server)}"
    )


def _mark_cleaning_failure(task: TaskManager) -> None:
    """Flag the node so the clean-failed periodic can rescue it (see periodics)."""
    task.node.set_driver_internal_info(common.ALLOCATION_ERROR, common.ALLOCATION_ERROR_TEXT)
    task.node.save()


class _DynamicAllocation(agent_base.AgentBaseMixin, base.DeployInterface):
    """Mixed in before an Ironic deploy interface; each hook calls the interface's own.

    It is an Ironic deploy interface sharing the agent base both of Ironic's deploys it is
    mixed into have (``agent.AgentDeploy``, ``ramdisk.RamdiskDeploy``), so ``super()`` is that
    deploy at run time (it comes first in their MRO). For ``get_properties``, ``validate`` and
    ``prepare`` the type checker only sees ``DeployInterface``'s abstract methods; the classes
    below always supply real ones, hence the three ``safe-super`` ignores.
    """

    def get_properties(self) -> dict[str, str]:
        """Ironic's deploy properties plus the node contract's.

        :returns: dictionary of <property name>:<property description> entries.
        """
        return {**super().get_properties(), **common.COMMON_PROPERTIES}  # type: ignore[safe-super]

    def validate(self, task: TaskManager) -> None:
        """The node contract and its consistency with OneView, then Ironic's deploy checks.

        :param task: a TaskManager instance containing the node to act on.
        :raises: MissingParameterValue if a field of the node contract is missing.
        :raises: InvalidParameterValue if a field is malformed or disagrees with OneView, or
            the deploy templates of the instance's traits ask for what OneView cannot apply.
        """
        validation.validate(task)
        super().validate(task)  # type: ignore[safe-super]
        composition.check_deploy_templates(task)

    def prepare(self, task: TaskManager) -> None:
        """Claim the server (during a deploy) before Ironic wires any network, then prepare.

        :param task: a TaskManager instance containing the node to act on.
        :raises: InstanceDeployFailure if the server cannot be claimed (a OneView user owns it,
            or OneView refused the profile), with OneView's words.
        """
        if task.node.provision_state == states.DEPLOYING:
            _claim_for_deployment(task)
        super().prepare(task)  # type: ignore[safe-super]

    @base.deploy_step(priority=TEMPLATE_STEP_PRIORITY, argsinfo=TEMPLATE_ARGSINFO)
    def apply_server_profile_template(self, task: TaskManager, template: str | None = None) -> None:
        """Make the deployment's server carry a profile from ``template``.

        A no-op when the claim already applied it (the usual case: the deploy template that
        names it was read at claim time). Otherwise (the step came with ``--deploy-steps``,
        which Ironic stores only after the claim, or a redeploy kept an older profile) the
        server, off at this priority, is re-claimed from the template with the deployment's
        other steps of ours composed, and the provisioning network is wired again onto the new
        profile.

        :param task: a TaskManager instance containing the node to act on.
        :param template: URI or name of a server profile template; None: the node's.
        :raises: InvalidParameterValue if the template does not exist or does not fit the
            node's server (naming both), or a composed step's value is refused.
        :raises: InstanceDeployFailure if OneView refused the re-claim.
        """
        if composition.already_applied(task, composition.TEMPLATE_STEP):
            LOG.info("Node %s: the claim applied the deployment's template", task.node.uuid)
            return
        _reclaim(task, template)

    def tear_down(self, task: TaskManager) -> str:
        """Ironic's tear-down, then release the server if cleaning is skipped.

        A server a OneView user took meanwhile is let go of without powering it off.

        :param task: a TaskManager instance containing the node to act on.
        :returns: states.DELETED
        :raises: InstanceDeployFailure if the server cannot be released.
        """
        if allocation.taken_by_oneview(task):
            return self._let_go(task)
        result = super().tear_down(task)
        if manager_utils.skip_automated_cleaning(task.node):
            try:
                allocation.release(task)
            except allocation.AllocationError as error:
                raise exception.InstanceDeployFailure(reason=str(error)) from error
        return result

    def _let_go(self, task: TaskManager) -> str:
        """A OneView user took the server: unwire Ironic's networks, never touch its power."""
        LOG.warning(
            "Node %s: a OneView user owns its server hardware; tearing down without powering "
            "it off or deleting their profile",
            task.node.uuid,
        )
        task.driver.storage.detach_volumes(task)
        task.driver.network.unconfigure_tenant_networks(task)
        task.driver.network.remove_provisioning_network(task)
        try:
            # Their profile stays; ours, which their take left on no server, is deleted (a
            # rescheduled deployment claims another server under the same name).
            allocation.release(task)
        except allocation.AllocationError as error:
            LOG.warning("Node %s: %s; forgetting the profile", task.node.uuid, error)
            allocation.forget(task)
        return states.DELETED

    def prepare_cleaning(self, task: TaskManager) -> str | None:
        """Claim the server for cleaning (reusing a deployment's profile), then Ironic's.

        :param task: a TaskManager instance containing the node to act on.
        :returns: what Ironic's deploy returns (states.CLEANWAIT when the agent boots).
        :raises: NodeCleaningFailure if the server cannot be claimed; the node is flagged so
            the clean-failed periodic check can rescue it.
        """
        try:
            allocation.claim(task, allocation.cleaning_name(task.node))
        except allocation.AllocationError as error:
            _mark_cleaning_failure(task)
            raise exception.NodeCleaningFailure(node=task.node.uuid, reason=str(error)) from error
        return super().prepare_cleaning(task)

    def tear_down_cleaning(self, task: TaskManager) -> None:
        """Ironic's tear-down of cleaning, then release the server.

        :param task: a TaskManager instance containing the node to act on.
        :raises: NodeCleaningFailure if the server cannot be released.
        """
        super().tear_down_cleaning(task)
        try:
            allocation.release(task)
        except allocation.AllocationError as error:
            raise exception.NodeCleaningFailure(node=task.node.uuid, reason=str(error)) from error

    def prepare_service(self, task: TaskManager) -> str | None:
        """Claim the server if the node has no profile yet, then Ironic's.

        :param task: a TaskManager instance containing the node to act on.
        :returns: what Ironic's deploy returns (states.SERVICEWAIT when the agent boots).
        :raises: NodeServicingFailure if the server cannot be claimed.
        """
        had_profile = bool((task.node.driver_info or {}).get(common.APPLIED_PROFILE_URI))
        try:
            allocation.claim(task, allocation.service_name(task.node))
        except allocation.AllocationError as error:
            raise exception.NodeServicingFailure(node=task.node.uuid, reason=str(error)) from error
        if not had_profile:
            task.node.set_driver_internal_info(common.CLAIMED_FOR, "service")
            task.node.save()
        return super().prepare_service(task)

    def tear_down_service(self, task: TaskManager) -> None:
        """Ironic's tear-down of servicing, then release only a claim servicing made.

        :param task: a TaskManager instance containing the node to act on.
        :raises: NodeServicingFailure if the server cannot be released.
        """
        super().tear_down_service(task)
        if task.node.driver_internal_info.get(common.CLAIMED_FOR) != "service":
            return  # an active node keeps the profile its deployment claimed
        try:
            allocation.release(task)
        except allocation.AllocationError as error:
            raise exception.NodeServicingFailure(node=task.node.uuid, reason=str(error)) from error


def _claim_for_deployment(task: TaskManager) -> None:
    """The deployment's claim, with its steps of ours composed into the one profile create.

    Every step is validated before anything is written, so bad input costs no power-off. A
    node that still carries its profile (a rebuild, a retried deployment) keeps it: its steps
    then apply themselves.
    """
    node = task.node
    name = allocation.deploy_name(node)
    composition.forget(task)
    try:
        if (node.driver_info or {}).get(common.APPLIED_PROFILE_URI):
            allocation.claim(task, name)
            return
        plan = composition.plan(task, composition.deployment_steps(task))
        allocation.claim(task, name, template_uri=plan.template_uri, customise=plan.customise)
    except allocation.AllocationError as error:
        raise exception.InstanceDeployFailure(reason=str(error)) from error
    if plan.applied and plan.steps:
        composition.record(task, plan.steps)
        node.save()
        LOG.info(
            "Node %s: claimed from template %s with %s composed",
            node.uuid,
            node.driver_internal_info.get(common.CLAIM_TEMPLATE),
            ", ".join(composition.step_name(s) for s in plan.steps) or "nothing",
        )


def _reclaim(task: TaskManager, template: str | None) -> None:
    """Re-claim the server from ``template`` unless its profile already comes from it."""
    view = view_of(task)
    node = task.node
    wanted = templates.chosen(view, template) if template is not None else None
    wanted_uri = wanted["uri"] if wanted else view.info.server_profile_template_uri
    applied = view.info.applied_server_profile_uri
    current = node.driver_internal_info.get(common.CLAIM_TEMPLATE) or (
        view.info.server_profile_template_uri if applied else None
    )
    if applied and current == wanted_uri:
        LOG.debug("Node %s: profile %s already from template %s", node.uuid, applied, wanted_uri)
        return
    plan = composition.plan(task, node.driver_internal_info.get("deploy_steps") or [])
    plan.template = plan.template or wanted
    try:
        allocation.release(task)
        allocation.claim(
            task,
            allocation.deploy_name(node),
            template_uri=plan.template_uri,
            customise=plan.customise,
        )
    except allocation.AllocationError as error:
        raise exception.InstanceDeployFailure(reason=str(error)) from error
    if plan.applied:  # a claim that reused a profile composed nothing: the steps run themselves
        composition.record(task, plan.steps)
    node.save()
    LOG.info(
        "Node %s: re-claimed from template %s (was %s); the provisioning network is wired "
        "again onto the new profile",
        node.uuid,
        plan.template_uri or wanted_uri,
        current,
    )
    task.driver.network.remove_provisioning_network(task)
    task.driver.network.add_provisioning_network(task)


class OneViewAgentDeploy(_DynamicAllocation, agent.AgentDeploy):
    """Ironic's ``direct`` deploy on a server claimed from OneView for the time it is needed."""

    @base.deploy_step(priority=30)
    def switch_to_tenant_network(self, task: TaskManager) -> None:
        """Ironic's step, once the server is known to be still ours.

        :param task: a TaskManager instance containing the node to act on.
        :raises: InstanceDeployFailure if a OneView user took the server (our message), or
            Ironic could not switch the networks.
        """
        _fail_if_taken(task, "Ironic switched it to the tenant network")
        super().switch_to_tenant_network(task)


class OneViewRamdiskDeploy(_DynamicAllocation, ramdisk.RamdiskDeploy):
    """Ironic's ``ramdisk`` deploy on a server claimed from OneView for the time it is needed."""

    @base.deploy_step(priority=100)
    def deploy(self, task: TaskManager) -> None:
        """Ironic's ramdisk deploy (tenant network, boot), once the server is known to be ours.

        :param task: a TaskManager instance containing the node to act on.
        :raises: InstanceDeployFailure if a OneView user took the server (our message).
        """
        _fail_if_taken(task, "Ironic switched it to the tenant network and booted the instance")
        super().deploy(task)
