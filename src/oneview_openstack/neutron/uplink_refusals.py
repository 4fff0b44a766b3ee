"""An uplink set's refusal of a network, turned into the Neutron error a user can act on.

OneView's refusal names neither the network in the way nor what to do; the uplink set's members
tell: the network already holding the VLAN (Tagged) or the uplink set's one network (Untagged,
Tunnel).
"""

from __future__ import annotations

from typing import Any

from ..client import OneViewClient, OneViewError
from . import errors
from .mappings import Plan


def refusal(
    client: OneViewClient,
    network_id: str,
    uplink_set: str,
    plan: Plan,
    error: OneViewError,
    uri: str,
) -> Exception:
    """The error for uplink set ``uplink_set`` refusing OneView network ``uri`` of
    ``network_id``: :class:`errors.VlanInUse`, :class:`errors.UntaggedUplinkSetInUse`, or
    :class:`errors.OneViewOperationFailed` with OneView's own reason."""
    try:
        current = client.uplink_sets.get(uplink_set)
    except OneViewError:
        current = {"name": uplink_set, "networkUris": []}
    us_name = current.get("name") or uplink_set
    holder = _holder(client, current, plan, uri)
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


def _holder(
    client: OneViewClient, uplink_set: dict[str, Any], plan: Plan, own_uri: str
) -> str | None:
    """The name of the network already in the way: same VLAN, or the untagged one."""
    for uri in uplink_set.get("networkUris") or []:
        if uri == own_uri:
            continue
        try:
            other = client.ethernet_networks.get(uri)
        except OneViewError:
            continue
        if plan.network_type == "Untagged" or other.get("vlanId") == plan.vlan:
            return other.get("name") or uri
    return None
