"""Starting the sandbox's services: the OneView simulator, Ironic, the Neutron API and its worker.

Each is a separate process started the way an operator would start it (console scripts from this
virtualenv), so the sandbox exercises the real entry points, config files and process models.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

from . import conductors
from .configs import Layout, render, write_private
from .processes import SandboxError, Supervisor, tail

BIN = Path(sys.executable).parent
# The Bare Metal API microversion that lists conductors (GET /v1/conductors).
CONDUCTORS_API_VERSION = "1.49"


@dataclass
class SimulatorInfo:
    url: str
    username: str
    password: str = field(repr=False)
    ca_file: str


def script(name: str) -> str:
    """A console script of this virtualenv (the sandbox never relies on PATH)."""
    path = BIN / name
    if not path.exists():
        raise SandboxError(
            f"{path} is missing: install the sandbox extras, e.g. "
            "`uv pip install -c constraints.txt -e '.[sandbox]'`."
        )
    return str(path)


def run_step(
    argv: list[str],
    log_path: Path,
    what: str,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 180.0,
) -> None:
    """A one-shot command (schema creation, stamping); its output goes to the log.

    ``subprocess.run`` kills the child if we are interrupted, so nothing outlives the sandbox.
    """
    with open(log_path, "ab") as log:
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise SandboxError(f"{what} took longer than {timeout:.0f} s") from error
    if done.returncode != 0:
        raise SandboxError(f"{what} failed (code {done.returncode}):\n{tail(log_path)}")


def start_simulator(
    supervisor: Supervisor,
    state_dir: Path,
    *,
    servers: int,
    seed: int,
    time_scale: float,
    timeout: float = 60.0,
) -> SimulatorInfo:
    """``oneview-simulator`` on a free port; reads its announcement for URL, CA and creds."""
    log_path = state_dir / "simulator.log"
    log_path.unlink(missing_ok=True)
    argv = [
        sys.executable, "-m", "oneview_openstack.simulator.cli",
        "--port", "0", "--state-dir", str(state_dir / "simulator"),
        "--servers", str(servers), "--seed", str(seed), "--time-scale", str(time_scale),
    ]  # fmt: skip
    service = supervisor.start("OneView simulator", argv, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fields = _announcement(log_path)
        if fields is not None:
            info = SimulatorInfo(
                fields["URL"], fields["username"], fields["password"], fields["CA file"]
            )
            service.url = info.url
            return info
        if not service.running:
            break
        time.sleep(0.2)
    supervisor.stop(service)
    raise SandboxError(f"the OneView simulator did not start:\n{tail(log_path)}")


def _announcement(log_path: Path) -> dict[str, str] | None:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return None
    if "Press Ctrl+C" not in text:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("  ") and ":" in line:
            key, _, value = line.strip().partition(":")
            fields[key] = value.strip()
    return fields


def start_ironic(
    supervisor: Supervisor, layout: Layout, conf: Path, *, timeout: float = 180.0
) -> None:
    """``ironic-dbsync create_schema``, then the combined ``ironic`` process, or (with
    ``layout.ironic_rpc_ports``) the conductors and ``ironic-api`` apart (``conductors``).

    :raises SandboxError: a step failed or a process did not answer within ``timeout``.
    """
    out = layout.path("ironic.out")
    run_step(
        [script("ironic-dbsync"), "--config-file", str(conf), "create_schema"],
        out,
        "creating Ironic's database",
    )
    if layout.ironic_rpc_ports:
        _start_split_ironic(supervisor, layout, conf, timeout)
        return
    service = supervisor.start(
        "Ironic", [script("ironic"), "--config-file", str(conf)], log_path=out
    )
    supervisor.wait_http(
        service,
        layout.ironic_url + "/v1",
        timeout=timeout,
        ok=lambda reply: reply.status_code == 200,
    )


def _start_split_ironic(supervisor: Supervisor, layout: Layout, conf: Path, timeout: float) -> None:
    """Every conductor and ``ironic-api``, each with ``conf`` and its own overlay file.

    Returns once the API answers and lists every conductor alive, so that the hash ring spreads
    the nodes enrolled next over all of them.
    """
    files: dict[str, Path] = {}
    for stem, sections in conductors.overlays(layout).items():
        for stale in (f"{stem}.log", f"{stem}.out"):
            layout.path(stale).unlink(missing_ok=True)
        files[stem] = layout.path(f"{stem}.conf")
        write_private(files[stem], render(sections))
    launcher = layout.path("ironic_conductor.py")
    launcher.write_text(conductors.LAUNCHER)
    for index in range(1, len(layout.ironic_rpc_ports) + 1):
        layout.path(f"locks-{conductors.name(index)}").mkdir(exist_ok=True)
        supervisor.start(
            conductors.service_name(index),
            [sys.executable, str(launcher), "--config-file", str(conf),
             "--config-file", str(files[conductors.name(index)])],
            log_path=layout.path(f"{conductors.name(index)}.out"),
        )  # fmt: skip
    api = supervisor.start(
        "Ironic API",
        [script("ironic-api"), "--config-file", str(conf),
         "--config-file", str(files["ironic-api"])],
        log_path=layout.path("ironic-api.out"),
    )  # fmt: skip
    supervisor.wait_http(
        api, layout.ironic_url + "/v1", timeout=timeout, ok=lambda reply: reply.status_code == 200
    )
    _wait_conductors_alive(supervisor, layout, timeout)


def _wait_conductors_alive(supervisor: Supervisor, layout: Layout, timeout: float) -> None:
    """Until the API lists every conductor alive (each registered and heartbeating)."""
    wanted = {conductors.host(port) for port in layout.ironic_rpc_ports}
    alive: set[str] = set()
    deadline = time.monotonic() + timeout
    with requests.Session() as session:
        session.trust_env = False
        session.headers["X-OpenStack-Ironic-API-Version"] = CONDUCTORS_API_VERSION
        while time.monotonic() < deadline:
            for service in supervisor.services:
                if service.name.startswith("Ironic conductor") and not service.running:
                    # Its output has what failed before logging began; its log, the rest.
                    log = service.log_path.with_suffix(".log")
                    raise SandboxError(
                        f"{service.name} exited while starting; {service.log_path} ends "
                        f"with:\n{tail(service.log_path)}\nand {log} with:\n{tail(log)}"
                    )
            reply = session.get(layout.ironic_url + "/v1/conductors", timeout=5)
            if reply.status_code == 200:
                listed = reply.json().get("conductors", [])
                alive = {c.get("hostname") for c in listed if c.get("alive")}
                if wanted <= alive:
                    return
            time.sleep(0.5)
    raise SandboxError(
        f"Ironic's conductors {sorted(wanted - alive)} did not register within {timeout:.0f} s; "
        f"see {layout.path(conductors.name(1) + '.log')} and the others"
    )


def start_neutron(
    supervisor: Supervisor,
    layout: Layout,
    conf: Path,
    *,
    timeout: float = 180.0,
    workers: int = 1,
    threads: int = 1,
    other_hosts: Sequence[tuple[Path, int]] = (),
) -> None:
    """Neutron's schema, the API under gunicorn, and ``neutron-periodic-workers``.

    ``workers`` processes of ``threads`` threads serve the API. On sqlite they share one file,
    so the WSGI wrapper makes every transaction wait for the write lock (see ``configs``); on
    MariaDB (``--db mariadb``) they use the server as a production Neutron does. ``other_hosts``
    (config file, port) are further API "hosts" on the same database, each a gunicorn of its
    own (the periodic worker runs once).
    """
    out = layout.path("neutron.out")
    create_neutron_schema(layout, conf, out)
    apis = [("Neutron API", conf, layout.neutron_port, out)]
    apis += [
        (f"Neutron API ({extra.stem})", extra, port, layout.path(f"{extra.stem}.out"))
        for extra, port in other_hosts
    ]
    started = [
        (
            supervisor.start(
                name,
                _gunicorn(layout, port, workers, threads),
                log_path=log,
                env={
                    "OS_NEUTRON_CONFIG_DIR": str(layout.state_dir),
                    "OS_NEUTRON_CONFIG_FILES": host_conf.name,
                },
                cwd=layout.state_dir,
            ),
            port,
        )
        for name, host_conf, port, log in apis
    ]
    for api, port in started:
        supervisor.wait_http(
            api,
            f"http://127.0.0.1:{port}/v2.0/networks",
            timeout=timeout,
            ok=lambda reply: reply.status_code == 200,
        )
    supervisor.start(
        "Neutron periodic worker",
        [sys.executable, str(layout.path("neutron_periodic.py")), "--config-file", str(conf)],
        log_path=layout.path("neutron-periodic.out"),
    )


def create_neutron_schema(layout: Layout, conf: Path, out: Path) -> None:
    """Neutron's migrations on a database server; on sqlite (which they do not support) the
    schema from the models, then stamped at the migrations' heads.

    On MariaDB ``upgrade heads`` takes about 9 s and models + stamp about 14 s: the real
    migrations are also the faster path there.
    """
    manage = [script("neutron-db-manage"), "--config-file", str(conf)]
    if not _database_connection(conf).startswith("sqlite"):
        run_step([*manage, "upgrade", "heads"], out, "migrating Neutron's database")
        return
    run_step(
        [
            sys.executable,
            str(layout.path("neutron_schema.py")),
            f"sqlite:///{layout.path('neutron.db')}",
        ],
        out,
        "creating Neutron's database",
    )
    run_step([*manage, "stamp", "heads"], out, "stamping Neutron's database")


def _database_connection(conf: Path) -> str:
    """The [database] connection a generated config names (it holds a password: never log it)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf)
    return parser.get("database", "connection")


def gunicorn(
    app: str, port: int, *, workers: int = 1, threads: int = 1, chdir: Path | None = None
) -> list[str]:
    """gunicorn serving the WSGI ``app`` (``module:callable``) on 127.0.0.1:``port``.

    Every API of the sandbox (Neutron, Placement, Glance, Nova) is started this way, as an
    operator runs one without Apache.
    """
    return [
        script("gunicorn"), *(["--chdir", str(chdir)] if chdir else []),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads),
        "--timeout", "300", "--graceful-timeout", "5",
        # gunicorn 27's control socket is one path per user: two sandboxes would share it.
        "--no-control-socket",
        app,
    ]  # fmt: skip


def _gunicorn(layout: Layout, port: int, workers: int, threads: int) -> list[str]:
    return gunicorn(
        "neutron_wsgi:application", port, workers=workers, threads=threads, chdir=layout.state_dir
    )
