"""One writer per OneView resource: across threads, processes and, with a backend, hosts.

Two processes changing one server profile's connections would both power the server off when
OneView demands it, and one would switch it back on under the other's write; two processes
writing one uplink set race for its eTag. So such a write holds a lock named after the resource:
first a thread lock of this process (``lockutils.internal_lock``, so the process's threads queue
without asking anyone else), then either the tooz lock of ``[oneview] coordination_backend_url``
(every host) or, without a backend, the host's lock file under ``[oslo_concurrency] lock_path``
(``lockutils.external_lock``). Without either, other processes meet at the eTag and OneView's
busy answers only. Every wait is bounded, and a timeout says how long *we* waited and for what.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

from oslo_concurrency import lockutils
from oslo_log import log as logging

from ..client import forksafe
from .coordination import Coordination, CoordinationUnavailable, configured_url, shared
from .errors import PortWiringError

LOG = logging.getLogger(__name__)


class LockTimeout(PortWiringError):
    """Another holder kept the lock for longer than we were willing to wait."""


class LockUnavailable(PortWiringError):
    """The coordination backend that holds the lock cannot be reached."""


class WriterLocks:
    """``with locks.hold(resource_uri, timeout=...)``: the one writer of that resource."""

    def __init__(
        self,
        lock_path: str | None = None,
        coordination: Coordination | None = None,
        *,
        prefix: str = "oneview",
    ) -> None:
        self.lock_path = lock_path
        self.coordination = coordination
        self.prefix = prefix
        self._threads = lockutils.Semaphores()
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        """A semaphore another thread held at fork time would never be released in the child."""
        self._threads = lockutils.Semaphores()

    def name(self, key: str) -> str:
        """The lock's name: the prefix and the key's last path segment (the resource id)."""
        resource_id = key.rstrip("/").rsplit("/", 1)[-1]
        return f"{self.prefix}-{re.sub(r'[^A-Za-z0-9_.-]', '_', resource_id)}"

    @property
    def scope(self) -> str:
        if self.coordination is not None:
            return f"every host (tooz, {self.coordination.safe_url})"
        if self.lock_path is not None:
            return f"this host (lock files under {self.lock_path})"
        return "this process only"

    @contextlib.contextmanager
    def hold(self, key: str, timeout: float) -> Iterator[None]:
        """Hold ``key``; waits at most ``timeout`` s for other holders.

        :raises LockTimeout: another thread or process held it for all of ``timeout``.
        :raises LockUnavailable: the coordination backend cannot be reached.
        """
        name = self.name(key)
        started = time.monotonic()
        inside = lockutils.internal_lock(name, semaphores=self._threads)
        if not inside.acquire(timeout=max(timeout, 0.0)):
            raise self._timed_out(key, started, timeout, "another thread of this process")
        try:
            remaining = timeout - (time.monotonic() - started)
            with self._across_processes(key, name, remaining, started, timeout):
                yield
        finally:
            inside.release()

    @contextlib.contextmanager
    def _across_processes(
        self, key: str, name: str, remaining: float, started: float, timeout: float
    ) -> Iterator[None]:
        if self.coordination is not None:
            try:
                lock = self.coordination.acquire(name, remaining)
            except CoordinationUnavailable as error:
                raise LockUnavailable(f"cannot lock {key}: {error}") from None
            if lock is None:
                raise self._timed_out(
                    key, started, timeout, f"another Neutron process ({self.coordination.safe_url})"
                )
            try:
                yield
            finally:
                self.coordination.release(lock, name)
        elif self.lock_path is not None:
            lock_file = lockutils.external_lock(name, lock_path=self.lock_path)
            if not lock_file.acquire(timeout=max(remaining, 0.0)):
                raise self._timed_out(
                    key,
                    started,
                    timeout,
                    f"another Neutron process on this host ({lock_file.path})",
                )
            try:
                yield
            finally:
                lock_file.release()
        else:
            yield

    @staticmethod
    def _timed_out(key: str, started: float, timeout: float, holder: str) -> LockTimeout:
        waited = time.monotonic() - started
        return LockTimeout(
            f"waited {waited:.1f} s for the lock on {key}, held by {holder}, and gave up "
            f"(the limit is {timeout:g} s)"
        )


def profile_locks(lock_path: str | None) -> WriterLocks:
    """Server-profile locks, through ``[oneview] coordination_backend_url`` when it is set."""
    locks = WriterLocks(lock_path, shared(configured_url()), prefix="oneview-profile")
    LOG.info("One writer per server profile across %s", locks.scope)
    return locks


def uplink_set_locks(lock_path: str | None) -> WriterLocks:
    """Uplink-set locks, through ``[oneview] coordination_backend_url`` when it is set."""
    return WriterLocks(lock_path, shared(configured_url()), prefix="oneview-uplink-set")
