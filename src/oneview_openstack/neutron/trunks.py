"""Trunk ports → OneView network sets (issue 15, TRUNK room).

A trunk is one network set: native = the parent port's network, members = the subports'
networks; the parent's profile connection points at the set, and subports change the set only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neutron_lib.plugins.ml2 import api

from ..client import OneViewClient
from .networks import NetworkSync
from .ports import PortWiring

if TYPE_CHECKING:
    from .reconcile import NeutronReads, Report


class TrunkSync:
    """The ``oneview`` trunk driver and the network sets behind bare-metal trunks."""

    def __init__(
        self,
        client: OneViewClient,
        networks: NetworkSync,
        ports: PortWiring,
        *,
        lock_dir: str | None = None,
    ) -> None:
        self.client = client
        self.networks = networks
        self.ports = ports
        self.lock_dir = lock_dir

    def register(self) -> None:
        """Register the trunk driver and subscribe to subport events (mechanism driver init)."""

    def network_uri(self, context: api.PortContext, network_uri: str) -> str:
        """The URI the port's connection points at: the trunk's network set for a trunk
        parent, else ``network_uri`` (the port's own OneView network)."""
        return network_uri

    def unplugged(self, port: dict[str, Any], host: str | None) -> None:
        """The parent ``port`` is no longer wired on ``host``: its trunk's set may go."""

    def reconcile(self, neutron: NeutronReads, report: Report) -> None:
        """Reconciliation's trunk part: network sets and their members."""
