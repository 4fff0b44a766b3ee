"""20 subports added to and removed from the trunks of 10 ACTIVE nodes at once: network sets
(ours) against one profile connection per VLAN.

Run: ``.venv/bin/python benchmarks/trunk_churn.py [--nodes 10] [--subports 20] [--threads 8]``.
The simulator runs in its own process over HTTPS. Setup (not measured): 10 blades with an
applied profile, powered on (deployed nodes); 20 VLAN networks on the tagged uplink set (the
subports' networks); for the network-set patterns, each node's first connection on its trunk's
set ``Neutron trunk [<uuid>]`` (native = the parent's network), as the driver leaves it after
binding the trunk parent. Then every subport of every node is added at once, and removed at once.

* ``ours, one add_subports call per trunk``: what ``TrunkSync.subports_changed`` writes for
  one ``add_subports``/``remove_subports`` call carrying a trunk's 20 subports (one SUBPORTS
  event): one change through the driver's ``NetworkSetBatches`` (one eTag-checked PUT); the
  10 trunks' calls from 8 threads sharing one client (8 API threads of one Neutron worker).
* ``ours, one call per subport, 8 threads``: 200 calls of one subport each, one trunk's calls
  next to each other: the changes to one set that meet share eTag-checked PUTs (the driver's
  linger); nothing touches the profile or the power.
* ``ours, one call per subport, 4 processes x 2 threads``: the same from 4 processes (4 API
  workers, one lock directory as ``[oslo_concurrency] lock_path``), each with its own client:
  coalescing inside each process, the processes take turns on each set's lock; a 412 (read
  again) would count as a PUT.
* ``connection per VLAN``: the design without network sets: each subport is a connection of
  its own on the subport's network (``portId`` Auto), removed again afterwards. OneView adds or
  removes a connection only with the server off, so each change is a power-off, a profile edit
  and a power-on; one node's changes take turns (one writer per profile), nodes in parallel
  (8 threads). A blade has few FlexNICs, so most subports cannot get a connection at all.

Measured: wall time, profile PUTs, power changes, network-set PUTs (the simulator's
``/_sim/stats``), subports carried after the adds, leftovers after the removals, failures.
The Neutron side (statuses, the real API) is covered by tests/neutron/test_trunks.py and the e2e
suite. Results: stdout and docs/benchmarks/trunk_churn.json.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _report import RESULTS as RESULTS_DIR
from _report import Lines, Section, figure, side_by_side, table
from _simproc import RunningSimulator, our_client, sim_call, simulator_process, write_results
from oneview_openstack.client import OneViewClient, OneViewError
from oneview_openstack.client.resources.network_sets import adding, removing
from oneview_openstack.neutron.locking import WriterLocks
from oneview_openstack.neutron.network_set_batches import NetworkSetBatches
from oneview_openstack.neutron.trunks import set_name

RESULTS = RESULTS_DIR / "trunk_churn.json"
PARENT_VLAN, FIRST_VLAN = 1990, 2000
PROFILE_PUT = "PUT /rest/server-profiles/{id}"
POWER_PUT = "PUT /rest/server-hardware/{id}/powerState"
SET_PUT = "PUT /rest/network-sets/{id}"

Node = dict[str, str]  # profile, server, set (URIs)


def client_for(sim: RunningSimulator) -> OneViewClient:
    return our_client(sim, task_poll_interval=0.002, task_poll_max_interval=0.02)


# -- setup (not measured) ----------------------------------------------------------------------
def setup(sim: RunningSimulator, nodes: int, subports: int, with_sets: bool) -> dict[str, Any]:
    client = client_for(sim)
    try:
        uplink_set = next(
            u for u in client.uplink_sets.list() if u.get("ethernetNetworkType") == "Tagged"
        )
        parent = client.ethernet_networks.create("Neutron [parent]", PARENT_VLAN)["uri"]
        networks = [
            client.ethernet_networks.create(f"Neutron [{uuid.uuid4()}]", FIRST_VLAN + i)["uri"]
            for i in range(subports)
        ]
        client.uplink_sets.add_networks(uplink_set["uri"], [parent, *networks])
        template = next(
            t for t in client.server_profile_templates.list() if t["name"].startswith("ironic-EG")
        )
        free = [
            s
            for s in client.server_hardware.list()
            if not s.get("serverProfileUri") and s.get("locationUri")
        ][:nodes]
        if len(free) < nodes:
            raise SystemExit(f"the simulator has {len(free)} free blades, not {nodes}")
        made: list[Node] = []
        for server in free:
            if server.get("powerState") != "Off":
                client.server_hardware.set_power_state(server["uri"], "Off", "PressAndHold")
            profile = client.server_profiles.create_from_template(
                template["uri"], f"ironic-{uuid.uuid4().hex[:8]}", server["uri"]
            )
            node: Node = {"profile": profile["uri"], "server": server["uri"], "set": ""}
            if with_sets:
                trunk = client.network_sets.create(set_name(str(uuid.uuid4())), [], parent)
                node["set"] = trunk["uri"]
                _point_first_connection(client, profile["uri"], trunk["uri"])
            client.server_hardware.set_power_state(server["uri"], "On")
            made.append(node)
        return {"nodes": made, "networks": networks, "parent": parent}
    finally:
        client.close()


def _point_first_connection(client: OneViewClient, profile_uri: str, uri: str) -> None:
    def change(connections: list[dict[str, Any]]) -> bool:
        connections[0]["networkUri"] = uri
        return True

    client.server_profiles.update_connections(profile_uri, change)


# -- ours: the set changes ----------------------------------------------------------------------
Job = tuple[str, str, tuple[str, ...]]  # ("add" | "remove", set URI, networks of one event)


def _set_changes(
    client: OneViewClient, jobs: list[Job], threads: int, lock_dir: str
) -> list[str | None]:
    """One API worker: the driver's batches (coalescing, one writer per set across workers)."""
    batches = NetworkSetBatches(client, WriterLocks(lock_dir, prefix="oneview-network-set"))

    def one(job: Job) -> str | None:
        op, set_uri, networks = job
        change = adding(networks) if op == "add" else removing(networks)
        try:
            batches.change(set_uri, change)
        except OneViewError as error:
            return error.summary[:120]
        return None

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, jobs))


