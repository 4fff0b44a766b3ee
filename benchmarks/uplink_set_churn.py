"""200 VLAN networks joining one uplink set at once: our driver's network code against HPE's SDK.

Run: ``.venv/bin/python benchmarks/uplink_set_churn.py [--networks 200] [--threads 8]``
(needs the ``bench`` extra). The simulator runs in its own process over HTTPS. Patterns:

* ``ours, 8 threads``: the driver's ``NetworkSync.ensure`` (create the ``Neutron [<uuid>]``
  network, join the uplink set) from 8 threads sharing one client, as 8 API threads of one
  Neutron worker would: uplink-set changes are coalesced into eTag-checked PUTs.
* ``ours, 4 processes x 2 threads``: the same from 4 processes (4 API workers of one host, one
  ``lock_path``): coalescing inside each process, and the processes take turns writing the uplink
  set (a lock file per uplink set), so no write races another for the eTag.
* ``ours, 4 processes x 2 threads, etcd``: the same with ``[oneview] coordination_backend_url``
  on an etcd of its own: each process's batch is a request in etcd, and whoever holds the uplink
  set's tooz lock writes every pending request of every process in one PUT.
* ``Neutron API``: the real thing, ``POST /v2.0/networks`` from 8 client threads to Neutron's
  API under gunicorn (4 workers x 2 threads, sqlite, see ``_neutronproc``) with the driver
  loaded (skip with ``--no-neutron``), at the others' time scale and at 0.05, to show whether its
  higher write count comes from compressing OneView's time and not Neutron's (it does not: a
  batch holds at most the creates in flight, and Neutron's serialised sqlite work spreads them).
* ``hpeOneView 11.4.0``: what networking-oneview did per network: ``ethernet_networks.create``
  then ``uplink_sets.get_by_uri(...).add_ethernet_networks(name)`` (GET, edit ``networkUris``,
  PUT), one SDK client per thread; on an error the network is deleted again and the Neutron
  create fails (networking-oneview's rollback).

Measured: wall time, uplink-set PUTs (the simulator's ``/_sim/stats``), failed creates, and lost
memberships (creates that reported success but whose network is not in the uplink set at the
end). Results: stdout and docs/benchmarks/uplink_set_churn.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from _simproc import RunningSimulator, our_client, sim_call, simulator_process
from oneview_openstack.client import OneViewClient
from oneview_openstack.neutron.coordination import Coordination
from oneview_openstack.neutron.locking import WriterLocks
from oneview_openstack.neutron.mappings import Mappings
from oneview_openstack.neutron.networks import NetworkSync

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "uplink_set_churn.json"
FIRST_VLAN = 1000
UPLINK_PUT = "PUT /rest/uplink-sets/{id}"


def client_for(sim: RunningSimulator) -> OneViewClient:
    # tasks are scaled down here; poll on the same scale
    return our_client(sim, task_poll_interval=0.002, task_poll_max_interval=0.02)


def tagged_uplink_set(client: OneViewClient) -> dict[str, Any]:
    return next(u for u in client.uplink_sets.list() if u.get("ethernetNetworkType") == "Tagged")


def neutron_network(vlan: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": f"churn-{vlan}",
        "provider:network_type": "vlan",
        "provider:physical_network": "physnet1",
        "provider:segmentation_id": vlan,
    }


# -- ours ------------------------------------------------------------------------------------
def ours_worker(
    sim: RunningSimulator,
    uplink_set: str,
    vlans: list[int],
    threads: int,
    lock_dir: str,
    backend_url: str | None = None,
) -> list:
    """One "API worker": its own client; returns [(name, uri or None, error)]."""
    client = client_for(sim)
    mappings = Mappings.from_conf(
        argparse.Namespace(
            uplink_set_uuids=[],
            uplink_set_mappings=[f"physnet1:{uplink_set}"],
            flat_network_mappings=[],
        )
    )
    mappings.load_types(client)
    # [oslo_concurrency] lock_path, and [oneview] coordination_backend_url when given
    coordination = Coordination(backend_url) if backend_url else None
    locks = WriterLocks(lock_dir, coordination, prefix="oneview-uplink-set")
    sync = NetworkSync(client, mappings, lock_dir=lock_dir, locks=locks)

    def one(vlan: int) -> tuple[str, str | None, str | None]:
        network = neutron_network(vlan)
        try:
            return network["id"], sync.ensure(network, sync.plan_for(network)), None
        except Exception as error:
            return network["id"], None, f"{type(error).__name__}: {error}"[:160]

    try:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(one, vlans))
    finally:
        client.close()
        if coordination is not None:
            coordination.stop()


def _process_entry(args: tuple[RunningSimulator, str, list[int], int, str, str | None]) -> list:
    return ours_worker(*args)


def ours_processes(
    sim: RunningSimulator,
    us: str,
    vlans: list[int],
    procs: int,
    threads: int,
    lock_dir: str,
    backend_url: str | None = None,
) -> list:
    slices = [vlans[i::procs] for i in range(procs)]
    context = multiprocessing.get_context("spawn")
    jobs = [(sim, us, part, threads, lock_dir, backend_url) for part in slices]
    with context.Pool(procs) as pool:
        parts = pool.map(_process_entry, jobs)
    return [row for part in parts for row in part]


def ours_processes_on_etcd(
    sim: RunningSimulator, us: str, vlans: list[int], procs: int, threads: int, lock_dir: str
) -> list:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from etcd_server import running_etcd

    with (
        tempfile.TemporaryDirectory(prefix="ov-churn-etcd-") as data,
        running_etcd(Path(data) / "etcd") as etcd,
    ):
        return ours_processes(sim, us, vlans, procs, threads, lock_dir, etcd.url)


# -- hpeOneView, the networking-oneview way ------------------------------------------------------
def hpe_pattern(sim: RunningSimulator, uplink_set_uri: str, vlans: list[int], threads: int) -> list:
    from hpeOneView.oneview_client import OneViewClient as HpeClient

    local = threading.local()

    def hpe() -> Any:
        if not hasattr(local, "client"):
            local.client = HpeClient(
                {
                    "ip": urlsplit(sim.url).netloc,
                    "credentials": {"userName": sim.username, "password": sim.password},
                    "ssl_certificate": sim.ca_file,
                }
            )
        return local.client

    def one(vlan: int) -> tuple[str, str | None, str | None]:
        name = f"Neutron [{uuid.uuid4()}]"
        client = hpe()
        try:
            network = client.ethernet_networks.create(
                {
                    "name": name,
                    "vlanId": vlan,
                    "ethernetNetworkType": "Tagged",
                    "purpose": "General",
                    "smartLink": False,
                    "privateNetwork": False,
                }
            )
        except Exception as error:
            return name, None, f"create: {type(error).__name__}: {error}"[:160]
        try:
            client.uplink_sets.get_by_uri(uplink_set_uri).add_ethernet_networks(name)
        except Exception as error:
            reason = f"uplink set: {type(error).__name__}: {str(error)[:120]}"
            try:  # networking-oneview's rollback: delete the network, fail the Neutron create
                network.delete()
            except Exception as cleanup_error:
                reason += f" (rollback failed: {type(cleanup_error).__name__})"
            return name, None, reason
        return name, network.data["uri"], None

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, vlans))


# -- the real thing: Neutron's API under gunicorn with the driver --------------------------------
def neutron_pattern(sim: RunningSimulator, url: str, vlans: list[int], threads: int) -> list:
    http = requests.Session()
    http.trust_env = False

    def one(vlan: int) -> tuple[str, str | None, str | None]:
        body = {
            "network": {
                "name": f"churn-{vlan}",
                "provider:network_type": "vlan",
                "provider:physical_network": "physnet1",
                "provider:segmentation_id": vlan,
            }
        }
        reply = http.post(url + "/v2.0/networks", json=body, timeout=300)
        if reply.status_code != 201:
            return f"vlan {vlan}", None, f"HTTP {reply.status_code}: {reply.text[:120]}"
        return reply.json()["network"]["id"], "pending", None

    with ThreadPoolExecutor(threads) as pool:
        rows = list(pool.map(one, vlans))
    client = client_for(sim)
    by_name = {n["name"]: n["uri"] for n in client.ethernet_networks.iter()}
    client.close()
    return [
        (nid, by_name.get(f"Neutron [{nid}]", "missing") if uri else None, error)
        for nid, uri, error in rows
    ]


# -- measuring ---------------------------------------------------------------------------------
def run(sim: RunningSimulator, label: str, work: Any) -> dict[str, Any]:
    client = client_for(sim)
    uplink_set = tagged_uplink_set(client)
    sim_call(sim, "DELETE", "/_sim/stats")
    started = time.perf_counter()
    rows = work(uplink_set)
    seconds = time.perf_counter() - started
    members = set(client.uplink_sets.networks(uplink_set["uri"]))
    stats = sim_call(sim, "GET", "/_sim/stats")
    client.close()
    created = [uri for _name, uri, _error in rows if uri]
    errors: dict[str, int] = {}
    for _name, _uri, error in rows:
        if error:
            key = error.split(":")[0] + ": " + error.split(":", 2)[-1].strip()[:80]
            errors[key] = errors.get(key, 0) + 1
    result = {
        "networks": len(rows),
        "seconds": round(seconds, 3),
        "uplinkSetWrites": stats["byRoute"].get(UPLINK_PUT, 0),
        "createsSucceeded": len(created),
        "createsFailed": len(rows) - len(created),
        "lostMemberships": sum(1 for uri in created if uri not in members),
        "failureKinds": errors,
    }
    print(
        f"{label:<34} {result['seconds']:>8.2f} s  PUTs {result['uplinkSetWrites']:>4}  "
        f"failed {result['createsFailed']:>4}  lost {result['lostMemberships']:>4}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=4)
    # 0.01: an uplink-set write takes 0.1-0.6 s, a network create 10-50 ms (appliance: 10-60 s and
    # 1-5 s); much smaller scales let HTTP and Python overheads dominate the simulated work.
    parser.add_argument("--time-scale", default="0.01")
    # Neutron's own API work (sqlite, serialised) is not compressed by --time-scale: its rows
    # run at these scales too, so the report shows what compression does to them.
    parser.add_argument("--neutron-time-scales", nargs="+", default=["0.01", "0.05"])
    parser.add_argument("--no-neutron", action="store_true", help="skip the gunicorn pattern")
    args = parser.parse_args()
    vlans = list(range(FIRST_VLAN, FIRST_VLAN + args.networks))
    lock_tmp = tempfile.TemporaryDirectory(prefix="ov-churn-locks-")
    lock_dir = lock_tmp.name  # what [oslo_concurrency] lock_path is to Neutron's workers
    patterns = {
        f"ours, {args.threads} threads": lambda sim, us: ours_worker(
            sim, us["uri"].rsplit("/", 1)[1], vlans, args.threads, lock_dir
        ),
        f"ours, {args.processes} processes x 2 threads": lambda sim, us: ours_processes(
            sim, us["uri"].rsplit("/", 1)[1], vlans, args.processes, 2, lock_dir
        ),
        f"ours, {args.processes} processes x 2 threads, etcd": lambda sim, us: (
            ours_processes_on_etcd(
                sim, us["uri"].rsplit("/", 1)[1], vlans, args.processes, 2, lock_dir
            )
        ),
        f"hpeOneView 11.4.0, {args.threads} threads": lambda sim, us: hpe_pattern(
            sim, us["uri"], vlans, args.threads
        ),
    }
    results: dict[str, Any] = {
        "setup": {
            "simulator": f"own process, HTTPS, --time-scale {args.time_scale}: uplink-set tasks "
            f"{10 * float(args.time_scale):g}-{60 * float(args.time_scale):g} s, network creates "
            f"{1 * float(args.time_scale):g}-{5 * float(args.time_scale):g} s",
            "neutron": "gunicorn, sqlite (transactions serialised with BEGIN IMMEDIATE), noauth, "
            "lock_path shared by the workers; its rows at each --neutron-time-scales value, "
            "because Neutron's own API work is not compressed",
            "networks": args.networks,
            "uplinkSets": 1,
            "python": platform.python_version(),
            "cpus": multiprocessing.cpu_count(),
        },
        "patterns": {},
    }
    for label, work in patterns.items():
        # a fresh appliance per pattern: same inventory, no leftovers from the previous one
        with simulator_process("--time-scale", args.time_scale, "--servers", "16") as sim:
            results["patterns"][label] = run(sim, label, lambda us, s=sim, w=work: w(s, us))
    if not args.no_neutron:
        from _neutronproc import neutron_api

        for scale in args.neutron_time_scales:
            label = (
                f"Neutron API, {args.processes} gunicorn workers x 2 threads, time scale {scale}"
            )
            with simulator_process("--time-scale", scale, "--servers", "16") as sim:
                setup = client_for(sim)
                us_id = tagged_uplink_set(setup)["uri"].rsplit("/", 1)[1]
                setup.close()
                with neutron_api(sim, us_id, args.processes, 2) as url:
                    results["patterns"][label] = run(
                        sim,
                        label,
                        lambda _us, s=sim, u=url: neutron_pattern(s, u, vlans, args.threads),
                    )
    lock_tmp.cleanup()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
