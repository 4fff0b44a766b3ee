"""Which Neutron networks are mirrored in OneView, and where: parsed from ``[oneview]``.

Parsing is pure; :meth:`Mappings.validate` is the one place that reads OneView (uplink-set types,
flat networks) and it never writes. A network's *plan* says what OneView should hold for it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from oslo_log import log as logging

from ..client import NotFound, OneViewClient, OneViewConnectionError, OneViewError
from .errors import OneViewMappingError

LOG = logging.getLogger(__name__)

NAME_PREFIX = "Neutron ["
NAME_PATTERN = re.compile(r"^Neutron \[(?P<id>[0-9a-fA-F-]{36})\]$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
VLAN, FLAT = "vlan", "flat"


def oneview_name(network_id: str) -> str:
    """The name of the OneView network the driver creates for a Neutron network."""
    return f"Neutron [{network_id}]"


def neutron_id_of(name: Any) -> str | None:
    """The Neutron network id a OneView network name stands for, or None if not ours."""
    match = NAME_PATTERN.match(name) if isinstance(name, str) else None
    return match["id"].lower() if match else None


@dataclass(frozen=True)
class Plan:
    """What OneView should hold for one Neutron network."""

    kind: str  # "create": a network of ours on uplink sets; "existing": a mapped OneView network
    network_type: str  # "Tagged" or "Untagged"
    vlan: int | None
    uplink_sets: tuple[str, ...] = ()
    existing_uri: str | None = None


def _pairs(option: str, values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for raw in values:
        physnet, sep, uuid = raw.strip().partition(":")
        if not sep or not physnet or not UUID.match(uuid):
            raise OneViewMappingError(
                reason=f"{option} entry {raw!r} is not <physnet>:<UUID> "
                "(e.g. physnet1:0b3e5c2a-1111-2222-3333-444455556666)"
            )
        pairs.append((physnet, uuid.lower()))
    return pairs


@dataclass
class Mappings:
    default_uplink_sets: tuple[str, ...] = ()
    physnet_uplink_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flat_networks: dict[str, str] = field(default_factory=dict)
    # uplink set UUID -> "Tagged"/"Untagged", read from OneView by validate()
    uplink_set_types: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_conf(cls, opts: Any) -> Mappings:
        """Parse ``CONF.oneview``; raises :class:`OneViewMappingError` naming the bad entry."""
        defaults = []
        for raw in opts.uplink_set_uuids or []:
            if not UUID.match(raw.strip()):
                raise OneViewMappingError(
                    reason=f"uplink_set_uuids entry {raw!r} is not an uplink set UUID"
                )
            defaults.append(raw.strip().lower())
        per_physnet: dict[str, list[str]] = {}
        for physnet, uuid in _pairs("uplink_set_mappings", opts.uplink_set_mappings or []):
            if uuid not in per_physnet.setdefault(physnet, []):
                per_physnet[physnet].append(uuid)
        flat: dict[str, str] = {}
        for physnet, uuid in _pairs("flat_network_mappings", opts.flat_network_mappings or []):
            if physnet in flat and flat[physnet] != uuid:
                raise OneViewMappingError(
                    reason=f"flat_network_mappings maps physical network {physnet!r} twice "
                    f"({flat[physnet]} and {uuid}); one OneView network per physical network"
                )
            flat[physnet] = uuid
        return cls(
            default_uplink_sets=tuple(dict.fromkeys(defaults)),
            physnet_uplink_sets={k: tuple(v) for k, v in per_physnet.items()},
            flat_networks=flat,
        )

    @property
    def all_uplink_sets(self) -> list[str]:
        every = list(self.default_uplink_sets)
        for uuids in self.physnet_uplink_sets.values():
            every.extend(uuids)
        return list(dict.fromkeys(every))

    def validate(self, client: OneViewClient) -> None:
        """Read every mapped uplink set and flat network; raise naming the first missing one."""
        types: dict[str, str] = {}
        li_of: dict[str, str] = {}
        for uuid in self.all_uplink_sets:
            try:
                uplink_set = client.uplink_sets.get(uuid)
            except NotFound as error:
                raise OneViewMappingError(
                    reason=f"uplink set {uuid} (from uplink_set_uuids/uplink_set_mappings) does "
                    f"not exist in OneView ({error.error_code or 'NotFound'})"
                ) from None
            types[uuid] = uplink_set.get("ethernetNetworkType") or "Tagged"
            li_of[uuid] = uplink_set.get("logicalInterconnectUri") or ""
        for physnet, uuids in self.physnet_uplink_sets.items():
            seen: dict[tuple[str, str], str] = {}
            for uuid in uuids:
                key = (li_of[uuid], types[uuid])
                if key in seen:
                    raise OneViewMappingError(
                        reason=f"physical network {physnet!r} maps uplink sets {seen[key]} and "
                        f"{uuid}, both {types[uuid]} on logical interconnect {key[0]}; OneView "
                        "lets a network join only one uplink set per logical interconnect"
                    )
                seen[key] = uuid
        for physnet, uuid in self.flat_networks.items():
            try:
                network = client.ethernet_networks.get(uuid)
            except NotFound:
                raise OneViewMappingError(
                    reason=f"OneView network {uuid} (flat_network_mappings, physical network "
                    f"{physnet!r}) does not exist in OneView"
                ) from None
            LOG.info("Flat physical network %s uses OneView network %s", physnet, network["name"])
        with self._lock:
            self.uplink_set_types = types

    def ensure_validated(self, client: OneViewClient) -> None:
        if self.all_uplink_sets and not self.uplink_set_types:
            self.validate(client)

    def plan(self, network_type: str | None, physnet: str | None, vlan: Any) -> Plan | None:
        """What OneView should hold for a segment; None when the driver leaves it alone."""
        if network_type == FLAT and physnet in self.flat_networks:
            uuid = self.flat_networks[physnet]
            return Plan("existing", "Untagged", None, existing_uri=_net_uri(uuid))
        if network_type == VLAN:
            sets = self.physnet_uplink_sets.get(physnet or "", self.default_uplink_sets)
            tagged = tuple(u for u in sets if self.uplink_set_types.get(u, "Tagged") == "Tagged")
            return Plan("create", "Tagged", int(vlan), tagged) if tagged else None
        if network_type == FLAT:
            sets = self.physnet_uplink_sets.get(physnet or "", ())
            untagged = tuple(u for u in sets if self.uplink_set_types.get(u) == "Untagged")
            return Plan("create", "Untagged", None, untagged) if untagged else None
        return None


def _net_uri(uuid: str) -> str:
    return f"/rest/ethernet-networks/{uuid}"


def describe(error: OneViewError) -> str:
    """OneView's error without the request line: errorCode and message."""
    text = getattr(error, "message", "") or str(error)
    code = getattr(error, "error_code", None)
    return f"{code}: {text}" if code else text


def is_unreachable(error: Exception) -> bool:
    return isinstance(error, OneViewConnectionError)
