"""The sandbox's databases: sqlite files (the embedded default) or a MariaDB server of its own.

``start`` gives the oslo.db URLs of Ironic's and Neutron's databases; None means the sqlite
default each config writes itself (Neutron's with its take-turns wrapper, see ``configs``).
Further services (Nova's front door, ``NOVA_SERVICES``) ask for theirs by name (``more``): a
database each on the MariaDB server, or a fresh sqlite file each in the state folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .mariadb import start_mariadb
from .processes import SandboxError, Supervisor

KINDS = ("sqlite", "mariadb")
# One database per service on the one server, as a controller's MariaDB holds them.
SERVICES = ("ironic", "neutron")
# Nova's API, cell0 and cell1 databases, Placement's and Glance's (``--nova``).
NOVA_SERVICES = ("nova_api", "nova_cell0", "nova", "placement", "glance")


@dataclass(frozen=True)
class Databases:
    """oslo.db URLs by service; None: that service's sqlite file in the state folder.

    The URLs carry the database password: they stay out of ``repr`` (and so out of logs).
    """

    kind: str
    ironic: str | None = field(default=None, repr=False)
    neutron: str | None = field(default=None, repr=False)
    more: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)

    def url(self, name: str) -> str:
        """The URL of ``name``, one of the further databases ``start`` was asked for.

        :raises SandboxError: ``start`` was not asked for ``name``.
        """
        try:
            return self.more[name]
        except KeyError:
            asked = ", ".join(self.more) or "none"
            raise SandboxError(
                f"no database {name!r} was created (asked for: {asked}); pass it to "
                "database.start(..., more=...)"
            ) from None


def start(
    supervisor: Supervisor, state_dir: Path, kind: str, *, more: Sequence[str] = ()
) -> Databases:
    """The databases of ``kind`` (``KINDS``); a MariaDB server is started under ``supervisor``.

    ``more``: further databases by name (e.g. ``NOVA_SERVICES``), each created empty.

    :raises SandboxError: ``kind`` is unknown, a name is not a plain identifier, or MariaDB
        cannot start or create a database.
    """
    if kind not in KINDS:
        raise SandboxError(f"database {kind!r} is not one of {', '.join(KINDS)}")
    for name in more:
        if not name.isidentifier() or name in SERVICES:
            raise SandboxError(
                f"database name {name!r} is not accepted: a further database is named like "
                f"a Python identifier (letters, digits, _) and is none of {', '.join(SERVICES)}"
            )
    if kind == "sqlite":
        return Databases(kind, more={name: _sqlite_file(state_dir, name) for name in more})
    import pymysql  # the "mysql" extra, only needed here

    server = start_mariadb(supervisor, state_dir / "mariadb")
    urls: dict[str, str] = {}
    for name in (*SERVICES, *more):
        try:
            urls[name] = server.create_database(name)
        except pymysql.err.MySQLError as error:
            raise SandboxError(
                f"MariaDB on port {server.port} would not create database {name!r} "
                f"({type(error).__name__}: {error}); see {state_dir / 'mariadb.log'}"
            ) from error
    return Databases(
        kind,
        ironic=urls.pop("ironic"),
        neutron=urls.pop("neutron"),
        more=urls,
    )


def _sqlite_file(state_dir: Path, name: str) -> str:
    """A fresh sqlite file (one a previous run left is removed, as MariaDB's are dropped)."""
    path = state_dir / f"{name}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"
