"""What a bare-metal trunk must be for a OneView network set to carry it (pure checks).

A network set holds Tagged networks, each on its own VLAN, and sends every one of them with that
VLAN's tag except the native network, which travels untagged. It cannot translate a VLAN ID. So:
the parent port must be on a VLAN network (the native one); each subport's network must be a VLAN
network the driver mirrors, other than the parent's, and the subport's ``segmentation_id`` must be
that network's VLAN (``segmentation_type inherit`` sets it so). These checks run inside Neutron's
transaction (trunk and subport PRECOMMIT events) and read Neutron only, never OneView.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from neutron_lib import exceptions as n_exc
from neutron_lib.api.definitions import portbindings
from neutron_lib.api.definitions import provider_net as pnet

# (network_type, physical_network, segmentation_id) -> whether the driver mirrors it
MayMirror = Callable[[Any, Any, Any], bool]


class TrunkNotCarried(n_exc.InvalidInput):
    """400: a OneView network set cannot carry this trunk as asked."""


Segment = tuple[Any, Any, Any]  # (network_type, physical_network, segmentation_id)


@dataclass(frozen=True)
class NetworkFacts:
    """A network as the checks need it: its id and its segments."""

    id: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class PortFacts:
    id: str
    vnic_type: str | None
    network: NetworkFacts


@dataclass(frozen=True)
class SubportRequest:
    port_id: str
    network: NetworkFacts
    segmentation_type: str
    segmentation_id: int


def segments_of(network: dict[str, Any]) -> list[Segment]:
    """(network_type, physnet, segmentation_id) of each segment of a network API dict."""
    if network.get("segments"):
        return [
            (s.get(pnet.NETWORK_TYPE), s.get(pnet.PHYSICAL_NETWORK), s.get(pnet.SEGMENTATION_ID))
            for s in network["segments"]
        ]
    return [
        (
            network.get(pnet.NETWORK_TYPE),
            network.get(pnet.PHYSICAL_NETWORK),
            network.get(pnet.SEGMENTATION_ID),
        )
    ]


def is_ours(parent: PortFacts, may_mirror: MayMirror) -> bool:
    """A bare-metal parent on a network with a segment the driver mirrors."""
    if parent.vnic_type != portbindings.VNIC_BAREMETAL:
        return False
    return any(may_mirror(*segment) for segment in parent.network.segments)


def check_trunk(
    parent: PortFacts, subports: Iterable[SubportRequest], may_mirror: MayMirror
) -> None:
    """:raises TrunkNotCarried: the parent or a subport cannot be carried by a network set."""
    if not is_ours(parent, may_mirror):
        return
    segments = parent.network.segments
    if not [s for s in segments if s[0] == "vlan" and may_mirror(*s)]:
        kinds = sorted({str(s[0]) for s in segments})
        raise TrunkNotCarried(
            error_message=(
                f"Trunk parent port {parent.id} is on network {parent.network.id} of type "
                f"{'/'.join(kinds)}; a bare-metal trunk becomes a OneView network set, whose "
                "native network must be a Tagged (vlan) network the oneview driver mirrors. Put "
                "the parent port on a VLAN network (one that carries no traffic is fine)."
            )
        )
    check_subports(parent, subports, may_mirror)


def check_subports(
    parent: PortFacts, subports: Iterable[SubportRequest], may_mirror: MayMirror
) -> None:
    """:raises TrunkNotCarried: a subport a network set cannot carry as asked."""
    if not is_ours(parent, may_mirror):
        return
    for subport in subports:
        _check_subport(subport, parent.network, may_mirror)


def _check_subport(
    subport: SubportRequest, parent_network: NetworkFacts, may_mirror: MayMirror
) -> None:
    network = subport.network
    where = f"Subport {subport.port_id} (network {network.id})"
    if network.id == parent_network.id:
        raise TrunkNotCarried(
            error_message=(
                f"{where} is on the trunk parent's own network, which the network set already "
                "carries untagged as its native network; use a port on another network."
            )
        )
    vlans = [s for s in network.segments if s[0] == "vlan" and may_mirror(*s)]
    if not vlans:
        kinds = sorted({str(s[0]) for s in network.segments})
        raise TrunkNotCarried(
            error_message=(
                f"{where}: its network is of type {'/'.join(kinds)} and not a VLAN network "
                "the oneview driver mirrors; a OneView network set holds Tagged (vlan) networks "
                "only. Use a port on a VLAN network of a mapped physical network."
            )
        )
    if subport.segmentation_type != "vlan":
        raise TrunkNotCarried(
            error_message=(
                f"{where}: segmentation_type {subport.segmentation_type!r} is not accepted; "
                "use 'vlan' or 'inherit'."
            )
        )
    ids = sorted({int(s[2]) for s in vlans if s[2] is not None})
    if int(subport.segmentation_id) not in ids:
        shown = " or ".join(str(i) for i in ids)
        raise TrunkNotCarried(
            error_message=(
                f"{where}: segmentation_id {subport.segmentation_id} differs from the VLAN "
                f"{shown} of its network. A OneView network set carries each network on its "
                "own VLAN and cannot translate VLAN IDs, so the server would see the wrong tag. "
                f"Use segmentation_id {shown}, or segmentation_type 'inherit' (Neutron then "
                "takes the network's VLAN)."
            )
        )
