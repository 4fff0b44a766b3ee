"""The ML2 mechanism driver ``oneview``: routes ML2 calls to the modules that do the work.

``bind_port`` only decides (bare-metal vNIC, local link information, a mapped segment) and adds a
provisioning block; the OneView work happens in ``update_port_postcommit`` and completes the block,
so the port goes ACTIVE only once its server's connection is on the network.
"""

from __future__ import annotations

from typing import Any, cast

from neutron.db import provisioning_blocks
from neutron.plugins.ml2 import driver_context
from neutron_lib import constants as n_const
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import resources
from neutron_lib.plugins.ml2 import api
from oslo_config import cfg
from oslo_log import log as logging

from .. import conf as ov_conf
from ..client import OneViewClient, OneViewError
from . import network_options, reconcile, security, validation
from .constants import DRIVER_NAME, ENTITY
from .errors import MappingsNotLoaded, PortWiringError
from .ironic import IronicLookup
from .mappings import Mappings
from .networks import NetworkSync
from .ports import PortInfo, PortWiring
from .qos import QosSupport
from .segments import SegmentSync
from .trunks import TrunkSync

LOG = logging.getLogger(__name__)


def _bound_by_us(levels: list[dict[str, Any]] | None) -> bool:
    if not levels:
        return False
    return bool(levels[-1].get(api.BOUND_DRIVER) == DRIVER_NAME)


def _lock_dir(conf: Any) -> str | None:
    """Neutron's ``[oslo_concurrency] lock_path``: where the host's processes meet."""
    try:
        return conf.oslo_concurrency.lock_path or None
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return None