def _worker(args: tuple[RunningSimulator, list[Job], int, str]) -> list[str | None]:
    sim, jobs, threads, lock_dir = args
    client = client_for(sim)
    try:
        return _set_changes(client, jobs, threads, lock_dir)
    finally:
        client.close()


def _ready(_: int) -> bool:
    return True


class Workers:
    """API worker processes, started (and their imports done) before anything is timed."""

    def __init__(self, processes: int, lock_dir: str) -> None:
        self.processes = processes
        self.lock_dir = lock_dir  # what [oslo_concurrency] lock_path is to the workers
        self.pool = multiprocessing.get_context("spawn").Pool(processes)
        self.pool.map(_ready, range(processes))

    def run(self, sim: RunningSimulator, jobs: list[Job], threads: int) -> list:
        slices = [
            (sim, jobs[i :: self.processes], threads, self.lock_dir) for i in range(self.processes)
        ]
        return [error for part in self.pool.map(_worker, slices) for error in part]

    def close(self) -> None:
        self.pool.close()
        self.pool.join()


def ours(
    sim: RunningSimulator,
    env: dict[str, Any],
    op: str,
    workers: Workers | None,
    threads: int,
    *,
    per_call: int = 1,
) -> list[str | None]:
    """Each trunk's subports at once: ``per_call`` subports per Neutron call (one SUBPORTS
    event, one set change); the calls of one trunk next to each other, so they meet."""
    jobs: list[Job] = []
    for node in env["nodes"]:
        networks = env["networks"]
        for first in range(0, len(networks), per_call):
            jobs.append((op, node["set"], tuple(networks[first : first + per_call])))
    if workers is None:
        with tempfile.TemporaryDirectory(prefix="ov-trunk-locks-") as lock_dir:
            return _worker((sim, jobs, threads, lock_dir))
    return workers.run(sim, jobs, threads)


def carried_by_sets(client: OneViewClient, env: dict[str, Any]) -> int:
    return sum(
        len(set(client.network_sets.members(node["set"])) & set(env["networks"]))
        for node in env["nodes"]
    )


