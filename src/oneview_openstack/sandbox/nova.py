"""Nova with its ironic driver in the sandbox: cells set up, then API, conductor, scheduler, compute.

``plan`` picks Nova's (and its peers') ports before Ironic's config is written, so Ironic can be
told where Glance is; ``start_peers`` (RabbitMQ, Placement and Glance, their own modules, and
Nova's databases side by side) runs beside Ironic's and Neutron's start, and ``start_nova``
(Nova's processes) once those answer. Each is started the way an operator starts it (console scripts; the API under
gunicorn on Nova's WSGI module), on 127.0.0.1, with its output in the state folder, and stopped
by the sandbox's Supervisor.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from . import nova_configs
from .configs import Sections, render, write_private
from .database import Databases
from .nova_configs import NovaDatabases, Peers
from .processes import SandboxError, Service, Supervisor, free_port, tail
from .services import gunicorn, run_step, script

# Nova's daemons besides the API, in the order they start (compute last: it needs the others).
DAEMONS = ("nova-conductor", "nova-scheduler", "nova-compute")
COMPUTE_CONF = "nova-compute.conf"


@dataclass
class NovaPlan:
    """Where Nova and its peers will listen (chosen before anything starts)."""

    state_dir: Path
    api_port: int
    placement_port: int
    glance_port: int

    @property
    def folder(self) -> Path:
        return self.state_dir / "nova"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/v2.1"

    @property
    def placement_url(self) -> str:
        return f"http://127.0.0.1:{self.placement_port}"

    @property
    def glance_url(self) -> str:
        return f"http://127.0.0.1:{self.glance_port}"

    def peers(self, *, ironic_url: str, neutron_url: str, transport_url: str = "") -> Peers:
        return Peers(ironic_url, neutron_url, self.placement_url, self.glance_url, transport_url)


@dataclass
class Nova:
    """The running front door: Nova's API and the files an operator points clients at."""

    plan: NovaPlan
    conf: Path
    clouds_yaml: Path
    services: list[Service] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.plan.api_url


def plan(state_dir: Path) -> NovaPlan:
    """Ports for the Nova API, Placement and Glance; the Nova folder emptied of a previous run."""
    folder = state_dir / "nova"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "locks").mkdir(parents=True)
    (folder / "instances").mkdir()
    return NovaPlan(state_dir, free_port(), free_port(), free_port())


def configure(
    nova_plan: NovaPlan, peers: Peers, databases: NovaDatabases, *, ironic_url: str
) -> tuple[Path, Path]:
    """Write nova.conf (0600: the transport URL's password), api-paste.ini, the WSGI wrapper
    and clouds.yaml; returns (nova.conf, clouds.yaml)."""
    folder = nova_plan.folder
    conf = folder / "nova.conf"
    sections = nova_configs.nova_conf(
        nova_plan.state_dir, api_port=nova_plan.api_port, peers=peers, databases=databases
    )
    write_private(conf, render(sections))
    # nova-compute reaches the databases through the conductor only; given them, it complains.
    compute = {k: v for k, v in sections.items() if k not in ("database", "api_database")}
    write_private(folder / COMPUTE_CONF, render(compute))
    (folder / "api-paste.ini").write_text(nova_configs.API_PASTE)
    (folder / "nova_wsgi.py").write_text(nova_configs.NOVA_WSGI)
    clouds = nova_plan.state_dir / "clouds.yaml"
    clouds.write_text(
        nova_configs.clouds_yaml(compute_url=nova_plan.api_url, peers=peers, ironic_url=ironic_url)
    )
    return conf, clouds


def sync_databases(conf: Path, databases: NovaDatabases, out: Path) -> None:
    """The API database, cell0's mapping, then cell1's and cell0's schemas (``nova-manage``).

    :raises SandboxError: a step failed (its output is in ``out``).
    """
    manage = [script("nova-manage"), "--config-file", str(conf)]
    run_step([*manage, "api_db", "sync"], out, "creating Nova's API database")
    run_step(
        [*manage, "cell_v2", "map_cell0", "--database_connection", databases.cell0],
        out,
        "mapping Nova's cell0",
    )
    # Syncs cell1 ([database]) and cell0 (mapped above).
    run_step([*manage, "db", "sync"], out, "creating Nova's cell databases")


