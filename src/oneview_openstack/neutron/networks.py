"""Neutron networks → OneView Ethernet networks on uplink sets (create, rename, delete).

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
from . import errors, network_options
from .batching import UplinkSetBatches
from .locking import WriterLocks, uplink_set_locks
from .mappings import Mappings, Plan, oneview_name

LOG = logging.getLogger(__name__)

DUPLICATE_VLAN = "CRM_DUPLICATE_VLAN_IDS_UPLINK_SET"
LINGER = 0.05  # seconds; only spent by a write that already had to wait for another


def segment_of(network: dict[str, Any]) -> tuple[str | None, str | None, Any]:
    """(network_type, physical_network, segmentation_id) of a single-segment network dict."""
    return (
        network.get("provider:network_type"),
        network.get("provider:physical_network"),
        network.get("provider:segmentation_id"),
    )


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
    ) -> None:
        """``locks``: the uplink sets' writer locks (default: ``[oneview]
        coordination_backend_url``, else lock files under ``lock_dir``, else this process's)."""
        self.client = client
        self.mappings = mappings
        self.options = options  # [oneview], for network_options (None in some tests)
        self.batches = UplinkSetBatches(
            client, locks if locks is not None else uplink_set_locks(lock_dir), linger=linger
        )
        self._uris: dict[str, str] = {}  # Neutron network id -> OneView network URI
        self._uris_lock = threading.Lock()

    # -- lookups ---------------------------------------------------------------------------
    def plan_for(self, network: dict[str, Any]) -> Plan | None:
        network_type, physnet, vlan = segment_of(network)
        if network_type not in ("vlan", "flat"):
            return None
        self.mappings.ensure_loaded(self.client)
        return self.mappings.plan(network_type, physnet, vlan)

    def oneview_uri(self, network_id: str, plan: Plan) -> str | None:
        """The URI of the OneView network standing for a Neutron network (cached), or None."""
        if plan.kind == "existing":
            return plan.existing_uri
        with self._uris_lock:
            cached = self._uris.get(network_id)
        if cached:
            return cached
        found = self.client.ethernet_networks.find_by_name(oneview_name(network_id))
        if found is None:
            return None
        self._remember(network_id, found["uri"])
        return found["uri"]

    def uri_for_segment(self, network_id: str, segment: dict[str, Any] | None) -> str | None:
        """The OneView network standing for one segment of a Neutron network, or None."""
        segment = segment or {}
        self.mappings.ensure_loaded(self.client)
        plan = self.mappings.plan(
            segment.get("network_type"),
            segment.get("physical_network"),
            segment.get("segmentation_id"),
        )
        return self.oneview_uri(network_id, plan) if plan else None

    def forget(self, network_id: str) -> None:
        """Drop a cached URI (another process may have recreated the OneView network)."""
        self._remember(network_id, None)

    def _remember(self, network_id: str, uri: str | None) -> None:
        with self._uris_lock:
            if uri is None:
                self._uris.pop(network_id, None)
            else:
                self._uris[network_id] = uri

    def change_membership(self, uplink_set: str, op: str, uri: str) -> None:
        """Add or remove one network, in a batch with concurrent changes (see ``batching``)."""
        if op == "add":
            self.batches.add(uplink_set, [uri])
        else:
            self.batches.remove(uplink_set, [uri])

    # -- create ----------------------------------------------------------------------------
    def create(self, network: dict[str, Any]) -> None:
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

    def ensure(self, network: dict[str, Any], plan: Plan) -> str:
        """Make OneView hold the network on its uplink sets; undo everything on failure."""
        network_id = network["id"]
        name = oneview_name(network_id)
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
                    "description": _description(network),
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
        self._remember(network_id, uri)
        LOG.info(
            "Network %s is OneView network %s on uplink sets %s", network_id, uri, plan.uplink_sets
        )
        return uri

    def _join(self, network_id: str, uri: str, plan: Plan) -> None:
        for uplink_set in plan.uplink_sets:
            try:
                self.change_membership(uplink_set, "add", uri)
            except (BadRequest, TaskFailed) as error:
                raise self._refusal(network_id, uplink_set, plan, error, uri) from None
            except OneViewError as error:
                raise errors.OneViewOperationFailed(
                    action=f"add network {network_id} to uplink set {uplink_set}",
                    reason=error.summary,
                ) from None

    def _refusal(
        self, network_id: str, uplink_set: str, plan: Plan, error: OneViewError, uri: str
    ) -> Exception:
        """Turn an uplink set's refusal into the Neutron error a user can act on."""
        try:
            current = self.client.uplink_sets.get(uplink_set)
        except OneViewError:
            current = {"name": uplink_set, "networkUris": []}
        us_name = current.get("name") or uplink_set
        holder = self._holder(current, plan, uri)
        if holder is not None and plan.network_type == "Tagged":
            return errors.VlanInUse(
                vlan=plan.vlan, network_id=network_id, uplink_set=us_name, oneview_network=holder
            )
        if holder is not None:
            return errors.UntaggedUplinkSetInUse(
                uplink_set=us_name, oneview_network=holder, network_id=network_id
            )
        return errors.OneViewOperationFailed(
            action=f"add network {network_id} to uplink set {us_name}", reason=error.summary
        )

    def _holder(self, uplink_set: dict[str, Any], plan: Plan, own_uri: str) -> str | None:
        """The name of the network already in the way: same VLAN, or the untagged one."""
        for uri in uplink_set.get("networkUris") or []:
            if uri == own_uri:
                continue
            try:
                other = self.client.ethernet_networks.get(uri)
            except OneViewError:
                continue
            if plan.network_type == "Untagged" or other.get("vlanId") == plan.vlan:
                return other.get("name") or uri
        return None

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
        self._remember(network_id, None)

    # -- update ----------------------------------------------------------------------------
    def update(self, network: dict[str, Any], original: dict[str, Any]) -> None:
        """A rename follows into the OneView network's description (its name is the id)."""
        if network.get("name") == original.get("name"):
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

    # -- delete ----------------------------------------------------------------------------
    def delete(self, network: dict[str, Any]) -> None:
        """Leave the uplink sets and delete the OneView network, if the driver created it."""
        plan = self.plan_for(network)
        if plan is None or plan.kind != "create":
            return
        uri = self.oneview_uri(network["id"], plan)
        if uri is None:
            LOG.info("Network %s had no OneView network; nothing to delete", network["id"])
            return
        self.remove(network["id"], uri)

    def remove(self, network_id: str, uri: str) -> None:
        carriers = self.client.ethernet_networks.associated_uplink_sets(uri)
        for uplink_set in carriers:
            self.change_membership(uplink_set, "remove", uri)
        with contextlib.suppress(NotFound):
            self.client.ethernet_networks.delete(uri)
        self._remember(network_id, None)
        LOG.info("Deleted OneView network %s of Neutron network %s", uri, network_id)


def _description(network: dict[str, Any]) -> str:
    name = network.get("name") or ""
    return f"Neutron network {name!r} ({network['id']})"
