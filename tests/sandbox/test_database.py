"""The sandbox's databases: a MariaDB server of its own (``--db mariadb``) or sqlite files.

The MariaDB test starts the real server through ``database.start``, as the sandbox does, and
talks to both databases with the URLs the configs receive.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from oneview_openstack.sandbox import configs, database
from oneview_openstack.sandbox.processes import SandboxError, Supervisor


def tables(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def leave_a_table(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE leftover (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql("INSERT INTO leftover VALUES (1)")
    finally:
        engine.dispose()


@pytest.mark.slow
def test_mariadb_serves_both_databases_and_a_restart_starts_them_empty(tmp_path: Path) -> None:
    for run in (1, 2):
        supervisor = Supervisor()
        try:
            found = database.start(supervisor, tmp_path, "mariadb")
            assert found.kind == "mariadb"
            urls = {"ironic": found.ironic, "neutron": found.neutron}
            for name, url in urls.items():
                assert url is not None
                assert url.startswith("mysql+pymysql://openstack:")
                assert url.endswith(f"/{name}?charset=utf8mb4")
                assert tables(url) == [], f"run {run}: {name} is not empty"
                leave_a_table(url)
                assert tables(url) == ["leftover"]
            assert (tmp_path / "mariadb" / "data").is_dir()
            password = found.ironic.split("@")[0].rsplit(":", 1)[1]
            assert len(password) >= 16 and password not in repr(found)
            # Each service sees its own database only.
            assert found.ironic != found.neutron
        finally:
            supervisor.stop_all()
        assert not any(service.running for service in supervisor.services)


def test_sqlite_leaves_each_service_its_own_file() -> None:
    found = database.start(Supervisor(), Path("/nonexistent"), "sqlite")
    assert found == database.Databases("sqlite", ironic=None, neutron=None)


def test_an_unknown_kind_is_refused_naming_it_and_the_choices() -> None:
    with pytest.raises(SandboxError, match=r"'postgres' is not one of sqlite, mariadb"):
        database.start(Supervisor(), Path("/nonexistent"), "postgres")


def generated(tmp_path: Path, database_url: str | None) -> dict[str, Path]:
    layout = configs.Layout(tmp_path, 6385, 9696)
    access = configs.OneViewAccess("https://127.0.0.1:1", "Administrator", "secret")
    choices = configs.IronicChoices(*([["fake"]] * 7))
    return configs.write_all(
        layout,
        configs.ironic_conf(layout, access, choices, database_url=database_url),
        configs.neutron_conf(
            layout, access, mechanism_drivers=["oneview"], database_url=database_url
        ),
    )


def test_on_a_database_server_neutron_neither_takes_turns_nor_reads_apart(tmp_path: Path) -> None:
    url = "mysql+pymysql://openstack:pw@127.0.0.1:3306/neutron?charset=utf8mb4"
    files = generated(tmp_path, url)
    neutron = files["neutron.conf"].read_text()
    assert f"connection = {url}" in neutron
    assert "slave_connection" not in neutron
    assert f"connection = {url}" in files["ironic.conf"].read_text()
    for script in ("neutron_wsgi.py", "neutron_periodic.py"):
        text = files[script].read_text()
        assert "BEGIN IMMEDIATE" not in text, script
        compile(text, script, "exec")
    assert "from neutron.wsgi.api import application" in files["neutron_wsgi.py"].read_text()


def test_on_sqlite_neutrons_transactions_take_turns(tmp_path: Path) -> None:
    files = generated(tmp_path, None)
    assert "slave_connection = sqlite:///" in files["neutron.conf"].read_text()
    for script in ("neutron_wsgi.py", "neutron_periodic.py"):
        assert "BEGIN IMMEDIATE" in files[script].read_text(), script
