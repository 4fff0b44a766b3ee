"""Neutron's segment records, and the OneView name each mirrored segment gets.

A network's first static segment (``segment_index`` 0, the one it was created with) is mirrored
as ``Neutron [<network uuid>]``, so single-segment networks keep the name they always had; every
other segment of the network as ``Neutron segment [<segment uuid>]``. Segment indexes never
change, so a segment's name never changes either. The ``segment`` name does not match
:data:`mappings.NAME_PATTERN`, so the network-level orphan check never mistakes a segment's
OneView network for a deleted network's; segment orphans are the segment pass's business.

Reads only (no writes): the records come from Neutron's database with an admin context, outside
any transaction of the caller's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from neutron.objects import network as network_obj
from neutron.objects import subnet as subnet_obj
from neutron_lib import context as n_context
from neutron_lib.db import api as db_api

from .mappings import oneview_name

SEGMENT_NAME_PATTERN = re.compile(r"^Neutron segment \[(?P<id>[0-9a-fA-F-]{36})\]$")


def segment_oneview_name(segment_id: str) -> str:
    """The name of the OneView network of a segment that is not its network's first."""
    return f"Neutron segment [{segment_id}]"


def segment_id_of(name: Any) -> str | None:
    """The Neutron segment id a OneView network name stands for, or None if not a segment's."""
    match = SEGMENT_NAME_PATTERN.match(name) if isinstance(name, str) else None
    return match["id"].lower() if match else None


@dataclass(frozen=True)
class SegmentRecord:
    """One static segment of a Neutron network."""

    id: str
    network_id: str
    network_type: str | None
    physical_network: str | None
    segmentation_id: int | None
    segment_index: int = 0
    created_at: Any = None

    @property
    def triple(self) -> tuple[str | None, str | None, int | None]:
        return (self.network_type, self.physical_network, self.segmentation_id)

    @property
    def primary(self) -> bool:
        """The segment the network was created with: mirrored under the network's own name."""
        return self.segment_index == 0

    @property
    def oneview_name(self) -> str:
        if self.primary:
            return oneview_name(self.network_id)
        return segment_oneview_name(self.id)

    def as_dict(self) -> dict[str, Any]:
        """The ML2 segment dict (``id``, ``network_type``...), as ``segments_to_bind`` has it."""
        return {
            "id": self.id,
            "network_id": self.network_id,
            "network_type": self.network_type,
            "physical_network": self.physical_network,
            "segmentation_id": self.segmentation_id,
        }

    @classmethod
    def of(cls, segment: Any) -> SegmentRecord:
        """From a ``NetworkSegment`` object or a segments-plugin dict (both have the keys)."""
        return cls(
            id=segment["id"],
            network_id=segment["network_id"],
            network_type=segment["network_type"],
            physical_network=segment["physical_network"],
            segmentation_id=segment["segmentation_id"],
            segment_index=int(segment.get("segment_index") or 0),
            created_at=getattr(segment, "created_at", None) or segment.get("created_at"),
        )


class SegmentRecords:
    """Static segments from Neutron's database (dynamic ones are never mirrored)."""

    def __init__(self, context: n_context.Context | None = None) -> None:
        self._context = context

    @property
    def context(self) -> n_context.Context:
        return self._context or n_context.get_admin_context()

    def _objects(self, context: n_context.Context, **filters: Any) -> list[SegmentRecord]:
        with db_api.CONTEXT_READER.using(context):
            objs = network_obj.NetworkSegment.get_objects(context, is_dynamic=False, **filters)
            records = [SegmentRecord.of(obj) for obj in objs]
        return sorted(records, key=lambda r: (r.network_id, r.segment_index))

    def of_network(self, network_id: str, context: Any = None) -> list[SegmentRecord]:
        """The network's static segments, first (index 0) first."""
        return self._objects(context or self.context, network_id=network_id)

    def all(self) -> list[SegmentRecord]:
        return self._objects(self.context)

    def get(self, segment_id: str) -> SegmentRecord | None:
        found = self._objects(self.context, id=segment_id)
        return found[0] if found else None

    def of_subnets(self, subnet_ids: Iterable[str]) -> list[str]:
        """The segment ids of these subnets (routed networks' subnets each have one)."""
        ids = list(dict.fromkeys(subnet_ids))
        if not ids:
            return []
        context = self.context
        with db_api.CONTEXT_READER.using(context):
            subnets = subnet_obj.Subnet.get_objects(context, id=ids)
            by_id = {s.id: s.segment_id for s in subnets}
        return [by_id[i] for i in ids if by_id.get(i)]

    def hosts_mapped(self) -> dict[str, set[str]]:
        """Every segment-host mapping Neutron holds: host -> segment ids."""
        context = self.context
        with db_api.CONTEXT_READER.using(context):
            rows = network_obj.SegmentHostMapping.get_objects(context)
            mapped: dict[str, set[str]] = {}
            for row in rows:
                mapped.setdefault(row.host, set()).add(row.segment_id)
        return mapped

    def mapped_to(self, host: str) -> set[str]:
        """The segment ids mapped to one host."""
        context = self.context
        with db_api.CONTEXT_READER.using(context):
            rows = network_obj.SegmentHostMapping.get_objects(context, host=host)
            return {row.segment_id for row in rows}