def create_cell(conf: Path, databases: NovaDatabases, transport_url: str, out: Path) -> None:
    """Map cell1 (its database and the broker its services talk over).

    :raises SandboxError: it failed (its output is in ``out``).
    """
    run_step(
        [script("nova-manage"), "--config-file", str(conf), "cell_v2", "create_cell",
         "--name", nova_configs.CELL, "--database_connection", databases.cell1,
         "--transport-url", transport_url],
        out,
        "creating Nova's cell1",
    )  # fmt: skip


def start_processes(
    supervisor: Supervisor, nova_plan: NovaPlan, conf: Path, *, timeout: float
) -> list[Service]:
    """Conductor, scheduler, compute and the API; returns once the API answers.

    :raises SandboxError: a process exited, or the API did not answer within ``timeout``.
    """
    folder = nova_plan.folder
    started = [
        supervisor.start(
            name,
            [
                script(name),
                "--config-file",
                str(conf.with_name(COMPUTE_CONF) if name == "nova-compute" else conf),
            ],
            log_path=folder / f"{name}.out",
        )
        for name in DAEMONS
    ]
    api = supervisor.start(
        "nova-api",
        gunicorn("nova_wsgi:application", nova_plan.api_port, threads=4, chdir=folder),
        log_path=folder / "nova-api.out",
        # Nova's WSGI app loads its paste pipeline from the first file, oslo.config reads all.
        env={"OS_NOVA_CONFIG_DIR": str(folder), "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"},
        cwd=folder,
    )  # fmt: skip
    supervisor.wait_http(
        api,
        nova_plan.api_url.rsplit("/", 1)[0] + "/",
        timeout=timeout,
        ok=lambda reply: reply.status_code == 200,
    )
    return [*started, api]


def wait_compute_up(nova: Nova, *, timeout: float) -> None:
    """Until the API lists nova-compute ``up`` (it registered and reports over RabbitMQ).

    :raises SandboxError: a Nova process exited, or compute was not up within ``timeout``.
    """
    deadline = time.monotonic() + timeout
    last = "not listed yet"
    with requests.Session() as session:
        session.trust_env = False
        session.headers.update(api_headers())
        while time.monotonic() < deadline:
            for service in nova.services:
                if not service.running:
                    raise SandboxError(
                        f"{service.name} exited; {service.log_path} ends with:\n"
                        f"{tail(service.log_path)}"
                    )
            reply = session.get(nova.api_url + "/os-services?binary=nova-compute", timeout=10)
            if reply.status_code == 200:
                found = reply.json().get("services", [])
                if any(s.get("state") == "up" for s in found):
                    return
                last = f"listed as {[s.get('state') for s in found]}"
            else:
                last = f"HTTP {reply.status_code}"
            time.sleep(0.5)
    log = nova.plan.folder / "nova-compute.out"
    raise SandboxError(
        f"nova-compute was not up within {timeout:.0f} s ({last}); {log} ends with:\n{tail(log)}"
    )


def discover_hosts(nova: Nova) -> None:
    """Map compute hosts that have nodes to cell1 (``nova-manage cell_v2 discover_hosts``).

    A compute host is mapped only once it has compute nodes, i.e. Ironic nodes it reported:
    after enrollment. The scheduler also discovers every few seconds; this makes it certain.

    :raises SandboxError: it failed (its output is in ``nova-manage.out``).
    """
    run_step(
        [script("nova-manage"), "--config-file", str(nova.conf), "cell_v2", "discover_hosts"],
        nova.plan.folder / "nova-manage.out",
        "mapping Nova's compute host to cell1",
    )


def api_headers() -> dict[str, str]:
    """What a client of the sandbox's Nova API sends (see ``nova_noauth``)."""
    return {
        "X-Auth-Token": nova_configs.TOKEN,
        "OpenStack-API-Version": f"compute {nova_configs.COMPUTE_API_VERSION}",
        "Accept": "application/json",
    }


def merge_sections(
    nova_plan: NovaPlan, ironic_conf: Sections, neutron_confs: Sequence[Sections]
) -> None:
    """Add what Ironic and every Neutron host need beside Nova to their configs (not written yet)."""
    peers = nova_plan.peers(ironic_url="", neutron_url="")
    nova_configs.merge(ironic_conf, nova_configs.ironic_sections(peers))
    for neutron_conf in neutron_confs:
        nova_configs.merge(neutron_conf, nova_configs.neutron_sections())


