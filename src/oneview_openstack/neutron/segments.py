"""Multi-segment (routed) networks: one OneView network per mapped segment, segment choice at
binding, and segment-to-host mappings for Ironic nodes (issue 15, SEGMENT room).

ML2 has no segment postcommit: segments added to or deleted from an existing network arrive as the
segments plugin's ``AFTER_CREATE``/``AFTER_DELETE`` events, outside its transaction, where OneView
may be written. Segments made or deleted with their network are the network's postcommit's work
(``NetworkSync.create``/``delete``); a network delete's precommit keeps its segments for that,
since the records are gone by the postcommit. A failed segment write is logged and left to
reconciliation, which also restores uplink-set memberships and writes the host mappings.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from neutron_lib.api import validators
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events, registry, resources
from neutron_lib.plugins import directory
from neutron_lib.plugins.ml2 import api
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from ..client import NotFound, OneViewClient, OneViewError
from .errors import PortWiringError
from .host_mappings import HostMappings
from .ironic import IronicLookup
from .mappings import Mappings
from .networks import NetworkSync
from .segment_records import SegmentRecord, SegmentRecords, segment_id_of

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report

LOG = logging.getLogger(__name__)

# Before the segments plugin's own NETWORK PRECOMMIT_DELETE handler deletes the segments.
KEEP_SEGMENTS_PRIORITY = 1
FOR_NET_DELETE = "for_net_delete"


def _rank(
    segment: dict[str, Any], physnet: str | None, subnet_segments: set[str]
) -> tuple[int, ...]:
    """The subnets' segments first (the port's IP lives there: binding another segment would
    put the server on the wrong L2), then the Ironic port's physnet as the tie-breaker."""
    in_subnet = segment.get(api.ID) in subnet_segments
    on_physnet = bool(physnet) and segment.get(api.PHYSICAL_NETWORK) == physnet
    return (0 if in_subnet else 1, 0 if on_physnet else 1)


