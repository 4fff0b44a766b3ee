"""Two processes taking one writer lock in turns, arranged so that any overlap is seen.

Each round, both contenders meet at a barrier and then ask for the lock. The one inside waits
until the other has asked (a positive event), then stays until the other is inside too or
``grace`` seconds pass. With a lock that works the other never gets in while it waits; with one
that does not serialise the processes (``kind="none"`` is such a lock: thread-local only) the
other walks in within microseconds and ``overlaps`` counts it. So the check can fail, and the
suite shows that it does.

Run in ``multiprocessing``'s spawn context, so each contender is a fresh interpreter with its
own coordinator, like two Neutron API processes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from dataclasses import dataclass
from typing import Any

from oneview_openstack.simulator.testing import wait_until

KEY = "/rest/server-profiles/0f0e0d0c-contended"


@dataclass
class Shared:
    barrier: Any
    guard: Any  # a multiprocessing lock around the counters
    inside: Any  # Value("i"): contenders inside the writer lock now
    overlaps: Any  # Value("i"): times a contender entered while the other was inside
    entries: Any  # Value("i")
    trying: Any  # Array("i", 2): the round each contender last asked for the lock in
    entered: Any  # Array("i", 2): the round each contender last got inside in


def shared(context: Any) -> Shared:
    return Shared(
        barrier=context.Barrier(2),
        guard=context.Lock(),
        inside=context.Value("i", 0),
        overlaps=context.Value("i", 0),
        entries=context.Value("i", 0),
        trying=context.Array("i", [0, 0]),
        entered=context.Array("i", [0, 0]),
    )


def make_locks(kind: str, target: str) -> Any:
    """``etcd`` (target: tooz URL), ``files`` (target: lock path) or ``none``."""
    from oneview_openstack.neutron.coordination import Coordination
    from oneview_openstack.neutron.locking import WriterLocks

    if kind == "etcd":
        return WriterLocks(None, Coordination(target))
    if kind == "files":
        return WriterLocks(target)
    return WriterLocks(None)


def contend(me: int, kind: str, target: str, rounds: int, grace: float, state: Shared) -> None:
    locks = make_locks(kind, target)
    peer = 1 - me
    for round_ in range(1, rounds + 1):
        state.barrier.wait(timeout=60)
        state.trying[me] = round_
        with locks.hold(KEY, timeout=60):
            with state.guard:
                state.entries.value += 1
                state.inside.value += 1
                if state.inside.value > 1:
                    state.overlaps.value += 1
                state.entered[me] = round_
            wait_until(
                lambda r=round_: state.trying[peer] >= r,
                timeout=60,
                what="the other contender to ask for the lock",
            )
            # The window in which a lock that does not work lets the other one in; with the
            # first holder of a round it always runs out, and nothing else waits on it.
            with contextlib.suppress(AssertionError):
                wait_until(lambda r=round_: state.entered[peer] >= r, timeout=grace, interval=0.001)
            with state.guard:
                state.inside.value -= 1
    if kind == "etcd":
        locks.coordination.stop()


def run(kind: str, target: str, rounds: int = 6, grace: float = 0.3) -> dict[str, int]:
    """Both contenders to the end; their counters."""
    context = multiprocessing.get_context("spawn")
    state = shared(context)
    workers = [
        context.Process(target=contend, args=(me, kind, target, rounds, grace, state))
        for me in (0, 1)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    alive = [w.pid for w in workers if w.is_alive()]
    for worker in workers:
        if worker.is_alive():
            worker.kill()
            worker.join(timeout=10)
    assert not alive, f"contenders {alive} did not finish"
    return {
        "exit_codes": sum(abs(w.exitcode or 0) for w in workers),
        "entries": state.entries.value,
        "overlaps": state.overlaps.value,
    }
