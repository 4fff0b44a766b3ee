"""QoS for bare-metal ports: the ``oneview`` QoS driver (issue 15, QOS room).

``bandwidth_limit`` (egress) in a network's policy → the maximum bandwidth of the connection
template of that network's OneView network(s); ``minimum_bandwidth`` (egress) → the
``requestedMbps`` of the port's connection (the port's policy, else its network's). Other rules
are refused with the reason (see ``qos_rules``). Policies are read from Neutron's DB; OneView is
written after Neutron's commit (a policy change, a port or network changing policy, a port being
wired), and reconciliation puts the templates back where they drifted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from neutron.objects import ports as port_obj
from neutron.objects import trunk as trunk_obj
from neutron.objects.qos import policy as policy_obj
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events, registry, resources
from neutron_lib.plugins import directory
from neutron_lib.services.qos import base as qos_base
from oslo_log import log as logging

from ..client import OneViewClient, OneViewError
from ..client.resources.connection_templates import bandwidth_of
from ..client.views import profile_connections
from . import connections as conns
from . import qos_rules
from .constants import DRIVER_NAME
from .errors import PortWiringError
from .networks import NetworkSync
from .ports import PortInfo, PortWiring
from .trunks import set_name

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report

LOG = logging.getLogger(__name__)


class QosRuleRefused(n_exc.InvalidInput):
    """A bare-metal port bound by ``oneview`` cannot have this QoS rule."""


class OneViewQosDriver(qos_base.DriverBase):
    """The QoS driver Neutron's QoS plugin asks about bare-metal ports (vif type other)."""

    def __init__(self, support: QosSupport) -> None:
        super().__init__(
            name=DRIVER_NAME,
            vif_types=[portbindings.VIF_TYPE_OTHER],
            vnic_types=[portbindings.VNIC_BAREMETAL],
            supported_rules=qos_rules.SUPPORTED_RULES,
            requires_rpc_notifications=False,
        )
        self.support = support

    def is_rule_supported(self, rule: Any) -> bool:
        """Always True: :meth:`validate_rule_for_port` then refuses with the reason, which the
        generic parameter check would hide."""
        return True

    def validate_rule_for_port(self, context: Any, rule: Any, port: Any) -> bool:
        """:raises QosRuleRefused: the port is ours (or about to be) and cannot have ``rule``."""
        if not _ours_or_unbound(port):
            return False  # another driver's port with vif type other
        own = port.qos_policy_id is not None and port.qos_policy_id == rule.qos_policy_id
        per_port = own and _trunk_of(context, port.id) is None  # a trunk has its own template
        reason = qos_rules.refusal(rule, on_port_policy=per_port)
        if reason is None:
            return True
        raise QosRuleRefused(
            error_message=f"QoS rule {rule.id} cannot apply to bare-metal port {port.id}: "
            f"{reason}. The oneview driver accepts {qos_rules.ACCEPTED}"
        )

    def validate_rule_for_network(self, context: Any, rule: Any, network_id: str) -> bool:
        """False (another QoS driver may still accept it) when no bare-metal port could have it."""
        reason = qos_rules.refusal(rule, on_port_policy=False)
        if reason is not None:
            LOG.info(
                "QoS rule %s on network %s: not for bare-metal ports (%s)",
                rule.id,
                network_id,
                reason,
            )
        return reason is None

    def update_policy(self, context: Any, policy: Any) -> None:
        """After a rule changed: templates of the policy's networks, then its ports' shares."""
        self.support.policy_changed(policy)


def _trunk_of(context: Any, port_id: str) -> str | None:
    """The trunk whose parent the port is, or None."""
    trunk = trunk_obj.Trunk.get_object(context.elevated(), port_id=port_id)
    return str(trunk.id) if trunk is not None else None


def _ours_or_unbound(port: Any) -> bool:
    levels = list(getattr(port, "binding_levels", None) or [])
    return not levels or levels[-1].driver == DRIVER_NAME


