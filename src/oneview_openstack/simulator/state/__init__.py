"""The appliance's state: the only thing routes talk to (sushy-tools' 'driver' pattern)."""

from __future__ import annotations

from typing import Any

from ..config import SimulatorConfig
from ..inventory import build_inventory
from .boots import Boots
from .collections import Collections
from .connection_templates import ConnectionTemplates
from .core import CallContext, Core
from .edit_history import EditHistory
from .hardware import Hardware
from .network_sets import NetworkSets
from .networking import Networking
from .out_of_band import OutOfBand
from .profiles import Profiles
from .sessions import Sessions
from .uplink_sets import UplinkSets

__all__ = ["CallContext", "SimulatorState"]


class SimulatorState:
    def __init__(self, config: SimulatorConfig) -> None:
        config.validate()
        self.config = config
        self._build()

    def _build(self) -> None:
        self.core = Core(self.config)
        self.sessions = Sessions(self.core)
        self.boots = Boots(self.core, after=getattr(self, "boots", None))
        self.hardware = Hardware(self.core, self.boots)
        self.profiles = Profiles(self.core)
        self.edits = EditHistory(self.core.store, self.core.clock.now)
        self.connection_templates = ConnectionTemplates(self.core)
        self.network_sets = NetworkSets(self.core)
        self.uplink_sets = UplinkSets(self.core)
        self.networking = Networking(self.core, self.network_sets, self.uplink_sets)
        self.collections = Collections(self.core)
        self.oob = OutOfBand(self.core, self.sessions, self.networking, self.boots)
        for items in build_inventory(self.config.seed, self.config.servers).values():
            for resource in items:
                self.core.store.add(resource)
        self.connection_templates.ensure_default()
        for category in (
            "server-profiles",
            "ethernet-networks",
            "network-sets",
            "connection-templates",
            "uplink-sets",
            "tasks",
        ):
            self.core.store.ensure_category(category)
        for spec in self.config.faults:
            self.core.faults.arm(spec)

    @property
    def lock(self) -> Any:
        return self.core.lock

    def reset(
        self,
        seed: int | None = None,
        servers: int | None = None,
        config: SimulatorConfig | None = None,
    ) -> None:
        """Start over with a fresh inventory (and the start-up faults), keeping the same object."""
        with self.core.lock:
            if config is not None:
                config.validate()
                self.config = config
            if seed is not None:
                self.config.seed = seed
            if servers is not None:
                self.config.servers = servers
            lock = self.core.lock
            self._build()
            self.core.lock = lock

    def stats(self) -> dict[str, Any]:
        core = self.core
        by_route: dict[str, int] = {}
        for (method, route), count in sorted(core.requests.items()):
            by_route[f"{method} {route}"] = count
        return {
            "requests": sum(core.requests.values()),
            "byRoute": by_route,
            "logins": core.counters["logins"],
            "logouts": core.counters["logouts"],
            "loginFailures": core.counters["login_failures"],
            "unauthorized": core.counters["unauthorized"],
            "activeSessions": len(self.sessions.active()),
            "tasksInFlight": core.tasks.in_flight(),
            "faultsFired": dict(core.faults.fired_by_kind),
            "refusals": dict(sorted(core.refusals.items())),
        }

    def reset_stats(self) -> None:
        self.edits.clear()
        self.core.requests.clear()
        self.core.counters.clear()
        self.core.refusals.clear()
        self.core.faults.fired_by_kind.clear()

    def snapshot(self, categories: list[str] | None = None) -> dict[str, Any]:
        """The whole state as the current API version renders it (for tests and people)."""
        core = self.core
        wanted = categories or core.store.categories()
        version = core.current_version
        data: dict[str, Any] = {
            category: [core.store.render(r, version) for r in core.store.iter(category)]
            for category in wanted
            if category != "tasks"
        }
        if categories is None or "tasks" in categories:
            data["tasks"] = [core.tasks.render(task) for task in core.tasks.all()]
        data["_simulator"] = {
            "simulatedSeconds": core.clock.now(),
            "timeScale": core.clock.time_scale,
            "currentVersion": version,
            "faults": core.faults.describe(),
            "activeSessions": len(self.sessions.active()),
        }
        return data
