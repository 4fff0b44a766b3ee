"""Reconciliation: compare OneView with Neutron and repair drift, from a periodic worker.

It runs in ``neutron-periodic-workers`` (``get_workers``), never in the API processes, but beside
API workers that change the same things at the same time. So a pass:

1. reads OneView first (networks, the mapped uplink sets' members, server profiles) and Neutron
   second. The API writes Neutron before OneView, so whatever OneView held at the first read and
   Neutron lacks at the second is really gone from Neutron, and a network or port the API made in
   between is seen in Neutron, not taken for an orphan;
2. leaves alone whatever is younger than one interval: the API may still be working on it.
   Neutron's resources are aged by their ``created_at``/``updated_at`` (the database's clock);
   OneView's by when this worker first saw them, because the appliance's clock is not ours (a
   skewed appliance, or the simulator's compressed time, would make ``created`` lie). So after a
   restart the worker deletes or undoes nothing in OneView for one interval;
3. confirms with a fresh single read (the Neutron network or port, the OneView network or
   profile) before it creates, deletes or undoes anything;
4. never changes a server's power: a repair OneView makes only with the server off (adding a
   lost connection) is reported as "needs the server off", with the port and the reason; a stale
   connection the driver added is left *Unassigned* (no network) when OneView will not remove it
   while the server is on.

Missing OneView networks, memberships and port connections are restored. OneView networks named
``Neutron [<uuid>]`` without a Neutron network are orphans, deleted only with
``delete_orphan_networks``; connections still wired for ports no longer bound are undone only with
``undo_stale_connections``. One item's failure is logged (OneView's at WARNING with its errorCode,
anything else at ERROR with its traceback) and the pass goes on; an INFO report ends it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from neutron.db import provisioning_blocks, segments_db
from neutron.plugins.ml2 import db as ml2_db
from neutron.worker import PeriodicWorker
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import resources
from neutron_lib.db import api as db_api
from neutron_lib.db import standard_attr
from neutron_lib.plugins import directory
from oslo_log import log as logging
from oslo_utils import timeutils

from ..client import Conflict, NotFound, OneViewClient, OneViewError, TaskFailed, views
from . import connections as conns
from . import errors
from .constants import DRIVER_NAME, ENTITY
from .errors import NeedsPowerOff, PortWiringError
from .mappings import Mappings, neutron_id_of, oneview_name
from .networks import NetworkSync
from .ports import POWERED_ON, PortInfo, PortWiring

if TYPE_CHECKING:
    from neutron.plugins.ml2.plugin import Ml2Plugin

LOG = logging.getLogger(__name__)

# Failures that already read well (OneView's errorCode, or the driver's own field-and-value
# text): one WARNING line each. Anything else is a bug or an outage worth a traceback.
READABLE = (
    PortWiringError,
    errors.OneViewOperationFailed,
    errors.VlanInUse,
    errors.UntaggedUplinkSetInUse,
)
Segment = tuple[Any, Any, Any]  # (network_type, physical_network, segmentation_id)
# A feature's own part of a pass (trunks, segments, QoS...): called once per pass, after the
# networks and ports, with the pass's Neutron reads and report; its failure spoils no pass.
FeaturePass = Callable[["NeutronReads", "Report"], None]
# (bound port dict, its OneView network URI) -> the URI its connection should point at.
PortUri = Callable[[dict[str, Any], str], str]


@dataclass
class Report:
    networks_created: list[str] = field(default_factory=list)
    memberships_restored: list[tuple[str, str]] = field(default_factory=list)
    connections_restored: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    orphans_deleted: list[str] = field(default_factory=list)
    stale_connections: list[str] = field(default_factory=list)  # "<profile uri> <port id>"
    stale_connections_undone: list[str] = field(default_factory=list)
    needs_power_off: list[str] = field(default_factory=list)  # "<what>: <why>"
    too_young: list[str] = field(default_factory=list)  # left for the next pass
    errors: list[str] = field(default_factory=list)
    # What the feature passes did (network sets, segment host mappings, QoS...), by kind.
    extra: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, item: str) -> None:
        """Record one thing a feature pass found or did, e.g. ``note("network_sets_restored", uri)``."""
        self.extra.setdefault(kind, []).append(item)


@dataclass(frozen=True)
class Policy:
    """What a pass may do beyond restoring: opt-in deletions, and the age below which to wait."""

    delete_orphan_networks: bool = False
    undo_stale_connections: bool = False
    min_age: float = 0.0  # seconds; 0 repairs even what was made a moment ago

    @classmethod
    def from_conf(cls, opts: Any) -> Policy:
        """``[oneview]``; the deprecated ``delete_orphans`` is the default of both switches."""
        legacy = bool(opts.delete_orphans)
        networks = legacy if opts.delete_orphan_networks is None else opts.delete_orphan_networks
        undo = legacy if opts.undo_stale_connections is None else opts.undo_stale_connections
        if legacy:
            LOG.warning(
                "[oneview] delete_orphans is deprecated: set delete_orphan_networks and "
                "undo_stale_connections instead. Until they are set it is the default of both "
                "(now delete_orphan_networks = %s, undo_stale_connections = %s)",
                networks,
                undo,
            )
        return cls(bool(networks), bool(undo), float(opts.reconcile_interval))


@dataclass(frozen=True)
class BoundPort:
    """A Neutron port this driver bound, and the segment it is bound to."""

    port: dict[str, Any]
    segment: Segment | None


class NeutronReads:
    """The Neutron side of a pass: two listings, then fresh single reads that confirm."""

    def __init__(
        self, context: n_context.Context | None = None, plugin: Ml2Plugin | None = None
    ) -> None:
        self.context = context or n_context.get_admin_context()
        self.plugin = plugin or directory.get_plugin()

    def networks(self) -> list[dict[str, Any]]:
        return self._stamped(list(self.plugin.get_networks(self.context)))

    def bound_ports(self) -> list[BoundPort]:
        filters = {portbindings.VNIC_TYPE: [portbindings.VNIC_BAREMETAL]}
        ports = self._stamped(list(self.plugin.get_ports(self.context, filters=filters)))
        return [bound for port in ports if (bound := self._bound(port)) is not None]

    def _stamped(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``created_at``/``updated_at`` from the standard attributes when the API dicts lack
        them (Neutron adds them to dicts only with its ``timestamp`` service plugin)."""
        ids = {
            item["standard_attr_id"]: item
            for item in items
            if "created_at" not in item and item.get("standard_attr_id") is not None
        }
        if not ids:
            return items
        table = standard_attr.StandardAttribute
        with db_api.CONTEXT_READER.using(self.context):
            rows = self.context.session.query(table).filter(table.id.in_(list(ids))).all()
        for row in rows:
            ids[row.id].update(created_at=row.created_at, updated_at=row.updated_at)
        return items

    def network(self, network_id: str) -> dict[str, Any] | None:
        """A fresh read of one network; None once it is gone."""
        try:
            return dict(self.plugin.get_network(self.context, network_id))
        except n_exc.NetworkNotFound:
            return None

    def bound_port(self, port_id: str) -> BoundPort | None:
        """A fresh read of one port; None unless it still exists and this driver binds it."""
        try:
            port = self.plugin.get_port(self.context, port_id)
        except n_exc.PortNotFound:
            return None
        return self._bound(port)

    def complete_provisioning(self, port_id: str) -> None:
        provisioning_blocks.provisioning_complete(self.context, port_id, resources.PORT, ENTITY)

    def _bound(self, port: dict[str, Any]) -> BoundPort | None:
        host = port.get(portbindings.HOST_ID)
        if not host or port.get(portbindings.VIF_TYPE) != portbindings.VIF_TYPE_OTHER:
            return None
        levels = ml2_db.get_binding_level_objs(self.context, port["id"], host) or []
        if not levels or levels[-1].driver != DRIVER_NAME:
            return None
        segment = segments_db.get_segment_by_id(self.context, levels[-1].segment_id)
        if not segment:
            return BoundPort(port, None)
        return BoundPort(
            port,
            (segment["network_type"], segment["physical_network"], segment["segmentation_id"]),
        )


