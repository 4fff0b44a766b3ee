"""Neutron networks → OneView Ethernet networks on uplink sets (create, rename, delete).

One OneView network per mapped static segment: a network's first segment is ``Neutron
[<network uuid>]``, its other segments ``Neutron segment [<segment uuid>]`` (``segment_records``).

Creation is all or nothing: when an uplink set refuses the network (its VLAN is taken, say) the
sets already joined are left and the new network deleted before the error reaches Neutron, which
then deletes its own network. Uplink-set writes are batched (``batching``): many API threads
creating networks at once share eTag-checked PUTs, processes and hosts take turns, nothing is lost.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from oslo_log import log as logging

from ..client import BadRequest, NotFound, OneViewClient, OneViewError, TaskFailed
from . import errors, network_options, uplink_refusals
from .batching import UplinkSetBatches
from .locking import WriterLocks, uplink_set_locks
from .mappings import Mappings, Plan, oneview_name
from .segment_records import SegmentRecord, SegmentRecords

LOG = logging.getLogger(__name__)

LINGER = 0.05  # seconds; only spent by a write that already had to wait for another


def segment_of(network: dict[str, Any]) -> tuple[str | None, str | None, Any]:
    """(network_type, physical_network, segmentation_id) of a single-segment network dict."""
    return (
        network.get("provider:network_type"),
        network.get("provider:physical_network"),
        network.get("provider:segmentation_id"),
    )


def is_multi_segment(network: dict[str, Any]) -> bool:
    """Neutron shows a network of several segments as ``segments``, without ``provider:*``."""
    return bool(network.get("segments")) and not network.get("provider:network_type")


class NetworkSync:
    """Creates, renames and deletes the OneView side of Neutron networks."""

    def __init__(
        self,
        client: OneViewClient,
        mappings: Mappings,
        *,
        lock_dir: str | None = None,
        linger: float = LINGER,
        locks: WriterLocks | None = None,
        options: Any = None,
        segments: SegmentRecords | None = None,
    ) -> None:
        """``locks``: the uplink sets' writer locks (default: ``[oneview]
        coordination_backend_url``, else lock files under ``lock_dir``, else this process's).
        ``segments``: where segment records are read (default: Neutron's database); only
        multi-segment networks and segment lookups read it."""
        self.client = client
        self.mappings = mappings
        self.options = options  # [oneview], for network_options (None in some tests)
        self.batches = UplinkSetBatches(
            client, locks if locks is not None else uplink_set_locks(lock_dir), linger=linger
        )
        self.segments = segments if segments is not None else SegmentRecords()
        # OneView network name -> (Neutron network id, OneView network URI)
        self._uris: dict[str, tuple[str, str]] = {}
        self._uris_lock = threading.Lock()
        self._segment_names: dict[str, str] = {}  # segment id -> OneView name (never changes)
        # Network id -> its static segments, read in the delete's transaction (precommit) for
        # the postcommit, when the records are gone.
        self._deleting: dict[str, list[SegmentRecord]] = {}

    # -- lookups ---------------------------------------------------------------------------
    def plan_for(self, network: dict[str, Any]) -> Plan | None:
        network_type, physnet, vlan = segment_of(network)
        if network_type not in ("vlan", "flat"):
            return None
        self.mappings.ensure_loaded(self.client)
        return self.mappings.plan(network_type, physnet, vlan)

    def oneview_uri(self, network_id: str, plan: Plan) -> str | None:
        """The URI of the OneView network standing for the network's segment of this plan.

        Reads the network's segments to tell which one ``plan`` is (a port bound to a second
        segment must not be taken for one on the first); a network without segment records
        (deleted meanwhile) is looked up under its own name.
        """
        if plan.kind == "existing":
            return plan.existing_uri
        name = oneview_name(network_id)
        for record in self.segments.of_network(network_id):
            if self.mappings.plan(*record.triple) == plan:
                name = record.oneview_name
                break
        return self.uri_named(network_id, name)

    def uri_named(self, network_id: str, name: str) -> str | None:
        """The URI of the OneView network called ``name`` (cached), or None."""
        with self._uris_lock:
            cached = self._uris.get(name)
        if cached:
            return cached[1]
        found = self.client.ethernet_networks.find_by_name(name)
        if found is None:
            return None
        self._remember(network_id, name, found["uri"])
        return str(found["uri"])

    def uri_for_segment(self, network_id: str, segment: dict[str, Any] | None) -> str | None:
        """The OneView network standing for one segment of a Neutron network, or None.

        ``segment`` is an ML2 segment dict; with its ``id`` the segment's own OneView network
        is found (``Neutron segment [<id>]`` unless it is the network's first segment).
        """
        segment = segment or {}
        self.mappings.ensure_loaded(self.client)
        plan = self.mappings.plan(
            segment.get("network_type"),
            segment.get("physical_network"),
            segment.get("segmentation_id"),
        )
        if plan is None:
            return None
        if plan.kind == "existing":
            return plan.existing_uri
        segment_id = segment.get("id")
        if not segment_id:
            return self.oneview_uri(network_id, plan)
        name = self._segment_names.get(segment_id)
        if name is None:
            record = self.segments.get(segment_id)
            if record is None:  # a dynamic segment, or gone: not mirrored
                return None
            name = self._segment_names.setdefault(segment_id, record.oneview_name)
        return self.uri_named(network_id, name)

    def uri_on_physnet(self, network_id: str, physnet: str | None) -> str | None:
        """The OneView network of the network's segment on ``physnet``, or None.

        For trunks: a subport's network must be carried where the parent's connection is.
        """
        for record in self.segments.of_network(network_id):
            if record.physical_network == physnet:
                uri = self.uri_for_segment(network_id, record.as_dict())
                if uri is not None:
                    return uri
        return None

    def forget(self, network_id: str) -> None:
        """Drop a network's cached URIs (another process may have recreated them)."""
        with self._uris_lock:
            for name in [n for n, (owner, _) in self._uris.items() if owner == network_id]:
                del self._uris[name]

    def _remember(self, network_id: str, name: str, uri: str | None) -> None:
        with self._uris_lock:
            if uri is None:
                self._uris.pop(name, None)
            else:
                self._uris[name] = (network_id, uri)

    def _forget_uri(self, uri: str) -> None:
        with self._uris_lock:
            for name in [n for n, (_, u) in self._uris.items() if u == uri]:
                del self._uris[name]

    def change_membership(self, uplink_set: str, op: str, uri: str) -> None:
        """Add or remove one network, in a batch with concurrent changes (see ``batching``)."""
        if op == "add":
            self.batches.add(uplink_set, [uri])
        else:
            self.batches.remove(uplink_set, [uri])

    # -- create ----------------------------------------------------------------------------
    def create(self, network: dict[str, Any]) -> None:
        if is_multi_segment(network):
            self.create_segments(network)
            return
        plan = self.plan_for(network)
        network_id = network["id"]
        if plan is None:
            network_type, physnet, _ = segment_of(network)
            LOG.info(
                "Network %s (%s on %s) is not mapped to OneView; leaving it alone",
                network_id,
                network_type,
                physnet or "no physical network",
            )
            return
        if plan.kind == "existing":
            LOG.info(
                "Flat network %s uses the mapped OneView network %s", network_id, plan.existing_uri
            )
            return
        self.ensure(network, plan)

    def create_segments(self, network: dict[str, Any]) -> None:
        """Mirror every mapped static segment of a new network; all or nothing."""
        made: list[tuple[SegmentRecord, str]] = []
        try:
            for record in self.segments.of_network(network["id"]):
                uri = self.ensure_segment(network, record)
                if uri is not None:
                    made.append((record, uri))
        except Exception:
            for record, uri in made:
                plan = self.mappings.plan(*record.triple)
                if plan is not None and plan.kind == "create":
                    self._discard(network["id"], uri, plan)
            raise

    def ensure_segment(self, network: dict[str, Any], record: SegmentRecord) -> str | None:
        """Make OneView hold one segment's network; None when the segment is not mirrored."""
        self.mappings.ensure_loaded(self.client)
        plan = self.mappings.plan(*record.triple)
        if plan is None:
            LOG.info(
                "Segment %s (%s on %s) of network %s is not mapped to OneView; leaving it alone",
                record.id,
                record.network_type,
                record.physical_network or "no physical network",
                record.network_id,
            )
            return None
        if plan.kind == "existing":
            return plan.existing_uri
        description = _description(network)
        if not record.primary:
            description += f", segment {record.id} on {record.physical_network}"
        return self._ensure(network, plan, record.oneview_name, description)

    def ensure(self, network: dict[str, Any], plan: Plan) -> str:
        """Make OneView hold the network on its uplink sets; undo everything on failure."""
        return self._ensure(network, plan, oneview_name(network["id"]), _description(network))

    def _ensure(self, network: dict[str, Any], plan: Plan, name: str, description: str) -> str:
        network_id = network["id"]
        created = False
        existing = self.client.ethernet_networks.find_by_name(name)
        if existing is not None and (
            existing.get("ethernetNetworkType") != plan.network_type
            or (plan.vlan is not None and existing.get("vlanId") != plan.vlan)
        ):
            raise errors.OneViewOperationFailed(
                action=f"create network {name}",
                reason=f"a OneView network of that name already exists as "
                f"{existing.get('ethernetNetworkType')} VLAN {existing.get('vlanId')}, "
                f"not {plan.network_type} VLAN {plan.vlan}; rename or delete it in OneView",
            )
        if existing is None:
            existing = self.client.ethernet_networks.create(
                name,
                plan.vlan,
                network_type=plan.network_type,
                extra={
                    "description": description,
                    **network_options.oneview_fields(network, plan, self.options),
                },
            )
            created = True
        uri = existing["uri"]
        try:
            self._join(network_id, uri, plan)
        except Exception:
            if created:
                self._discard(network_id, uri, plan)
            raise
        self._remember(network_id, name, uri)
        LOG.info(
            "Network %s is OneView network %s (%s) on uplink sets %s",
            network_id,
            uri,
            name,
            plan.uplink_sets,
        )
        return str(uri)

    def _join(self, network_id: str, uri: str, plan: Plan) -> None:
        for uplink_set in plan.uplink_sets:
            try:
                self.change_membership(uplink_set, "add", uri)
            except (BadRequest, TaskFailed) as error:
                raise uplink_refusals.refusal(
                    self.client, network_id, uplink_set, plan, error, uri
                ) from None
            except OneViewError as error:
                raise errors.OneViewOperationFailed(
                    action=f"add network {network_id} to uplink set {uplink_set}",
                    reason=error.summary,
                ) from None

    def _discard(self, network_id: str, uri: str, plan: Plan) -> None:
        """Best-effort undo of a half-done create: leave the uplink sets, delete the network."""
        for uplink_set in plan.uplink_sets:
            try:
                self.change_membership(uplink_set, "remove", uri)
            except OneViewError as error:
                LOG.warning("Undo: could not take %s out of %s: %s", uri, uplink_set, error)
        try:
            self.client.ethernet_networks.delete(uri)
        except NotFound:
            pass
        except OneViewError as error:
            LOG.error(
                "Undo: could not delete OneView network %s of Neutron network %s (%s); "
                "reconciliation reports it as an orphan",
                uri,
                network_id,
                error,
            )
        self._forget_uri(uri)

    # -- update ----------------------------------------------------------------------------
    def update(self, network: dict[str, Any], original: dict[str, Any]) -> None:
        """A rename follows into the OneView network's description (its name is the id)."""
        if network.get("name") == original.get("name"):
            return
        if is_multi_segment(network):
            for record in self.segments.of_network(network["id"]):
                self._describe_segment(network, record)
            return
        plan = self.plan_for(network)
        if plan is None or plan.kind != "create":
            return
        uri = self.oneview_uri(network["id"], plan)
        if uri is None:
            LOG.warning(
                "Network %s has no OneView network to rename; reconciliation will create it",
                network["id"],
            )
            return
        try:
            self.client.ethernet_networks.update(uri, description=_description(network))
        except OneViewError as error:
            raise errors.OneViewOperationFailed(
                action=f"rename OneView network {uri}", reason=error.summary
            ) from None

    def _describe_segment(self, network: dict[str, Any], record: SegmentRecord) -> None:
        plan = self.mappings.plan(*record.triple)
        if plan is None or plan.kind != "create":
            return
        uri = self.uri_named(network["id"], record.oneview_name)
        if uri is None:
            return
        description = _description(network)
        if not record.primary:
            description += f", segment {record.id} on {record.physical_network}"
        try:
            self.client.ethernet_networks.update(uri, description=description)
        except OneViewError as error:
            raise errors.OneViewOperationFailed(
                action=f"rename OneView network {uri}", reason=error.summary
            ) from None

    # -- delete ----------------------------------------------------------------------------
    def deleting(self, network_id: str, records: list[SegmentRecord]) -> None:
        """Keep a network's segments, read in its delete's precommit, for :meth:`delete`."""
        with self._uris_lock:
            self._deleting[network_id] = list(records)

    def delete(self, network: dict[str, Any]) -> None:
        """Leave the uplink sets and delete the OneView networks, if the driver created them.

        Every static segment's network when the delete's precommit kept the segments (the
        segment callbacks do), else the network's own.
        """
        with self._uris_lock:
            records = self._deleting.pop(network["id"], None)
        if records:
            failures: list[OneViewError] = []
            for record in records:
                try:
                    self.remove_segment(network["id"], record)
                except OneViewError as error:  # delete the others, then tell
                    failures.append(error)
            if failures:
                raise failures[0]
            return
        plan = self.plan_for(network)
        if plan is None or plan.kind != "create":
            return
        uri = self.oneview_uri(network["id"], plan)
        if uri is None:
            LOG.info("Network %s had no OneView network; nothing to delete", network["id"])
            return
        self.remove(network["id"], uri)

    def remove_segment(self, network_id: str, record: SegmentRecord) -> None:
        """Delete one segment's OneView network, if the driver created it."""
        self.mappings.ensure_loaded(self.client)
        plan = self.mappings.plan(*record.triple)
        if plan is None or plan.kind != "create":
            return
        uri = self.uri_named(network_id, record.oneview_name)
        if uri is None:
            LOG.info("Segment %s had no OneView network; nothing to delete", record.id)
            return
        self.remove(network_id, uri)
        self._segment_names.pop(record.id, None)

    def remove(self, network_id: str, uri: str) -> None:
        carriers = self.client.ethernet_networks.associated_uplink_sets(uri)
        for uplink_set in carriers:
            self.change_membership(uplink_set, "remove", uri)
        with contextlib.suppress(NotFound):
            self.client.ethernet_networks.delete(uri)
        self._forget_uri(uri)
        LOG.info("Deleted OneView network %s of Neutron network %s", uri, network_id)


def _description(network: dict[str, Any]) -> str:
    name = network.get("name") or ""
    return f"Neutron network {name!r} ({network['id']})"
