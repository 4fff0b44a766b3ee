"""The small Python files the sandbox runs Neutron through (written into its state folder).

``neutron_wsgi.py`` is the API for gunicorn, ``neutron_periodic.py`` the periodic worker, and
``neutron_schema.py`` builds a sqlite schema from the models. On sqlite the first two carry the
"take turns" wrapper below; on a database server (MariaDB) they do not need it.
"""

from __future__ import annotations

# Several processes share Neutron's sqlite file (in WAL mode: readers and the writer never wait
# for each other). A writing transaction takes the write lock up front (BEGIN IMMEDIATE) and
# waits for it, instead of failing with "database is locked" when a reader tries to become a
# writer beside another writer. Reading transactions (oslo.db's READER, sent to their own engine
# on the same file by ``slave_connection`` and ``synchronous_reader = False``) take no lock:
# Neutron reads with a fresh admin context inside a read (the trunk plugin's port extension
# does), which would wait for itself if every transaction held the write lock.
SQLITE_TAKES_TURNS = """
from neutron_lib.db import api as _db_api
from sqlalchemy import event
from sqlalchemy.engine import Engine

_db_api.get_context_manager().configure(synchronous_reader=False)
_READER_ENGINE = []


def _reads_only(engine):
    if not _READER_ENGINE:
        _READER_ENGINE.append(_db_api.get_context_manager().reader.get_engine())
    return engine is _READER_ENGINE[0]


@event.listens_for(Engine, "connect")
def _connect(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout = 120000")


@event.listens_for(Engine, "begin")
def _begin(connection):  # before oslo.db's own "BEGIN" listener, which then stands aside
    if "in_transaction" not in connection.info:
        reads = _reads_only(connection.engine)
        connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")
        connection.info["in_transaction"] = True
"""


def neutron_wsgi(sqlite: bool = True) -> str:
    """The Neutron API's WSGI module; on sqlite its transactions take turns (SQLITE_TAKES_TURNS)."""
    where = "a sqlite file shared with other processes" if sqlite else "a database server"
    return (
        f'''"""The Neutron API for gunicorn, on {where}.

Neutron reads sys.argv, which holds gunicorn's own flags: it is hidden during the import.
"""
import sys
'''
        + (SQLITE_TAKES_TURNS if sqlite else "")
        + """

_argv = sys.argv
sys.argv = [_argv[0]]
from neutron.wsgi.api import application  # noqa: E402,F401

sys.argv = _argv
"""
    )


def neutron_periodic(sqlite: bool = True) -> str:
    """``neutron-periodic-workers``; on sqlite taking turns with the API workers."""
    where = "the sqlite file the API workers share" if sqlite else "the API workers' database"
    return (
        f'''"""``neutron-periodic-workers`` on {where}."""
import sys
'''
        + (SQLITE_TAKES_TURNS if sqlite else "")
        + """

from neutron.cmd.server import main_periodic  # noqa: E402

sys.exit(main_periodic())
"""
    )


NEUTRON_WSGI = neutron_wsgi(sqlite=True)
NEUTRON_PERIODIC = neutron_periodic(sqlite=True)

NEUTRON_SCHEMA = '''"""Neutron's sqlite schema from its models (its migrations need MySQL), then stamped."""
import sys

import sqlalchemy as sa
from neutron.db.migration.models import head

engine = sa.create_engine(sys.argv[1])
head.get_metadata().create_all(engine)
with engine.connect() as connection:  # persistent: every later connection is in WAL mode
    connection.exec_driver_sql("PRAGMA journal_mode = WAL")
'''
