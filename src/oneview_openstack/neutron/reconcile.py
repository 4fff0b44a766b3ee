"""Reconciliation: compare Neutron with OneView and repair drift, from a periodic worker.

It runs in ``neutron-periodic-workers`` (``get_workers``), never in the API processes. Missing
OneView networks, uplink-set memberships and port connections are restored; OneView networks
named ``Neutron [<uuid>]`` without a Neutron network are orphans: reported, and deleted only when
``delete_orphans`` is on. Every repair is idempotent, so two periodic processes doing it at once
cost requests, not correctness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oslo_log import log as logging

from ..client import OneViewError
from ..client.resources import connections_of
from . import connections as conns
from .driver import DRIVER_NAME, ENTITY
from .mappings import describe, neutron_id_of, oneview_name
from .ports import PortInfo

LOG = logging.getLogger(__name__)


@dataclass
class Report:
    networks_created: list[str] = field(default_factory=list)
    memberships_restored: list[tuple[str, str]] = field(default_factory=list)
    connections_restored: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    orphans_deleted: list[str] = field(default_factory=list)
    stale_connections: list[str] = field(default_factory=list)  # "<profile uri> <port id>"
    stale_connections_undone: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Reconciler:
    def __init__(self, driver: Any, delete_orphans: bool) -> None:
        self.driver = driver
        self.delete_orphans = delete_orphans

    def __call__(self) -> None:
        try:
            report = self.run()
        except OneViewError as error:  # OneView's own answer says it all; no traceback
            LOG.error("OneView reconciliation failed; the next pass retries: %s", describe(error))
            return
        except Exception:  # a periodic task must survive one bad run
            LOG.exception("OneView reconciliation failed")
            return
        LOG.info("OneView reconciliation: %s", report)

    def run(self, context: Any = None, plugin: Any = None) -> Report:
        from neutron_lib import context as n_context
        from neutron_lib.plugins import directory

        context = context or n_context.get_admin_context()
        plugin = plugin or directory.get_plugin()
        report = Report()
        driver = self.driver
        driver.mappings.ensure_validated(driver.client)
        networks = plugin.get_networks(context)
        by_name = {n["name"]: n for n in driver.client.ethernet_networks.iter()}
        members: dict[str, set[str]] = {}
        for network in networks:
            try:
                self._network(network, by_name, members, report)
            except Exception as error:
                report.errors.append(f"network {network['id']}: {_text(error)}")
        self._orphans({n["id"] for n in networks}, by_name, report)
        bound = self._ports(context, plugin, report)
        self._stale_connections(bound, report)
        return report

    def _network(
        self,
        network: dict[str, Any],
        by_name: dict[str, dict[str, Any]],
        members: dict[str, set[str]],
        report: Report,
    ) -> None:
        sync = self.driver.networks
        plan = sync.plan_for(network)
        if plan is None or plan.kind != "create":
            return
        existing = by_name.get(oneview_name(network["id"]))
        if existing is None:
            sync.ensure(network, plan)
            report.networks_created.append(network["id"])
            return
        uri = existing["uri"]
        for uplink_set in plan.uplink_sets:
            if uplink_set not in members:
                members[uplink_set] = set(self.driver.client.uplink_sets.networks(uplink_set))
            if uri not in members[uplink_set]:
                sync.change_membership(uplink_set, "add", uri)
                members[uplink_set].add(uri)
                report.memberships_restored.append((network["id"], uplink_set))

    def _orphans(self, neutron_ids: set[str], by_name: dict[str, Any], report: Report) -> None:
        for name, oneview in by_name.items():
            network_id = neutron_id_of(name)
            if network_id is None or network_id in neutron_ids:
                continue
            report.orphans.append(oneview["uri"])
            if not self.delete_orphans:
                LOG.warning(
                    "OneView network %s (%s) has no Neutron network; set [oneview] "
                    "delete_orphans = true to let reconciliation delete it",
                    name,
                    oneview["uri"],
                )
                continue
            try:
                self.driver.networks.remove(network_id, oneview["uri"])
                report.orphans_deleted.append(oneview["uri"])
            except OneViewError as error:
                report.errors.append(f"orphan {oneview['uri']}: {describe(error)}")

    def _stale_connections(self, port_ids: set[str], report: Report) -> None:
        """Connections still wired for ports no longer bound by the driver (undo failed)."""
        client = self.driver.client
        for profile in client.server_profiles.iter():
            stale = {
                owner
                for connection in connections_of(profile)
                if (owner := conns.owner_of(connection)) and owner not in port_ids
            }
            for port_id in sorted(stale):
                label = f"{profile['uri']} {port_id}"
                report.stale_connections.append(label)
                if not self.delete_orphans:
                    LOG.warning(
                        "Profile %s still wires deleted port %s; set [oneview] delete_orphans = "
                        "true to let reconciliation undo it",
                        profile["uri"],
                        port_id,
                    )
                    continue
                try:
                    client.server_profiles.update_connections(
                        profile["uri"], lambda cs, p=port_id: conns.detach(cs, port_id=p)
                    )
                    report.stale_connections_undone.append(label)
                except OneViewError as error:  # e.g. the server is on: no power cycle from here
                    report.errors.append(f"stale connection {label}: {describe(error)}")

    def _ports(self, context: Any, plugin: Any, report: Report) -> set[str]:
        from neutron.plugins.ml2 import db as ml2_db

        ports = plugin.get_ports(context, filters={"binding:vnic_type": ["baremetal"]})
        bound: set[str] = set()
        for port in ports:
            host = port.get("binding:host_id")
            if not host or port.get("binding:vif_type") != "other":
                continue
            levels = ml2_db.get_binding_level_objs(context, port["id"], host) or []
            if not levels or levels[-1].driver != DRIVER_NAME:
                continue
            bound.add(port["id"])
            try:
                self._port(context, plugin, port, levels[-1], report)
            except Exception as error:  # one port (e.g. a database deadlock) spoils no pass
                report.errors.append(f"port {port['id']}: {_text(error)}")
        return bound

    def _port(
        self, context: Any, plugin: Any, port: dict[str, Any], level: Any, report: Report
    ) -> None:
        driver = self.driver
        segment = _segment(plugin, context, level.segment_id)
        plan = driver.mappings.plan(*segment) if segment else None
        if plan is None:
            return
        uri = driver.networks.oneview_uri(port["network_id"], plan)
        if uri is None:
            return
        info = PortInfo.of(port)
        target = driver.ports.target(info.host)
        profile = driver.client.server_profiles.get(target.profile_uri)
        if conns.wired(connections_of(profile), info.id, uri) and port["status"] == "ACTIVE":
            return
        driver.ports.plug(info, uri)
        report.connections_restored.append(port["id"])
        if port["status"] != "ACTIVE":
            from neutron.db import provisioning_blocks
            from neutron_lib.callbacks import resources

            provisioning_blocks.provisioning_complete(context, port["id"], resources.PORT, ENTITY)


def _segment(plugin: Any, context: Any, segment_id: str) -> tuple[Any, Any, Any] | None:
    from neutron.db import segments_db

    segment = segments_db.get_segment_by_id(context, segment_id)
    if not segment:
        return None
    return segment["network_type"], segment["physical_network"], segment["segmentation_id"]


def _text(error: Exception) -> str:
    return describe(error) if isinstance(error, OneViewError) else str(error)


def make_worker(driver: Any) -> Any:
    """The PeriodicWorker for ``neutron-periodic-workers``, or None when disabled."""
    from neutron.worker import PeriodicWorker
    from oslo_config import cfg

    opts = cfg.CONF.oneview
    if not opts.reconcile_interval:
        return None
    reconciler = Reconciler(driver, opts.delete_orphans)
    return PeriodicWorker(
        reconciler, opts.reconcile_interval, opts.reconcile_interval, desc="oneview-reconcile"
    )
