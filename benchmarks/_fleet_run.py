"""One fleet: a sandbox of the asked shape, N nodes deployed at once, then undeployed at once,
once per time scale.

Setup (not timed): the sandbox (simulator, MariaDB or sqlite, Ironic API and conductors, the
Neutron API hosts and periodic worker, etcd), enrollment of N servers (``--provide``), one
tenant VLAN network created through each Neutron host, and one VIF port per node, created
through the hosts in turn; before each lifecycle every node gets its VIF and instance_info
(undeploy clears them). Timed: every node asked to deploy, in parallel; all ``active``; every
node asked to undeploy; all ``available``. Counted per lifecycle: the simulator's requests
(``/_sim/stats`` before and after), its logins, the task records that give each node's chain
(``_fleet_chain``), and failures (a node that did not reach its state, a VIF not ACTIVE while
deployed, a profile left over)."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openstack import connection as os_connection

from _fleet_chain import chains
from _fleet_logs import logins_by_process
from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness

TESTS = Path(__file__).resolve().parent.parent / "tests"  # tests/etcd_server.py: a private etcd
TENANT_VLANS = (310, 311)  # one tenant network per Neutron host (more hosts reuse them in turn)
POLL = 0.5  # seconds between looks at the fleet's provision states (one list request)
API_THREADS = 8  # client threads asking Ironic to deploy / undeploy
ENROLL_WORKERS = 10  # nodes enrolled in parallel (setup, not measured)


@dataclass(frozen=True)
class Shape:
    nodes: int
    database: str
    conductors: int
    neutron_hosts: int
    # Per host: gunicorn processes x threads. A binding holds its API thread while OneView
    # applies the profile edit, so one thread per host would queue the whole fleet there.
    neutron_workers: int = 1
    neutron_threads: int = 4

    def describe(self) -> str:
        return (
            f"{self.nodes} nodes, {self.database}, {self.conductors} Ironic conductor(s), "
            f"{self.neutron_hosts} Neutron API host(s) of {self.neutron_workers} worker(s) x "
            f"{self.neutron_threads} thread(s), etcd coordination"
        )


def _connect(sandbox: Sandbox, neutron_url: str) -> os_connection.Connection:
    assert sandbox.layout is not None
    return os_connection.Connection(
        auth_type="none",
        baremetal_endpoint_override=sandbox.layout.ironic_url,
        baremetal_api_version="1.90",
        network_endpoint_override=neutron_url + "/",
    )


def _route_kind(key: str) -> str:
    """``PUT /rest/server-profiles/{id}`` -> ``PUT server-profiles``: method + route family."""
    method, _, path = key.partition(" ")
    parts = [p for p in path.split("/") if p and p != "rest"]
    family = parts[0] if parts else path
    if len(parts) > 2 and not parts[-1].startswith("{"):
        family += "/" + parts[-1]  # a sub-resource: server-hardware/powerState
    return f"{method} {family}"


def _by_kind(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    kinds: Counter[str] = Counter()
    for key, count in after.items():
        grown = count - before.get(key, 0)
        if grown:
            kinds[_route_kind(key)] += grown
    return dict(kinds.most_common())


class Fleet:
    """The nodes of one run and the waits on them (bounded, one list request per look)."""

    def __init__(self, sandbox: Sandbox, timeout: float) -> None:
        assert sandbox.conn is not None
        self.sandbox = sandbox
        self.conn = sandbox.conn
        self.timeout = timeout

    def states(self, ids: set[str]) -> dict[str, Any]:
        return {n.id: n for n in self.conn.baremetal.nodes(details=True) if n.id in ids}

    def wait(self, ids: set[str], wanted: str) -> tuple[dict[str, float], dict[str, str]]:
        """Seconds until each node reached ``wanted``; the failed ones with their last_error."""
        started = time.monotonic()
        reached: dict[str, float] = {}
        failed: dict[str, str] = {}
        while len(reached) + len(failed) < len(ids):
            for node_id, node in self.states(ids).items():
                if node_id in reached or node_id in failed:
                    continue
                if node.provision_state == wanted:
                    reached[node_id] = time.monotonic() - started
                elif node.provision_state in ("deploy failed", "clean failed", "error"):
                    failed[node_id] = f"{node.provision_state}: {node.last_error}"
            if time.monotonic() - started > self.timeout:
                for node_id, node in self.states(ids).items():
                    if node_id not in reached and node_id not in failed:
                        failed[node_id] = f"still {node.provision_state} after {self.timeout} s"
                break
            time.sleep(POLL)
        return reached, failed

    def ask(self, ids: list[str], target: str) -> dict[str, str]:
        """Ask every node for ``target`` in parallel; the refused ones with the API's answer."""
        refused: dict[str, str] = {}

        def one(node_id: str) -> None:
            try:
                self.conn.baremetal.set_node_provision_state(node_id, target)
            except Exception as error:  # the API's refusal is the failure recorded
                refused[node_id] = f"{target} refused: {error}"

        with ThreadPoolExecutor(API_THREADS) as pool:
            list(pool.map(one, ids))
        return refused


