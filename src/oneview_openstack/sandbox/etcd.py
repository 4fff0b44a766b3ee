"""A throw-away etcd (Debian's ``etcd-server``) for the sandbox's Neutron hosts to coordinate on.

Production Neutron hosts share ``[oneview] coordination_backend_url`` (tooz on etcd); the sandbox
started with ``--etcd`` (or ``--production-shape``) runs one of its own: free 127.0.0.1 ports, its
data in the state folder, stopped with the sandbox. The tests start theirs the same way.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from .processes import SandboxError, Supervisor, free_port, tail

ETCD = Path("/usr/bin/etcd")
PACKAGE = "etcd-server"


@dataclass(frozen=True)
class Etcd:
    client_url: str  # http://127.0.0.1:<port>

    @property
    def url(self) -> str:
        """The tooz backend URL (``[oneview] coordination_backend_url``)."""
        return "etcd3+" + self.client_url

    def healthy(self) -> bool:
        with contextlib.suppress(requests.RequestException, ValueError):
            reply = requests.get(self.client_url + "/health", timeout=2)
            return reply.status_code == 200 and reply.json().get("health") == "true"
        return False


def start_etcd(supervisor: Supervisor, data_dir: Path, *, timeout: float = 30.0) -> Etcd:
    """Start etcd on a fresh ``data_dir`` under ``supervisor``; wait until ``/health`` answers.

    :raises SandboxError: the package is missing, or etcd did not become healthy in ``timeout``.
    """
    if not ETCD.exists():
        raise SandboxError(
            f"{ETCD} is missing: install Debian's {PACKAGE} (`apt-get install {PACKAGE}`)"
        )
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    log = data_dir.parent / f"{data_dir.name}.log"
    log.unlink(missing_ok=True)
    client = f"http://127.0.0.1:{free_port()}"
    peer = f"http://127.0.0.1:{free_port()}"
    argv = [
        str(ETCD), "--name", "sandbox", "--data-dir", str(data_dir),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", f"sandbox={peer}",
    ]  # fmt: skip
    service = supervisor.start("etcd", argv, log_path=log)
    etcd = Etcd(client)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.running:
            raise SandboxError(f"etcd exited while starting; {log} ends with:\n{tail(log)}")
        if etcd.healthy():
            service.url = client
            return etcd
        time.sleep(0.2)
    supervisor.stop(service)
    raise SandboxError(f"etcd did not answer {client}/health in {timeout:.0f} s:\n{tail(log)}")


@contextlib.contextmanager
def running_etcd(data_dir: Path, timeout: float = 30.0) -> Iterator[Etcd]:
    """An etcd of its own for one test, stopped afterwards."""
    supervisor = Supervisor()
    try:
        yield start_etcd(supervisor, data_dir, timeout=timeout)
    finally:
        supervisor.stop_all()
