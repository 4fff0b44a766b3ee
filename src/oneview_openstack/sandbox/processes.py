"""Child processes of the sandbox: each in its own process group, always stopped on the way out.

Ironic's ``ironic`` command (cotyledon) and gunicorn fork workers of their own, so stopping only
the parent would leave orphans holding ports and sqlite files. Every service therefore starts in a
new session and is stopped with a signal to its whole group: SIGTERM, a bounded wait, then SIGKILL.
The supervisor stops everything on normal exit, on SIGINT/SIGTERM and at interpreter exit.
While it stops them, a second Ctrl+C (or SIGTERM, SIGHUP) is noted and ignored, so it cannot cut
the loop short and leave process groups behind; each service counts as stopped only once it is.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

STOP_GRACE_SECONDS = 20.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SandboxError(RuntimeError):
    """A step of the sandbox failed; the message says which and where to look."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the tiny race is acceptable on a loopback sandbox)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log, to put the cause of a failed start in front of the operator."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text[-lines:])


@dataclass
class Service:
    name: str
    argv: Sequence[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    url: str | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)
    env: dict[str, str] | None = field(default=None, repr=False)
    cwd: Path | None = None
    stopped: bool = False  # its whole process group is gone and its log closed

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts services, waits until they answer, and stops them all exactly once."""

    def __init__(self) -> None:
        self.services: list[Service] = []
        self._lock = threading.Lock()
        self._closing = False  # no new service starts once stop_all has begun
        self._previous: dict[int, object] = {}
        # Signals that arrived while stop_all was stopping services (noted, not acted on).
        self.ignored_signals: list[int] = []
        atexit.register(self.stop_all)

    def install_signal_handlers(self) -> None:
        """SIGTERM behaves like Ctrl+C, so ``finally`` blocks run and children are stopped.

        SIGINT is set too: a shell starts background jobs with SIGINT ignored, and Python then
        leaves it ignored.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, _raise_interrupt)

    def restore_signal_handlers(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        stdout: int | None = None,
    ) -> Service:
        """Launch ``argv`` in a new session; output goes to ``log_path`` unless ``stdout`` given."""
        with self._lock:
            if self._closing:
                raise SandboxError("the sandbox is stopping; not starting " + name)
            log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
            try:
                process = subprocess.Popen(  # noqa: S603 - argv built by the sandbox, no shell
                    list(argv),
                    stdin=subprocess.DEVNULL,
                    stdout=stdout if stdout is not None else log,
                    stderr=subprocess.STDOUT if stdout is None else log,
                    env={**os.environ, **(env or {})},
                    cwd=cwd,
                    start_new_session=True,
                )
            except BaseException:
                log.close()  # nothing runs that would write to it
                raise
            service = Service(name, list(argv), log_path, process, _log=log, env=env, cwd=cwd)
            self.services.append(service)
            return service

    def restart(self, name: str, *, timeout: float = 180.0) -> Service:
        """Start the service ``name`` again with the same command (e.g. after it was killed).

        What is left of its process group is stopped first; a service that answered on a URL is
        waited for on that URL again.
        """
        old = next((s for s in self.services if s.name == name), None)
        if old is None:
            raise SandboxError(f"no service named {name!r} to restart")
        self.stop(old)
        new = self.start(name, old.argv, log_path=old.log_path, env=old.env, cwd=old.cwd)
        with self._lock:
            self.services.remove(new)
            self.services[self.services.index(old)] = new
        if old.url:
            self.wait_http(new, old.url, timeout=timeout)
        return new

    def wait_http(
        self,
        service: Service,
        url: str,
        *,
        timeout: float,
        ok: Callable[[requests.Response], bool] | None = None,
        verify: str | bool = True,
    ) -> None:
        """Poll ``url`` until it answers (bounded); fail early if the process died."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        with requests.Session() as session:
            session.trust_env = False
            while time.monotonic() < deadline:
                if not service.running:
                    code = service.process.returncode if service.process else None
                    raise SandboxError(
                        f"{service.name} exited (code {code}) while starting; its log "
                        f"{service.log_path} ends with:\n{tail(service.log_path)}"
                    )
                try:
                    reply = session.get(url, timeout=5, verify=verify)
                    if ok(reply) if ok else reply.status_code < 500:
                        service.url = url
                        return
                    last = f"HTTP {reply.status_code}"
                except requests.RequestException as error:
                    last = type(error).__name__
                time.sleep(0.5)
        raise SandboxError(
            f"{service.name} did not answer on {url} within {timeout:.0f} s ({last}); its log "
            f"{service.log_path} ends with:\n{tail(service.log_path)}"
        )

    def stop(self, service: Service, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM to the service's process group, bounded wait, then SIGKILL."""
        process = service.process
        if process is not None and process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
        if process is not None:
            # Workers left behind by a parent that died first are still in the group.
            _signal_group(process.pid, signal.SIGKILL)
        if service._log is not None:
            service._log.close()
            service._log = None
        service.stopped = True

    def stop_all(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop every service, newest first; safe to call more than once and from atexit.

        In the main thread, SIGINT, SIGTERM and SIGHUP are ignored (and noted in
        ``ignored_signals``) until the last service is stopped: an impatient second Ctrl+C must
        not abort the loop half-way. Should the loop still be cut short, the services it did not
        reach are not marked stopped, so the atexit call stops them.
        """
        with self._lock:
            self._closing = True
            services = [s for s in reversed(self.services) if not s.stopped]
        shielded = self._shield_signals()
        try:
            for service in services:
                self.stop(service, grace)
        finally:
            if shielded is not None:
                for signum, handler in shielded.items():
                    signal.signal(signum, handler)  # type: ignore[arg-type]
            self.restore_signal_handlers()

    def _shield_signals(self) -> dict[int, object] | None:
        """Note and ignore the stop signals; returns the handlers to put back (main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return None
        return {signum: signal.signal(signum, self._note_signal) for signum in STOP_SIGNALS}

    def _note_signal(self, signum: int, _frame: object) -> None:
        self.ignored_signals.append(signum)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
