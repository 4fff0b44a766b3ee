"""The coalescer's guard: changes keep joining a batch while its leader waits for the guard."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from oneview_openstack.client.coalesce import Coalescer


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.001)


def test_changes_join_the_batch_while_its_leader_waits_for_the_guard():
    first_done = threading.Event()
    guard_open = threading.Event()
    entered: list[str] = []
    calls: list[list[str]] = []

    @contextlib.contextmanager
    def guard(key: str) -> Iterator[None]:
        entered.append(key)
        if len(entered) == 2:  # the second write waits here, as for another process's lock
            guard_open.wait(10)
        yield

    def runner(key: str, changes: list[str]) -> str:
        calls.append(list(changes))
        if changes == ["a"]:
            first_done.wait(10)
        return "+".join(changes)

    coalescer: Coalescer[str] = Coalescer(runner, guard=guard, linger=0.0)
    results: dict[str, str] = {}

    def submit(change: str) -> None:
        results[change] = coalescer.submit("uplink-set", change)

    threads = [threading.Thread(target=submit, args=("a",))]
    threads[0].start()
    _until(lambda: calls == [["a"]], "the first write")
    threads.append(threading.Thread(target=submit, args=("b",)))
    threads[1].start()
    _until(lambda: len(coalescer._open.get("uplink-set", _Empty).items) == 1, "b queued")
    first_done.set()
    _until(lambda: len(entered) == 2, "b's leader at the guard")
    threads.append(threading.Thread(target=submit, args=("c",)))
    threads[2].start()
    _until(lambda: len(coalescer._open.get("uplink-set", _Empty).items) == 2, "c joined")
    guard_open.set()
    for thread in threads:
        thread.join(10)
    assert calls == [["a"], ["b", "c"]]
    assert results == {"a": "a", "b": "b+c", "c": "b+c"}
    assert entered == ["uplink-set", "uplink-set"]


class _Empty:
    items: list = []
