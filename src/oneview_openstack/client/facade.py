"""``OneViewClient``: the one object drivers and tools hold to speak to OneView.

A process needs one client per appliance and user: :meth:`OneViewClient.from_conf` hands out that
shared instance (one login, one connection pool for every thread). When the configuration changes
(a reload with a new URL or credentials), the next ``from_conf`` makes a new client and the old one
logs out as soon as no caller still holds it, so an operation in flight is not cut short and no
session is left open. Clients log out when closed and, failing that, at interpreter exit. A child
process created by ``fork`` starts with no session and no inherited sockets (``forksafe``), so it
logs in for itself.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from typing import Any

from oslo_log import log as logging

from . import forksafe
from .connector import Connector
from .metrics import ClientMetrics
from .resources import (
    EnclosureGroups,
    EthernetNetworks,
    FirmwareDrivers,
    LogicalInterconnectGroups,
    LogicalInterconnects,
    NetworkSets,
    ServerHardware,
    ServerHardwareTypes,
    ServerProfiles,
    ServerProfileTemplates,
    Tasks,
    UplinkSets,
)
from .resources.connection_templates import ConnectionTemplates
from .resources.hardware_catalog import Interconnects
from .settings import ClientSettings
from .tasks import TaskWaiter

LOG = logging.getLogger(__name__)

_LIVE: weakref.WeakSet[OneViewClient] = weakref.WeakSet()


class SharedClients:
    """The process's shared clients, one per configuration group; a replaced one logs out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[int, str], OneViewClient] = {}
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()  # the clients reset themselves (forksafe)

    def get(self, conf: Any, group: str, settings: ClientSettings) -> OneViewClient:
        """The shared client for ``[group]`` of ``conf``, new if its settings changed."""
        key = (id(conf), group)
        with self._lock:
            old = self._clients.get(key)
            if old is not None and old.settings == settings and not old.closed:
                return old
            client = self._clients[key] = OneViewClient(settings)
        if old is not None and not old.closed:
            LOG.info(
                "[%s] changed (now %r): the previous OneView client %r logs out once no "
                "caller holds it",
                group,
                client,
                old,
            )
            weakref.finalize(old, old.connector.close)  # at once when nobody holds it
        return client

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()


_SHARED = SharedClients()


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
        self.connection_templates = ConnectionTemplates(*parts)
        self.network_sets = NetworkSets(*parts)
        self.logical_interconnects = LogicalInterconnects(*parts)
        self.logical_interconnect_groups = LogicalInterconnectGroups(*parts)
        self.tasks = Tasks(*parts)
        self.interconnects = Interconnects(*parts)
        self.firmware_drivers = FirmwareDrivers(*parts)
        _LIVE.add(self)

    def __repr__(self) -> str:
        return f"<OneViewClient {self.settings.username}@{self.settings.base_url}>"

    @classmethod
    def from_conf(cls, conf: Any, group: str = "oneview", *, shared: bool = True) -> OneViewClient:
        """The process's client for ``[group]`` of an oslo.config ``CONF`` (new if not shared).

        The shared client is replaced when the group's settings change (a reload); the old one
        logs out once no caller holds it.

        :raises ConfigurationError: the options cannot work (no URL, no credentials...).
        """
        settings = ClientSettings.from_conf(conf, group)
        if not shared:
            return cls(settings)
        return _SHARED.get(conf, group, settings)

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


atexit.register(_close_all)

__all__ = ["ClientMetrics", "OneViewClient"]
