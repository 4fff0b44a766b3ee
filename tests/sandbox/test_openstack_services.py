"""Placement and Glance for the sandbox's Nova, as real gunicorn processes on 127.0.0.1.

Both run on the sandbox's MariaDB (``database.start(..., more=...)``) as ``--db mariadb`` has
them, and once on their sqlite files (the embedded default); each is asked what Nova and Ironic
ask of it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import requests

from oneview_openstack.sandbox import database
from oneview_openstack.sandbox.glance import start_glance
from oneview_openstack.sandbox.placement import ADMIN_TOKEN, start_placement
from oneview_openstack.sandbox.processes import SandboxError, Service, Supervisor

PLACEMENT_HEADERS = {"X-Auth-Token": ADMIN_TOKEN, "OpenStack-API-Version": "placement 1.39"}
LOOPBACK = {"127.0.0.1", "::1"}


@dataclass
class Stack:
    state_dir: Path
    databases: database.Databases
    placement: Service
    glance: Service
    supervisor: Supervisor


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state_dir = tmp_path_factory.mktemp("state")
    supervisor = Supervisor()
    try:
        found = database.start(supervisor, state_dir, "mariadb", more=("placement", "glance"))
        placement, glance = start_both(supervisor, state_dir, found)
        yield Stack(state_dir, found, placement, glance, supervisor)
    finally:
        supervisor.stop_all()
    assert not any(service.running for service in supervisor.services)


def start_both(
    supervisor: Supervisor, state_dir: Path, found: database.Databases
) -> tuple[Service, Service]:
    """Both at once, from two threads, as the sandbox starts them beside RabbitMQ."""
    with ThreadPoolExecutor(2) as pool:
        placement = pool.submit(
            start_placement, supervisor, state_dir, database_url=found.url("placement")
        )
        glance = pool.submit(start_glance, supervisor, state_dir, database_url=found.url("glance"))
        return placement.result(), glance.result()


def session() -> requests.Session:
    client = requests.Session()
    client.trust_env = False
    return client


def group_processes(service: Service) -> list[psutil.Process]:
    assert service.process is not None
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == service.process.pid:
                found.append(process)
        except (psutil.Error, ProcessLookupError):
            continue
    return found


@pytest.mark.slow
def test_placement_answers_its_root_and_keeps_a_resource_provider(stack: Stack) -> None:
    url = stack.placement.url
    assert url is not None and urlsplit(url).hostname == "127.0.0.1"
    with session() as client:
        root = client.get(url, timeout=10)
        assert root.status_code == 200
        assert root.json()["versions"][0]["status"] == "CURRENT"
        # noauth2 wants a token on everything but the root.
        assert client.get(f"{url}/resource_providers", timeout=10).status_code == 401
        created = client.post(
            f"{url}/resource_providers",
            json={"name": "oneview-node-1"},
            headers=PLACEMENT_HEADERS,
            timeout=10,
        )
        assert created.status_code == 200, created.text
        uuid = created.json()["uuid"]
        # As nova-compute does for a node's resource class: define it, then give the node one.
        defined = client.put(
            f"{url}/resource_classes/CUSTOM_BAREMETAL_GEN10", headers=PLACEMENT_HEADERS, timeout=10
        )
        assert defined.status_code == 201, defined.text
        inventory = client.put(
            f"{url}/resource_providers/{uuid}/inventories",
            json={
                "resource_provider_generation": 0,
                "inventories": {"CUSTOM_BAREMETAL_GEN10": {"total": 1}},
            },
            headers=PLACEMENT_HEADERS,
            timeout=10,
        )
        assert inventory.status_code == 200, inventory.text
        listed = client.get(
            f"{url}/resource_providers",
            params={"resources": "CUSTOM_BAREMETAL_GEN10:1"},
            headers=PLACEMENT_HEADERS,
            timeout=10,
        )
    assert listed.status_code == 200
    assert [p["uuid"] for p in listed.json()["resource_providers"]] == [uuid]


@pytest.mark.slow
def test_glance_keeps_an_uploaded_image_in_the_state_folder_and_serves_it_back(
    stack: Stack,
) -> None:
    url = stack.glance.url
    assert url is not None and urlsplit(url).hostname == "127.0.0.1"
    data = os.urandom(2 * 1024 * 1024 + 17)
    with session() as client:
        created = client.post(
            f"{url}/v2/images",
            json={
                "name": "sandbox-disk",
                "disk_format": "raw",
                "container_format": "bare",
                "visibility": "public",
            },
            timeout=10,
        )
        assert created.status_code == 201, created.text
        image_id = created.json()["id"]
        uploaded = client.put(
            f"{url}/v2/images/{image_id}/file",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
            timeout=60,
        )
        assert uploaded.status_code == 204, uploaded.text
        shown = client.get(f"{url}/v2/images/{image_id}", timeout=10).json()
        downloaded = client.get(f"{url}/v2/images/{image_id}/file", timeout=60)
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert downloaded.status_code == 200 and downloaded.content == data
    stored = stack.state_dir / "glance" / "images" / image_id
    assert stored.read_bytes() == data


@pytest.mark.slow
def test_the_database_password_is_in_no_log_repr_or_command_line(stack: Stack) -> None:
    urls = [stack.databases.url("placement"), stack.databases.url("glance")]
    password = urlsplit(urls[0]).password
    assert password and len(password) >= 16
    assert password not in repr(stack.databases)
    logs = [stack.state_dir / f"{name}.{kind}" for name in ("placement", "glance")
            for kind in ("log", "out")]  # fmt: skip
    for log in logs:
        text = log.read_text(errors="replace")
        assert text, log
        assert password not in text, log
    confs = [
        stack.state_dir / "placement" / "placement.conf",
        stack.state_dir / "glance" / "glance-api.conf",
    ]
    for conf, url in zip(confs, urls, strict=True):
        assert stat.S_IMODE(conf.stat().st_mode) == 0o600, conf
        assert f"connection = {url}" in conf.read_text()
    for service in (stack.placement, stack.glance):
        processes = group_processes(service)
        assert len(processes) >= 2, service.name  # gunicorn's arbiter and its worker
        for process in processes:
            assert password not in " ".join(process.cmdline())
            assert password not in str(service)


@pytest.mark.slow
def test_both_listen_on_loopback_only(stack: Stack) -> None:
    for service in (stack.placement, stack.glance):
        pids = {p.pid for p in group_processes(service)}
        sockets = {
            (c.laddr.ip, c.laddr.port)
            for c in psutil.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.pid in pids
        }
        assert service.url is not None
        assert ("127.0.0.1", urlsplit(service.url).port) in sockets, service.name
        assert {ip for ip, _port in sockets} <= LOOPBACK, (service.name, sockets)


@pytest.mark.slow
def test_on_sqlite_each_keeps_its_own_file_in_the_state_folder(tmp_path: Path) -> None:
    supervisor = Supervisor()
    try:
        found = database.start(supervisor, tmp_path, "sqlite", more=("placement", "glance"))
        placement, glance = start_both(supervisor, tmp_path, found)
        with session() as client:
            providers = client.get(
                f"{placement.url}/resource_providers", headers=PLACEMENT_HEADERS, timeout=10
            )
            images = client.get(f"{glance.url}/v2/images", timeout=10)
    finally:
        supervisor.stop_all()
    assert not any(service.running for service in supervisor.services)
    assert providers.status_code == 200 and providers.json() == {"resource_providers": []}
    assert images.status_code == 200 and images.json()["images"] == []
    for name in ("placement", "glance"):
        assert found.url(name) == f"sqlite:///{tmp_path / name}.db"
        assert (tmp_path / f"{name}.db").stat().st_size > 0


def test_a_database_not_asked_for_is_refused_naming_the_ones_that_were(tmp_path: Path) -> None:
    found = database.start(Supervisor(), tmp_path, "sqlite", more=("placement",))
    with pytest.raises(SandboxError, match=r"no database 'glance' .*asked for: placement"):
        found.url("glance")


@pytest.mark.parametrize("name", ["ironic", "nova-api", "x; DROP DATABASE y"])
def test_a_further_database_named_unlike_an_identifier_or_like_ironic_is_refused(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(SandboxError, match="is not accepted"):
        database.start(Supervisor(), tmp_path, "mariadb", more=(name,))