# -- the baseline: one connection per VLAN -------------------------------------------------------
def per_vlan(sim: RunningSimulator, env: dict[str, Any], op: str, threads: int) -> list[str | None]:
    client = client_for(sim)
    locks = {node["profile"]: threading.Lock() for node in env["nodes"]}

    def one(job: tuple[Node, str]) -> str | None:
        node, network = job
        if op == "add":

            def change(connections: list[dict[str, Any]]) -> bool:
                connections.append(
                    {
                        "id": max((c.get("id") or 0 for c in connections), default=0) + 1,
                        "name": f"subport on {network.rsplit('/', 1)[-1]}",
                        "functionType": "Ethernet",
                        "portId": "Auto",
                        "networkUri": network,
                        "requestedMbps": "1000",
                        "boot": {"priority": "NotBootable"},
                    }
                )
                return True

        else:

            def change(connections: list[dict[str, Any]]) -> bool:
                kept = [c for c in connections if c.get("networkUri") != network]
                changed = len(kept) != len(connections)
                connections[:] = kept
                return changed

        with locks[node["profile"]]:  # one writer per profile, as the driver's profile lock
            try:
                profile = client.server_profiles.get(node["profile"])
                probe = [dict(c) for c in profile["connectionSettings"]["connections"]]
                if not change(probe):
                    return None  # nothing to remove: no power cycle
                power = client.server_hardware.set_power_state
                power(node["server"], "Off", "PressAndHold")
                try:
                    client.server_profiles.update_connections(node["profile"], change)
                finally:
                    power(node["server"], "On")
            except OneViewError as error:
                return error.summary[:120]
        return None

    # nodes interleaved: the baseline's best order (a node's changes wait for each other)
    jobs = [(node, network) for network in env["networks"] for node in env["nodes"]]
    try:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(one, jobs))
    finally:
        client.close()


def carried_by_connections(client: OneViewClient, env: dict[str, Any]) -> int:
    wanted = set(env["networks"])
    return sum(
        sum(
            1
            for c in client.server_profiles.get(node["profile"])["connectionSettings"][
                "connections"
            ]
            if c.get("networkUri") in wanted
        )
        for node in env["nodes"]
    )


# -- measuring ---------------------------------------------------------------------------------
def measure(sim: RunningSimulator, env: dict[str, Any], work: Any, carried: Any) -> dict:
    out: dict[str, Any] = {}
    client = client_for(sim)
    try:
        for op in ("add", "remove"):
            sim_call(sim, "DELETE", "/_sim/stats")
            started = time.perf_counter()
            errors = work(op)
            seconds = time.perf_counter() - started
            routes = sim_call(sim, "GET", "/_sim/stats")["byRoute"]
            failures: dict[str, int] = {}
            for error in errors:
                if error:
                    key = error.split(":")[0]
                    failures[key] = failures.get(key, 0) + 1
            out[op] = {
                "calls": len(errors),
                "seconds": round(seconds, 3),
                "profileWrites": routes.get(PROFILE_PUT, 0),
                "powerChanges": routes.get(POWER_PUT, 0),
                "networkSetWrites": routes.get(SET_PUT, 0),
                "failed": sum(failures.values()),
                "failureKinds": failures,
                "carriedAfter": carried(client, env),
            }
    finally:
        client.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--subports", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=4)
    # 0.01: a set write 0.1-0.6 s, a profile edit and a power change a few tenths of a second
    # (an appliance: 10-60 s and more); much smaller scales let HTTP overheads dominate.
    parser.add_argument("--time-scale", default="0.01")
    args = parser.parse_args()
    patterns = {
        f"ours, one add_subports call per trunk, {args.threads} threads": (
            True,
            lambda sim, env: (
                lambda op: ours(sim, env, op, None, args.threads, per_call=args.subports)
            ),
            carried_by_sets,
        ),
        f"ours, one call per subport, {args.threads} threads": (
            True,
            lambda sim, env: lambda op: ours(sim, env, op, None, args.threads),
            carried_by_sets,
        ),
        f"ours, one call per subport, {args.processes} processes x 2 threads": (
            True,
            lambda sim, env: lambda op: ours(sim, env, op, workers, 2),
            carried_by_sets,
        ),
        f"connection per VLAN, {args.threads} threads": (
            False,
            lambda sim, env: lambda op: per_vlan(sim, env, op, args.threads),
            carried_by_connections,
        ),
    }
    results: dict[str, Any] = {
        "setup": {
            "simulator": f"own process, HTTPS, --time-scale {args.time_scale}",
            "nodes": args.nodes,
            "subportsPerNode": args.subports,
            "python": platform.python_version(),
            "cpus": multiprocessing.cpu_count(),
        },
        "patterns": {},
    }
    lock_tmp = tempfile.TemporaryDirectory(prefix="ov-trunk-locks-")
    workers = Workers(args.processes, lock_tmp.name)
    for label, (with_sets, make_work, carried) in patterns.items():
        servers = str(max(16, args.nodes + 4))
        with simulator_process("--time-scale", args.time_scale, "--servers", servers) as sim:
            env = setup(sim, args.nodes, args.subports, with_sets)
            row = measure(sim, env, make_work(sim, env), carried)
        results["patterns"][label] = row
        for op in ("add", "remove"):
            r = row[op]
            print(
                f"{label:<58} {op:<6} {r['seconds']:>7.2f} s  profile PUTs "
                f"{r['profileWrites']:>4}  power {r['powerChanges']:>4}  set PUTs "
                f"{r['networkSetWrites']:>4}  failed {r['failed']:>4}  carried "
                f"{r['carriedAfter']:>4}",
                flush=True,
            )
    workers.close()
    lock_tmp.cleanup()
    write_results(RESULTS, results)
    print(f"\nwritten to {RESULTS}")


