"""The driver's security-group stance for bare-metal ports (issue 15, QOS room).

OneView does not filter a server's traffic: a security group on a bare-metal port this driver
binds is stored by Neutron and enforced by nobody. The binding says so (``port_filter: false``).
With ``[oneview] refuse_unenforced_security_group_rules`` the driver also refuses what a tenant
would mistake for protection: a rule other than the ones Neutron's default security group rule
templates put in a new group, on a bare-metal port of a mirrored network (port create/update,
400) or on a group a port bound by this driver already uses (rule create, 409). The rules are
read in Neutron's own transaction, from the DB only (never OneView).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from neutron.objects import ports as port_obj
from neutron.objects import securitygroup as sg_obj
from neutron.objects import securitygroup_default_rules as sg_default_obj
from neutron_lib import exceptions as n_exc
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events, registry, resources
from neutron_lib.plugins import directory
from oslo_log import log as logging

from .constants import DRIVER_NAME
from .mappings import Mappings

LOG = logging.getLogger(__name__)

OPTION = "[oneview] refuse_unenforced_security_group_rules"
PARENT = "PARENT"  # a default-rule template's remote group: the group the rule lands in
# The fields that say what a rule lets through (a template and a rule are compared on these).
RULE_FIELDS = (
    "direction",
    "ethertype",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_address_group_id",
)


class UnenforcedSecurityGroupRule(n_exc.InvalidInput):
    """A bare-metal port asks for a security group rule nothing would enforce."""


class UnenforcedRuleInUse(n_exc.Conflict):
    message = "%(reason)s"


def vif_details() -> dict[str, Any]:
    """The ``binding:vif_details`` of a port this driver binds: nothing filters its traffic."""
    return {portbindings.CAP_PORT_FILTER: False}


def describe(rule: Mapping[str, Any]) -> str:
    """``ingress IPv4 tcp 22-22 from 10.0.0.0/8`` style, for error text."""
    parts = [str(rule.get("direction")), str(rule.get("ethertype")), rule.get("protocol") or "any"]
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is not None or high is not None:
        parts.append(f"{low}-{high}")
    remote = (
        rule.get("remote_ip_prefix")
        or (rule.get("remote_group_id") and f"group {rule['remote_group_id']}")
        or (
            rule.get("remote_address_group_id")
            and f"address group {rule['remote_address_group_id']}"
        )
    )
    parts.append(f"from/to {remote}" if remote else "from/to anywhere")
    return " ".join(parts)


def _norm(value: Any) -> Any:
    return None if value is None else str(value)


def is_default(rule: Mapping[str, Any], templates: Iterable[Mapping[str, Any]]) -> bool:
    """Pure: whether ``rule`` is one a default-rule template puts in its group."""
    for template in templates:
        if any(_norm(rule.get(f)) != _norm(template.get(f)) for f in RULE_FIELDS):
            continue
        remote = template.get("remote_group_id")
        wanted = rule.get("security_group_id") if remote == PARENT else remote
        if _norm(rule.get("remote_group_id")) == _norm(wanted):
            return True
    return False


def extra_rules(
    rules: Iterable[Mapping[str, Any]], templates: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Pure: the rules beyond the default ones."""
    return [rule for rule in rules if not is_default(rule, templates)]


def _rule_dict(rule: Any) -> dict[str, Any]:
    fields = ("id", "security_group_id", "remote_group_id", *RULE_FIELDS)
    return {f: getattr(rule, f, None) for f in fields}


def _templates(context: Any) -> list[dict[str, Any]]:
    objects = sg_default_obj.SecurityGroupDefaultRule.get_objects(context.elevated())
    return [{f: getattr(t, f, None) for f in ("remote_group_id", *RULE_FIELDS)} for t in objects]


