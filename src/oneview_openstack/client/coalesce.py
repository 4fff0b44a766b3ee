"""Group commit for concurrent changes to one resource (e.g. networks joining an uplink set).

While a write to a resource is in flight, changes for it queue up; when the write ends, one
caller (the batch leader) applies every queued change in a single eTag-checked write, and each
caller gets that write's result. Ten Neutron workers adding ten networks to one uplink set make
two or three PUTs instead of ten, and none of them loses another's network.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from oslo_log import log as logging

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

    Two optional knobs widen batches under contention, at no cost when there is none:
    ``linger`` (seconds a leader that had to wait for the previous write waits once more, so
    callers still preparing their change can join) and ``guard`` (a context manager per key held
    around each write, e.g. a host-wide file lock, so worker processes on one host write in turn
    while their own batches keep filling).
    """

    def __init__(
        self,
        runner: Callable[[str, list[C]], Any],
        metrics: ClientMetrics | None = None,
        *,
        linger: float = 0.0,
        guard: Callable[[str], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self._runner = runner
        self._metrics = metrics or ClientMetrics()
        self.linger = linger
        self.guard = guard
        self._lock = threading.Lock()
        self._open: dict[str, _Batch[C]] = {}
        self._writers: dict[str, threading.Lock] = {}

    def reset_after_fork(self) -> None:
        """In a forked child: locks another thread held at fork time would never be released."""
        self._lock = threading.Lock()
        self._open = {}
        self._writers = {}

    def submit(self, key: str, change: C) -> Any:
        future: Future[Any] = Future()
        with self._lock:
            batch = self._open.get(key)
            leader = batch is None
            if batch is None:
                batch = self._open[key] = _Batch()
            batch.items.append((change, future))
            writer = self._writers.setdefault(key, threading.Lock())
        if leader:
            contended = not writer.acquire(blocking=False)
            if contended:
                writer.acquire()  # one write per key at a time; meanwhile newcomers join
            try:
                guard = self.guard(key) if self.guard else contextlib.nullcontext()
                with guard:
                    if contended and self.linger > 0:
                        time.sleep(self.linger)
                    with self._lock:
                        del self._open[key]  # closed: later changes start the next batch
                    self._run(key, batch.items)
            finally:
                writer.release()
        return future.result()

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
