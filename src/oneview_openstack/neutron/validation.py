"""Checks of a bare-metal port's request, done in precommit so a bad one gets a 400.

Pure and cheap (no OneView, no Ironic): they run inside Neutron's DB transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from neutron_lib import exceptions as n_exc
from neutron_lib.api.definitions import portbindings

from . import bonds
from .connections import MalformedMac, normalise_mac
from .errors import InvalidBindingProfile


def _bad(what: str, value: Any, accepted: str) -> InvalidBindingProfile:
    shown = json.dumps(value, default=str)
    if len(shown) > 200:
        shown = shown[:200] + "..."
    return InvalidBindingProfile(
        error_message=f"binding:profile {what} is {shown}; the oneview driver accepts {accepted}"
    )


def check_port(port: dict[str, Any], mapped: bool) -> None:
    """Refuse a bare-metal port on a mapped network whose binding:profile cannot be wired."""
    if not mapped or port.get(portbindings.VNIC_TYPE) != portbindings.VNIC_BAREMETAL:
        return
    profile = port.get(portbindings.PROFILE)
    if not profile:
        return
    if not isinstance(profile, dict):
        raise _bad("", profile, "an object")
    links = profile.get("local_link_information")
    if links is None:
        return
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        raise _bad("local_link_information", links, "a list of link objects")
    try:
        bonds.request_of(profile)  # one link, or an Ironic port group the driver can wire
    except bonds.BondRefused as error:
        raise InvalidBindingProfile(error_message=str(error)) from None
    try:
        normalise_mac(port.get("mac_address"))
    except MalformedMac as error:
        raise InvalidBindingProfile(error_message=str(error)) from None


def check_network_update(
    network: dict[str, Any], original: dict[str, Any], mapped: Callable[[dict[str, Any]], bool]
) -> None:
    """A mirrored network keeps its VLAN: OneView networks' VLANs are theirs for life.

    A segment added or deleted (the segments plugin) turns the network dict from the
    ``provider:*`` shape into the ``segments`` one or back; that is no VLAN change, and each
    segment keeps its VLAN (the segments API cannot change one).
    """
    if network.get("segments") or original.get("segments"):
        return
    key = "provider:segmentation_id"
    if network.get(key) == original.get(key) or not mapped(original):
        return
    raise n_exc.InvalidInput(
        error_message=f"provider:segmentation_id of network {network['id']} cannot change from "
        f"{original.get(key)} to {network.get(key)}: it is mirrored in HPE OneView, where a "
        "network's VLAN is fixed; create a new network instead"
    )
