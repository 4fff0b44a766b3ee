"""The sandbox's databases: sqlite files (the embedded default) or a MariaDB server of its own.

``start`` gives the oslo.db URLs of Ironic's and Neutron's databases; None means the sqlite
default each config writes itself (Neutron's with its take-turns wrapper, see ``configs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .mariadb import start_mariadb
from .processes import SandboxError, Supervisor

KINDS = ("sqlite", "mariadb")
# One database per service on the one server, as a controller's MariaDB holds them.
SERVICES = ("ironic", "neutron")


@dataclass(frozen=True)
class Databases:
    """oslo.db URLs by service; None: that service's sqlite file in the state folder.

    The URLs carry the database password: they stay out of ``repr`` (and so out of logs).
    """

    kind: str
    ironic: str | None = field(default=None, repr=False)
    neutron: str | None = field(default=None, repr=False)


def start(supervisor: Supervisor, state_dir: Path, kind: str) -> Databases:
    """The databases of ``kind`` (``KINDS``); a MariaDB server is started under ``supervisor``.

    :raises SandboxError: ``kind`` is unknown, or MariaDB cannot start.
    """
    if kind not in KINDS:
        raise SandboxError(f"database {kind!r} is not one of {', '.join(KINDS)}")
    if kind == "sqlite":
        return Databases(kind)
    import pymysql  # the "mysql" extra, only needed here

    server = start_mariadb(supervisor, state_dir / "mariadb")
    urls: dict[str, str] = {}
    for name in SERVICES:
        try:
            urls[name] = server.create_database(name)
        except pymysql.err.MySQLError as error:
            raise SandboxError(
                f"MariaDB on port {server.port} would not create database {name!r} "
                f"({type(error).__name__}: {error}); see {state_dir / 'mariadb.log'}"
            ) from error
    return Databases(kind, ironic=urls["ironic"], neutron=urls["neutron"])