def _segment(segment: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    segment = segment or {}
    return (
        segment.get(api.NETWORK_TYPE),
        segment.get(api.PHYSICAL_NETWORK),
        segment.get(api.SEGMENTATION_ID),
    )


def _ml2(context: api.PortContext) -> driver_context.PortContext:
    """ML2's own context: it also carries the plugin and the DB context, which the API omits."""
    return cast(driver_context.PortContext, context)


class OneViewMechanismDriver(api.MechanismDriver):
    """Mirrors VLAN/flat networks and bare-metal ports into HPE OneView."""

    def initialize(self) -> None:
        """Parse the mappings, then read OneView's uplink-set types once.

        OneView being down does not stop Neutron: the types are read again on first use, and
        until then no port is bound (see :class:`MappingsNotLoaded`).

        :raises OneViewMappingError: the mappings are malformed, or name something OneView
            does not have.
        """
        conf = cfg.CONF
        ov_conf.register_opts(conf, "neutron")
        opts = conf.oneview
        self.mappings = Mappings.from_conf(opts)
        self.client = OneViewClient.from_conf(conf)
        try:
            self.mappings.load_types(self.client)
        except OneViewError as error:  # OneView down at start: read again on first use
            LOG.error(
                "Cannot read the uplink sets of the [oneview] mappings now (%s); no port is "
                "bound until they are read, which is retried on first use",
                error.summary,
            )
        self.networks = NetworkSync(
            self.client, self.mappings, lock_dir=_lock_dir(conf), options=opts
        )
        self.ports = PortWiring(
            self.client,
            IronicLookup(conf),
            opts.profile_busy_timeout,
            lock_dir=_lock_dir(conf),
            allow_power_cycle=opts.allow_power_cycle_for_connection_changes,
        )
        # The issue-15 features, each in its own module; each registers its own callbacks.
        self.segments = SegmentSync(self.client, self.mappings, self.networks)
        self.trunks = TrunkSync(self.client, self.networks, self.ports, lock_dir=_lock_dir(conf))
        self.qos = QosSupport(self.client, self.networks, self.ports)
        self.security = security.SecurityStance(opts, self.mappings)
        for feature in (self.segments, self.trunks, self.qos, self.security):
            feature.register()
        LOG.info(
            "OneView mechanism driver ready: default uplink sets %s, per physnet %s, flat %s, "
            "power cycles for connection changes %s",
            list(self.mappings.default_uplink_sets),
            self.mappings.physnet_uplink_sets,
            self.mappings.flat_networks,
            "allowed" if opts.allow_power_cycle_for_connection_changes else "never",
        )

    @property
    def connectivity(self) -> str:
        """L2: the driver wires a server's NIC onto the network; nothing is routed."""
        return portbindings.CONNECTIVITY_L2

    def get_workers(self) -> list[Any]:
        """The reconciliation worker (``neutron-periodic-workers``), unless disabled.

        :raises: nothing; the deprecated ``delete_orphans`` only logs a WARNING here.
        """
        worker = reconcile.make_worker(
            cfg.CONF,
            client=self.client,
            mappings=self.mappings,
            networks=self.networks,
            ports=self.ports,
            passes=(
                ("trunks", self.trunks.reconcile),
                ("segments", self.segments.reconcile),
                ("qos", self.qos.reconcile),
            ),
            port_uri=self.trunks.expected_uri,
        )
        return [worker] if worker is not None else []

    # -- networks --------------------------------------------------------------------------
    def create_network_postcommit(self, context: api.NetworkContext) -> None:
        """Create the OneView network and join its uplink sets.

        :raises VlanInUse, UntaggedUplinkSetInUse: an uplink set already carries the VLAN (or
            its one untagged network); Neutron then deletes its network.
        :raises OneViewOperationFailed: OneView refused or failed otherwise.
        """
        self.networks.create(context.current)
        self.qos.network_created(context.current)  # its policy's limit at once (logged if not)

    def check_vlan_transparency(self, context: api.NetworkContext) -> bool | None:
        """True for flat networks on a physnet mapped to a Tunnel uplink set; None abstains."""
        return network_options.vlan_transparent(self.mappings, context.current)

    def update_network_precommit(self, context: api.NetworkContext) -> None:
        """:raises InvalidInput: the VLAN of a mirrored network would change."""
        validation.check_network_update(context.current, context.original, self._mirrored)

    def update_network_postcommit(self, context: api.NetworkContext) -> None:
        """Follow a rename into the OneView network's description.

        :raises OneViewOperationFailed: OneView refused the change.
        """
        self.networks.update(context.current, context.original)

    def delete_network_postcommit(self, context: api.NetworkContext) -> None:
        """Delete the OneView network; a failure is logged, never raised (Neutron's is gone).

        :raises: nothing; reconciliation reports what stays behind.
        """
        try:
            self.networks.delete(context.current)
        except OneViewError as error:
            LOG.error(
                "OneView network of deleted network %s stays behind (%s); reconciliation "
                "reports it as an orphan",
                context.current["id"],
                error.summary,
            )

    # -- ports -----------------------------------------------------------------------------
    def create_port_precommit(self, context: api.PortContext) -> None:
        """:raises InvalidBindingProfile: a bare-metal port's request cannot be wired (400)."""
        validation.check_port(context.current, self._mirrored(context.network.current))

    def update_port_precommit(self, context: api.PortContext) -> None:
        """:raises InvalidBindingProfile: a bare-metal port's request cannot be wired (400)."""
        validation.check_port(context.current, self._mirrored(context.network.current))

    def _mirrored(self, network: dict[str, Any]) -> bool:
        """Pure: the precommit checks run in Neutron's transaction and never read OneView."""
        return self.mappings.may_mirror(
            network.get("provider:network_type"),
            network.get("provider:physical_network"),
            network.get("provider:segmentation_id"),
        )

    def bind_port(self, context: api.PortContext) -> None:
        """Bind a bare-metal port with local link information to a mirrored segment.

        No OneView write: the binding adds a provisioning block that ``update_port_postcommit``
        completes once the connection is wired. The mappings' uplink-set types are read first if
        the driver started while OneView was down; while they cannot be read nothing is bound.

        :raises: nothing; a port the driver cannot bind is left to other drivers.
        """
        port = context.current
        if port.get(portbindings.VNIC_TYPE) != portbindings.VNIC_BAREMETAL:
            return
        profile = port.get(portbindings.PROFILE) or {}
        if not isinstance(profile, dict) or not profile.get("local_link_information"):
            LOG.debug("Port %s has no local_link_information; not binding it", port["id"])
            return
        try:
            self.mappings.ensure_loaded(self.client)
        except OneViewError as error:
            LOG.error(
                "Not binding port %s: %s (%s)", port["id"], MappingsNotLoaded(), error.summary
            )
            return
        for segment in self.segments.candidates(context):
            if self.mappings.plan(*_segment(segment)) is None:
                continue
            context.set_binding(
                segment[api.ID], portbindings.VIF_TYPE_OTHER, security.vif_details()
            )
            provisioning_blocks.add_provisioning_component(
                _ml2(context).plugin_context, port["id"], resources.PORT, ENTITY
            )
            LOG.debug("Bound port %s to segment %s", port["id"], segment[api.ID])
            return

    def update_port_postcommit(self, context: api.PortContext) -> None:
        """Wire a port just bound (or moved) in OneView; undo its previous binding first.

        :raises: nothing; a port that cannot be wired goes to ERROR with its provisioning block
            kept, and the reason is logged at ERROR.
        """
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

    def delete_port_postcommit(self, context: api.PortContext) -> None:
        """Undo the port's connection.

        :raises: nothing; a failed undo is logged and left to reconciliation.
        """
        if _bound_by_us(context.binding_levels):
            self._unplug(context.current, context.host)

    def _plug(self, context: api.PortContext) -> None:
        port = context.current
        try:
            network_uri = self.networks.uri_for_segment(
                port["network_id"], context.bottom_bound_segment
            )
            if network_uri is None:
                raise PortWiringError(
                    f"network {port['network_id']} has no OneView network yet (reconciliation "
                    "creates it)"
                )
            network_uri = self.trunks.network_uri(context, network_uri)
            self.ports.plug(
                PortInfo.of(port, context.host),
                network_uri,
                requested_mbps=self.qos.requested_mbps(port),
            )
            self.trunks.plugged(context)
        except (PortWiringError, OneViewError, MappingsNotLoaded) as error:
            LOG.error("Cannot wire bare-metal port %s in OneView: %s", port["id"], error)
            self.networks.forget(port["network_id"])
            ml2 = _ml2(context)
            ml2._plugin.update_port_status(
                ml2.plugin_context, port["id"], n_const.PORT_STATUS_ERROR
            )
            return
        provisioning_blocks.provisioning_complete(
            _ml2(context).plugin_context, port["id"], resources.PORT, ENTITY
        )

    def _unplug(self, port: dict[str, Any], host: str | None) -> None:
        try:
            self.ports.unplug(PortInfo.of(port, host))
            self.trunks.unplugged(port, host)
        except (PortWiringError, OneViewError) as error:
            LOG.error(
                "Cannot undo bare-metal port %s in OneView (%s); reconciliation reports the "
                "connection (and undoes it when undo_stale_connections is on)",
                port["id"],
                error,
            )
