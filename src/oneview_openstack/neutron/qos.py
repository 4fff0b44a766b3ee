"""QoS for bare-metal ports: the ``oneview`` QoS driver (issue 15, QOS room).

``bandwidth_limit`` (egress) → the connection template's maximum bandwidth;
``minimum_bandwidth`` → the connection's ``requestedMbps``; other rules refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..client import OneViewClient
from .networks import NetworkSync
from .ports import PortWiring

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report


class QosSupport:
    def __init__(self, client: OneViewClient, networks: NetworkSync, ports: PortWiring) -> None:
        self.client = client
        self.networks = networks
        self.ports = ports

    def register(self) -> None:
        """Register the QoS driver (mechanism driver init)."""

    def requested_mbps(self, port: dict[str, Any]) -> int | None:
        """The ``requestedMbps`` the port's minimum-bandwidth rule asks for; None: no rule."""
        return None

    def reconcile(self, neutron: NeutronReads, report: Report) -> None:
        """Reconciliation's QoS part: connection templates' bandwidth."""
