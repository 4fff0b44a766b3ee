"""Uplink-set membership changes, batched across threads, processes and (with etcd) hosts.

Inside a process, concurrent changes to one uplink set are group-committed (the client's
``Coalescer``): one request carries every change queued while the previous one was in flight.

Across processes, with an etcd ``[oneview] coordination_backend_url``: the request is a key under
``/oneview/uplink-sets/<id>/requests/`` (on a lease, so an abandoned one expires), and whoever
holds the uplink set's tooz lock applies *every* pending request in one eTag-checked write and
answers each under ``.../answers/``. An answer is ``done`` or ``alone``: a batch OneView refused
is never judged on another process's behalf; each owner applies its own change by itself and
meets its own error, with its own type. With another tooz backend, or only lock files, the
processes take turns instead (the lock held around each write, so no write races another for the
eTag). The lock and the queue only save writes: when the backend is down or slow the process
says so and writes by itself, and the eTag keeps that correct.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import tenacity
from oslo_log import log as logging

from ..client import OneViewClient, OneViewError, forksafe
from ..client.coalesce import Coalescer
from ..client.etag import Change, UpdateResult, compose
from ..client.resources.uplink_sets import adding, removing
from .coordination import RETRY_WAIT, Coordination, CoordinationUnavailable
from .locking import LockTimeout, LockUnavailable, WriterLocks

LOG = logging.getLogger(__name__)

OPS: dict[str, Callable[[Iterable[str]], Change]] = {"add": adding, "remove": removing}
Membership = tuple[str, tuple[str, ...]]  # ("add" | "remove", network URIs): data, not code
TIMEOUT = 300.0  # seconds a request waits for another process's answer or the lock
LINGER = 0.05  # seconds a leader that had to wait lets more requests arrive
DONE, ALONE = "done", "alone"
ROOT = "/oneview/uplink-sets/"


class UplinkSetBatches:
    """``add``/``remove`` networks of an uplink set; each call returns when its write is done."""

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
        self.linger = linger
        self.timeout = timeout
        self._batches: Coalescer[Membership] = Coalescer(self._write, linger=linger)
        forksafe.register(self._batches)

    def add(self, uplink_set: str, network_uris: Iterable[str]) -> UpdateResult | None:
        """:raises BadRequest: OneView refused this change (a VLAN the set already carries).
        :raises OneViewError: the write failed (see ``UplinkSets.change_networks``).
        """
        return self._submit(uplink_set, ("add", tuple(network_uris)))

    def remove(self, uplink_set: str, network_uris: Iterable[str]) -> UpdateResult | None:
        """:raises OneViewError: the write failed (see ``UplinkSets.change_networks``)."""
        return self._submit(uplink_set, ("remove", tuple(network_uris)))

    def _submit(self, uplink_set: str, change: Membership) -> UpdateResult | None:
        """The write's result; None when another process wrote it (it did not tell us more)."""
        return self._batches.submit(self.client.uplink_sets.uri(uplink_set), change)

    # -- one process's batch ---------------------------------------------------------------
    def _write(self, uri: str, changes: list[Membership]) -> UpdateResult | None:
        coordination = self.locks.coordination
        if coordination is not None and coordination.supports_queues():
            try:
                return _Queue(self, coordination, uri).apply(changes)
            except CoordinationUnavailable as error:
                LOG.warning("Writing uplink set %s without batching: %s", uri, error)
                return self.put(uri, changes)
        try:
            with self.locks.hold(uri, timeout=self.timeout):
                return self.put(uri, changes)
        except (LockTimeout, LockUnavailable) as error:  # only the lock raises these
            LOG.warning("Writing uplink set %s without its writer lock: %s", uri, error)
            return self.put(uri, changes)

    def put(self, uri: str, changes: list[Membership]) -> UpdateResult:
        """One eTag-checked write of ``changes`` (the client settles a stale eTag)."""
        change = compose([OPS[op](uris) for op, uris in changes])
        return self.client.uplink_sets.change_networks(uri, change, linger=0.0)


