"""``OneViewClient``: the one object drivers and tools hold to speak to OneView.

A process needs one client per appliance and user: :meth:`OneViewClient.from_conf` hands out that
shared instance (one login, one connection pool for every thread). Clients log out when closed and,
failing that, at interpreter exit. A child process created by ``fork`` starts with no session and no
inherited sockets, so it logs in for itself.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from typing import Any

from oslo_log import log as logging

from .connector import Connector
from .metrics import ClientMetrics
from .resources import (
    EnclosureGroups,
    EthernetNetworks,
    LogicalInterconnectGroups,
    LogicalInterconnects,
    ServerHardware,
    ServerHardwareTypes,
    ServerProfiles,
    ServerProfileTemplates,
    Tasks,
    UplinkSets,
)
from .resources.hardware_catalog import Interconnects
from .settings import ClientSettings
from .tasks import TaskWaiter

LOG = logging.getLogger(__name__)

_LIVE: weakref.WeakSet[OneViewClient] = weakref.WeakSet()
_SHARED: dict[ClientSettings, OneViewClient] = {}
_SHARED_LOCK = threading.Lock()


class OneViewClient:
    """Resource families as attributes: ``client.server_hardware.set_power_state(...)``."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.metrics = ClientMetrics()
        self.connector = Connector(self.settings, self.metrics)
        self.waiter = TaskWaiter(self.connector)
        parts = (self.connector, self.waiter)
        self.server_hardware = ServerHardware(*parts)
        self.server_hardware_types = ServerHardwareTypes(*parts)
        self.enclosure_groups = EnclosureGroups(*parts)
        self.server_profile_templates = ServerProfileTemplates(*parts)
        self.server_profiles = ServerProfiles(*parts)
        self.ethernet_networks = EthernetNetworks(*parts)
        self.uplink_sets = UplinkSets(*parts)
        self.logical_interconnects = LogicalInterconnects(*parts)
        self.logical_interconnect_groups = LogicalInterconnectGroups(*parts)
        self.tasks = Tasks(*parts)
        self.interconnects = Interconnects(*parts)
        _LIVE.add(self)

    def __repr__(self) -> str:
        return f"<OneViewClient {self.settings.username}@{self.settings.base_url}>"

    @classmethod
    def from_conf(cls, conf: Any, group: str = "oneview", *, shared: bool = True) -> OneViewClient:
        """The process's client for ``[group]`` of an oslo.config ``CONF`` (new if not shared)."""
        settings = ClientSettings.from_conf(conf, group)
        if not shared:
            return cls(settings)
        with _SHARED_LOCK:
            client = _SHARED.get(settings)
            if client is None or client.closed:
                client = _SHARED[settings] = cls(settings)
            return client

    @property
    def api_version(self) -> int:
        """The negotiated X-API-Version (asks the appliance on first use)."""
        return self.connector.api_version

    @property
    def closed(self) -> bool:
        return self.connector.closed

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Escape hatch for calls no resource family covers yet; returns the JSON body."""
        return self.connector.request(method, path, **kwargs).body

    def close(self) -> None:
        """Log out (best effort) and close the connection pool."""
        self.connector.close()

    def _after_fork(self) -> None:
        """In a forked child: forget the parent's session and sockets without logging out."""
        if not self.connector.closed:
            self.metrics.reset_after_fork()
            self.connector.reset_after_fork()
            self.uplink_sets.reset_after_fork()

    def __enter__(self) -> OneViewClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _close_all() -> None:
    for client in list(_LIVE):
        try:
            client.close()
        except Exception as error:  # at exit, never let one failure stop the others
            LOG.debug("closing %r at exit failed: %s", client, error)


def _reset_in_child() -> None:
    global _SHARED_LOCK
    _SHARED_LOCK = threading.Lock()
    for client in list(_LIVE):
        client._after_fork()


atexit.register(_close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)

__all__ = ["ClientMetrics", "OneViewClient"]
