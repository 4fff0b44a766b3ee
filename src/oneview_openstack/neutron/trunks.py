"""Trunk ports → OneView network sets (issue 15, TRUNK room).

A trunk is one network set named ``Neutron trunk [<trunk uuid>]``: native = the parent port's
OneView network, members = the native plus each subport's network on the parent's physical
network. The parent's profile connection points at the set, so adding or removing a subport
changes the set only: no profile write, no power change (OneView changes a set while its servers
run). Set writes are eTag-checked and, inside a process, concurrent changes to one set share a
write, and processes take turns on a lock per set (``network_set_batches``); the eTag keeps
every change whatever happens (a 412 re-reads).

The set exists while the parent is wired: it is made (or brought up to date) when the parent is
plugged or a trunk is created on a wired parent, and deleted when the parent is unwired or the
trunk deleted (after the parent's connection has left it: OneView refuses to delete a set in use).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from neutron.objects import ports as port_obj
from neutron.objects import trunk as trunk_objects
from neutron.plugins.ml2 import driver_context
from neutron_lib import constants as n_const
from neutron_lib.plugins import directory
from neutron_lib.plugins.ml2 import api
from neutron_lib.services.trunk import constants as trunk_consts
from oslo_config import cfg
from oslo_log import log as logging

from ..client import Conflict, NotFound, OneViewClient, OneViewError
from ..client.etag import compose
from ..client.resources.network_sets import adding, exactly, removing
from . import trunk_driver, trunk_rules
from .errors import PortWiringError
from .network_set_batches import LINGER, NetworkSetBatches, network_set_locks
from .networks import NetworkSync
from .ports import PortInfo, PortWiring

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report

LOG = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^Neutron trunk \[(?P<id>[0-9a-fA-F-]{36})\]$")


def set_name(trunk_id: str) -> str:
    """The OneView network set standing for a Neutron trunk (QoS finds it by this name)."""
    return f"Neutron trunk [{trunk_id}]"


def trunk_id_of(name: Any) -> str | None:
    """The trunk id a network set name stands for, or None if the set is not ours."""
    match = NAME_PATTERN.match(name) if isinstance(name, str) else None
    return match["id"].lower() if match else None


@dataclass(frozen=True)
class Members:
    """What a trunk's set should hold: the native URI, and each carried subport's URI."""

    native: str
    subports: dict[str, str]  # subport port id -> OneView network URI
    left_out: dict[str, str]  # subport port id -> why the set cannot carry it

    @property
    def uris(self) -> list[str]:
        return [self.native, *dict.fromkeys(u for u in self.subports.values() if u != self.native)]


class TrunkSync:
    """The ``oneview`` trunk driver and the network sets behind bare-metal trunks."""

    def __init__(
        self,
        client: OneViewClient,
        networks: NetworkSync,
        ports: PortWiring,
        *,
        lock_dir: str | None = None,
        linger: float = LINGER,
    ) -> None:
        self.client = client
        self.networks = networks
        self.ports = ports
        self.lock_dir = lock_dir
        self.batches = NetworkSetBatches(client, network_set_locks(lock_dir), linger=linger)
        self.driver: trunk_driver.OneViewTrunkDriver | None = None
        self._uris: dict[str, str] = {}  # trunk id -> network set URI
        self._uris_lock = threading.Lock()
        # parent port id -> (trunk id, subports left out), from network_uri to plugged
        self._carrying: dict[str, tuple[str, set[str]]] = {}
        self._orphans_seen: dict[str, float] = {}  # orphan set URI -> first seen (monotonic)

    def register(self) -> None:
        """Make the trunk driver; the trunk plugin's AFTER_INIT registers it (if loaded)."""
        self.driver = trunk_driver.OneViewTrunkDriver.create(self)

    def may_mirror(self, network_type: Any, physnet: Any, vlan: Any) -> bool:
        return self.networks.mappings.may_mirror(network_type, physnet, vlan)

    # -- the mechanism driver's hooks ------------------------------------------------------
    def network_uri(self, context: api.PortContext, network_uri: str) -> str:
        """The URI the port's connection points at: the trunk's network set for a trunk
        parent (made or brought up to date first), else ``network_uri``.

        :raises PortWiringError: the parent's network cannot be a set's native network.
        :raises OneViewError: OneView refused or failed the set's write.
        """
        port = context.current
        trunk_id = _trunk_id_of_parent(port)
        if not trunk_id:
            return network_uri
        db = _db_context(context)
        segment = context.bottom_bound_segment or {}
        if segment.get(api.NETWORK_TYPE) != "vlan":
            raise PortWiringError(
                f"trunk parent {port['id']} is bound to a {segment.get(api.NETWORK_TYPE)} "
                "segment; a OneView network set's native network must be a Tagged (vlan) network"
            )
        uri, left_out = self._ensure(db, trunk_id, network_uri, segment.get(api.PHYSICAL_NETWORK))
        with self._uris_lock:
            self._carrying[port["id"]] = (trunk_id, left_out)
        return uri

    def plugged(self, context: api.PortContext) -> None:
        """The parent's connection is on its trunk's set: the carried subports and the trunk
        go ACTIVE (before the parent's own provisioning completes, outside its status change).

        :raises: nothing; a failure is logged (reconciliation sets the statuses again).
        """
        with self._uris_lock:
            carrying = self._carrying.pop(context.current["id"], None)
        if carrying is None:
            return
        trunk_id, left_out = carrying
        try:
            self._activate(_db_context(context), trunk_id, left_out)
        except Exception:  # statuses only; the wiring is done
            LOG.exception("Could not set the statuses of trunk %s and its subports", trunk_id)

    def unplugged(self, port: dict[str, Any], host: str | None) -> None:
        """The parent ``port`` is no longer wired on ``host``: its trunk's set goes."""
        trunk_id = _trunk_id_of_parent(port)
        if not trunk_id:
            return
        admin = _admin()
        trunk_driver.set_statuses(admin, _subport_ids(port), n_const.PORT_STATUS_DOWN)
        self.discard(trunk_id)

    # -- trunk events (trunk_driver.TrunkEvents) ---------------------------------------------
    def trunk_changed(self, context: Any, trunk_id: str, parent_id: str) -> None:
        """A trunk made on a parent already wired: point its connection at the new set."""
        parent = _port(context, parent_id)
        segment = trunk_driver.bound_by_us(context, parent) if parent else None
        if parent is None or segment is None:
            return  # wired later: the parent's plug makes the set
        try:
            own = self._own_uri(parent, segment)
            uri, left_out = self._ensure(context, trunk_id, own, segment.get("physical_network"))
            self.ports.plug(PortInfo.of(parent), uri)
        except (OneViewError, PortWiringError) as error:
            self._failed(context, trunk_id, "carry the new trunk", error)
            return
        self._activate(context, trunk_id, left_out)

    def trunk_deleted(
        self, context: Any, trunk_id: str, parent_id: str, subport_ids: list[str]
    ) -> None:
        """The trunk is gone: the parent's connection goes back to its own network, then the
        set is deleted; the former subports go DOWN."""
        trunk_driver.set_statuses(context, subport_ids, n_const.PORT_STATUS_DOWN)
        parent = _port(context, parent_id)
        segment = trunk_driver.bound_by_us(context, parent) if parent else None
        try:
            if parent is not None and segment is not None:
                self.ports.plug(PortInfo.of(parent), self._own_uri(parent, segment))
            self.discard(trunk_id)
        except (OneViewError, PortWiringError) as error:
            LOG.error(
                "Trunk %s is deleted but its OneView network set stays behind (%s); "
                "reconciliation reports it as an orphan",
                trunk_id,
                getattr(error, "summary", error),
            )

    def subports_changed(
        self,
        context: Any,
        trunk_id: str,
        parent_id: str,
        *,
        added: Iterable[Any] = (),
        removed: Iterable[Any] = (),
    ) -> None:
        """Subports added or removed: only the set changes (one coalesced, eTag-checked PUT)."""
        added, removed = list(added), list(removed)
        trunk_driver.set_statuses(context, [s.port_id for s in removed], n_const.PORT_STATUS_DOWN)
        parent = _port(context, parent_id)
        segment = trunk_driver.bound_by_us(context, parent) if parent else None
        if parent is None or segment is None:
            LOG.debug("Trunk %s: parent %s is not wired by oneview; no set", trunk_id, parent_id)
            return
        physnet = segment.get("physical_network")
        try:
            uri = self._set_uri(trunk_id)
            if uri is None:  # gone (deleted by hand?): make it whole again
                left_out = self.ensure(context, trunk_id, self._own_uri(parent, segment), physnet)
            else:
                gained = self._members(context, "", physnet, added)
                lost = self._members(context, "", physnet, removed)
                self._log_left_out(trunk_id, gained)
                left_out = set(gained.left_out)
                self._update(
                    uri,
                    compose([adding(gained.subports.values()), removing(lost.subports.values())]),
                    trunk_id=trunk_id,
                )
        except (OneViewError, PortWiringError) as error:
            self._failed(context, trunk_id, "change the trunk's subports", error)
            return
        self._activate(context, trunk_id, left_out)

    # -- network sets ----------------------------------------------------------------------
    def ensure(self, context: Any, trunk_id: str, native_uri: str, physnet: str | None) -> set[str]:
        """Make the trunk's set hold exactly its members now; the subports it cannot carry.

        :raises OneViewError: OneView refused or failed the write.
        """
        return self._ensure(context, trunk_id, native_uri, physnet)[1]

    def _ensure(
        self, context: Any, trunk_id: str, native_uri: str, physnet: str | None
    ) -> tuple[str, set[str]]:
        members = self._members(context, native_uri, physnet, _subports(context, trunk_id))
        self._log_left_out(trunk_id, members)
        left_out = set(members.left_out)
        uri = self._set_uri(trunk_id)
        if uri is not None:
            try:
                change = exactly(members.uris, native_uri)
                return self._update(uri, change, trunk_id=trunk_id), left_out
            except NotFound:
                pass  # deleted meanwhile (and not replaced): made again
        try:
            created = self.client.network_sets.create(
                set_name(trunk_id),
                members.uris,
                native_uri,
                str(getattr(_options(), "trunk_network_set_type", None) or "Regular"),
                extra={"description": _about(trunk_id)},
            )
        except OneViewError:
            # Another worker may have made it since our lookup (OneView refuses the name
            # twice): that set is the trunk's, brought to these members.
            raced = self._set_uri(trunk_id, fresh=True)
            if raced is None:
                raise
            change = exactly(members.uris, native_uri)
            return self._update(raced, change, trunk_id=trunk_id), left_out
        uri = str(created["uri"])
        self._remember(trunk_id, uri)
        LOG.info(
            "Trunk %s is OneView network set %s (%d networks)",
            trunk_id,
            uri,
            len(members.uris),
        )
        return uri, left_out

    def discard(self, trunk_id: str) -> None:
        """Delete the trunk's set if it exists; a set still in use is left (logged)."""
        uri = self._set_uri(trunk_id, fresh=True)  # another worker may have replaced it
        if uri is None:
            return
        try:
            self.client.network_sets.delete(uri)
        except NotFound:
            pass
        except Conflict as error:
            LOG.warning(
                "OneView network set %s of trunk %s stays: a connection still uses it (%s)",
                uri,
                trunk_id,
                error.summary,
            )
            return
        self._remember(trunk_id, None)
        LOG.info("Deleted OneView network set %s of trunk %s", uri, trunk_id)

    def _update(self, uri: str, change: Any, *, trunk_id: str) -> str:
        """Apply ``change`` to the trunk's set; the set's URI.

        The URI may be cached from a set another worker has since replaced (a parent unwired
        and wired again there): then the change goes to the set found by name now.
        """
        try:
            self.batches.change(uri, change)
            return uri
        except NotFound:
            self._forget_uri(uri)
            fresh = self._set_uri(trunk_id)
            if fresh is None or fresh == uri:
                raise
        self.batches.change(fresh, change)
        return fresh

    def _set_uri(self, trunk_id: str, *, fresh: bool = False) -> str | None:
        """The trunk's set URI: cached, or found by name (``fresh``: always by name)."""
        with self._uris_lock:
            cached = self._uris.get(trunk_id)
        if cached and not fresh:
            return cached
        found = self.client.network_sets.find_by_name(set_name(trunk_id))
        if found is None:
            self._remember(trunk_id, None)
            return None
        self._remember(trunk_id, found["uri"])
        return str(found["uri"])

    def _remember(self, trunk_id: str, uri: str | None) -> None:
        with self._uris_lock:
            if uri is None:
                self._uris.pop(trunk_id, None)
            else:
                self._uris[trunk_id] = uri

    def _forget_uri(self, uri: str) -> None:
        with self._uris_lock:
            self._uris = {k: v for k, v in self._uris.items() if v != uri}

    # -- members ---------------------------------------------------------------------------
    def _members(
        self, context: Any, native: str, physnet: str | None, subports: Iterable[Any]
    ) -> Members:
        """Each subport's OneView network on ``physnet`` (its network's VLAN segment there)."""
        carried: dict[str, str] = {}
        left_out: dict[str, str] = {}
        plugin = directory.get_plugin()
        for subport in subports:
            port = _port(context, subport.port_id)
            if port is None:
                left_out[subport.port_id] = "the port is gone"
                continue
            network = plugin.get_network(context, port["network_id"])
            uri, why = self._member_uri(network, physnet, int(subport.segmentation_id))
            if uri is None:
                left_out[subport.port_id] = why
            else:
                carried[subport.port_id] = uri
        return Members(native, carried, left_out)

    def _member_uri(
        self, network: dict[str, Any], physnet: str | None, vlan: int
    ) -> tuple[str | None, str]:
        """The OneView network of ``network``'s VLAN ``vlan`` segment on ``physnet``, or
        (None, why): a set carries a network on the parent's physnet, with its own VLAN."""
        segments = trunk_rules.segments_of(network)
        if ("vlan", physnet, vlan) not in segments:
            return None, (
                f"network {network['id']} has no VLAN {vlan} segment on physical network "
                f"{physnet}, where the trunk parent is wired"
            )
        uri = self.networks.uri_on_physnet(network["id"], physnet)
        if uri is not None:
            return uri, ""
        plan = self.networks.mappings.plan("vlan", physnet, vlan)
        if plan is None:
            return None, f"VLAN {vlan} on physical network {physnet} is not mapped to OneView"
        if len(segments) > 1:
            return None, f"network {network['id']} has no OneView network on {physnet} yet"
        return self.networks.ensure(network, plan), ""  # missing in OneView: made again

    def _own_uri(self, parent: dict[str, Any], segment: dict[str, Any]) -> str:
        uri = self.networks.uri_for_segment(parent["network_id"], segment)
        if uri is None:
            raise PortWiringError(
                f"network {parent['network_id']} of trunk parent {parent['id']} has no OneView "
                "network yet (reconciliation creates it)"
            )
        return uri

    @staticmethod
    def _log_left_out(trunk_id: str, members: Members) -> None:
        for port_id, why in members.left_out.items():
            LOG.error("Trunk %s: subport %s is not carried: %s", trunk_id, port_id, why)

    # -- statuses --------------------------------------------------------------------------
    def _activate(self, context: Any, trunk_id: str, left_out: set[str]) -> None:
        """Carried subports ACTIVE, the others DOWN (logged already), the trunk ACTIVE."""
        trunk = _trunk(context, trunk_id)
        if trunk is None:
            return
        ids = [s.port_id for s in trunk.sub_ports]
        carried = [i for i in ids if i not in left_out]
        trunk_driver.set_statuses(context, carried, n_const.PORT_STATUS_ACTIVE)
        trunk_driver.set_statuses(
            context, [i for i in ids if i in left_out], n_const.PORT_STATUS_DOWN
        )
        trunk_driver.set_trunk_status(context, trunk_id, trunk_consts.TRUNK_ACTIVE_STATUS)

    def _failed(self, context: Any, trunk_id: str, action: str, error: Exception) -> None:
        LOG.error(
            "OneView could not %s of trunk %s: %s; the trunk is in ERROR until a subport "
            "change or reconciliation succeeds",
            action,
            trunk_id,
            getattr(error, "summary", error),
        )
        trunk_driver.set_trunk_status(context, trunk_id, trunk_consts.TRUNK_ERROR_STATUS)

    # -- reconciliation (trunk_reconcile) ---------------------------------------------------
    def expected_uri(self, port: dict[str, Any], network_uri: str) -> str:
        """Where a bound port's connection should point (see ``trunk_reconcile``).

        :raises OneViewError: the trunk's set had to be made and OneView refused.
        """
        from . import trunk_reconcile  # it imports this module

        return trunk_reconcile.expected_uri(self, port, network_uri)

    def reconcile(self, neutron: NeutronReads, report: Report) -> None:
        """Reconciliation's trunk pass (see ``trunk_reconcile.reconcile``)."""
        from . import trunk_reconcile  # it imports this module

        trunk_reconcile.reconcile(self, neutron, report)


