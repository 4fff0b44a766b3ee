"""Multi-segment (routed) networks: one OneView network per mapped segment, segment choice at
binding, and segment-to-host mappings for Ironic nodes (issue 15, SEGMENT room)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neutron_lib.plugins.ml2 import api

from ..client import OneViewClient
from .mappings import Mappings
from .networks import NetworkSync

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report


class SegmentSync:
    """Segment events → OneView networks; which segment a bare-metal port binds to."""

    def __init__(self, client: OneViewClient, mappings: Mappings, networks: NetworkSync) -> None:
        self.client = client
        self.mappings = mappings
        self.networks = networks

    def register(self) -> None:
        """Subscribe to segment create/delete events (mechanism driver init)."""

    def candidates(self, context: api.PortContext) -> list[dict[str, Any]]:
        """The segments to try for a bare-metal port, best first."""
        return list(context.segments_to_bind)

    def reconcile(self, neutron: NeutronReads, report: Report) -> None:
        """Reconciliation's segment part: per-segment networks and segment host mappings."""
