"""Killing a service's worker in the middle of a OneView write, and watching what recovers it.

The write is held in the simulator (a ``latency`` fault, or a ``task_slow`` task that stays
Running) until the test has seen it arrive; then the process doing it gets SIGKILL, as the OOM
killer or a power cut would. ``ironic`` (cotyledon) and gunicorn each run a master that forks the
worker doing the work; killing the worker lets the master start a new one, killing the whole
group needs the sandbox to start the service again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psutil
from keystoneauth1.exceptions.connection import ConnectFailure

from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.sandbox.processes import Service
from oneview_openstack.simulator.testing import Witness, wait_until
from soak.run import PASS

HANG_GUARD = 120.0  # seconds; far beyond what any step takes, only so that nothing hangs
POLL = 0.05  # seconds between two looks (at the simulator, a process, a log): gentle on 2 cores


def record(scenario: str, stage: str, **facts: Any) -> None:
    """One line of what a crash left and what recovered it (shown with ``pytest -s``)."""
    print(json.dumps({"scenario": scenario, "stage": stage, **facts}, default=str))


def service(sandbox: Sandbox, name: str) -> Service:
    found = [s for s in sandbox.supervisor.services if s.name == name]
    assert len(found) == 1, f"one service named {name!r} expected, found {len(found)}"
    return found[0]


def worker_pid(sandbox: Sandbox, name: str) -> int:
    """The one worker process the service's master forked (waits for a respawned one)."""
    master = service(sandbox, name).process
    assert master is not None

    def one_worker() -> int | None:
        children = psutil.Process(master.pid).children()
        alive = [c for c in children if c.status() != psutil.STATUS_ZOMBIE]
        return alive[0].pid if len(alive) == 1 else None

    return int(
        wait_until(one_worker, timeout=HANG_GUARD, interval=POLL, what=f"one worker of {name}")
    )


def kill(pid: int) -> None:
    """SIGKILL, and wait until the process is gone (its master reaps it)."""
    os.kill(pid, signal.SIGKILL)

    def gone() -> bool:
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    wait_until(gone, timeout=HANG_GUARD, interval=POLL, what=f"process {pid} to die")


def kill_group(sandbox: Sandbox, name: str) -> None:
    """SIGKILL to the service's master and every worker, as when its host loses power."""
    master = service(sandbox, name).process
    assert master is not None
    os.killpg(master.pid, signal.SIGKILL)
    master.wait(HANG_GUARD)


def fired(witness: Witness, kind: str) -> int:
    return int(witness.stats()["faultsFired"].get(kind, 0))


def refused(witness: Witness, answer: str) -> int:
    """How often OneView gave ``answer`` (e.g. "412 PRECONDITION_FAILED")."""
    return int(witness.stats()["refusals"].get(answer, 0))


def wait_fired(witness: Witness, kind: str, before: int, what: str) -> None:
    wait_until(lambda: fired(witness, kind) > before, timeout=HANG_GUARD, interval=POLL, what=what)


@dataclass
class Call:
    """An API call made in a thread, because the process serving it is about to be killed."""

    action: Callable[[], Any]
    result: Any = None
    error: BaseException | None = None
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self.action()
        except BaseException as error:  # the caller reports what the client saw
            self.error = error

    def join(self) -> None:
        self.thread.join(HANG_GUARD)
        assert not self.thread.is_alive(), "the API call did not return after its worker died"


def reports(sandbox: Sandbox) -> int:
    """How many reconciliation passes Neutron's periodic worker has reported so far."""
    log = sandbox.state_dir / "neutron.log"
    return len(PASS.findall(log.read_text(errors="replace")))


def wait_reports(sandbox: Sandbox, count: int) -> None:
    wait_until(
        lambda: reports(sandbox) >= count,
        timeout=HANG_GUARD,
        interval=POLL,
        what=f"{count} reconciliation reports in neutron.log",
    )


@contextlib.contextmanager
def reconciliation_held(sandbox: Sandbox) -> Iterator[None]:
    """Neutron's periodic worker stopped (SIGSTOP) between two passes while a crash is staged.

    Without this a pass could repair the damage before the test has seen it. The worker is
    stopped just after it reported a pass, so it holds no database transaction, and continued
    (SIGCONT) on the way out.
    """
    group = service(sandbox, "Neutron periodic worker").process
    assert group is not None
    seen = reports(sandbox)
    wait_reports(sandbox, seen + 1)
    os.killpg(group.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group.pid, signal.SIGCONT)


def provision_state(sandbox: Sandbox, node_id: str) -> str | None:
    """The node's provision state, or None while Ironic's API does not answer (restarting)."""
    assert sandbox.conn is not None
    try:
        return str(sandbox.conn.baremetal.get_node(node_id).provision_state)
    except ConnectFailure:
        return None


def wait_api(sandbox: Sandbox) -> None:
    """Neutron answers again (gunicorn's master has started a new worker)."""
    conn = sandbox.conn
    assert conn is not None

    def answers() -> bool:
        try:
            list(conn.network.networks(limit=1))
        except ConnectFailure:
            return False
        return True

    wait_until(answers, timeout=HANG_GUARD, interval=POLL, what="Neutron's API to answer again")
