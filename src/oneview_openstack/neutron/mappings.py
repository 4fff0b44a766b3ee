"""Which Neutron networks are mirrored in OneView, and where: parsed from ``[oneview]``.

Parsing is pure. Which uplink sets are Tagged and which Untagged only OneView knows:
:meth:`Mappings.load_types` reads them (it never writes) and hands them to the pure
:meth:`Mappings.check`. Until that has succeeded, :meth:`Mappings.plan` refuses to answer rather
than guess, so a worker that started while OneView was down cannot bind a VLAN port onto an
Untagged-only physical network. A network's *plan* says what OneView should hold for it.

A flat network on a physical network mapped to a Tunnel uplink set becomes a Tunnel network: it
carries every VLAN tag unchanged, so such networks are the VLAN-transparent ones.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neutron_lib.utils import helpers
from oslo_log import log as logging
from oslo_utils import uuidutils

from ..client import NotFound, OneViewClient, forksafe
from .errors import MappingsNotLoaded, OneViewMappingError

LOG = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^Neutron \[(?P<id>[0-9a-fA-F-]{36})\]$")
VLAN, FLAT = "vlan", "flat"
TAGGED, UNTAGGED, TUNNEL = "Tagged", "Untagged", "Tunnel"
EXAMPLE_UUID = "0b3e5c2a-1111-2222-3333-444455556666"


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
    network_type: str  # "Tagged", "Untagged" or "Tunnel"
    vlan: int | None
    uplink_sets: tuple[str, ...] = ()
    existing_uri: str | None = None


@dataclass(frozen=True)
class UplinkSetFacts:
    """What OneView says of one mapped uplink set."""

    network_type: str  # "Tagged", "Untagged" or "Tunnel"
    logical_interconnect: str


def _uuid(option: str, raw: str, value: str) -> str:
    if not uuidutils.is_uuid_like(value):
        raise OneViewMappingError(
            reason=f"{option} entry {raw!r}: {value!r} is not a UUID (e.g. {EXAMPLE_UUID})"
        )
    return str(uuid.UUID(value))


def _pairs(option: str, values: list[str]) -> dict[str, list[str]]:
    """``<physnet>:<UUID>`` entries (neutron-lib's parser); a physical network may repeat."""
    by_physnet: dict[str, list[str]] = {}
    for raw in values:
        try:
            parsed = helpers.parse_mappings([raw])
        except ValueError:
            raise OneViewMappingError(
                reason=f"{option} entry {raw!r} is not <physnet>:<UUID> "
                f"(e.g. physnet1:{EXAMPLE_UUID})"
            ) from None
        for physnet, value in parsed.items():
            normal = _uuid(option, raw, value)
            if normal not in by_physnet.setdefault(physnet, []):
                by_physnet[physnet].append(normal)
    return by_physnet


@dataclass(eq=False)  # one object per driver, compared (and weakly registered) by identity
class Mappings:
    default_uplink_sets: tuple[str, ...] = ()
    physnet_uplink_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flat_networks: dict[str, str] = field(default_factory=dict)
    # uplink set UUID -> "Tagged"/"Untagged"/"Tunnel"; None until load_types() has succeeded
    _types: dict[str, str] | None = field(default=None, repr=False)
    # flat_network_mappings UUID -> its OneView type (read with the uplink sets)
    _flat_types: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()  # a parent's thread may have held it at fork time

    @classmethod
    def from_conf(cls, opts: Any) -> Mappings:
        """Parse ``CONF.oneview``; raises :class:`OneViewMappingError` naming the bad entry."""
        defaults = [
            _uuid("uplink_set_uuids", raw, raw.strip()) for raw in opts.uplink_set_uuids or []
        ]
        per_physnet = _pairs("uplink_set_mappings", opts.uplink_set_mappings or [])
        flat: dict[str, str] = {}
        for physnet, uuids in _pairs(
            "flat_network_mappings", opts.flat_network_mappings or []
        ).items():
            if len(uuids) > 1:
                raise OneViewMappingError(
                    reason=f"flat_network_mappings maps physical network {physnet!r} twice "
                    f"({uuids[0]} and {uuids[1]}); one OneView network per physical network"
                )
            flat[physnet] = uuids[0]
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

    @property
    def loaded(self) -> bool:
        """Whether plan() can answer: the uplink-set types are read (or none is mapped)."""
        return self._types is not None or not self.all_uplink_sets

    @property
    def uplink_set_types(self) -> dict[str, str]:
        """The types read from OneView (empty until :meth:`load_types` has succeeded)."""
        with self._lock:
            return dict(self._types or {})

    # -- reading OneView -------------------------------------------------------------------
    def load_types(self, client: OneViewClient) -> None:
        """Read every mapped uplink set and flat network, check them, then let plan() answer.

        :raises OneViewMappingError: a mapped uplink set or flat network does not exist, or
            the mappings break a OneView rule (see :meth:`check`).
        :raises OneViewError: OneView cannot be read now; plan() keeps refusing.
        """
        facts: dict[str, UplinkSetFacts] = {}
        for uuid_ in self.all_uplink_sets:
            try:
                uplink_set = client.uplink_sets.get(uuid_)
            except NotFound as error:
                raise OneViewMappingError(
                    reason=f"uplink set {uuid_} (from uplink_set_uuids/uplink_set_mappings) does "
                    f"not exist in OneView ({error.error_code or 'NotFound'})"
                ) from None
            facts[uuid_] = UplinkSetFacts(
                uplink_set.get("ethernetNetworkType") or TAGGED,
                uplink_set.get("logicalInterconnectUri") or "",
            )
        flat_types: dict[str, str] = {}
        for physnet, uuid_ in self.flat_networks.items():
            try:
                network = client.ethernet_networks.get(uuid_)
            except NotFound:
                raise OneViewMappingError(
                    reason=f"OneView network {uuid_} (flat_network_mappings, physical network "
                    f"{physnet!r}) does not exist in OneView"
                ) from None
            flat_types[uuid_] = network.get("ethernetNetworkType") or UNTAGGED
            LOG.info("Flat physical network %s uses OneView network %s", physnet, network["name"])
        self.adopt(facts)
        with self._lock:
            self._flat_types = flat_types

    def adopt(self, facts: Mapping[str, UplinkSetFacts]) -> None:
        """Check what OneView said of the mapped uplink sets and make plan() use it.

        :raises OneViewMappingError: see :meth:`check`.
        """
        self.check(facts)
        with self._lock:
            self._types = {u: f.network_type for u, f in facts.items()}

    def check(self, facts: Mapping[str, UplinkSetFacts]) -> None:
        """Pure: OneView lets a network join one uplink set per logical interconnect and type.

        :raises OneViewMappingError: a mapped uplink set is missing from ``facts``, or a
            physical network maps two uplink sets of one type on one logical interconnect.
        """
        missing = [u for u in self.all_uplink_sets if u not in facts]
        if missing:
            raise OneViewMappingError(reason=f"no OneView facts for uplink sets {missing}")
        for physnet, uuids in self.physnet_uplink_sets.items():
            flat_kinds = {
                facts[u].network_type: u for u in uuids if facts[u].network_type != TAGGED
            }
            if len(flat_kinds) > 1:
                raise OneViewMappingError(
                    reason=f"physical network {physnet!r} maps the Untagged uplink set "
                    f"{flat_kinds[UNTAGGED]} and the Tunnel uplink set {flat_kinds[TUNNEL]}: its "
                    "flat networks would be both; map them to two physical networks (a flat "
                    "network on the Tunnel one is the VLAN-transparent kind)"
                )
            seen: dict[tuple[str, str], str] = {}
            for uuid_ in uuids:
                key = (facts[uuid_].logical_interconnect, facts[uuid_].network_type)
                if key in seen:
                    raise OneViewMappingError(
                        reason=f"physical network {physnet!r} maps uplink sets {seen[key]} and "
                        f"{uuid_}, both {key[1]} on logical interconnect {key[0]}; OneView "
                        "lets a network join only one uplink set per logical interconnect"
                    )
                seen[key] = uuid_

    def ensure_loaded(self, client: OneViewClient) -> None:
        """:meth:`load_types` unless already done.

        :raises OneViewMappingError: see :meth:`load_types`.
        :raises OneViewError: OneView cannot be read now.
        """
        if not self.loaded:
            self.load_types(client)

    # -- deciding --------------------------------------------------------------------------
    def plan(self, network_type: str | None, physnet: str | None, vlan: Any) -> Plan | None:
        """What OneView should hold for a segment; None when the driver leaves it alone.

        :raises MappingsNotLoaded: the uplink-set types are not read from OneView yet.
        """
        if network_type == FLAT and physnet in self.flat_networks:
            uuid_ = self.flat_networks[physnet]
            with self._lock:
                kind = self._flat_types.get(uuid_, UNTAGGED)
            return Plan("existing", kind, None, existing_uri=_net_uri(uuid_))
        if network_type not in (VLAN, FLAT):
            return None
        with self._lock:
            types = self._types
        if types is None and self.all_uplink_sets:
            raise MappingsNotLoaded()
        types = types or {}
        if network_type == VLAN:
            sets = self.physnet_uplink_sets.get(physnet or "", self.default_uplink_sets)
            tagged = tuple(u for u in sets if types.get(u) == TAGGED)
            return Plan("create", TAGGED, int(vlan), tagged) if tagged else None
        sets = self.physnet_uplink_sets.get(physnet or "", ())
        for kind in (UNTAGGED, TUNNEL):  # check() lets a physnet map only one of them
            chosen = tuple(u for u in sets if types.get(u) == kind)
            if chosen:
                return Plan("create", kind, None, chosen)
        return None

    def transparent(self, network_type: str | None, physnet: str | None) -> bool | None:
        """Whether a segment's OneView network passes VLAN tags unchanged (a Tunnel network);
        None when the driver leaves the segment alone. Pure once the types are loaded.

        :raises MappingsNotLoaded: the uplink-set types are not read from OneView yet.
        """
        plan = self.plan(network_type, physnet, None if network_type == FLAT else 0)
        return None if plan is None else plan.network_type == TUNNEL

    def may_mirror(self, network_type: str | None, physnet: str | None, vlan: Any) -> bool:
        """Whether a segment is (or, before the types are loaded, may be) mirrored.

        For the precommit checks, which must not read OneView inside Neutron's transaction:
        exact once the types are loaded; before that, every segment a mapping names, so the
        checks are stricter, never looser, while OneView is away.
        """
        if self.loaded:
            return self.plan(network_type, physnet, vlan) is not None
        if network_type == FLAT:
            return physnet in self.flat_networks or physnet in self.physnet_uplink_sets
        if network_type == VLAN:
            return physnet in self.physnet_uplink_sets or bool(self.default_uplink_sets)
        return False


def _net_uri(uuid_: str) -> str:
    return f"/rest/ethernet-networks/{uuid_}"