class QosSupport:
    def __init__(self, client: OneViewClient, networks: NetworkSync, ports: PortWiring) -> None:
        self.client = client
        self.networks = networks
        self.ports = ports
        self.driver: OneViewQosDriver | None = None

    def register(self) -> None:
        """Create the QoS driver (it registers itself when the QoS plugin starts, which Neutron
        loads after the core plugin) and subscribe the policy-change callbacks."""
        self.driver = OneViewQosDriver(self)
        registry.subscribe(self._port_updated, resources.PORT, events.AFTER_UPDATE)
        registry.subscribe(self._network_updated, resources.NETWORK, events.AFTER_UPDATE)

    # -- minimum bandwidth → requestedMbps ------------------------------------------------
    def requested_mbps(self, port: dict[str, Any]) -> int | None:
        """The ``requestedMbps`` the port's minimum-bandwidth rule asks for; None: no rule.

        Called just before the port is wired; it also brings the network's maximum bandwidth
        to its policy first (a network created with a policy gets its limit here at latest).
        """
        context = n_context.get_admin_context()
        network_policy = self._network_policy(context, port["network_id"])
        if network_policy is not None:  # a template OneView refuses does not fail the port
            network_id = port["network_id"]
            self._guard(
                f"network {network_id}", self._apply_limit, context, network_id, network_policy
            )
        policy_id = port.get("qos_policy_id")
        own = policy_obj.QosPolicy.get_object(context, id=policy_id) if policy_id else None
        if own is not None:
            self._guard(f"port {port['id']}", self._apply_trunk_limit, context, port["id"], own)
        policy = own if own is not None else network_policy
        rule = qos_rules.rule_of(policy.rules if policy else (), qos_rules.MINIMUM)
        return qos_rules.guarantee_mbps(rule.min_kbps) if rule is not None else None

    @staticmethod
    def _network_policy(context: Any, network_id: str) -> Any:
        return policy_obj.QosPolicy.get_network_policy(context, network_id)

    # -- bandwidth limit → connection templates --------------------------------------------
    def _oneview_networks(self, context: Any, network_id: str) -> list[str]:
        """The OneView networks standing for a Neutron network's segments."""
        network = directory.get_plugin().get_network(context, network_id)
        segments = network.get("segments") or [network]
        uris = []
        for segment in segments:
            uri = self.networks.uri_for_segment(
                network_id,
                {
                    "network_type": segment.get("provider:network_type"),
                    "physical_network": segment.get("provider:physical_network"),
                    "segmentation_id": segment.get("provider:segmentation_id"),
                },
            )
            if uri and uri not in uris:
                uris.append(uri)
        return uris

    def _apply_limit(self, context: Any, network_id: str, policy: Any) -> list[str]:
        """Make the templates of the network's OneView networks carry the policy's limit (the
        appliance's default template bandwidth when it has none); the templates changed."""
        changed = []
        for uri in self._oneview_networks(context, network_id):
            template_uri = self.client.ethernet_networks.get(uri).get("connectionTemplateUri")
            if template_uri and self._limit(template_uri, policy, f"network {network_id} ({uri})"):
                changed.append(template_uri)
        return changed

    def _apply_trunk_limit(self, context: Any, port_id: str, policy: Any) -> list[str]:
        """A trunk parent's own policy: the template of the trunk's network set (once TrunkSync
        has created it; wiring and reconciliation apply it later otherwise)."""
        trunk_id = _trunk_of(context, port_id)
        if trunk_id is None:
            return []
        network_set = self.client.network_sets.find_by_name(set_name(trunk_id))
        template_uri = (network_set or {}).get("connectionTemplateUri")
        if not network_set or not template_uri:
            return []
        what = f"trunk {trunk_id} of port {port_id} ({network_set['uri']})"
        return [template_uri] if self._limit(template_uri, policy, what) else []

    def _limit(self, template_uri: str, policy: Any, what: str) -> bool:
        """Give a template the policy's limit, or the default template's bandwidth; changed?"""
        rule = qos_rules.rule_of(policy.rules if policy else (), qos_rules.LIMIT)
        typical: int | None = None
        maximum: int | None = None
        if rule is not None:
            maximum = qos_rules.limit_mbps(rule.max_kbps)
        else:
            typical, maximum = bandwidth_of(self.client.connection_templates.default())
        if maximum is None:
            return False
        result = self.client.connection_templates.set_bandwidth(
            template_uri, maximum_mbps=maximum, typical_mbps=typical
        )
        if result.changed:
            LOG.info(
                "QoS: %s now allows at most %s Mbps per connection (%s)",
                what,
                maximum,
                f"QoS policy {policy.id}" if rule is not None else "no limit: OneView default",
            )
        return bool(result.changed)

    # -- changes ---------------------------------------------------------------------------
    def network_created(self, network: dict[str, Any]) -> None:
        """A network created with a policy gets its limit now, not at its first port's wiring."""
        policy_id = network.get("qos_policy_id")
        if not policy_id:
            return
        context = n_context.get_admin_context()
        policy = policy_obj.QosPolicy.get_object(context, id=policy_id)
        if policy is None or qos_rules.rule_of(policy.rules, qos_rules.LIMIT) is None:
            return
        network_id = network["id"]
        self._guard(f"network {network_id}", self._apply_limit, context, network_id, policy)

    def policy_changed(self, policy: Any) -> None:
        """A rule of ``policy`` was added, changed or removed (after Neutron's commit)."""
        context = n_context.get_admin_context()
        for network_id in policy.get_bound_networks():
            self._guard(f"network {network_id}", self._apply_limit, context, network_id, policy)
        port_ids = set(policy.get_bound_ports())
        for port_id in sorted(port_ids):
            self._guard(f"port {port_id}", self._apply_trunk_limit, context, port_id, policy)
        network_ids = policy.get_bound_networks()
        ports = list(port_obj.Port.get_objects(context, id=list(port_ids))) if port_ids else []
        if network_ids:
            ports += [
                p
                for p in port_obj.Port.get_objects(context, network_id=network_ids)
                if p.qos_policy_id is None
            ]
        self._refresh(context, ports)

    def _port_updated(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        original, port = payload.states[0], payload.latest_state
        if original.get("qos_policy_id") == port.get("qos_policy_id"):
            return
        context = n_context.get_admin_context()
        policy_id = port.get("qos_policy_id")
        policy = policy_obj.QosPolicy.get_object(context, id=policy_id) if policy_id else None
        self._guard(f"port {port['id']}", self._apply_trunk_limit, context, port["id"], policy)
        self._refresh(context, port_obj.Port.get_objects(context, id=[port["id"]]))

    def _network_updated(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        original, network = payload.states[0], payload.latest_state
        if original.get("qos_policy_id") == network.get("qos_policy_id"):
            return
        context = n_context.get_admin_context()
        policy = self._network_policy(context, network["id"])
        self._guard(f"network {network['id']}", self._apply_limit, context, network["id"], policy)
        ports = [
            p
            for p in port_obj.Port.get_objects(context, network_id=network["id"])
            if p.qos_policy_id is None
        ]
        self._refresh(context, ports)

    def _refresh(self, context: Any, ports: Iterable[Any]) -> None:
        """Give the wired ports among ``ports`` the guaranteed share their policy asks for."""
        plugin = directory.get_plugin()
        for item in ports:
            if not _wired_by_us(item):
                continue
            port = plugin.get_port(context, item.id)
            self._guard(f"port {item.id}", self._refresh_port, port)

    def _refresh_port(self, port: dict[str, Any]) -> None:
        mbps = self.requested_mbps(port)
        if mbps is None:
            return  # no guarantee asked: the connection keeps its share
        info = PortInfo.of(port)
        target = self.ports.target(info.host)
        profile = self.client.server_profiles.get(target.profile_uri)
        current = next(
            (c for c in profile_connections(profile) if conns.owner_of(c.name) == info.id),
            None,
        )
        if current is None or not current.network_uri:
            raise PortWiringError(f"port {info.id} has no connection in {target.profile_uri}")
        self.ports.plug(info, current.network_uri, requested_mbps=mbps)

    @staticmethod
    def _guard(what: str, call: Any, *args: Any) -> None:
        """A change after Neutron's commit: a OneView failure is logged, reconciliation retries."""
        try:
            call(*args)
        except (OneViewError, PortWiringError) as error:
            LOG.error(
                "QoS: could not bring %s in OneView to its policy (%s); reconciliation retries",
                what,
                getattr(error, "summary", error),
            )

    # -- reconciliation --------------------------------------------------------------------
    def reconcile(self, neutron: NeutronReads, report: Report) -> None:
        """Reconciliation's QoS part: connection templates' bandwidth from the policies."""
        context = neutron.context
        for network in neutron.networks():
            policy_id = network.get("qos_policy_id")
            policy = policy_obj.QosPolicy.get_object(context, id=policy_id) if policy_id else None
            if policy is None or qos_rules.rule_of(policy.rules, qos_rules.LIMIT) is None:
                continue  # a template without a policy is left as an operator may have set it
            for template_uri in self._apply_limit(context, network["id"], policy):
                report.note("qos_templates_restored", template_uri)
        for bound in neutron.bound_ports():
            policy_id = bound.port.get("qos_policy_id")
            policy = policy_obj.QosPolicy.get_object(context, id=policy_id) if policy_id else None
            if policy is None or qos_rules.rule_of(policy.rules, qos_rules.LIMIT) is None:
                continue
            for template_uri in self._apply_trunk_limit(context, bound.port["id"], policy):
                report.note("qos_templates_restored", template_uri)


def _wired_by_us(port: Any) -> bool:
    """A port this driver bound (last binding level) and that is ACTIVE (wired)."""
    levels = list(getattr(port, "binding_levels", None) or [])
    return (
        bool(levels)
        and levels[-1].driver == DRIVER_NAME
        and port.status == n_const.PORT_STATUS_ACTIVE
    )


__all__ = ["OneViewQosDriver", "QosRuleRefused", "QosSupport"]