# -- docs/performance.md -----------------------------------------------------------------------
def render(data: dict[str, Any]) -> Lines:
    setup = data["setup"]
    total = setup["nodes"] * setup["subportsPerNode"]
    rows = []
    for pattern, row in data["patterns"].items():
        for op in ("add", "remove"):
            r = row[op]
            rows.append(
                [
                    pattern,
                    op,
                    r.get("calls", r.get("changes")),
                    f"{r['seconds']:.1f} s",
                    f"**{r['profileWrites']}**",
                    f"**{r['powerChanges']}**",
                    r["networkSetWrites"],
                    r["failed"],
                    f"{r['carriedAfter']} of {total}" if op == "add" else r["carriedAfter"],
                ]
            )
    return [
        f"{setup['subportsPerNode']} subports added to and then removed from the trunks of "
        f"{setup['nodes']} powered-on nodes, all at once ({total} changes each way): profile "
        "writes and power changes (target 0), network-set writes (coalesced: fewer than the "
        "changes, and one per trunk when a call carries all its subports), beside one profile "
        "connection per VLAN, which needs a power cycle per change and runs out of FlexNICs "
        "(NO_AVAILABLE_PORT). Between processes the writers of a set take turns on its lock, "
        "and a batch holds at most the changes in flight in one process (2 threads there), "
        f"so those rows write more often. Simulator: {setup['simulator']}.",
        "",
        *table(
            [
                "pattern",
                "change",
                "calls",
                "wall time",
                "profile writes",
                "power changes",
                "set writes",
                "failed",
                "subports carried",
            ],
            rows,
        ),
        *_ratios(data["patterns"]),
        *_plot(data["patterns"]),
    ]


def _ratios(patterns: dict[str, Any]) -> Lines:
    """Ours (one call per subport, one process) beside a connection per VLAN, adding."""
    ours = next((v["add"] for k, v in patterns.items() if "per subport, 8" in k), None)
    theirs = next((v["add"] for k, v in patterns.items() if k.startswith("connection")), None)
    if ours is None or theirs is None or not ours["seconds"]:
        return []
    writes = theirs["profileWrites"] + theirs["powerChanges"]
    mine = ours["profileWrites"] + ours["powerChanges"] + ours["networkSetWrites"]
    return [
        "",
        f"Adding one subport per call: **{theirs['seconds'] / ours['seconds']:.1f}x** faster "
        f"than a connection per VLAN, with {mine} OneView writes against {writes} "
        f"({writes / max(mine, 1):.1f}x fewer), and every subport carried "
        f"({ours['carriedAfter']} against {theirs['carriedAfter']}).",
    ]


def _plot(patterns: dict[str, Any]) -> Lines:
    measures = ("profileWrites", "powerChanges", "networkSetWrites")
    series = {name: [float(row["add"][m]) for m in measures] for name, row in patterns.items()}
    side_by_side(
        "trunk_churn",
        ["profile writes", "power changes", "set writes"],
        series,
        "writes (lower is better)",
    )
    return figure("trunk_churn", "OneView writes per pattern, adding the subports (one run).")


SECTION = Section(
    "trunk_churn", "trunk_churn.py", "Trunk subports: network sets vs a connection per VLAN", render
)


if __name__ == "__main__":
    main()