def _admin() -> Any:
    return trunk_driver._admin()


def _db_context(context: api.PortContext) -> Any:
    """The request's own database context, elevated (it shares the request's session).

    In the mechanism driver's postcommit the request's session may still hold what the port
    update wrote; reads and writes in another session could run beside it, so they go here.
    """
    return cast(driver_context.PortContext, context).plugin_context.elevated()


def _port(context: Any, port_id: str) -> dict[str, Any] | None:
    ports = directory.get_plugin().get_ports(context, filters={"id": [port_id]})
    return ports[0] if ports else None


def _trunk(context: Any, trunk_id: str) -> Any:
    return trunk_objects.Trunk.get_object(context, id=trunk_id)


def _ports(context: Any, port_ids: list[str]) -> list[Any]:
    return list(port_obj.Port.get_objects(context, id=port_ids)) if port_ids else []


def _options() -> Any:
    try:
        return cfg.CONF.oneview
    except cfg.NoSuchOptError:
        return None


def _subports(context: Any, trunk_id: str) -> list[Any]:
    trunk = _trunk(context, trunk_id)
    return list(trunk.sub_ports) if trunk is not None else []


def _trunk_id_of_parent(port: dict[str, Any]) -> str | None:
    """The trunk whose parent ``port`` is, from the trunk plugin's ``trunk_details`` (Neutron
    adds it to every port dict of a parent; no trunk plugin, no trunks)."""
    details = port.get("trunk_details")
    return str(details["trunk_id"]) if details else None


def _subport_ids(port: dict[str, Any]) -> list[str]:
    return [s["port_id"] for s in (port.get("trunk_details") or {}).get("sub_ports") or []]


def _about(trunk_id: str) -> str:
    return f"Neutron trunk {trunk_id}"
