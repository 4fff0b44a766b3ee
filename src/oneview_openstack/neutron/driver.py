"""The ML2 mechanism driver ``oneview``: routes ML2 calls to the modules that do the work.

``bind_port`` only decides (bare-metal vNIC, local link information, a mapped segment) and adds a
provisioning block; the OneView work happens in ``update_port_postcommit`` and completes the block,
so the port goes ACTIVE only once its server's connection is on the network.
"""

from __future__ import annotations

from typing import Any

from neutron_lib import constants as n_const
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import resources
from neutron_lib.plugins.ml2 import api
from oslo_config import cfg
from oslo_log import log as logging

from .. import conf as ov_conf
from ..client import OneViewClient, OneViewError
from . import validation
from .errors import OneViewMappingError, PortWiringError
from .ironic import IronicLookup
from .mappings import Mappings, describe
from .networks import NetworkSync
from .ports import PortInfo, PortWiring

LOG = logging.getLogger(__name__)

DRIVER_NAME = "oneview"
ENTITY = "ONEVIEW"


def _bound_by_us(levels: list[dict[str, Any]] | None) -> bool:
    return bool(levels) and levels[-1].get(api.BOUND_DRIVER) == DRIVER_NAME


def _lock_dir(conf: Any) -> str | None:
    """Neutron's ``[oslo_concurrency] lock_path``: where the host's processes meet."""
    try:
        return conf.oslo_concurrency.lock_path or None
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return None


class OneViewMechanismDriver(api.MechanismDriver):
    """Mirrors VLAN/flat networks and bare-metal ports into HPE OneView."""

    def initialize(self) -> None:
        conf = cfg.CONF
        ov_conf.register_opts(conf, "neutron")
        opts = conf.oneview
        self.mappings = Mappings.from_conf(opts)
        self.client = OneViewClient.from_conf(conf)
        try:
            self.mappings.validate(self.client)
        except OneViewMappingError:
            raise
        except OneViewError as error:  # OneView down at start: check again on first use
            LOG.error(
                "Cannot validate the [oneview] mappings now (%s); retrying on first use", error
            )
        self.networks = NetworkSync(self.client, self.mappings, lock_dir=_lock_dir(conf))
        self.ports = PortWiring(
            self.client, IronicLookup(conf), opts.profile_busy_timeout, lock_dir=_lock_dir(conf)
        )
        LOG.info(
            "OneView mechanism driver ready: default uplink sets %s, per physnet %s, flat %s",
            list(self.mappings.default_uplink_sets),
            self.mappings.physnet_uplink_sets,
            self.mappings.flat_networks,
        )

    @property
    def connectivity(self) -> str:
        return portbindings.CONNECTIVITY_L2

    def get_workers(self) -> list[Any]:
        from .reconcile import make_worker

        worker = make_worker(self)
        return [worker] if worker is not None else []

    # -- networks --------------------------------------------------------------------------
    def create_network_postcommit(self, context: Any) -> None:
        self.networks.create(context.current)

    def update_network_precommit(self, context: Any) -> None:
        validation.check_network_update(context.current, context.original, self._mapped)

    def update_network_postcommit(self, context: Any) -> None:
        self.networks.update(context.current, context.original)

    def delete_network_postcommit(self, context: Any) -> None:
        try:
            self.networks.delete(context.current)
        except OneViewError as error:
            LOG.error(
                "OneView network of deleted network %s stays behind (%s); reconciliation "
                "reports it as an orphan",
                context.current["id"],
                describe(error),
            )

    # -- ports -----------------------------------------------------------------------------
    def create_port_precommit(self, context: Any) -> None:
        validation.check_port(context.current, self._mapped(context.network.current))

    def update_port_precommit(self, context: Any) -> None:
        validation.check_port(context.current, self._mapped(context.network.current))

    def _mapped(self, network: dict[str, Any]) -> bool:
        net_type, physnet, vlan = (
            network.get("provider:network_type"),
            network.get("provider:physical_network"),
            network.get("provider:segmentation_id"),
        )
        return self.mappings.plan(net_type, physnet, vlan) is not None

    def bind_port(self, context: Any) -> None:
        port = context.current
        if port.get(portbindings.VNIC_TYPE) != portbindings.VNIC_BAREMETAL:
            return
        profile = port.get(portbindings.PROFILE) or {}
        if not isinstance(profile, dict) or not profile.get("local_link_information"):
            LOG.debug("Port %s has no local_link_information; not binding it", port["id"])
            return
        for segment in context.segments_to_bind:
            plan = self.mappings.plan(
                segment.get(api.NETWORK_TYPE),
                segment.get(api.PHYSICAL_NETWORK),
                segment.get(api.SEGMENTATION_ID),
            )
            if plan is None:
                continue
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OTHER, {})
            from neutron.db import provisioning_blocks

            provisioning_blocks.add_provisioning_component(
                context.plugin_context, port["id"], resources.PORT, ENTITY
            )
            LOG.debug("Bound port %s to segment %s", port["id"], segment[api.ID])
            return

    def update_port_postcommit(self, context: Any) -> None:
        port, original = context.current, context.original
        now = _bound_by_us(context.binding_levels) and port.get(portbindings.VIF_TYPE) == (
            portbindings.VIF_TYPE_OTHER
        )
        before = bool(original) and _bound_by_us(context.original_binding_levels)
        moved = before and (
            not now
            or context.original_host != context.host
            or (context.original_bottom_bound_segment or {}).get(api.ID)
            != (context.bottom_bound_segment or {}).get(api.ID)
        )
        if moved:
            self._unplug(original, context.original_host)
        if not now:
            return
        if port["status"] == n_const.PORT_STATUS_ACTIVE and before and not moved:
            return
        if (
            port["status"] == n_const.PORT_STATUS_ERROR
            and original
            and original.get("status") != n_const.PORT_STATUS_ERROR
        ):
            return  # the driver itself just marked it failed
        self._plug(context)

    def delete_port_postcommit(self, context: Any) -> None:
        if _bound_by_us(context.binding_levels):
            self._unplug(context.current, context.host)

    def _plug(self, context: Any) -> None:
        port = context.current
        segment = context.bottom_bound_segment or {}
        try:
            plan = self.mappings.plan(
                segment.get(api.NETWORK_TYPE),
                segment.get(api.PHYSICAL_NETWORK),
                segment.get(api.SEGMENTATION_ID),
            )
            network_uri = self.networks.oneview_uri(port["network_id"], plan) if plan else None
            if network_uri is None:
                raise PortWiringError(
                    f"network {port['network_id']} has no OneView network yet (reconciliation "
                    "creates it)"
                )
            self.ports.plug(PortInfo.of(port, context.host), network_uri)
        except (PortWiringError, OneViewError) as error:
            LOG.error("Cannot wire bare-metal port %s in OneView: %s", port["id"], error)
            self.networks.forget(port["network_id"])
            context._plugin.update_port_status(
                context.plugin_context, port["id"], n_const.PORT_STATUS_ERROR
            )
            return
        from neutron.db import provisioning_blocks

        provisioning_blocks.provisioning_complete(
            context.plugin_context, port["id"], resources.PORT, ENTITY
        )

    def _unplug(self, port: dict[str, Any], host: str | None) -> None:
        try:
            self.ports.unplug(PortInfo.of(port, host))
        except (PortWiringError, OneViewError) as error:
            LOG.error(
                "Cannot undo bare-metal port %s in OneView (%s); reconciliation reports the "
                "connection (and undoes it when delete_orphans is on)",
                port["id"],
                error,
            )
