"""A throw-away MariaDB server (Debian's ``mariadb-server``) on a free 127.0.0.1 port.

Operators run Ironic and Neutron on MariaDB (Galera on three controllers); the production-shape
tests and ``oneview-openstack sandbox --db mariadb`` start one of their own: a fresh datadir in
the state folder, no system service, no file outside that folder, stopped with the sandbox. Each
service gets its own database and a user whose random password lives only in the 0600 configs.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .processes import SandboxError, Supervisor, free_port, tail
from .services import run_step

MARIADBD = Path("/usr/sbin/mariadbd")
INSTALL_DB = Path("/usr/bin/mariadb-install-db")
USER = "openstack"
# Debian's package; ``./dev test`` installs it when missing.
PACKAGE = "mariadb-server"


@dataclass
class MariaDB:
    """A running server: where it listens and how to reach one database on it."""

    port: int
    data_dir: Path
    password: str = field(repr=False)

    def url(self, database: str) -> str:
        """The oslo.db URL of ``database`` (created by :meth:`create_database`)."""
        return (
            f"mysql+pymysql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"
            "?charset=utf8mb4"
        )

    def create_database(self, name: str) -> str:
        """Create ``name`` (empty; dropped first if a previous run left it); returns its URL."""
        import pymysql

        connection = pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
                cursor.execute(
                    f"CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1' IDENTIFIED BY %s",
                    (self.password,),
                )
                cursor.execute(f"GRANT ALL ON `{name}`.* TO '{USER}'@'127.0.0.1'")
            connection.commit()
        finally:
            connection.close()
        return self.url(name)


def available() -> bool:
    return MARIADBD.exists() and INSTALL_DB.exists()


def start_mariadb(supervisor: Supervisor, data_dir: Path, *, timeout: float = 60.0) -> MariaDB:
    """Initialise ``data_dir`` afresh and start ``mariadbd`` on it under ``supervisor``.

    :raises SandboxError: the package is missing, or the server did not answer in ``timeout``.
    """
    if not available():
        raise SandboxError(
            f"{MARIADBD} is missing: install Debian's {PACKAGE} (`apt-get install {PACKAGE}`), "
            "or use the embedded default, --db sqlite"
        )
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    log = data_dir.parent / f"{data_dir.name}.log"
    log.unlink(missing_ok=True)
    run_step(
        [
            str(INSTALL_DB), "--no-defaults", f"--datadir={data_dir / 'data'}", "--user=root",
            "--auth-root-authentication-method=normal", "--skip-test-db",
        ],
        log,
        "initialising MariaDB's datadir",
        timeout=timeout,
    )  # fmt: skip
    port = free_port()
    argv = [
        str(MARIADBD), "--no-defaults", f"--datadir={data_dir / 'data'}", "--user=root",
        "--bind-address=127.0.0.1", f"--port={port}", f"--socket={data_dir / 'mysqld.sock'}",
        f"--pid-file={data_dir / 'mysqld.pid'}", "--skip-name-resolve",
        # Enough for two Neutron hosts, two conductors, an API and their pools.
        "--max-connections=1000",
        # A test server: durability traded for speed (the datadir is thrown away anyway).
        "--innodb-flush-log-at-trx-commit=0", "--sync-binlog=0",
        "--innodb-buffer-pool-size=256M",
    ]  # fmt: skip
    service = supervisor.start("MariaDB", argv, log_path=log)
    server = MariaDB(port, data_dir, secrets.token_urlsafe(18))
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if not service.running:
            raise SandboxError(f"MariaDB exited while starting; {log} ends with:\n{tail(log)}")
        try:
            _ping(port)
            return server
        except Exception as error:  # pymysql raises several kinds while the server starts
            last = type(error).__name__
        time.sleep(0.2)
    supervisor.stop(service)
    raise SandboxError(f"MariaDB did not answer on port {port} in {timeout:.0f} s ({last})")


def _ping(port: int) -> None:
    import pymysql

    pymysql.connect(
        host="127.0.0.1", port=port, user="root", password="", connect_timeout=2
    ).close()


@contextlib.contextmanager
def running_mariadb(data_dir: Path, timeout: float = 60.0) -> Iterator[MariaDB]:
    """A server of its own for one test or session, stopped (and its datadir left) after."""
    supervisor = Supervisor()
    try:
        yield start_mariadb(supervisor, data_dir, timeout=timeout)
    finally:
        supervisor.stop_all()