class SegmentSync:
    """Segment events → OneView networks; which segment a bare-metal port binds to."""

    def __init__(
        self,
        client: OneViewClient,
        mappings: Mappings,
        networks: NetworkSync,
        *,
        ironic: IronicLookup | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        """``ironic``: the node lookup for host mappings (default: one built on first use)."""
        self.client = client
        self.mappings = mappings
        self.networks = networks
        self.records: SegmentRecords = networks.segments
        self.hosts = HostMappings(client, mappings, self.records, ironic)
        self._clock = clock
        self._first_seen: dict[str, float] = {}  # OneView segment network -> first seen
        self._seen_lock = threading.Lock()

    def register(self) -> None:
        """Subscribe to segment create/delete events (mechanism driver init)."""
        registry.subscribe(self._segment_created, resources.SEGMENT, events.AFTER_CREATE)
        registry.subscribe(self._segment_deleted, resources.SEGMENT, events.AFTER_DELETE)
        registry.subscribe(
            self._network_deleting,
            resources.NETWORK,
            events.PRECOMMIT_DELETE,
            priority=KEEP_SEGMENTS_PRIORITY,
        )
        registry.subscribe(self._port_host_set, resources.PORT, events.BEFORE_CREATE)
        registry.subscribe(self._port_host_set, resources.PORT, events.BEFORE_UPDATE)

    # -- events ----------------------------------------------------------------------------
    def _segment_created(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        record = SegmentRecord.of(payload.latest_state)
        try:
            network = directory.get_plugin().get_network(payload.context, record.network_id)
            uri = self.networks.ensure_segment(network, record)
        except Exception as error:  # an AFTER event cannot fail the API call
            LOG.error(
                "Segment %s of network %s is not mirrored in OneView (%s); reconciliation retries",
                record.id,
                record.network_id,
                getattr(error, "summary", None) or error,
            )
            return
        if uri is None:
            return
        LOG.info(
            "Segment %s of network %s is OneView network %s", record.id, record.network_id, uri
        )
        if not cfg.CONF.oneview.write_segment_host_mappings:
            return
        try:
            self.hosts.add_segment(record)
        except Exception as error:  # the next reconciliation pass maps it
            LOG.warning(
                "Cannot map new segment %s to the Ironic nodes that reach it now (%s); the next "
                "reconciliation pass does",
                record.id,
                getattr(error, "summary", None) or error,
            )

    def _segment_deleted(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        if (payload.metadata or {}).get(FOR_NET_DELETE):
            return  # the network's delete postcommit deletes them all
        record = SegmentRecord.of(payload.latest_state)
        try:
            self.networks.remove_segment(record.network_id, record)
        except OneViewError as error:
            LOG.error(
                "OneView network of deleted segment %s stays behind (%s); reconciliation "
                "reports it as an orphan",
                record.id,
                error.summary,
            )

    def _network_deleting(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        network_id = payload.resource_id
        self.networks.deleting(network_id, self.records.of_network(network_id, payload.context))

    def _port_host_set(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        """A bare-metal port getting a host on a routed network: map the host first, so
        Neutron's IPAM finds the host's segment in the same request."""
        states = payload.states
        attrs = states[-1] or {}
        original = states[0] if len(states) > 1 else {}
        host = attrs.get(portbindings.HOST_ID)
        if (
            not validators.is_attr_set(host)
            or not host
            or host == original.get(portbindings.HOST_ID)
        ):
            return
        vnic = attrs.get(portbindings.VNIC_TYPE)
        if not validators.is_attr_set(vnic):
            vnic = original.get(portbindings.VNIC_TYPE)
        network_id = attrs.get("network_id") or original.get("network_id")
        if vnic != portbindings.VNIC_BAREMETAL or not network_id:
            return
        if not cfg.CONF.oneview.write_segment_host_mappings:
            return
        try:
            self.hosts.ensure_host(host, network_id)
        except (OneViewError, PortWiringError) as error:  # the pass maps it later
            LOG.warning(
                "Cannot map Ironic node %s to the segments it reaches now (%s); the next "
                "reconciliation pass does",
                host,
                getattr(error, "summary", None) or error,
            )

    # -- binding ---------------------------------------------------------------------------
    def candidates(self, context: api.PortContext) -> list[dict[str, Any]]:
        """The segments to try for a bare-metal port, best first.

        The segments of the port's subnets (routed networks: where its IP lives), then the
        segment on ``binding:profile.physical_network`` (the Ironic port's, which Ironic 39
        sends; it also orders the subnets' segments), then the rest in Neutron's order.
        """
        segments = list(context.segments_to_bind)
        if len(segments) < 2:
            return segments
        port = context.current
        profile = port.get(portbindings.PROFILE)
        physnet = profile.get("physical_network") if isinstance(profile, dict) else None
        subnet_ids = [ip["subnet_id"] for ip in port.get("fixed_ips") or [] if ip.get("subnet_id")]
        subnet_segments = set(self.records.of_subnets(subnet_ids)) if subnet_ids else set()
        return sorted(segments, key=lambda s: _rank(s, physnet, subnet_segments))

    # -- reconciliation --------------------------------------------------------------------
    def reconcile(self, neutron: NeutronReads, report: Report) -> None:
        """Reconciliation's segment part: per-segment networks and segment host mappings.

        OneView is read before Neutron (see ``reconcile``); the networks of single-segment
        networks are the network pass's.
        """
        policy = _policy(cfg.CONF.oneview)
        self.mappings.ensure_loaded(self.client)
        oneview = {n["name"]: n for n in self.client.ethernet_networks.iter()}
        members = {
            u: set(self.client.uplink_sets.networks(u)) for u in self.mappings.all_uplink_sets
        }
        records = self.records.all()
        by_network: dict[str, list[SegmentRecord]] = {}
        for record in records:
            by_network.setdefault(record.network_id, []).append(record)
        seen: set[str] = set()
        for record in records:
            if record.primary and len(by_network[record.network_id]) == 1:
                continue
            self._guard(
                report,
                f"segment {record.id}",
                self._segment,
                neutron,
                record,
                oneview,
                members,
                policy,
                report,
            )
        known = {r.id for r in records}
        for name, network in oneview.items():
            segment_id = segment_id_of(name)
            if segment_id is None or segment_id in known:
                continue
            seen.add(network["uri"])
            self._guard(
                report,
                f"segment orphan {network['uri']}",
                self._orphan,
                segment_id,
                network,
                policy,
                report,
            )
        with self._seen_lock:
            self._first_seen = {k: v for k, v in self._first_seen.items() if k in seen}
        self._guard(report, "segment host mappings", self._host_mappings, report)

    def _guard(self, report: Report, what: str, call: Any, *args: Any) -> None:
        try:
            call(*args)
        except OneViewError as error:
            report.errors.append(f"{what}: {error.summary}")
            LOG.warning("Reconciliation could not repair %s: %s", what, error.summary)
        except PortWiringError as error:
            report.errors.append(f"{what}: {error}")
            LOG.warning("Reconciliation could not repair %s: %s", what, error)
        except Exception as error:  # a bug or a database outage: spoils no pass
            report.errors.append(f"{what}: {type(error).__name__}: {error}")
            LOG.exception("Reconciliation failed on %s; the pass goes on", what)

    def _segment(
        self,
        neutron: NeutronReads,
        record: SegmentRecord,
        oneview: dict[str, dict[str, Any]],
        members: dict[str, set[str]],
        policy: _Policy,
        report: Report,
    ) -> None:
        plan = self.mappings.plan(*record.triple)
        if plan is None or plan.kind != "create":
            return
        if _young(record.created_at, policy.min_age):
            report.too_young.append(f"segment {record.id}")
            return
        existing = oneview.get(record.oneview_name)
        if existing is None:
            if self.records.get(record.id) is None:
                return  # deleted since the listing
            if self.client.ethernet_networks.find_by_name(record.oneview_name) is not None:
                return  # the API made it after our listing
            network = neutron.network(record.network_id)
            if network is None:
                return
            self.networks.ensure_segment(network, record)
            report.note("segment_networks_created", record.id)
            return
        uri = existing["uri"]
        missing = [u for u in plan.uplink_sets if uri not in members.get(u, set())]
        if not missing or self.records.get(record.id) is None:
            return
        for uplink_set in missing:
            self.networks.change_membership(uplink_set, "add", uri)
            members.setdefault(uplink_set, set()).add(uri)
            report.note("segment_memberships_restored", f"{record.id} {uplink_set}")

    def _orphan(
        self, segment_id: str, network: dict[str, Any], policy: _Policy, report: Report
    ) -> None:
        uri = network["uri"]
        now = self._clock()
        with self._seen_lock:
            first = self._first_seen.setdefault(uri, now)
        if policy.min_age > 0 and now - first < policy.min_age:
            report.too_young.append(f"segment orphan {uri}")
            return
        if self.records.get(segment_id) is not None:
            return  # made in Neutron after its listing
        try:
            self.client.ethernet_networks.get(uri)
        except NotFound:
            return
        report.note("segment_network_orphans", uri)
        if not policy.delete_orphan_networks:
            LOG.warning(
                "OneView network %s (%s) has no Neutron segment; set [oneview] "
                "delete_orphan_networks = true to let reconciliation delete it",
                network["name"],
                uri,
            )
            return
        self.networks.remove(segment_id, uri)
        report.note("segment_network_orphans_deleted", uri)

    def _host_mappings(self, report: Report) -> None:
        if not cfg.CONF.oneview.write_segment_host_mappings:
            return
        written, removed = self.hosts.refresh()
        for change in written:
            report.note("segment_host_mappings_written", str(change))
        for change in removed:
            report.note("segment_host_mappings_removed", str(change))


@dataclass(frozen=True)
class _Policy:
    delete_orphan_networks: bool
    min_age: float


def _policy(opts: Any) -> _Policy:
    """Reconciliation's own rules (``reconcile.Policy``), without its deprecation warning."""
    delete = opts.delete_orphan_networks
    if delete is None:
        delete = opts.delete_orphans
    return _Policy(bool(delete), float(opts.reconcile_interval or 0))


def _young(stamp: Any, min_age: float) -> bool:
    if min_age <= 0 or stamp is None:
        return False
    if isinstance(stamp, str):
        stamp = timeutils.parse_isotime(stamp)
    made = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return (timeutils.utcnow(with_timezone=True) - made).total_seconds() < min_age