def database_urls(databases: Databases) -> tuple[NovaDatabases, str, str]:
    """Nova's, Placement's and Glance's oslo.db URLs (``database.NOVA_SERVICES``).

    Sqlite files get a 60 s busy timeout: Nova's API, conductor and scheduler are processes
    that write to one file each, and would otherwise fail with "database is locked".
    """

    def url(name: str) -> str:
        found = databases.url(name)
        return f"{found}?timeout=60" if found.startswith("sqlite") and "?" not in found else found

    return (
        NovaDatabases(url("nova_api"), url("nova_cell0"), url("nova")),
        url("placement"),
        url("glance"),
    )


@dataclass
class NovaPeers:
    """RabbitMQ, Placement and Glance running, Nova's databases and cell1 made: what Nova's own
    processes need to start (``start_nova``)."""

    plan: NovaPlan
    conf: Path
    clouds_yaml: Path
    seconds: float


def start_peers(
    supervisor: Supervisor,
    nova_plan: NovaPlan,
    *,
    ironic_url: str,
    neutron_url: str,
    databases: Databases,
    timeout: float = 300.0,
) -> NovaPeers:
    """RabbitMQ, Placement, Glance and Nova's databases side by side, then cell1 mapped.

    None of them needs Ironic or Neutron to answer yet (their URLs are only written into
    nova.conf and clouds.yaml), so the sandbox runs this beside their start.

    :raises SandboxError: a step failed or a process did not answer within ``timeout``.
    """
    from .glance import start_glance
    from .placement import start_placement
    from .rabbitmq import start_rabbitmq

    began = time.monotonic()
    state = nova_plan.state_dir
    nova_dbs, placement_db, glance_db = database_urls(databases)
    out = nova_plan.folder / "nova-manage.out"
    # The transport URL is only known once the broker runs: nova.conf is written twice.
    configure(nova_plan, nova_plan.peers(ironic_url=ironic_url, neutron_url=neutron_url,
              transport_url="rabbit://"), nova_dbs, ironic_url=ironic_url)  # fmt: skip
    with ThreadPoolExecutor(4) as pool:
        broker = pool.submit(start_rabbitmq, supervisor, state / "rabbitmq", timeout=timeout)
        peers: list[Future[Any]] = [
            pool.submit(start_placement, supervisor, state, database_url=placement_db,
                        port=nova_plan.placement_port, timeout=timeout),
            pool.submit(start_glance, supervisor, state, database_url=glance_db,
                        port=nova_plan.glance_port, timeout=timeout),
            pool.submit(sync_databases, nova_plan.folder / "nova.conf", nova_dbs, out),
        ]  # fmt: skip
        transport_url = broker.result().transport_url()
        for started in peers:
            started.result()
    conf, clouds = configure(
        nova_plan,
        nova_plan.peers(
            ironic_url=ironic_url, neutron_url=neutron_url, transport_url=transport_url
        ),
        nova_dbs,
        ironic_url=ironic_url,
    )
    create_cell(conf, nova_dbs, transport_url, out)
    return NovaPeers(nova_plan, conf, clouds, time.monotonic() - began)


def start_nova(supervisor: Supervisor, peers: NovaPeers, *, timeout: float = 300.0) -> Nova:
    """Nova's API, conductor, scheduler and compute on ``peers``; Ironic and Neutron must
    answer by now (nova-compute reads Ironic's nodes as it starts). Returns once compute is up.

    :raises SandboxError: a process exited or did not answer within ``timeout``.
    """
    began = time.monotonic()
    nova = Nova(peers.plan, peers.conf, peers.clouds_yaml)
    nova.services = start_processes(supervisor, peers.plan, peers.conf, timeout=timeout)
    wait_compute_up(nova, timeout=timeout)
    nova.timings = {"peers and databases": peers.seconds, "nova": time.monotonic() - began}
    return nova


def endpoints(nova: Nova) -> dict[str, str]:
    """Lines for the sandbox's endpoint list."""
    return {
        "Nova API": nova.api_url,
        "Placement API": nova.plan.placement_url,
        "Glance API": nova.plan.glance_url,
        "clouds.yaml": f"{nova.clouds_yaml} (export OS_CLIENT_CONFIG_FILE=<it> OS_CLOUD=sandbox)",
    }
