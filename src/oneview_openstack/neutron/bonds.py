"""Bonds: an Ironic port group bound as one Neutron port → its member NICs' profile connections.

What Ironic 39 sends for a VIF on a port group (``plug_port_to_tenant_network`` in
``ironic/drivers/modules/network/common.py``, ``get_local_group_information`` in
``ironic/common/neutron.py``): ``mac_address`` = the port group's address (when it has one),
``binding:profile.local_link_information`` = one link per member port, and
``binding:profile.local_group_information`` = ``{id, name, bond_mode, bond_properties}``. The
members are therefore read from Ironic's port group, never matched by the Neutron MAC, which no
NIC needs to carry (understack#983).

OneView side: every member NIC is its own profile connection. Modes the server's bonding driver
runs alone (active-backup, balance-tlb, balance-alb) need only every member on the network. 802.3ad
needs LACP on the other end, which Virtual Connect gives as a LAG: the two connections carry the
same ``lagName`` (``LAG1``..``LAG24``), the same FlexNIC function of the two ports of one
adapter (``Mezz 3:1-a`` with ``Mezz 3:2-a``), the same network and ``requestedMbps``, towards two
different interconnects (HPE's QA data for Synergy S-Channel LAGs, POSH-HPEOneView#640; the
simulator's ``state/lag_rules.py`` keeps the same rules). balance-rr, balance-xor and broadcast need a static aggregate on the switch side,
which Virtual Connect does not offer: refused.

Pure: no OneView, no Ironic. :mod:`validation` calls :func:`request_of` in precommit (400s);
:mod:`connections` calls :func:`check_lag_pair` and :func:`free_lag_name` inside the profile edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..client import views
from .errors import PortWiringError

LACP = "802.3ad"
INDEPENDENT = ("active-backup", "balance-tlb", "balance-alb")
REFUSED = ("balance-rr", "balance-xor", "broadcast")
# Linux bonding's numeric modes (kernel Documentation/networking/bonding.rst).
NUMBERED = {
    "0": "balance-rr",
    "1": "active-backup",
    "2": "balance-xor",
    "3": "broadcast",
    "4": LACP,
    "5": "balance-tlb",
    "6": "balance-alb",
}
ACCEPTED = (
    "active-backup (1), balance-tlb (5) or balance-alb (6) with any number of links, or "
    "802.3ad (4) with exactly two links on two different interconnects"
)
LAG_NAMES = tuple(f"LAG{n}" for n in range(1, 25))  # what Synergy accepts
PORT_ID = re.compile(r"^(?P<adapter>.+):(?P<port>\d+)(?:-(?P<function>[a-h]))?$")


class BondRefused(PortWiringError):
    """A bond the driver cannot wire: the message names the field, the value, what is accepted."""


@dataclass(frozen=True)
class BondRequest:
    """The port group a bare-metal port's binding:profile names."""

    group_id: str  # the Ironic port group UUID (local_group_information.id)
    name: str | None
    mode: str  # canonical Linux name: "active-backup", "802.3ad"...
    links: tuple[Mapping[str, Any], ...]

    @property
    def lacp(self) -> bool:
        return self.mode == LACP


def canonical_mode(value: Any) -> str:
    """``"4"``/``4``/``"802.3AD"`` → ``"802.3ad"``.

    :raises BondRefused: not a Linux bonding mode the driver can wire.
    """
    text = str(value).strip().lower() if value is not None else ""
    mode = NUMBERED.get(text, text)
    if mode in INDEPENDENT or mode == LACP:
        return mode
    if mode in REFUSED:
        why = (
            f"{mode} needs a static link aggregate on the switch side, which HPE OneView "
            "Virtual Connect downlinks do not offer"
        )
    else:
        why = "it is not a Linux bonding mode"
    raise BondRefused(
        f"binding:profile local_group_information.bond_mode is {value!r}: {why}; the oneview "
        f"driver accepts {ACCEPTED}"
    )


def request_of(profile: Any) -> BondRequest | None:
    """The bond a bare-metal port's binding:profile asks for; None for a plain port.

    :raises BondRefused: the profile names a port group the driver cannot wire, or lists more
        than one link without one.
    """
    if not isinstance(profile, Mapping):
        return None
    links = profile.get("local_link_information")
    links = tuple(links) if isinstance(links, list) else ()
    group = profile.get("local_group_information")
    if group is None:
        if len(links) > 1:
            raise BondRefused(
                f"binding:profile local_link_information has {len(links)} links but no "
                "local_group_information; the oneview driver accepts one link per port, or "
                "several for an Ironic port group (Ironic sends local_group_information)"
            )
        return None
    if not isinstance(group, Mapping):
        raise BondRefused(
            f"binding:profile local_group_information is {group!r}; the oneview driver accepts "
            "an object {id, name, bond_mode, bond_properties} as Ironic sends it"
        )
    group_id = group.get("id")
    if not isinstance(group_id, str) or not group_id:
        raise BondRefused(
            f"binding:profile local_group_information.id is {group_id!r}; the oneview driver "
            "accepts the Ironic port group's UUID (Ironic sends it), through which it finds "
            "the member NICs"
        )
    mode = canonical_mode(group.get("bond_mode"))
    if mode == LACP:
        _check_lacp_links(links)
    name = group.get("name")
    return BondRequest(group_id, name if isinstance(name, str) else None, mode, links)