class _Queue:
    """One process's batch as a request in etcd, answered by whichever process writes first."""

    def __init__(self, batches: UplinkSetBatches, coordination: Coordination, uri: str) -> None:
        self.batches = batches
        self.coordination = coordination
        self.uri = uri
        self.lock_name = batches.locks.name(uri)
        base = ROOT + uri.rstrip("/").rsplit("/", 1)[-1]
        self.requests = base + "/requests/"
        self.answers = base + "/answers/"
        self.ttl = int(batches.timeout) + 60

    def apply(self, changes: list[Membership]) -> UpdateResult | None:
        """:raises CoordinationUnavailable: etcd cannot be reached."""
        request_id = uuid.uuid4().hex
        etcd = self.coordination.etcd()
        body = json.dumps([[op, list(uris)] for op, uris in changes])
        lease = self._etcd("grant a lease", lambda: etcd.lease(self.ttl))
        self._etcd(
            "queue a request", partial(etcd.put, self.requests + request_id, body, lease=lease)
        )
        contended: list[bool] = []
        attempts = tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda outcome: outcome is None),
            stop=tenacity.stop_before_delay(self.batches.timeout),
            wait=RETRY_WAIT,
            retry_error_callback=lambda _state: "timeout",
        )
        outcome = attempts(self._step, request_id, contended)
        if outcome == DONE:
            return None
        if isinstance(outcome, tuple):  # our own write's result, or its error
            result, error = outcome
            if error is not None:
                raise error
            return result
        if outcome == "timeout":
            self._etcd("withdraw a request", lambda: etcd.delete(self.requests + request_id))
            LOG.warning(
                "Uplink set %s: no other process answered and its lock stayed taken for %.0f s; "
                "writing by ourselves",
                self.uri,
                self.batches.timeout,
            )
        return self.batches.put(self.uri, changes)  # ALONE, or timed out

    def _step(self, request_id: str, contended: list[bool]) -> Any:
        """Our answer, or our write, or None (try again)."""
        answer = self._answer(request_id)
        if answer is not None:
            return answer
        lock = self.coordination.acquire(self.lock_name, timeout=0.0)
        if lock is None:
            contended.append(True)
            return None
        try:
            answer = self._answer(request_id)  # written just before we got the lock
            if answer is not None:
                return answer
            if contended and self.batches.linger > 0:
                time.sleep(self.batches.linger)  # requests still on their way join this write
            return self._lead(request_id)
        finally:
            self.coordination.release(lock, self.lock_name)

    def _lead(self, request_id: str) -> Any:
        """Apply every pending request in one write and answer them; ours as a tuple."""
        mine = self.requests + request_id
        readable, unreadable = self._pending()
        answers = dict.fromkeys(unreadable, ALONE)  # their owners write by themselves
        if unreadable:
            LOG.warning("Uplink set %s: %d unreadable requests in etcd", self.uri, len(unreadable))
        if mine not in readable:  # gone from etcd (a lease ran out): we write by ourselves
            self._reply(answers, mine)
            return ALONE
        written = [item for items in readable.values() for item in items]
        try:
            result = self.batches.put(self.uri, written)
        except OneViewError as error:
            if len(readable) == 1:  # only ours: our error, first hand
                self._reply({**answers, mine: ALONE}, mine)
                return (None, error)
            LOG.info(
                "A batch of %d requests to %s failed (%s); each process writes its own",
                len(readable),
                self.uri,
                error,
            )
            self._reply({**answers, **dict.fromkeys(readable, ALONE)}, mine)
            return ALONE
        self._reply({**answers, **dict.fromkeys(readable, DONE)}, mine)
        return (result, None)

    def _pending(self) -> tuple[dict[str, list[Membership]], list[str]]:
        """The requests waiting in etcd: readable ones by key, and the keys of the others."""
        etcd = self.coordination.etcd()
        readable: dict[str, list[Membership]] = {}
        unreadable: list[str] = []
        for value, meta in self._etcd("read requests", lambda: etcd.get_prefix(self.requests)):
            key = _text(meta["key"])
            try:
                items = [(str(op), tuple(map(str, uris))) for op, uris in json.loads(value)]
            except (TypeError, ValueError):
                items = []
            if items and all(op in OPS for op, _ in items):
                readable[key] = items
            else:
                unreadable.append(key)
        return readable, unreadable

    def _reply(self, answers: dict[str, str], mine: str) -> None:
        """Answer every request but ours, then delete them all."""
        etcd = self.coordination.etcd()
        others = {key: answer for key, answer in answers.items() if key != mine}
        if others:
            lease = self._etcd("answer requests", lambda: etcd.lease(self.ttl))
            for key, answer in others.items():
                answer_key = self.answers + key.rsplit("/", 1)[-1]
                self._etcd("answer a request", partial(etcd.put, answer_key, answer, lease=lease))
        for key in answers:
            self._etcd("delete a request", partial(etcd.delete, key))

    def _answer(self, request_id: str) -> str | None:
        etcd = self.coordination.etcd()
        key = self.answers + request_id
        found = self._etcd("read an answer", lambda: etcd.get(key))
        if not found:
            return None
        self._etcd("delete an answer", lambda: etcd.delete(key))
        return DONE if _text(found[0]) == DONE else ALONE

    def _etcd(self, what: str, call: Callable[[], Any]) -> Any:
        return self.coordination.call(f"{what} for {self.uri}", call)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
