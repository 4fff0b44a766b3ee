"""Segment-to-host mappings for Ironic nodes, from OneView's topology instead of an agent.

Routed networks allocate a port's IP on a segment its host reaches; Neutron learns which from
segment-host mappings, which agents usually write. Bare-metal nodes run no agent here, so the
driver writes them (host = the Ironic node's UUID, the ``binding:host_id`` Ironic sets), from what
OneView says: node → server hardware → the interconnects its Ethernet ports are wired to → their
logical interconnects → the mapped uplink sets on those → the segments planned on those uplink
sets. networking-baremetal's agent writes the same rows from hand-set ``physical_network`` fields.

Several processes write them (two Neutron API hosts, the periodic worker) while users delete
segments: on MariaDB a write can lose a race, to a segment deleted after it was listed (a
foreign-key error) or to another process mapping the same host (a duplicate row). A write that
loses re-reads and tries again, a bounded number of times.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tenacity
from neutron.objects import agent as agent_obj
from neutron.objects import network as network_obj
from neutron.services.segments import db as segments_plugin_db
from neutron_lib import exceptions as n_exc
from neutron_lib.db import api as db_api
from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_utils import uuidutils

from ..client import NotFound, OneViewClient, views
from .errors import PortWiringError
from .ironic import IronicLookup, Node
from .mappings import Mappings
from .segment_records import SegmentRecord, SegmentRecords

LOG = logging.getLogger(__name__)

# Tries of one host's write; each retry re-reads the host's mappings and the segments.
WRITE_ATTEMPTS = 5


def lost_a_race(error: BaseException) -> bool:
    """A write that another writer overtook: retried after a re-read.

    Neutron's retriable errors (deadlock, duplicate row, stale row...), a segment deleted since
    it was listed (foreign key), or a stale mapping someone else already deleted.
    """
    return (
        db_api.is_retriable(error)
        or _neutron_gave_up(error)
        or isinstance(error, db_exc.DBReferenceError | n_exc.ObjectNotFound)
    )


def _neutron_gave_up(error: BaseException | None) -> bool:
    """Neutron's own retry of ``update_segment_host_mapping`` already ran out on this error."""
    return bool(getattr(error, "_RETRY_EXCEEDED", False))


def _stop(state: tenacity.RetryCallState) -> bool:
    """After ``WRITE_ATTEMPTS``, or at once when Neutron's own retries already ran out."""
    error = state.outcome.exception() if state.outcome else None
    return state.attempt_number >= WRITE_ATTEMPTS or _neutron_gave_up(error)


class HostMappingConflict(PortWiringError):
    """A host's segment mappings kept changing under every attempt to write them."""

    def __init__(self, host: str, segments: set[str], attempts: int, last: BaseException) -> None:
        super().__init__(
            f"segment host mappings of Ironic node {host}: writing segments {sorted(segments)} "
            f"lost to concurrent changes ({attempts} attempt{'' if attempts == 1 else 's'}, "
            f"the last: {type(last).__name__}: {last}); the next reconciliation pass writes them"
        )
        self.host = host
        self.segments = frozenset(segments)


@dataclass(frozen=True)
class HostChange:
    host: str
    added: frozenset[str]
    removed: frozenset[str]

    def __str__(self) -> str:
        return f"{self.host} +{sorted(self.added)} -{sorted(self.removed)}"