def _check_lacp_links(links: Sequence[Any]) -> None:
    if len(links) != 2:
        raise BondRefused(
            f"binding:profile local_link_information has {len(links)} links for bond_mode "
            f"802.3ad; the oneview driver accepts exactly two (a Virtual Connect LAG pairs two "
            "connections, one per interconnect)"
        )
    switches = [link.get("switch_id") if isinstance(link, Mapping) else None for link in links]
    if switches[0] and switches[0] == switches[1]:
        raise BondRefused(
            f"binding:profile local_link_information: both links of the 802.3ad bond are on "
            f"switch_id {switches[0]!r}; the oneview driver accepts two links on two different "
            "interconnects (a Virtual Connect LAG spans the redundant pair)"
        )


@dataclass(frozen=True)
class PortName:
    adapter: str  # "Mezz 3"
    port: int  # the physical port number
    function: str | None  # FlexNIC "a".."d"; None when the name has none


def parse_port_id(port_id: Any) -> PortName | None:
    """``"Mezz 3:1-a"`` → ``PortName("Mezz 3", 1, "a")``; None when not that grammar."""
    match = PORT_ID.match(port_id) if isinstance(port_id, str) else None
    if match is None:
        return None
    return PortName(match["adapter"], int(match["port"]), match["function"])


def check_lag_pair(
    group: str, connections: Sequence[Mapping[str, Any]], server: Mapping[str, Any]
) -> None:
    """What OneView requires of a LAG pair that the server's port map already tells.

    Two connections, the same FlexNIC function of two different ports of one adapter, each
    wired to an interconnect, the two interconnects different.

    :raises BondRefused: naming the connections' ports and what a LAG needs.
    """
    ports = [c.get("portId") for c in connections]
    if len(connections) != 2:
        raise BondRefused(
            f"Ironic port group {group} has {len(connections)} member NICs on connections "
            f"{ports}; an 802.3ad bond (a OneView LAG) needs exactly two"
        )
    names = [parse_port_id(p) for p in ports]
    first, second = names
    if (
        first is None
        or second is None
        or first.adapter != second.adapter
        or first.port == second.port
        or (first.function or "a") != (second.function or "a")
    ):
        raise BondRefused(
            f"Ironic port group {group}: connections on ports {ports} cannot form a OneView "
            "LAG; it pairs the same FlexNIC of the two ports of one adapter (e.g. Mezz 3:1-a "
            "and Mezz 3:2-a)"
        )
    interconnects = [_interconnect(server, name) for name in (first, second)]
    if not all(interconnects):
        raise BondRefused(
            f"Ironic port group {group}: ports {ports} of server {server.get('name')} are not "
            "wired to Virtual Connect interconnects (a rack server, or an empty bay); OneView "
            "LAGs (802.3ad) exist only on Synergy frames: use active-backup, balance-tlb or "
            "balance-alb"
        )
    if interconnects[0] == interconnects[1]:
        raise BondRefused(
            f"Ironic port group {group}: ports {ports} both reach interconnect "
            f"{interconnects[0]}; a OneView LAG spans two different interconnects"
        )


def free_lag_name(
    connections: Iterable[Mapping[str, Any]], pair: Sequence[Mapping[str, Any]]
) -> str:
    """The pair's LAG name: the one both already share when no other connection uses it, else
    the lowest ``LAG<n>`` no other connection of the profile uses.

    :raises BondRefused: all 24 names are taken.
    """
    others = {c.get("lagName") for c in connections if not any(c is p for p in pair)}
    shared = {p.get("lagName") for p in pair}
    if len(shared) == 1 and (name := shared.pop()) in LAG_NAMES and name not in others:
        return str(name)
    for name in LAG_NAMES:
        if name not in others:
            return name
    raise BondRefused(
        "every LAG name (LAG1..LAG24) is used by other connections of the profile; OneView "
        "accepts no other"
    )


def _interconnect(server: Mapping[str, Any], name: PortName) -> str | None:
    """The interconnect the server's physical port ``name`` is wired to (FlexNICs share it)."""
    for port in views.ethernet_ports(server):
        found = parse_port_id(port.port_id)
        if found and (found.adapter, found.port) == (name.adapter, name.port):
            return port.interconnect_uri
    return None
