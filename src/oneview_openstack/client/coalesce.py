"""Group commit for concurrent changes to one resource (e.g. networks joining an uplink set).

While a write to a resource is in flight, changes for it queue up; when the write ends, one
caller (the batch leader) applies every queued change in a single eTag-checked write, and each
caller gets that write's result. Ten Neutron workers adding ten networks to one uplink set make
two or three PUTs instead of ten, and none of them loses another's network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from oslo_log import log as logging

from . import forksafe
from .errors import BadRequest, TaskFailed
from .metrics import ClientMetrics

LOG = logging.getLogger(__name__)
C = TypeVar("C")

# A batch failing for one of these reasons is retried change by change, so one bad request
# (a duplicate VLAN, say) does not fail the others that shared its write.
SEPARABLE_ERRORS = (BadRequest, TaskFailed)


class _Batch(Generic[C]):
    def __init__(self) -> None:
        self.items: list[tuple[C, Future[Any]]] = []


class Coalescer(Generic[C]):
    """``submit(key, change)`` blocks until a write containing ``change`` has finished.

    ``linger`` widens batches under contention at no cost when there is none: a leader that had
    to wait for the previous write waits that many seconds once more, so callers still preparing
    their change can join. It is the coalescer's default; a caller may pass its own per submit.
    Every future is resolved in ``finally``: no submit can wait for a batch nobody will write.
    """

    def __init__(
        self,
        runner: Callable[[str, list[C]], Any],
        metrics: ClientMetrics | None = None,
        *,
        linger: float = 0.0,
    ) -> None:
        self._runner = runner
        self._metrics = metrics or ClientMetrics()
        self.linger = linger
        self._lock = threading.Lock()
        self._open: dict[str, _Batch[C]] = {}
        self._writers: dict[str, threading.Lock] = {}
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        """In a forked child: locks another thread held at fork time would never be released."""
        self._lock = threading.Lock()
        self._open = {}
        self._writers = {}

    def queued(self, key: str) -> int:
        """How many changes wait in ``key``'s open batch (for tests and metrics)."""
        with self._lock:
            batch = self._open.get(key)
            return len(batch.items) if batch else 0

    def submit(self, key: str, change: C, *, linger: float | None = None) -> Any:
        """Apply ``change`` in the next write for ``key``; that write's result.

        :param linger: this caller's linger if it leads the batch (default: ``self.linger``).
        :raises: whatever the write raised for this change (a separable error only for the
            change that caused it, see ``SEPARABLE_ERRORS``).
        """
        future: Future[Any] = Future()
        with self._lock:
            batch = self._open.get(key)
            leader = batch is None
            if batch is None:
                batch = self._open[key] = _Batch()
            batch.items.append((change, future))
            writer = self._writers.setdefault(key, threading.Lock())
        if leader:
            self._lead(key, batch, writer, self.linger if linger is None else linger)
        return future.result()

    def _lead(self, key: str, batch: _Batch[C], writer: threading.Lock, linger: float) -> None:
        try:
            contended = not writer.acquire(blocking=False)
            if contended:
                writer.acquire()  # one write per key at a time; meanwhile newcomers join
            try:
                if contended and linger > 0:
                    time.sleep(linger)
                with self._lock:
                    del self._open[key]  # closed: later changes start the next batch
                self._run(key, batch.items)
            finally:
                writer.release()
        except BaseException as error:  # interrupted before the write: nobody may wait forever
            with self._lock:
                if self._open.get(key) is batch:
                    del self._open[key]
            for _, future in batch.items:
                if not future.done():
                    future.set_exception(error)
            raise

    def _run(self, key: str, items: list[tuple[C, Future[Any]]]) -> None:
        self._metrics.count("coalesced_writes")
        self._metrics.count("coalesced_changes", len(items))
        try:
            result = self._runner(key, [change for change, _ in items])
        except SEPARABLE_ERRORS as error:
            if len(items) == 1:
                items[0][1].set_exception(error)
                return
            LOG.info(
                "A batch of %d changes to %s failed (%s); applying them one by one",
                len(items),
                key,
                error,
            )
            for change, future in items:
                self._run(key, [(change, future)])
            return
        except BaseException as error:
            for _, future in items:
                future.set_exception(error)
            return
        for _, future in items:
            future.set_result(result)