class Topology:
    """Which logical interconnects OneView wires a server to, and where uplink sets live.

    An interconnect's and an uplink set's logical interconnect change only when OneView is
    recabled or regrouped; they are cached until :meth:`clear` (each reconciliation pass).
    """

    def __init__(self, client: OneViewClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._li_of: dict[str, str | None] = {}  # interconnect or uplink set -> LI URI
        self._servers: dict[str, dict[str, Any]] = {}  # one listing per pass, by URI

    def clear(self) -> None:
        with self._lock:
            self._li_of.clear()
            self._servers.clear()

    def prefetch_servers(self) -> None:
        """List every server hardware once (a pass over many nodes), instead of one GET each."""
        servers = {s["uri"]: s for s in self.client.server_hardware.iter()}
        with self._lock:
            self._servers = servers

    def server_of(self, node: Node) -> str | None:
        """The node's server hardware: driver_info's, else its applied profile's."""
        if node.server_hardware_uri:
            return node.server_hardware_uri
        if node.profile_uri:
            try:
                profile = self.client.server_profiles.get(node.profile_uri)
            except NotFound:
                return None
            return profile.get("serverHardwareUri") or None
        return None

    def logical_interconnects(self, server_hardware_uri: str) -> set[str]:
        """The logical interconnects of the interconnects the server's Ethernet ports reach."""
        with self._lock:
            server = self._servers.get(server_hardware_uri)
        if server is None:
            server = self.client.server_hardware.get(server_hardware_uri)
        found: set[str] = set()
        for port in views.ethernet_ports(server):
            if port.interconnect_uri:
                li = self._cached(port.interconnect_uri, self.client.interconnects.get)
                if li:
                    found.add(li)
        return found

    def uplink_set_li(self, uplink_set: str) -> str | None:
        return self._cached(uplink_set, self.client.uplink_sets.get)

    def carriers(self, network_uri: str) -> list[str]:
        """The uplink sets carrying an existing OneView network (flat_network_mappings)."""
        return self.client.ethernet_networks.associated_uplink_sets(network_uri)

    def _cached(self, key: str, read: Any) -> str | None:
        with self._lock:
            if key in self._li_of:
                return self._li_of[key]
        try:
            li = read(key).get("logicalInterconnectUri") or None
        except NotFound:
            li = None
        with self._lock:
            self._li_of[key] = li
        return li


class HostMappings:
    """Computes and writes the segment-host mappings of Ironic nodes."""

    def __init__(
        self,
        client: OneViewClient,
        mappings: Mappings,
        records: SegmentRecords,
        ironic: IronicLookup | None,
        conf: Any = None,
    ) -> None:
        self.client = client
        self.mappings = mappings
        self.records = records
        self.topology = Topology(client)
        self._ironic = ironic
        self._conf = conf
        self._lock = threading.Lock()

    @property
    def ironic(self) -> IronicLookup:
        with self._lock:
            if self._ironic is None:
                from oslo_config import cfg

                self._ironic = IronicLookup(self._conf or cfg.CONF)
            return self._ironic

    # -- deciding --------------------------------------------------------------------------
    def managed(self, segments: Iterable[SegmentRecord]) -> set[str]:
        """The ids of the segments OneView mirrors: the only mappings the driver may change."""
        self.mappings.ensure_loaded(self.client)
        return {r.id for r in segments if self.mappings.plan(*r.triple) is not None}

    def reachable(self, lis: set[str], segments: Iterable[SegmentRecord]) -> set[str]:
        """The ids of the mirrored segments whose uplink sets live on one of ``lis``."""
        self.mappings.ensure_loaded(self.client)
        found: set[str] = set()
        for record in segments:
            plan = self.mappings.plan(*record.triple)
            if plan is None:
                continue
            if plan.kind == "existing" and plan.existing_uri:
                uplink_sets: Iterable[str] = self.topology.carriers(plan.existing_uri)
            else:
                uplink_sets = plan.uplink_sets
            if any(self.topology.uplink_set_li(u) in lis for u in uplink_sets):
                found.add(record.id)
        return found

    def segments_of(self, node: Node, segments: Iterable[SegmentRecord]) -> set[str] | None:
        """The node's segments; None when it is not a OneView server (left alone)."""
        server = self.topology.server_of(node)
        if server is None:
            return None
        return self.reachable(self.topology.logical_interconnects(server), segments)

    # -- writing ---------------------------------------------------------------------------
    def write(
        self, host: str, wanted: set[str], current: set[str], managed: set[str]
    ) -> HostChange | None:
        """Make the host's mappings among ``managed`` segments ``wanted``.

        Mappings of other segments (physnets OneView does not mirror, written by an agent such
        as networking-baremetal's for the same node) are kept: Neutron's call replaces them all.
        ``current`` is what the caller read; when the write loses a race (see ``lost_a_race``)
        the host's mappings and the segments still existing are read again and it is retried.

        :raises HostMappingConflict: it lost ``WRITE_ATTEMPTS`` times in a row (or Neutron's
            own retries inside one attempt ran out).
        """
        final = (wanted & managed) | (current - managed)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lost_a_race),
            stop=_stop,
            wait=tenacity.wait_random_exponential(multiplier=0.05, max=1.0),
        )
        try:
            for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        current = self.records.mapped_to(host)
                        still = self._existing(wanted & managed)
                        final = still | (current - managed)
                    if final == current:
                        return None
                    segments_plugin_db.update_segment_host_mapping(
                        self.records.context, host, final
                    )
        except tenacity.RetryError as error:
            last = error.last_attempt.exception()
            assert last is not None
            tries = error.last_attempt.attempt_number
            raise HostMappingConflict(host, final, tries, last) from last
        change = HostChange(host, frozenset(final - current), frozenset(current - final))
        LOG.info("Segment host mappings of Ironic node %s: %s", host, change)
        return change

    def _existing(self, segment_ids: set[str]) -> set[str]:
        """Those of ``segment_ids`` whose segments still exist."""
        if not segment_ids:
            return set()
        context = self.records.context
        with db_api.CONTEXT_READER.using(context):
            found = network_obj.NetworkSegment.get_objects(context, id=sorted(segment_ids))
            return {segment.id for segment in found}

    def refresh(self) -> tuple[list[HostChange], list[HostChange]]:
        """Every OneView node's mappings; mappings of vanished nodes removed.

        Returns (written, removed). A host is taken for a vanished node only when it is a UUID,
        no Ironic node has it and no agent reports from it (an agent's host is its own). A host
        whose write keeps losing races does not stop the others.

        :raises IronicUnavailable: Ironic cannot list its nodes (nothing was changed).
        :raises OneViewError: OneView cannot be read.
        :raises HostMappingConflict: a host's write lost every attempt (the others were
            written; each such host is logged).
        """
        self.topology.clear()
        nodes = self.ironic.nodes()
        self.topology.prefetch_servers()
        segments = self.records.all()
        managed = self.managed(segments)
        current = self.records.hosts_mapped()
        conflicts: list[HostMappingConflict] = []

        def write(host: str, wanted: set[str], changes: list[HostChange]) -> None:
            try:
                change = self.write(host, wanted, current.get(host, set()), managed)
            except HostMappingConflict as conflict:
                LOG.warning("%s", conflict)
                conflicts.append(conflict)
                return
            if change is not None:
                changes.append(change)

        written: list[HostChange] = []
        for node in nodes:
            wanted = self.segments_of(node, segments)
            if wanted is not None:
                write(node.uuid, wanted, written)
        known = {node.uuid for node in nodes}
        removed: list[HostChange] = []
        for host in sorted(set(current) - known):
            if uuidutils.is_uuid_like(host) and not self._has_agent(host):
                write(host, set(), removed)
        if conflicts:
            raise conflicts[0]
        return written, removed

    def add_segment(self, record: SegmentRecord) -> list[HostChange]:
        """Map a segment just added to a network to every OneView node that reaches it.

        One Ironic node listing, one server-hardware listing and the interconnect reads: a
        segment added to a routed network serves its nodes at once, not after the next pass.
        """
        self.mappings.ensure_loaded(self.client)
        if self.mappings.plan(*record.triple) is None:
            return []
        self.topology.clear()
        nodes = self.ironic.nodes()
        self.topology.prefetch_servers()
        changes: list[HostChange] = []
        for node in nodes:
            if not self.segments_of(node, [record]):
                continue
            current = self.records.mapped_to(node.uuid)
            change = self.write(node.uuid, current | {record.id}, current, {record.id})
            if change is not None:
                changes.append(change)
        return changes

    def ensure_host(self, host: str, network_id: str) -> HostChange | None:
        """Map a host about to be bound on a routed network, unless already mapped there.

        Cheap when nothing is to do (two database reads); otherwise one Ironic and a few
        OneView reads, so the port's IP comes from the right segment at its first binding
        instead of after the next reconciliation pass.
        """
        network_segments = self.records.of_network(network_id)
        if len(network_segments) < 2:
            return None
        current = self.records.mapped_to(host)
        if current & self.managed(network_segments):
            return None  # an agent's mapping (unmirrored segment) does not count
        node = self.ironic.node(host)
        segments = self.records.all()
        wanted = self.segments_of(node, segments)
        if wanted is None:
            return None
        return self.write(host, wanted, current, self.managed(segments))

    def _has_agent(self, host: str) -> bool:
        context = self.records.context
        with db_api.CONTEXT_READER.using(context):
            return bool(agent_obj.Agent.count(context, host=host))
