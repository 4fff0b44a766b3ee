"""A real Neutron API (gunicorn, N workers, sqlite) with the ``oneview`` driver, for benchmarks.

Recipe from the team's notes: schema from the models + ``stamp heads`` (sqlite cannot run the
migrations), noauth, the fake oslo.messaging transport, and the sandbox's WSGI wrapper (it hides
gunicorn's argv from oslo.config and makes sqlite transactions wait for each other). No Ironic:
the benchmark only creates networks.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from _simproc import RunningSimulator
from oneview_openstack.sandbox.neutron_scripts import NEUTRON_SCHEMA, NEUTRON_WSGI


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _conf(work: Path, sim: RunningSimulator, uplink_set: str) -> str:
    venv = Path(sys.executable).parent.parent
    return f"""[DEFAULT]
core_plugin = ml2
service_plugins =
auth_strategy = noauth
transport_url = fake:/
api_paste_config = {venv}/etc/neutron/api-paste.ini
log_file = {work}/neutron.log
state_path = {work}
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = sqlite:///{work}/neutron.db
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
[oslo_concurrency]
lock_path = {work}/locks
[oslo_policy]
enforce_new_defaults = false
[ml2]
type_drivers = vlan,flat
project_network_types = vlan
mechanism_drivers = oneview
[ml2_type_vlan]
network_vlan_ranges = physnet1:1:4094
[oneview]
manager_url = {sim.url}
username = {sim.username}
password = {sim.password}
tls_cacert_file = {sim.ca_file}
uplink_set_mappings = physnet1:{uplink_set}
task_poll_interval = 0.002
task_poll_max_interval = 0.02
reconcile_interval = 0
"""


@contextlib.contextmanager
def neutron_api(
    sim: RunningSimulator, uplink_set: str, workers: int, threads: int
) -> Iterator[str]:
    """Yield the URL of a Neutron API served by ``workers`` gunicorn processes."""
    with tempfile.TemporaryDirectory(prefix="ov-neutron-bench-") as tmp:
        work = Path(tmp)
        (work / "locks").mkdir()
        (work / "neutron.conf").write_text(_conf(work, sim, uplink_set))
        (work / "neutron_wsgi.py").write_text(NEUTRON_WSGI)
        (work / "schema.py").write_text(NEUTRON_SCHEMA)
        bindir = Path(sys.executable).parent
        run = {"check": True, "timeout": 300, "capture_output": True}
        subprocess.run(
            [sys.executable, str(work / "schema.py"), f"sqlite:///{work}/neutron.db"], **run
        )
        subprocess.run(
            [
                str(bindir / "neutron-db-manage"),
                "--config-file",
                str(work / "neutron.conf"),
                "stamp",
                "heads",
            ],
            **run,
        )
        port = _free_port()
        env = {
            **os.environ,
            "OS_NEUTRON_CONFIG_DIR": str(work),
            "OS_NEUTRON_CONFIG_FILES": "neutron.conf",
        }
        with open(work / "gunicorn.out", "w") as out:
            server = subprocess.Popen(
                [
                    str(bindir / "gunicorn"),
                    "--chdir",
                    str(work),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--timeout",
                    "300",
                    "neutron_wsgi:application",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                with contextlib.suppress(requests.RequestException):
                    if requests.get(url + "/v2.0/networks", timeout=5).status_code == 200:
                        break
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((work / "gunicorn.out").read_text()[-3000:])
                time.sleep(0.25)
            # every worker loads the driver lazily: warm them all up before measuring
            for _ in range(workers * 4):
                requests.get(url + "/v2.0/networks", timeout=60)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(20)
