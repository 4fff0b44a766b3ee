"""A process-wide snapshot of every server's power state, so power sync is a few requests.

Ironic asks each node's power state every ``[conductor]sync_power_state_interval``. Instead of
one GET per node, the first misses after the snapshot expires trigger one paged listing of the
whole fleet (OneView serves 32 servers a page), shared by every node and thread until
``power_state_cache_ttl`` passes (after the first page, the others are fetched
``LISTING_WORKERS`` at a time). Our own power actions write their result into it, and a lone
read (one miss, not a sweep) costs one GET of that server only. When the fleet has more pages
than this conductor has nodes (a small Ironic on a big appliance), per-node GETs are cheaper and
are used instead. "Its nodes" are the servers it asked about within the last two power-sync
passes: with several conductors, Ironic's hash ring moves nodes between them (a conductor dies,
one joins), and a server another conductor now syncs stops counting here.

A failed listing is remembered for ``FAILURE_BACKOFF`` seconds (at most the TTL): the threads that
queued behind it, and every read until the back-off ends, fall back to one GET of their own
server, so a failing appliance costs one listing, not one per node, and nodes whose server can
still be read keep syncing (Ironic puts a node whose power reads keep failing into maintenance).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ironic.conf import CONF
from oslo_log import log as logging

from ..client import OneViewClient, OneViewError
from ..client.forksafe import register

LOG = logging.getLogger(__name__)

# Misses within one TTL window after which a fleet listing is cheaper than more single GETs.
SWEEP_MISSES = 2
# Servers per page of OneView's server-hardware collection.
PAGE_SIZE = 32
# Pages fetched at once after the first one (which tells the total).
LISTING_WORKERS = 4
# Seconds after a failed listing during which no other listing is tried (capped by the TTL).
FAILURE_BACKOFF = 10.0
FIELDS = ("name", "powerState", "powerLock", "state", "serverProfileUri", "status")


def fleet(client: OneViewClient) -> dict[str, dict[str, Any]]:
    """``{uri: FIELDS}`` of every server: the first page, then the others a few at a time."""
    first = client.server_hardware.page(start=0, count=-1)
    members = list(first.members)
    size = len(members)
    if size and first.total > size:
        starts = range(size, first.total, size)
        with ThreadPoolExecutor(LISTING_WORKERS, thread_name_prefix="oneview-fleet") as pool:
            pages = pool.map(lambda s: client.server_hardware.page(start=s, count=size), starts)
            for page in pages:
                members.extend(page.members)
    return {
        m["uri"]: {key: m.get(key) for key in FIELDS}
        for m in members
        if isinstance(m.get("uri"), str)
    }


class PowerSnapshot:
    """``{server uri: fields}`` from the fleet listing, with its age (and its last failure)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._servers: dict[str, dict[str, Any]] = {}
        self._taken_at: float | None = None
        self._failed_at: float | None = None  # when the last listing failed
        self._misses: list[float] = []
        self._known: dict[str, float] = {}  # servers this process asked about, and when
        self._pages: int | None = None  # pages the last fleet listing took
        self.refreshes = 0
        self.failures = 0
        register(self)

    def reset_after_fork(self) -> None:
        """A lock held by another thread at fork time would never be released in the child."""
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    def _fresh(self, ttl: float) -> bool:
        return self._taken_at is not None and self._clock() - self._taken_at < ttl

    def _backing_off(self, ttl: float) -> bool:
        backoff = min(ttl, FAILURE_BACKOFF)
        return self._failed_at is not None and self._clock() - self._failed_at < backoff

    def get(self, client: OneViewClient, uri: str, ttl: float) -> dict[str, Any]:
        """The server's snapshot fields (powerState, powerLock, state, serverProfileUri, status).

        :raises: OneViewError when the server's own GET fails (a failed listing is not raised:
            the read falls back to that GET).
        """
        if ttl <= 0:
            return self._single(client, uri)
        with self._lock:
            self._known[uri] = self._clock()
            if self._fresh(ttl) and uri in self._servers:
                return self._servers[uri]
            now = self._clock()
            self._misses = [t for t in self._misses if now - t < ttl] + [now]
            cheaper = self._pages is None or len(self._known) >= self._pages
            sweep = len(self._misses) >= SWEEP_MISSES and cheaper and not self._backing_off(ttl)
        if not sweep or not self._refresh(client, ttl):
            return self._single(client, uri)
        with self._lock:
            found = self._servers.get(uri)
        return found if found is not None else self._single(client, uri)

    def _refresh(self, client: OneViewClient, ttl: float) -> bool:
        """One listing for every thread waiting here; False if it failed (now or recently)."""
        with self._refresh_lock:
            with self._lock:
                if self._fresh(ttl):
                    return True  # another thread listed while this one waited
                if self._backing_off(ttl):
                    return False  # another thread's listing failed: no second one
            try:
                servers = fleet(client)
            except OneViewError as error:
                with self._lock:
                    self._failed_at = self._clock()
                    self.failures += 1
                LOG.warning(
                    "OneView's server-hardware listing failed; power reads use one GET per "
                    "server for the next %g s: %s",
                    min(ttl, FAILURE_BACKOFF),
                    error.summary,
                )
                return False
            with self._lock:
                self._forget_servers_not_asked_about(ttl)
                self._servers = servers
                self._pages = max(1, -(-len(servers) // PAGE_SIZE))
                self._taken_at = self._clock()
                self._failed_at = None
                self._misses = []
                self.refreshes += 1
                asked = len(self._known)
            LOG.debug(
                "Power snapshot of %d servers taken from OneView for the %d this process "
                "asked about",
                len(servers),
                asked,
            )
            return True

    def _forget_servers_not_asked_about(self, ttl: float) -> None:
        """Drop servers not read for two sync passes (now another conductor's, or gone)."""
        horizon = self._clock() - 2 * max(ttl, CONF.conductor.sync_power_state_interval)
        self._known = {uri: at for uri, at in self._known.items() if at >= horizon}

    def _single(self, client: OneViewClient, uri: str) -> dict[str, Any]:
        server = client.server_hardware.get(uri)
        self.record(uri, server)
        return server

    def record(self, uri: str, server: dict[str, Any]) -> None:
        """A fresher view of one server (read by us, or the result of our own action)."""
        with self._lock:
            if self._taken_at is not None:
                self._servers[uri] = {key: server.get(key) for key in FIELDS}

    def set_power(self, uri: str, power_state: str) -> None:
        """Our own power action finished: correct the snapshot without asking OneView."""
        with self._lock:
            if uri in self._servers:
                self._servers[uri] = {**self._servers[uri], "powerState": power_state}

    def clear(self) -> None:
        with self._lock:
            self._servers = {}
            self._taken_at = None
            self._failed_at = None
            self._misses = []
            self._known = {}
            self._pages = None
            self.refreshes = 0
            self.failures = 0


SNAPSHOT = PowerSnapshot()
