"""Ironic's periodic power-state sync of N ``oneview`` nodes: our fleet snapshot vs one GET per node.

Run: ``.venv/bin/python benchmarks/power_sync.py [--nodes 100 1000 5000] [--latency 0.02]``.

For each N, a simulator with N servers runs in its own process (HTTPS, every ``/rest`` request
delayed by ``--latency`` seconds, like a remote appliance), and Ironic's real ``ConductorManager``
(on Ironic's own test database, sqlite in memory, with a thread pool as in a real conductor and the
default 8 sync workers) runs ``_sync_power_states`` over N nodes, each bound to one server.

Two patterns, the same conductor and client:

* ``snapshot``: ours (``power_state_cache_ttl`` 30 s). The snapshot is cleared before every
  measured sync, because Ironic's sync interval (120 s) is longer than the TTL: each sync pays for
  a fresh fleet listing.
* ``per-node``: the upstream driver's pattern, one ``GET /rest/server-hardware/{id}`` per node
  (``power_state_cache_ttl = 0``); its session is reused, which is kinder than the upstream
  driver, which also logged in per operation.

Counted: OneView requests per sync (the simulator's ``/_sim/stats``) and wall time, the median of
``--repeat`` syncs after one warm-up sync. Results go to stdout and docs/benchmarks/power_sync.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import futurist
import ironic.tests.unit.db.base  # noqa: F401 - selects oslo.service's backend first
import requests
from ironic.common import states
from ironic.db import api as dbapi
from ironic.db.sqlalchemy import migration
from ironic.tests import base as ironic_test_base
from ironic.tests.unit.conductor import mgr_utils
from ironic.tests.unit.objects import utils as obj_utils

from _simproc import RunningSimulator, simulator_process, write_results
from oneview_openstack.client import OneViewClient
from oneview_openstack.ironic import hardware  # noqa: F401 - loaded before stevedore looks
from oneview_openstack.ironic.common import CONF
from oneview_openstack.ironic.snapshot import SNAPSHOT

CHILD_MARK = "RESULT "
RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "power_sync.json"


class Sim:
    def __init__(self, sim: RunningSimulator) -> None:
        self.url = sim.url
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = sim.ca_file

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.http.request(method, self.url + path, timeout=120, **kwargs)
        reply.raise_for_status()
        return reply.json() if reply.content else None

    def oneview_requests(self) -> int:
        routes = self.call("GET", "/_sim/stats")["byRoute"]
        return sum(n for route, n in routes.items() if "/_sim" not in route)


class Bench(mgr_utils.ServiceSetUpMixin, ironic_test_base.TestCase):
    """Ironic's test base used as a harness (config, conductor), not as a test.

    The database is a sqlite file (Ironic's unit-test database is one in-memory connection, which
    the conductor's parallel sync workers cannot share).
    """

    def setUp(self) -> None:
        super().setUp()
        work = tempfile.TemporaryDirectory(prefix="power-sync-")
        self.addCleanup(work.cleanup)
        self.config(connection=f"sqlite:///{work.name}/ironic.db", group="database")
        migration.create_schema()
        self.dbapi = dbapi.get_instance()

    def _clear_attrs(self) -> None:
        pass

    def runTest(self) -> None:  # unittest wants one
        pass


def _servers(client: OneViewClient) -> list[str]:
    return [s["uri"] for s in client.server_hardware.iter()]


def run_size(count: int, latency: float, repeat: int) -> dict[str, Any]:
    with simulator_process("--servers", str(count), "--time-scale", "0.0005") as sim:
        http = Sim(sim)
        bench = Bench()
        bench.setUp()
        signal.alarm(0)  # Ironic's test base arms a 60 s alarm per test; this is no test
        try:
            bench.config(
                enabled_hardware_types=["oneview"],
                enabled_power_interfaces=["oneview"],
                enabled_management_interfaces=["oneview"],
                enabled_deploy_interfaces=["oneview-ramdisk"],
                enabled_boot_interfaces=["fake"],
                enabled_inspect_interfaces=["no-inspect"],
                enabled_network_interfaces=["noop"],
                enabled_raid_interfaces=["no-raid"],
                enabled_rescue_interfaces=["no-rescue"],
                enabled_vendor_interfaces=["no-vendor"],
                enabled_console_interfaces=["no-console"],
                enabled_bios_interfaces=["no-bios"],
                enabled_firmware_interfaces=["no-firmware"],
                enabled_storage_interfaces=["noop"],
            )
            bench.config(force_power_state_during_sync=False, group="conductor")
            bench.config(
                group="oneview",
                manager_url=sim.url,
                username=sim.username,
                password=sim.password,
                tls_cacert_file=sim.ca_file,
                task_poll_interval=0.002,
                task_poll_max_interval=0.02,
            )
            client = OneViewClient.from_conf(CONF)
            uris = _servers(client)[:count]
            template = client.server_profile_templates.list()[0]
            capabilities = (
                f"server_hardware_type_uri:{template['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{template['uri']}"
            )
            for i, uri in enumerate(uris):
                obj_utils.create_test_node(
                    bench.context,
                    uuid=f"00000000-0000-4000-8000-{i:012d}",
                    name=f"node-{i}",
                    driver="oneview",
                    power_interface="oneview",
                    management_interface="oneview",
                    deploy_interface="oneview-ramdisk",
                    boot_interface="fake",
                    inspect_interface="no-inspect",
                    network_interface="noop",
                    power_state=states.POWER_OFF,
                    driver_info={"server_hardware_uri": uri},
                    properties={"capabilities": capabilities},
                )
            with mock.patch.object(manager_keepalive(), "_conductor_service_record_keepalive"):
                bench._start_service()
            pool = futurist.ThreadPoolExecutor(max_workers=16)
            http.call(
                "POST",
                "/_sim/faults",
                json={
                    "kind": "latency",
                    "path": "/rest/*",
                    "times": None,
                    "params": {"seconds": latency},
                },
            )
            result = {}
            for pattern, ttl in (("snapshot", 30.0), ("per-node", 0.0)):
                bench.config(power_state_cache_ttl=ttl, group="oneview")
                SNAPSHOT.clear()
                # Warm-up, one worker: it writes the servers' power states into the database
                # (sqlite in memory takes no concurrent writers); measured syncs only read it.
                bench.service._executor = futurist.SynchronousExecutor()
                bench.service._sync_power_states(bench.context)
                bench.service._executor = pool
                walls, counts = [], []
                for _ in range(repeat):
                    SNAPSHOT.clear()
                    http.call("DELETE", "/_sim/stats")
                    started = time.perf_counter()
                    bench.service._sync_power_states(bench.context)
                    walls.append(time.perf_counter() - started)
                    counts.append(http.oneview_requests())
                result[pattern] = {
                    "requests_per_sync": statistics.median(counts),
                    "requests_per_node": round(statistics.median(counts) / count, 4),
                    "wall_seconds": round(statistics.median(walls), 3),
                    "wall_seconds_all": [round(w, 3) for w in walls],
                }
            pool.shutdown(wait=True)
            client.close()
            return result
        finally:
            bench.doCleanups()
            http.http.close()


def manager_keepalive() -> Any:
    from ironic.conductor import manager

    return manager.ConductorManager


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one size per process: Ironic's database engine is process-global
        result = run_size(args.nodes[0], args.latency, args.repeat)
        print(CHILD_MARK + json.dumps(result), flush=True)
        return
    runs = {}
    for count in args.nodes:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--nodes",
            str(count),
            "--latency",
            str(args.latency),
            "--repeat",
            str(args.repeat),
        ]
        child = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [line for line in child.stdout.splitlines() if line.startswith(CHILD_MARK)]
        if child.returncode or not lines:
            sys.stderr.write(child.stdout[-3000:] + child.stderr[-3000:])
            raise SystemExit(f"the {count}-node run failed")
        runs[str(count)] = json.loads(lines[-1][len(CHILD_MARK) :])
        for pattern, figures in runs[str(count)].items():
            print(f"{count:>5} nodes, {pattern:>8}: {figures}", flush=True)
    report = {
        "benchmark": "Ironic power-state sync through the real conductor manager",
        "latency_seconds_per_request": args.latency,
        "sync_power_state_workers": CONF.conductor.sync_power_state_workers,
        "repeat": args.repeat,
        "python": sys.version.split()[0],
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "results": runs,
    }
    print(json.dumps(report, indent=2))
    if not args.no_write:
        write_results(RESULTS, report)


if __name__ == "__main__":
    main()
