"""Host-wide batching of uplink-set membership changes across Neutron's API worker processes.

After networking-generic-switch's etcd batching, with files instead of etcd because all API
workers of one host share ``[oslo_concurrency] lock_path``: each change is a small request file;
whichever process holds the host's lock for that uplink set applies every pending request in one
eTag-checked write and leaves an answer file for each. Other hosts still meet at the eTag. A
holder that dies leaves its requests behind for the next one (adding or removing a network twice
is harmless). Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oslo_log import log as logging

from ..client import BadRequest, OneViewClient, OneViewError, TaskFailed
from ..client.etag import Change, compose
from ..client.resources.uplink_sets import adding, removing

LOG = logging.getLogger(__name__)

OPS: dict[str, Callable[[list[str]], Change]] = {"add": adding, "remove": removing}
STALE_ANSWER = 600.0  # seconds after which an answer nobody collected is deleted
MAX_LINGERS = 4  # a batch waits at most this many lingers for requests still arriving
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def _reset_in_child() -> None:
    """A forked API worker must not inherit locks a parent thread held at fork time."""
    global _GUARD
    _GUARD = threading.Lock()
    _THREAD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)


class HostBatcher:
    def __init__(
        self,
        client: OneViewClient,
        lock_dir: str,
        *,
        timeout: float = 300.0,
        linger: float = 0.02,
        poll: float = 0.004,
    ) -> None:
        self.client = client
        self.root = Path(lock_dir) / "oneview-uplink-sets"
        self.timeout = timeout
        self.linger = linger
        self.poll = poll

    @staticmethod
    def _thread_lock(folder: Path) -> threading.Lock:
        """fcntl locks belong to the process: its threads (any batcher) share a thread lock."""
        with _GUARD:
            return _THREAD_LOCKS.setdefault(str(folder), threading.Lock())

    def _dir(self, uplink_set_uri: str) -> Path:
        path = self.root / re.sub(r"[^A-Za-z0-9_.-]", "_", uplink_set_uri.strip("/"))
        path.mkdir(parents=True, exist_ok=True)
        return path

    def submit(self, uplink_set: str, op: str, network_uris: list[str]) -> None:
        """Apply ``op`` (add/remove) of ``network_uris`` to the uplink set; raises its error."""
        import fasteners

        key = self.client.uplink_sets.uri(uplink_set)
        folder = self._dir(key)
        rid = uuid.uuid4().hex
        _write_json(folder / f"{rid}.req", {"op": op, "uris": list(network_uris)})
        answer = folder / f"{rid}.done"
        lock = fasteners.InterProcessLock(str(folder / ".lock"))
        mine = self._thread_lock(folder)
        deadline = time.monotonic() + self.timeout
        waited = False
        while True:
            if answer.exists():
                return _raise_if_failed(_take(answer), key)
            if mine.acquire(blocking=False):
                try:
                    if lock.acquire(blocking=False):
                        try:
                            if not answer.exists():
                                if waited and self.linger:
                                    self._linger(folder)
                                self._apply_pending(key, folder)
                        finally:
                            lock.release()
                        continue
                finally:
                    mine.release()
            if time.monotonic() > deadline:
                (folder / f"{rid}.req").unlink(missing_ok=True)
                raise OneViewError(
                    f"Gave up after {self.timeout:.0f} s waiting for another Neutron process to "
                    f"write uplink set {key}"
                )
            waited = True
            time.sleep(self.poll * random.uniform(0.5, 1.5))  # noqa: S311 - jitter only

    def _linger(self, folder: Path) -> None:
        """Under contention, let requests still on their way land: wait while more arrive."""
        count = _pending(folder)
        for _ in range(MAX_LINGERS):
            time.sleep(self.linger)
            now = _pending(folder)
            if now == count:
                return
            count = now

    def _apply_pending(self, key: str, folder: Path) -> None:
        pending: list[tuple[Path, dict[str, Any]]] = []
        now = time.time()
        for path in sorted(folder.iterdir(), key=_mtime):
            if path.suffix == ".req":
                try:
                    pending.append((path, json.loads(path.read_text())))
                except (OSError, ValueError):
                    continue  # half-written by a process that died; its owner times out
            elif path.suffix == ".done" and now - _mtime(path) > STALE_ANSWER:
                path.unlink(missing_ok=True)
        if pending:
            self._apply(key, pending)

    def _apply(self, key: str, pending: list[tuple[Path, dict[str, Any]]]) -> None:
        changes = [OPS[request["op"]](request["uris"]) for _path, request in pending]
        try:
            self.client.uplink_sets.change_networks(key, compose(changes))
            outcome: dict[str, Any] = {"ok": True}
        except (BadRequest, TaskFailed) as error:
            if len(pending) > 1:
                LOG.info(
                    "A batch of %d changes to %s failed (%s); one by one", len(pending), key, error
                )
                for item in pending:
                    self._apply(key, [item])
                return
            outcome = _failure(error, separable=True)
        except OneViewError as error:
            outcome = _failure(error, separable=False)
        for path, _request in pending:
            _write_json(path.with_suffix(".done"), outcome)
            path.unlink(missing_ok=True)


def _failure(error: OneViewError, *, separable: bool) -> dict[str, Any]:
    return {
        "ok": False,
        "separable": separable,
        "message": getattr(error, "message", "") or str(error),
        "error_code": error.error_code,
    }


def _raise_if_failed(outcome: dict[str, Any], key: str) -> None:
    if outcome.get("ok"):
        return
    kind = BadRequest if outcome.get("separable") else OneViewError
    raise kind(
        outcome.get("message") or f"changing {key} failed", error_code=outcome.get("error_code")
    )


def _write_json(path: Path, body: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(body))
    os.replace(temporary, path)


def _take(path: Path) -> dict[str, Any]:
    body = json.loads(path.read_text())
    path.unlink(missing_ok=True)
    return body


def _pending(folder: Path) -> int:
    return sum(1 for path in folder.iterdir() if path.suffix == ".req")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
