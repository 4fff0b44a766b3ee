"""Reconciliation of bare-metal trunks' network sets (the ``trunks`` pass; TRUNK room).

Each wired trunk's set holds exactly its networks (made again when missing), the statuses
follow, and sets named for trunks Neutron no longer has are orphans. Set URIs are looked up by
name here, never taken from the cache: another worker may have replaced the set.
"""

from __future__ import annotations

import time
from datetime import UTC
from typing import TYPE_CHECKING, Any

from neutron.objects import trunk as trunk_objects
from neutron_lib import constants as n_const
from neutron_lib.services.trunk import constants as trunk_consts
from oslo_log import log as logging
from oslo_utils import timeutils

from ..client import NotFound, OneViewError
from . import trunk_driver
from .errors import PortWiringError
from .trunks import (
    TrunkSync,
    _admin,
    _options,
    _port,
    _ports,
    _trunk,
    _trunk_id_of_parent,
    trunk_id_of,
)

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report

LOG = logging.getLogger(__name__)


def expected_uri(sync: TrunkSync, port: dict[str, Any], network_uri: str) -> str:
    """For reconciliation's port check: where a bound port's connection should point.

    A trunk parent's connection belongs on its trunk's set (made again if it is missing),
    anything else on ``network_uri``.

    :raises OneViewError: the set had to be made and OneView refused.
    """
    trunk_id = _trunk_id_of_parent(port)
    if not trunk_id:
        return network_uri
    context = _admin()
    uri = sync._set_uri(trunk_id, fresh=True)  # another worker may have replaced it
    if uri is not None:
        return uri
    segment = trunk_driver.bound_by_us(context, port) or {}
    return sync._ensure(context, trunk_id, network_uri, segment.get("physical_network"))[0]


def reconcile(sync: TrunkSync, neutron: NeutronReads, report: Report) -> None:
    """Reconciliation's trunk part: each wired trunk's set holds exactly its networks
    (missing and extra members restored, a missing set made again), statuses follow;
    sets named for trunks Neutron no longer has are orphans, deleted only with
    ``[oneview] delete_orphan_networks``. Trunks changed within one interval are left
    to the API; an orphan is deleted only once this worker has seen it for an interval.
    """
    context = neutron.context
    min_age = float(getattr(_options(), "reconcile_interval", 0) or 0)
    trunks = {t.id: t for t in trunk_objects.Trunk.get_objects(context)}
    for trunk in trunks.values():
        if _younger_than(trunk, min_age):
            report.note("too_young", f"trunk {trunk.id}")
            continue
        try:
            _reconcile_trunk(sync, context, trunk, report)
        except (OneViewError, PortWiringError) as error:
            report.errors.append(f"trunk {trunk.id}: {getattr(error, 'summary', error)}")
            LOG.warning(
                "Reconciliation could not repair trunk %s: %s",
                trunk.id,
                getattr(error, "summary", error),
            )
    _orphans(sync, context, set(trunks), min_age, report)


def _reconcile_trunk(sync: TrunkSync, context: Any, trunk: Any, report: Report) -> None:
    parent = _port(context, trunk.port_id)
    segment = trunk_driver.bound_by_us(context, parent) if parent else None
    if parent is None or segment is None:
        return  # not wired by oneview: no set to keep
    own = sync._own_uri(parent, segment)
    before = sync._set_uri(trunk.id, fresh=True)  # another worker may have replaced it
    old = set(sync.client.network_sets.members(before)) if before else None
    uri, left_out = sync._ensure(context, trunk.id, own, segment.get("physical_network"))
    if old is None:
        report.note("network_sets_recreated", uri)
    elif old != set(sync.client.network_sets.members(uri)):
        report.note("network_set_members_restored", uri)
    statuses = {p.id: p.status for p in _ports(context, [s.port_id for s in trunk.sub_ports])}
    wanted = {
        port_id: (n_const.PORT_STATUS_DOWN if port_id in left_out else n_const.PORT_STATUS_ACTIVE)
        for port_id in statuses
    }
    if any(statuses[p] != wanted[p] for p in statuses) or (
        trunk.status != trunk_consts.TRUNK_ACTIVE_STATUS
    ):
        sync._activate(context, trunk.id, left_out)
        report.note("trunk_statuses_restored", trunk.id)


def _orphans(
    sync: TrunkSync, context: Any, trunk_ids: set[str], min_age: float, report: Report
) -> None:
    now = time.monotonic()
    seen: dict[str, float] = {}
    for network_set in sync.client.network_sets.iter():
        trunk_id = trunk_id_of(network_set.get("name"))
        if trunk_id is None or trunk_id in trunk_ids:
            continue
        uri = str(network_set["uri"])
        first = seen[uri] = sync._orphans_seen.get(uri, now)
        if _trunk(context, trunk_id) is not None:
            continue  # made after our listing
        report.note("network_set_orphans", uri)
        if not getattr(_options(), "delete_orphan_networks", False):
            LOG.warning(
                "OneView network set %s (%s) has no Neutron trunk; set [oneview] "
                "delete_orphan_networks = true to let reconciliation delete it",
                network_set.get("name"),
                uri,
            )
            continue
        if min_age > 0 and (uri not in sync._orphans_seen or now - first < min_age):
            continue  # seen for less than an interval: delete on a later pass
        try:
            sync.client.network_sets.delete(uri)
        except NotFound:
            continue
        except OneViewError as error:
            report.errors.append(f"orphan {uri}: {error.summary}")
            continue
        sync._remember(trunk_id, None)
        report.note("network_set_orphans_deleted", uri)
    sync._orphans_seen = seen


def _younger_than(trunk: Any, seconds: float) -> bool:
    """Changed by the API less than ``seconds`` ago (the database's clock)."""
    if seconds <= 0:
        return False
    stamp = trunk.updated_at or trunk.created_at
    if stamp is None:
        return False
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (timeutils.utcnow(with_timezone=True) - stamp).total_seconds() < seconds
