"""Network-set membership changes: batched inside a process, one writer per set across them.

Inside a process, concurrent changes to one set are group-committed (the client's
``Coalescer``): one eTag-checked PUT carries every change queued while the previous write was in
flight. Across processes (Neutron's API workers, and with ``[oneview] coordination_backend_url``
other hosts) the writers of one set take turns on its lock, so their PUTs do not race each other
for the eTag; while a process waits for the lock its next changes pile up and join one write.
The lock only saves writes: when it cannot be had the process writes by itself and the eTag
keeps that correct (a 412 reads again and re-applies the batch).
"""

from __future__ import annotations

from oslo_log import log as logging

from ..client import OneViewClient, forksafe
from ..client.coalesce import Coalescer
from ..client.etag import Change, UpdateResult, compose
from .coordination import configured_url, shared
from .locking import LockTimeout, LockUnavailable, WriterLocks

LOG = logging.getLogger(__name__)

LINGER = 0.05  # seconds a leader that had to wait lets more changes arrive
TIMEOUT = 120.0  # seconds a write waits for another process's write of the same set


def network_set_locks(lock_path: str | None) -> WriterLocks:
    """Network-set locks, through ``[oneview] coordination_backend_url`` when it is set."""
    return WriterLocks(lock_path, shared(configured_url()), prefix="oneview-network-set")


class NetworkSetBatches:
    """``change(set_uri, change)`` returns once a write containing ``change`` has finished."""

    def __init__(
        self,
        client: OneViewClient,
        locks: WriterLocks,
        *,
        linger: float = LINGER,
        timeout: float = TIMEOUT,
    ) -> None:
        self.client = client
        self.locks = locks
        self.timeout = timeout
        self._batches: Coalescer[Change] = Coalescer(self._write, linger=linger)
        forksafe.register(self._batches)

    def change(self, set_uri: str, change: Change) -> UpdateResult:
        """:raises BadRequest: OneView refused this change (a VLAN twice, a network the
            servers' logical interconnect does not carry).
        :raises OneViewError: the write failed (see ``NetworkSets.update_members``).
        """
        result: UpdateResult = self._batches.submit(self.client.network_sets.uri(set_uri), change)
        return result

    def _write(self, uri: str, changes: list[Change]) -> UpdateResult:
        try:
            with self.locks.hold(uri, timeout=self.timeout):
                return self._put(uri, changes)
        except (LockTimeout, LockUnavailable) as error:  # only the lock raises these
            LOG.warning("Writing network set %s without its writer lock: %s", uri, error)
            return self._put(uri, changes)

    def _put(self, uri: str, changes: list[Change]) -> UpdateResult:
        return self.client.network_sets.update_members(uri, compose(changes), linger=0.0)