class SecurityStance:
    """Subscribes the rule checks when ``refuse_unenforced_security_group_rules`` is on."""

    def __init__(self, opts: Any, mappings: Mappings) -> None:
        """``opts``: the live ``CONF.oneview`` (read at every event, so a reload counts)."""
        self.opts = opts
        self.mappings = mappings

    @property
    def enabled(self) -> bool:
        return bool(getattr(self.opts, "refuse_unenforced_security_group_rules", False))

    def register(self) -> None:
        """Subscribe the precommit checks (every call is a no-op while the option is off)."""
        registry.subscribe(self._port_event, resources.PORT, events.PRECOMMIT_CREATE)
        registry.subscribe(self._port_event, resources.PORT, events.PRECOMMIT_UPDATE)
        registry.subscribe(
            self._rule_created, resources.SECURITY_GROUP_RULE, events.PRECOMMIT_CREATE
        )

    # -- ports -----------------------------------------------------------------------------
    def _port_event(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        if not self.enabled:
            return
        port = payload.desired_state if event == events.PRECOMMIT_UPDATE else payload.latest_state
        if not port or port.get(portbindings.VNIC_TYPE) != portbindings.VNIC_BAREMETAL:
            return
        group_ids = list(port.get("security_groups") or [])
        if not group_ids or not self._mirrored(payload.context, port["network_id"]):
            return
        self.check_groups(payload.context, group_ids, f"bare-metal port {port['id']}")

    def _mirrored(self, context: Any, network_id: str) -> bool:
        """Whether any segment of the network is (or may be) mirrored; DB and mappings only."""
        network = directory.get_plugin().get_network(context, network_id)
        segments = network.get("segments") or [network]
        return any(
            self.mappings.may_mirror(
                s.get("provider:network_type"),
                s.get("provider:physical_network"),
                s.get("provider:segmentation_id"),
            )
            for s in segments
        )

    def check_groups(self, context: Any, group_ids: list[str], subject: str) -> None:
        """:raises UnenforcedSecurityGroupRule: a group has a rule beyond the default ones."""
        rules = [
            _rule_dict(rule)
            for rule in sg_obj.SecurityGroupRule.get_objects(
                context.elevated(), security_group_id=group_ids
            )
        ]
        extra = extra_rules(rules, _templates(context))
        if not extra:
            return
        shown = "; ".join(
            f"{describe(r)} (rule {r['id']}, group {r['security_group_id']})" for r in extra[:3]
        )
        more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
        raise UnenforcedSecurityGroupRule(
            error_message=f"{subject} has security group rules that HPE OneView cannot enforce "
            f"(it does not filter a server's traffic): {shown}{more}. Accepted: security groups "
            "with only the default rules, or port_security_enabled false; the operator turns "
            f"this check off with {OPTION} = false"
        )

    # -- rules -----------------------------------------------------------------------------
    def _rule_created(self, resource: str, event: str, trigger: Any, payload: Any) -> None:
        if not self.enabled:
            return
        rule = payload.latest_state or {}
        context = payload.context
        if is_default(rule, _templates(context)):
            return
        ports = self._bound_ports(context, rule["security_group_id"])
        if not ports:
            return
        shown = ", ".join(ports[:3]) + (f" and {len(ports) - 3} more" if len(ports) > 3 else "")
        raise UnenforcedRuleInUse(
            reason=f"security group {rule['security_group_id']} is used by bare-metal ports "
            f"bound by the oneview driver ({shown}), where HPE OneView cannot enforce rule "
            f"{describe(rule)}; accepted there: only the default rules. Use another security "
            f"group for those rules, or the operator turns this check off with {OPTION} = false"
        )

    @staticmethod
    def _bound_ports(context: Any, group_id: str) -> list[str]:
        """Ports of the group whose binding is this driver's (its last binding level)."""
        members = {
            b.port_id
            for b in port_obj.SecurityGroupPortBinding.get_objects(
                context.elevated(), security_group_id=group_id
            )
        }
        if not members:
            return []
        levels = port_obj.PortBindingLevel.get_objects(
            context.elevated(), port_id=sorted(members), driver=DRIVER_NAME
        )
        return sorted({level.port_id for level in levels})
