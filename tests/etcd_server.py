"""A throw-away etcd (Debian's /usr/bin/etcd) for tests that coordinate through tooz.

Each user starts its own, on free loopback ports with its data in a temporary folder, and kills
it afterwards, so no test shares coordination state with another. ``url`` is the tooz URL
(``etcd3+http://127.0.0.1:<port>``).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from oneview_openstack.simulator.testing import wait_until

ETCD = Path("/usr/bin/etcd")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Etcd:
    client_url: str  # http://127.0.0.1:<port>
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The tooz backend URL."""
        return "etcd3+" + self.client_url

    def healthy(self) -> bool:
        with contextlib.suppress(requests.RequestException, ValueError):
            reply = requests.get(self.client_url + "/health", timeout=2)
            return reply.status_code == 200 and reply.json().get("health") == "true"
        return False


@contextlib.contextmanager
def running_etcd(data_dir: Path, timeout: float = 30.0) -> Iterator[Etcd]:
    """Start etcd in ``data_dir``, wait until ``/health`` answers, kill it on the way out."""
    if not ETCD.exists():
        raise RuntimeError(f"{ETCD} is missing: apt-get install etcd-server")
    client = f"http://127.0.0.1:{_free_port()}"
    peer = f"http://127.0.0.1:{_free_port()}"
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir.parent / f"{data_dir.name}.log", "wb")  # noqa: SIM115 - closed below
    argv = [
        str(ETCD),
        "--name", "default",
        "--data-dir", str(data_dir),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", f"default={peer}",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    etcd = Etcd(client, process)
    try:
        wait_until(
            lambda: etcd.healthy() or process.poll() is not None,
            timeout=timeout,
            what=f"etcd at {client} to answer /health",
        )
        if process.poll() is not None:
            raise RuntimeError(
                f"etcd exited with {process.returncode}: "
                + (data_dir.parent / f"{data_dir.name}.log").read_text(errors="replace")[-2000:]
            )
        yield etcd
    finally:
        process.kill()
        process.wait(timeout=30)
        log.close()
