"""How a Neutron network's OneView network is made: private networks, Tunnel networks for VLAN
transparency (issue 15, QOS room).

Pure: both run where no OneView read is allowed (the create body, a precommit check).
"""

from __future__ import annotations

from typing import Any

from oslo_log import log as logging

from .errors import MappingsNotLoaded
from .mappings import Mappings, Plan

LOG = logging.getLogger(__name__)


def oneview_fields(network: dict[str, Any], plan: Plan, opts: Any) -> dict[str, Any]:
    """Extra fields of the OneView network created for ``network``.

    ``[oneview] private_networks``: ``privateNetwork: true`` (servers on it reach the uplinks,
    not each other inside Virtual Connect).
    """
    if getattr(opts, "private_networks", False):
        return {"privateNetwork": True}
    return {}


def _segments(network: dict[str, Any]) -> list[tuple[Any, Any]]:
    segments = network.get("segments") or [network]
    return [(s.get("provider:network_type"), s.get("provider:physical_network")) for s in segments]


def vlan_transparent(mappings: Mappings, network: dict[str, Any]) -> bool | None:
    """``check_vlan_transparency`` (asked only for a network with ``vlan_transparent`` true).

    True: every segment the driver mirrors becomes a Tunnel network (a flat network on a
    physical network mapped to a Tunnel uplink set). False: a mirrored segment would be a Tagged
    or Untagged network, which does not pass the tenant's VLAN tags. None: the driver mirrors
    none of the segments, so it abstains. Until the uplink-set types are read it says False
    (stricter, never looser, as the other precommit checks).
    """
    answers = []
    for network_type, physnet in _segments(network):
        try:
            answers.append(mappings.transparent(network_type, physnet))
        except MappingsNotLoaded:
            LOG.warning(
                "Network %s asks for vlan_transparent while the [oneview] uplink sets are not "
                "read from OneView yet; refused, try again when OneView answers",
                network.get("id"),
            )
            return False
    mirrored = [a for a in answers if a is not None]
    if not mirrored:
        return None
    if all(mirrored):
        return True
    LOG.info(
        "Network %s asks for vlan_transparent but a segment would be a Tagged or Untagged "
        "OneView network, which does not pass VLAN tags; only flat networks on a physical "
        "network mapped to a Tunnel uplink set are transparent",
        network.get("id"),
    )
    return False
