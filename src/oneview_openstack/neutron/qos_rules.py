"""Which QoS rules a bare-metal port bound by ``oneview`` can have, and what they become.

Pure. OneView has two bandwidth knobs, both in Mbps and in steps of 100 Mbps:

* a connection template's ``maximumBandwidth``, shared by every connection to one network (or
  network set): ``bandwidth_limit`` (egress, ``max_kbps``) on a *network*, rounded down so the
  limit is never exceeded;
* a connection's ``requestedMbps``, its guaranteed share of the port: ``minimum_bandwidth``
  (egress, ``min_kbps``), rounded up so the guarantee is never less than asked.

Everything else (ingress, bursts, packet rates, DSCP marking, a limit on a single port) OneView
cannot express; those are refused with a reason rather than accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from neutron_lib import constants as n_const
from neutron_lib.db import constants as db_consts
from neutron_lib.services.qos import constants as qos_consts

STEP_MBPS = 100  # OneView's bandwidth granularity
LIMIT = qos_consts.RULE_TYPE_BANDWIDTH_LIMIT
MINIMUM = qos_consts.RULE_TYPE_MINIMUM_BANDWIDTH
ACCEPTED = (
    "bandwidth_limit (egress, max_kbps of at least 100000, max_burst_kbps 0, in a network's "
    "policy or a trunk parent's) and minimum_bandwidth (egress)"
)
# What the API's rule-type details list for the driver (the bounds OneView can take).
SUPPORTED_RULES: dict[str, dict[str, Any]] = {
    LIMIT: {
        qos_consts.MAX_KBPS: {"type:range": [STEP_MBPS * 1000, db_consts.DB_INTEGER_MAX_VALUE]},
        qos_consts.MAX_BURST: {"type:range": [0, 0]},
        qos_consts.DIRECTION: {"type:values": [n_const.EGRESS_DIRECTION]},
    },
    MINIMUM: {
        qos_consts.MIN_KBPS: {"type:range": [0, db_consts.DB_INTEGER_MAX_VALUE]},
        qos_consts.DIRECTION: {"type:values": [n_const.EGRESS_DIRECTION]},
    },
}


def limit_mbps(max_kbps: int) -> int:
    """``max_kbps`` (1000 bit/s) → the template maximum: Mbps, rounded down to 100 Mbps."""
    return (int(max_kbps) // 1000 // STEP_MBPS) * STEP_MBPS


def guarantee_mbps(min_kbps: int) -> int | None:
    """``min_kbps`` → ``requestedMbps``: Mbps rounded up to 100 Mbps; None for 0 (no guarantee)."""
    kbps = int(min_kbps)
    if kbps <= 0:
        return None
    step = STEP_MBPS * 1000
    return -(-kbps // step) * STEP_MBPS


def refusal(rule: Any, *, on_port_policy: bool) -> str | None:
    """Why a bare-metal port cannot have ``rule``; None when it can.

    ``on_port_policy``: the rule is in the port's own policy (not its network's).
    """
    rule_type = getattr(rule, "rule_type", None)
    if rule_type not in SUPPORTED_RULES:
        return f"rule type {rule_type} is not something HPE OneView can apply"
    direction = getattr(rule, "direction", n_const.EGRESS_DIRECTION)
    if direction != n_const.EGRESS_DIRECTION:
        return (
            f"{rule_type} direction {direction}: OneView's bandwidth settings shape what the "
            "server sends, so only egress is accepted"
        )
    if rule_type == MINIMUM:
        return None
    if on_port_policy:
        return (
            "bandwidth_limit in a port's own policy: OneView limits bandwidth per network "
            "(its connection template, for every server on the network), not per port; put the "
            "limit in the network's policy or a trunk parent's (a trunk's network set has a "
            "template of its own), or use minimum_bandwidth on the port"
        )
    burst = getattr(rule, "max_burst_kbps", 0) or 0
    if burst:
        return f"bandwidth_limit max_burst_kbps {burst}: OneView has no burst setting; use 0"
    max_kbps = getattr(rule, "max_kbps", 0) or 0
    if limit_mbps(max_kbps) < STEP_MBPS:
        return (
            f"bandwidth_limit max_kbps {max_kbps}: OneView's smallest maximum bandwidth is "
            f"{STEP_MBPS} Mbps (max_kbps {STEP_MBPS * 1000}), in steps of {STEP_MBPS} Mbps"
        )
    return None


def rule_of(rules: Any, rule_type: str) -> Any:
    """The egress rule of that type among a policy's rules, or None."""
    for rule in rules or ():
        if getattr(rule, "rule_type", None) != rule_type:
            continue
        if getattr(rule, "direction", n_const.EGRESS_DIRECTION) == n_const.EGRESS_DIRECTION:
            return rule
    return None