@dataclass
class OneViewState:
    """What OneView held at the start of a pass (read before Neutron)."""

    networks: dict[str, dict[str, Any]]  # by name
    members: dict[str, set[str]]  # uplink set UUID -> network URIs
    profiles: list[dict[str, Any]]


class Reconciler:
    """One pass of comparison and repair; the periodic worker calls it every interval."""

    def __init__(
        self,
        *,
        client: OneViewClient,
        mappings: Mappings,
        networks: NetworkSync,
        ports: PortWiring,
        policy: Policy,
        clock: Callable[[], float] = time.monotonic,
        passes: Sequence[tuple[str, FeaturePass]] = (),
        port_uri: PortUri | None = None,
    ) -> None:
        self.client = client
        self.passes = tuple(passes)  # (name, pass): run in order, each guarded
        # Where a bound port's connection belongs: its network, or its trunk's network set.
        self.port_uri: PortUri = port_uri or (lambda _port, uri: uri)
        self.mappings = mappings
        self.networks = networks
        self.ports = ports
        self.policy = policy
        self._clock = clock
        self._first_seen: dict[str, float] = {}  # OneView item -> when a pass first saw it
        self._seen: set[str] = set()

    def __call__(self) -> None:
        try:
            report = self.run()
        except OneViewError as error:  # OneView's own answer says it all; no traceback
            LOG.error("OneView reconciliation failed; the next pass retries: %s", error.summary)
            return
        except Exception:  # a periodic task must survive one bad run
            LOG.exception("OneView reconciliation failed; the next pass retries")
            return
        LOG.info("OneView reconciliation: %s", report)

    def run(self, neutron: NeutronReads | None = None) -> Report:
        """One pass. ``neutron`` defaults to the admin context and the core plugin.

        :raises OneViewError: OneView could not be listed (nothing was changed).
        :raises OneViewMappingError: the mappings name something OneView lacks.
        """
        neutron = neutron or NeutronReads()
        report = Report()
        self._seen = set()
        self.mappings.ensure_loaded(self.client)
        oneview = self._read_oneview()
        networks = neutron.networks()
        bound = neutron.bound_ports()
        for network in networks:
            self._guarded(
                report, f"network {network['id']}", self._network, neutron, network, oneview, report
            )
        self._orphans(neutron, {n["id"] for n in networks}, oneview, report)
        for item in bound:
            self._guarded(report, f"port {item.port['id']}", self._port, neutron, item, report)
        self._stale_connections(neutron, {b.port["id"] for b in bound}, oneview, report)
        for name, feature_pass in self.passes:
            self._guarded(report, name, feature_pass, neutron, report)
        # Forget what is no longer there, so an item that comes back is young again.
        self._first_seen = {k: v for k, v in self._first_seen.items() if k in self._seen}
        return report

    def _read_oneview(self) -> OneViewState:
        networks = {n["name"]: n for n in self.client.ethernet_networks.iter()}
        members = {
            uplink_set: set(self.client.uplink_sets.networks(uplink_set))
            for uplink_set in self.mappings.all_uplink_sets
        }
        return OneViewState(networks, members, list(self.client.server_profiles.iter()))

    def _guarded(self, report: Report, what: str, call: Callable[..., None], *args: Any) -> None:
        """One item's repair; its failure is logged and reported, and the pass goes on."""
        try:
            call(*args)
        except NeedsPowerOff as error:
            report.needs_power_off.append(f"{what}: {error}")
            LOG.warning("Reconciliation leaves %s as it is: %s", what, error)
        except OneViewError as error:
            report.errors.append(f"{what}: {error.summary}")
            LOG.warning("Reconciliation could not repair %s: %s", what, error.summary)
        except READABLE as error:
            report.errors.append(f"{what}: {error}")
            LOG.warning("Reconciliation could not repair %s: %s", what, error)
        except Exception as error:  # e.g. a database deadlock, or a bug: spoils no pass
            report.errors.append(f"{what}: {type(error).__name__}: {error}")
            LOG.exception("Reconciliation failed on %s; the pass goes on", what)

    def _young_in_oneview(self, report: Report, what: str) -> bool:
        """Seen by this worker for less than ``min_age``: OneView's clock is not compared."""
        now = self._clock()
        first = self._first_seen.setdefault(what, now)
        self._seen.add(what)
        if self.policy.min_age > 0 and now - first < self.policy.min_age:
            report.too_young.append(what)
            return True
        return False

    def _young(self, report: Report, what: str, *stamps: Any) -> bool:
        if self.policy.min_age <= 0:
            return False
        now = timeutils.utcnow(with_timezone=True)
        for stamp in stamps:
            made = _parse(stamp)
            if made is not None and (now - made).total_seconds() < self.policy.min_age:
                report.too_young.append(what)
                return True
        return False

    # -- networks --------------------------------------------------------------------------
    def _network(
        self,
        neutron: NeutronReads,
        network: dict[str, Any],
        oneview: OneViewState,
        report: Report,
    ) -> None:
        plan = self.networks.plan_for(network)
        if plan is None or plan.kind != "create":
            return
        network_id = network["id"]
        if self._young(report, f"network {network_id}", network.get("created_at")):
            return
        name = oneview_name(network_id)
        existing = oneview.networks.get(name)
        if existing is None:
            # Confirm both sides: deleted in Neutron since, or made in OneView since?
            if neutron.network(network_id) is None:
                return
            if self.client.ethernet_networks.find_by_name(name) is not None:
                return  # the API made it after our listing; the next pass checks its sets
            self.networks.ensure(network, plan)
            report.networks_created.append(network_id)
            return
        uri = existing["uri"]
        missing = [u for u in plan.uplink_sets if uri not in oneview.members.get(u, set())]
        if not missing or neutron.network(network_id) is None:
            return
        for uplink_set in missing:
            self.networks.change_membership(uplink_set, "add", uri)
            oneview.members.setdefault(uplink_set, set()).add(uri)
            report.memberships_restored.append((network_id, uplink_set))

    def _orphans(
        self, neutron: NeutronReads, neutron_ids: set[str], oneview: OneViewState, report: Report
    ) -> None:
        for name, network in oneview.networks.items():
            network_id = neutron_id_of(name)
            if network_id is None or network_id in neutron_ids:
                continue
            what = f"orphan {network['uri']}"
            if self._young_in_oneview(report, what):
                continue
            self._guarded(report, what, self._orphan, neutron, network_id, network, report)

    def _orphan(
        self, neutron: NeutronReads, network_id: str, network: dict[str, Any], report: Report
    ) -> None:
        uri = network["uri"]
        if neutron.network(network_id) is not None:
            return  # made in Neutron after its listing
        try:
            self.client.ethernet_networks.get(uri)
        except NotFound:
            return  # the API's delete got there first
        report.orphans.append(uri)
        if not self.policy.delete_orphan_networks:
            LOG.warning(
                "OneView network %s (%s) has no Neutron network; set [oneview] "
                "delete_orphan_networks = true to let reconciliation delete it",
                network["name"],
                uri,
            )
            return
        self.networks.remove(network_id, uri)
        report.orphans_deleted.append(uri)

    # -- ports -----------------------------------------------------------------------------
    def _port(self, neutron: NeutronReads, bound: BoundPort, report: Report) -> None:
        port = bound.port
        plan = self.mappings.plan(*bound.segment) if bound.segment else None
        if plan is None:
            return
        what = f"port {port['id']}"
        if self._young(report, what, port.get("created_at"), port.get("updated_at")):
            return
        uri = self.networks.oneview_uri(port["network_id"], plan)
        if uri is None:
            return  # its network is missing in OneView: reported above, wired next pass
        uri = self.port_uri(port, uri)
        info = PortInfo.of(port)
        target = self.ports.target(info.host)
        profile = self.client.server_profiles.get(target.profile_uri)
        active = port["status"] == n_const.PORT_STATUS_ACTIVE
        bond = info.bond  # a bond: every member's connection, and one LAG for 802.3ad
        members = len(bond.links) if bond else 1
        lag = bool(bond and bond.lacp)
        current = views.profile_connections(profile)
        if active and conns.wired(current, info.id, uri, members=members, lag=lag):
            return
        fresh = neutron.bound_port(port["id"])
        if fresh is None or fresh.port.get(portbindings.HOST_ID) != info.host:
            return  # unbound or moved since the listing: the API undoes or wires it
        self.ports.plug(info, uri, may_power_cycle=False)
        report.connections_restored.append(port["id"])
        if not active:
            neutron.complete_provisioning(port["id"])

    def _stale_connections(
        self, neutron: NeutronReads, bound_ids: set[str], oneview: OneViewState, report: Report
    ) -> None:
        """Connections still wired for ports this driver no longer binds (an undo failed)."""
        for profile in oneview.profiles:
            stale = conns.owners(views.profile_connections(profile)) - bound_ids
            for port_id in sorted(stale):
                label = f"{profile['uri']} {port_id}"
                self._guarded(
                    report,
                    f"stale connection {label}",
                    self._stale,
                    neutron,
                    profile,
                    port_id,
                    report,
                )

    def _stale(
        self, neutron: NeutronReads, profile: dict[str, Any], port_id: str, report: Report
    ) -> None:
        uri = profile["uri"]
        label = f"{uri} {port_id}"
        if self._young_in_oneview(report, f"stale connection {label}"):
            return
        if neutron.bound_port(port_id) is not None:
            return  # bound after the listing
        fresh = self.client.server_profiles.get(uri)
        if port_id not in conns.owners(views.profile_connections(fresh)):
            return  # the API undid it after our listing
        report.stale_connections.append(label)
        if not self.policy.undo_stale_connections:
            LOG.warning(
                "Profile %s still wires port %s, which is gone or no longer bound; set "
                "[oneview] undo_stale_connections = true to let reconciliation undo it",
                uri,
                port_id,
            )
            return
        profiles = self.client.server_profiles
        try:
            profiles.update_connections(uri, lambda cs: conns.detach(cs, port_id=port_id))
        except (Conflict, TaskFailed) as error:
            if error.error_code != POWERED_ON:
                raise
            # Removing the connection the driver added, or re-pairing a LAG, needs the server
            # off: leave it Unassigned (no network) and its LAG names as they are instead,
            # which OneView accepts while the server is on.
            profiles.update_connections(
                uri, lambda cs: conns.detach(cs, port_id=port_id, unassign=True, keep_lag=True)
            )
        report.stale_connections_undone.append(label)


def _parse(stamp: Any) -> datetime | None:
    """An API string (ISO 8601) or a database datetime (naive UTC); None when neither."""
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        return timeutils.parse_isotime(stamp)
    except ValueError:
        return None


def make_worker(
    conf: Any,
    *,
    client: OneViewClient,
    mappings: Mappings,
    networks: NetworkSync,
    ports: PortWiring,
    passes: Sequence[tuple[str, FeaturePass]] = (),
    port_uri: PortUri | None = None,
) -> PeriodicWorker | None:
    """The PeriodicWorker for ``neutron-periodic-workers``, or None when disabled."""
    opts = conf.oneview
    if not opts.reconcile_interval:
        return None
    reconciler = Reconciler(
        client=client,
        mappings=mappings,
        networks=networks,
        ports=ports,
        policy=Policy.from_conf(opts),
        passes=passes,
        port_uri=port_uri,
    )
    return PeriodicWorker(
        reconciler, opts.reconcile_interval, opts.reconcile_interval, desc="oneview-reconcile"
    )
