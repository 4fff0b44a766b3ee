"""Serialisation of edits to one server profile, across threads and the host's processes.

Inside a process a lock per profile keeps two threads from fighting over one eTag at all. The
API workers of one host share ``[oslo_concurrency] lock_path``, so a lock file per profile there
keeps them apart too: without it two workers could both power a server off for a connection
change and one would switch it back on under the other's write. Other hosts still meet at the
profile's eTag and at OneView's busy answers. (Uplink sets are batched instead: see
``batching``.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import PortWiringError


class KeyedLocks:
    """``with locks.hold(key):`` - one holder per key; idle keys are forgotten."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


class HostLocks:
    """:class:`KeyedLocks` plus a lock file per key under ``lock_dir`` (when there is one)."""

    def __init__(self, lock_dir: str | None, folder: str = "oneview-profiles") -> None:
        self.threads = KeyedLocks()
        self.root = Path(lock_dir) / folder if lock_dir else None

    @contextmanager
    def hold(self, key: str, timeout: float) -> Iterator[None]:
        """Hold ``key`` on this host; waits at most ``timeout`` s for another process."""
        with self.threads.hold(key):
            if self.root is None:
                yield
                return
            import fasteners

            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / (re.sub(r"[^A-Za-z0-9_.-]", "_", key.strip("/")) + ".lock")
            lock = fasteners.InterProcessLock(str(path))
            if not lock.acquire(timeout=timeout):
                raise PortWiringError(
                    f"another Neutron process on this host has been changing {key} for "
                    f"{timeout:.0f} s (lock file {path}); gave up"
                )
            try:
                yield
            finally:
                lock.release()
