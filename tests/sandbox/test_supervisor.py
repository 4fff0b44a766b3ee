"""The supervisor with real child processes: a second Ctrl+C during shutdown leaks nothing.

Each service is a ``python -c`` parent in its own session with a worker in its process group
that ignores SIGTERM (as gunicorn's and cotyledon's workers may), so only a group-wide SIGKILL
ends it. The checks are the operating system's: ``os.killpg(pgid, 0)`` and the open files.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from oneview_openstack.sandbox.processes import SandboxError, Service, Supervisor
from oneview_openstack.simulator.testing import wait_until

# A worker in the parent's process group that only SIGKILL ends.
WORKER = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.pause()"

PLAIN = f"""
import subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", {WORKER!r}])
print("ready", worker.pid, flush=True)
import signal; signal.pause()
"""

# On SIGTERM: says so through one FIFO, then waits to be released through another.
SLOW_TO_STOP = f"""
import os, signal, subprocess, sys
stopping, release = sys.argv[1], sys.argv[2]
worker = subprocess.Popen([sys.executable, "-c", {WORKER!r}])

def on_term(_signum, _frame):
    with open(stopping, "w") as fifo:
        fifo.write("stopping\\n")
    with open(release) as fifo:
        fifo.read()
    os._exit(0)

signal.signal(signal.SIGTERM, on_term)
print("ready", worker.pid, flush=True)
signal.pause()
"""


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def open_paths() -> set[str]:
    return {f.path for f in psutil.Process().open_files()}


def started(supervisor: Supervisor, name: str, log: Path, *argv: str) -> Service:
    service = supervisor.start(name, [sys.executable, "-c", *argv], log_path=log)
    wait_until(lambda: "ready" in log.read_text(), timeout=30, what=f"{name} and its worker")
    return service


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    made = Supervisor()
    try:
        yield made
    finally:  # whatever a failed test left behind
        made.stop_all(grace=1)


def test_a_second_ctrl_c_while_stopping_leaves_no_process_group_and_no_open_log(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    stopping_fifo, release_fifo = tmp_path / "stopping", tmp_path / "release"
    os.mkfifo(stopping_fifo)
    os.mkfifo(release_fifo)
    original_handler = signal.getsignal(signal.SIGINT)
    supervisor.install_signal_handlers()
    plain = started(supervisor, "plain", tmp_path / "plain.log", PLAIN)
    slow = started(
        supervisor,
        "slow",
        tmp_path / "slow.log",
        SLOW_TO_STOP,
        str(stopping_fifo),
        str(release_fifo),
    )
    groups = [s.process.pid for s in (plain, slow) if s.process is not None]
    logs = {str(plain.log_path), str(slow.log_path)}
    assert logs <= open_paths()
    main = threading.main_thread().ident
    assert main is not None
    problems: list[BaseException] = []

    def ctrl_c_twice() -> None:
        try:
            with open(stopping_fifo) as fifo:  # the slow service is being stopped
                assert fifo.read() == "stopping\n"
            for count in (1, 2):
                signal.pthread_kill(main, signal.SIGINT)
                wait_until(
                    lambda c=count: len(supervisor.ignored_signals) >= c,  # type: ignore[misc]
                    timeout=30,
                    what=f"Ctrl+C number {count} noticed",
                )
        except BaseException as error:  # reported by the test, not lost in the thread
            problems.append(error)
        finally:
            with open(release_fifo, "w") as fifo:
                fifo.write("go\n")

    interrupter = threading.Thread(target=ctrl_c_twice, daemon=True)
    interrupter.start()
    try:
        supervisor.stop_all(grace=60)
    except KeyboardInterrupt:
        pytest.fail("a Ctrl+C during stop_all aborted it")
    interrupter.join(timeout=60)
    assert not interrupter.is_alive()
    assert problems == []

    assert supervisor.ignored_signals == [signal.SIGINT, signal.SIGINT]
    assert (plain.stopped, slow.stopped) == (True, True)
    for pgid in groups:
        wait_until(lambda g=pgid: group_gone(g), timeout=30, what=f"process group {pgid} gone")
    assert not logs & open_paths()
    assert signal.getsignal(signal.SIGINT) is original_handler


def test_a_popen_that_fails_after_the_log_was_opened_leaks_no_handle(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    log = tmp_path / "missing.log"
    before = open_paths()
    # Kept: while the traceback lives, so would a leaked file object (no GC closes it for us).
    with pytest.raises(FileNotFoundError) as raised:
        supervisor.start("missing", [str(tmp_path / "no-such-program")], log_path=log)
    assert raised.tb is not None
    assert log.exists()  # it was opened
    assert str(log) not in open_paths()
    assert open_paths() <= before
    assert supervisor.services == []


def test_nothing_starts_once_stopping_has_begun(supervisor: Supervisor, tmp_path: Path) -> None:
    plain = started(supervisor, "plain", tmp_path / "plain.log", PLAIN)
    assert plain.process is not None
    supervisor.stop_all(grace=5)
    with pytest.raises(SandboxError, match="stopping; not starting late"):
        supervisor.start("late", [sys.executable, "-c", "pass"], log_path=tmp_path / "late.log")
    wait_until(lambda: group_gone(plain.process.pid), timeout=30, what="the plain group gone")
    supervisor.stop_all()  # a second call (atexit's) is harmless
    assert plain.stopped