@dataclass
class Prepared:
    """The enrolled fleet and its VIFs (one per node, in the order of ``ids``)."""

    ids: list[str]
    servers: dict[str, str]  # server hardware URI -> node id
    vifs: list[str]
    baseline_profiles: set[str]
    enroll_seconds: float


def prepare(sandbox: Sandbox, count: int) -> Prepared:
    """Enroll ``count`` servers; one tenant network per Neutron host, a VIF per node through
    the hosts in turn."""
    assert sandbox.simulator is not None and sandbox.conn is not None and sandbox.layout
    started = time.monotonic()
    log = sandbox.state_dir / "enroll.out"
    argv = [*sandbox.enroll_argv(), "--limit", str(count), "--workers", str(ENROLL_WORKERS)]
    with open(log, "w") as out, contextlib.redirect_stdout(out):
        code = enroll([*argv, "--format", "json"])
    if code != 0:
        raise RuntimeError(f"enrollment of {count} servers failed (exit code {code}; see {log})")
    available = [
        n for n in sandbox.conn.baremetal.nodes(details=True) if n.provision_state == "available"
    ]
    if len(available) < count:
        raise RuntimeError(f"{len(available)} of {count} nodes are available (see {log})")
    nodes = available[:count]
    enrolled = time.monotonic() - started
    conns = [_connect(sandbox, url) for url in sandbox.layout.neutron_urls]
    networks = []
    for index, conn in enumerate(conns):
        vlan = TENANT_VLANS[index % len(TENANT_VLANS)] + 10 * (index // len(TENANT_VLANS))
        network = conn.network.create_network(
            name=f"fleet-{vlan}",
            provider_network_type="vlan",
            provider_physical_network=PHYSNET,
            provider_segmentation_id=vlan,
        )
        conn.network.create_subnet(
            network_id=network.id, ip_version=4, cidr=f"10.{vlan % 256}.0.0/22"
        )
        networks.append(network)
    vifs = []
    for index, node in enumerate(nodes):
        conn = conns[index % len(conns)]
        vif = conn.network.create_port(
            network_id=networks[index % len(networks)].id, name=f"{node.name}-vif"
        )
        vifs.append(vif.id)
    for conn in conns:
        conn.close()
    sim = Witness.of(sandbox.simulator)
    return Prepared(
        ids=[n.id for n in nodes],
        servers={n.driver_info["server_hardware_uri"]: n.id for n in nodes},
        vifs=vifs,
        baseline_profiles={p["uri"] for p in sim.state("server-profiles")["server-profiles"]},
        enroll_seconds=round(enrolled, 1),
    )


def _arm(sandbox: Sandbox, fleet: Prepared) -> None:
    """Each node its VIF and instance_info (undeploy clears them): before each lifecycle."""
    assert sandbox.conn is not None
    bm = sandbox.conn.baremetal
    info = scenario.instance_info(sandbox)
    for node_id, vif_id in zip(fleet.ids, fleet.vifs, strict=True):
        if vif_id not in bm.list_node_vifs(node_id):
            bm.attach_vif_to_node(node_id, vif_id)
        bm.update_node(node_id, instance_info=info)


def _vif_problems(sandbox: Sandbox, vifs: list[str]) -> list[str]:
    assert sandbox.conn is not None
    problems = []
    for vif_id in vifs:
        port = sandbox.conn.network.get_port(vif_id)
        if port.status != "ACTIVE":
            problems.append(f"VIF {port.name} is {port.status} while its node is active")
    return problems


def lifecycle(sandbox: Sandbox, prepared: Prepared, timeout: float) -> dict[str, Any]:
    """Deploy every node at once, then undeploy every node at once; the measures."""
    assert sandbox.simulator is not None and sandbox.conn is not None
    sim = Witness.of(sandbox.simulator)
    _arm(sandbox, prepared)
    ids, servers, vifs, count = prepared.ids, prepared.servers, prepared.vifs, len(prepared.ids)
    baseline_profiles = prepared.baseline_profiles
    earlier_tasks = {t["uri"] for t in sim.state("tasks")["tasks"]}
    before = sim.sim("GET", "stats")
    fleet = Fleet(sandbox, timeout)

    started = time.monotonic()
    failures = fleet.ask(ids, "active")
    deployed, deploy_failed = fleet.wait(set(ids) - set(failures), "active")
    deploy_seconds = time.monotonic() - started
    failures.update(deploy_failed)
    conductors = Counter(str(n.conductor) for n in fleet.states(set(deployed)).values())
    profiles = sim.state("server-profiles")["server-profiles"]
    profile_servers = {p["uri"]: p.get("serverHardwareUri") for p in profiles}
    vif_problems = _vif_problems(sandbox, vifs)

    undeploy_started = time.monotonic()
    asked = [i for i in ids if i in deployed]
    refused = fleet.ask(asked, "deleted")
    released, release_failed = fleet.wait(set(asked) - set(refused), "available")
    undeploy_seconds = time.monotonic() - undeploy_started
    wall = time.monotonic() - started
    failures.update(refused)
    failures.update(release_failed)

    after = sim.sim("GET", "stats")
    state = sim.state("tasks", "server-profiles")
    leftover = [p["name"] for p in state["server-profiles"] if p["uri"] not in baseline_profiles]
    found = chains(state["tasks"], profile_servers, set(servers), earlier_tasks)
    longest_server, longest = found.longest()
    scale = float(state["_simulator"]["timeScale"])
    requests = _by_kind(before["byRoute"], after["byRoute"])
    total = sum(requests.values())
    return {
        "nodes": count,
        "wall_seconds": round(wall, 2),
        "deploy_seconds": round(deploy_seconds, 2),
        "undeploy_seconds": round(undeploy_seconds, 2),
        "deployed": len(deployed),
        "released": len(released),
        "slowest_deploy_seconds": round(max(deployed.values(), default=0.0), 2),
        "slowest_undeploy_seconds": round(max(released.values(), default=0.0), 2),
        "time_scale": scale,
        "chain_simulated_seconds": round(longest, 1),
        "chain_seconds": round(longest * scale, 3),
        "chain_tasks": found.tasks_by_server.get(longest_server or "", 0),
        "chain_node": servers.get(longest_server or ""),
        "mean_chain_seconds": round(
            scale * sum(found.by_server.values()) / max(len(found.by_server), 1), 3
        ),
        "task_seconds_by_name": {k: round(v * scale, 2) for k, v in sorted(found.kinds.items())},
        "tasks_not_tied_to_a_node": found.unassigned,
        "requests": total,
        "requests_per_node": round(total / count, 1),
        "requests_per_node_by_kind": {k: round(v / count, 2) for k, v in requests.items()},
        "logins": after["logins"],
        "logins_during_lifecycle": after["logins"] - before["logins"],
        "active_sessions": after["activeSessions"],
        "refusals_during_lifecycle": {
            k: v - before["refusals"].get(k, 0)
            for k, v in after["refusals"].items()
            if v - before["refusals"].get(k, 0)
        },
        "nodes_by_conductor": dict(sorted(conductors.items())),
        "failures": [*failures.values(), *vif_problems, *(f"profile left: {n}" for n in leftover)],
    }


def options(state_dir: Path, shape: Shape, time_scale: float, coordination: str) -> Options:
    return Options(
        state_dir=state_dir,
        # Some of the simulator's servers fit no template or belong to a OneView user, and
        # enrollment skips them: twice the fleet leaves enough that fit.
        servers=max(2 * shape.nodes, 16),
        time_scale=time_scale,
        timeout=600.0,
        neutron_hosts=shape.neutron_hosts,
        neutron_workers=shape.neutron_workers,
        neutron_threads=shape.neutron_threads,
        coordination_backend_url=coordination,
        database=shape.database,
        ironic_conductors=shape.conductors,
    )


def run(state_dir: Path, shape: Shape, scales: dict[str, float], timeout: float) -> dict[str, Any]:
    """One sandbox of ``shape``, one fleet, a lifecycle per time scale of ``scales`` (in order).

    The simulator's clock changes scale between lifecycles (``/_sim/clock``); the first one's
    logins are the ones judged (a tiny scale also shortens OneView's session idle timeout, so
    later runs log in again).
    """
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from etcd_server import running_etcd

    state_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say = lambda message: print(f"   {message}", flush=True)  # noqa: E731
    first = next(iter(scales.values()))
    results: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        etcd = stack.enter_context(running_etcd(state_dir / "etcd"))
        sandbox = stack.enter_context(Sandbox(options(state_dir, shape, first, etcd.url), say=say))
        if not (sandbox.ironic_oneview and sandbox.neutron_oneview):
            raise RuntimeError("the oneview drivers do not load")
        assert sandbox.simulator is not None
        up = time.monotonic() - started
        print(f"   sandbox up in {up:.0f} s; enrolling {shape.nodes} nodes", flush=True)
        prepared = prepare(sandbox, shape.nodes)
        sim = Witness.of(sandbox.simulator)
        for label, scale in scales.items():
            sim.sim("POST", "clock", {"time_scale": scale})
            print(f"   {label}: {shape.nodes} nodes at once, time scale {scale}", flush=True)
            result = lifecycle(sandbox, prepared, timeout)
            if not results:
                result["logins_by_process"] = logins_by_process(sandbox.state_dir)
            result["oneview_processes"] = _oneview_processes(sandbox, shape)
            print(f"   {label}: {json.dumps({k: v for k, v in result.items() if 'by' not in k})}")
            results[label] = result
    return {
        **results,
        "start_up_seconds": round(up, 1),
        "enroll_seconds": prepared.enroll_seconds,
        "seconds_with_start_up": round(time.monotonic() - started, 1),
    }


def _oneview_processes(sandbox: Sandbox, shape: Shape) -> dict[str, int]:
    """The processes that hold a OneView client (each should log in once)."""
    workers = sandbox.options.neutron_workers
    return {
        "this benchmark (sandbox client, enrollment)": 2,
        "Ironic conductors": shape.conductors,
        "Neutron API workers": shape.neutron_hosts * workers,
        # The periodic worker's parent checks the mappings at start-up, its child reconciles.
        "Neutron periodic worker": 2,
    }
