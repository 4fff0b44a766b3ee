"""Counters of what the client asked of OneView, for tests, benchmarks and operators.

Routes are counted as templates (``GET /rest/server-hardware/{id}``), so a fleet of 10,000
servers still gives a handful of keys.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

from . import forksafe

_ID_LIKE = re.compile(r"\d|^[0-9A-Fa-f-]{20,}$")


def route_of(method: str, path: str) -> str:
    """``PUT /rest/uplink-sets/3F2A...?x=1`` -> ``PUT /rest/uplink-sets/{id}``."""
    path = path.split("?", 1)[0]
    parts = path.split("/")
    for index in range(3, len(parts)):
        if _ID_LIKE.search(parts[index]):
            parts[index] = "{id}"
    return f"{method.upper()} {'/'.join(parts)}"


class ClientMetrics:
    """Thread-safe counters: requests by route, logins, retries, task polls, eTag retries..."""

    EVENTS = (
        "logins",
        "relogins",
        "logouts",
        "retries",
        "task_polls",
        "tasks_waited",
        "etag_conflicts",
        "coalesced_changes",
        "coalesced_writes",
        "version_negotiations",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: Counter[str] = Counter()
        self._events: Counter[str] = Counter()
        forksafe.register(self)

    def request(self, method: str, path: str) -> None:
        with self._lock:
            self._routes[route_of(method, path)] += 1

    def count(self, event: str, amount: int = 1) -> None:
        with self._lock:
            self._events[event] += amount

    def __getitem__(self, event: str) -> int:
        with self._lock:
            return self._events[event]

    def requests(self, route: str | None = None) -> int:
        """All requests, or those of one route template such as ``"GET /rest/tasks/{id}"``."""
        with self._lock:
            return self._routes[route] if route else sum(self._routes.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            events = {name: self._events[name] for name in self.EVENTS}
            events.update(self._events)
            return {
                "requests": sum(self._routes.values()),
                "byRoute": dict(sorted(self._routes.items())),
                **events,
            }

    def reset_after_fork(self) -> None:
        """In a forked child: a fresh lock, and counts from zero (the parent's are the parent's)."""
        self._lock = threading.Lock()
        self._routes = Counter()
        self._events = Counter()

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self._events.clear()
