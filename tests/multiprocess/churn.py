"""Neutron's API on two hosts, hit from many threads at once: does any update get lost?

The production shape: two Neutron API "hosts" (each a gunicorn of 2 workers with its own config
and ``[oslo_concurrency] lock_path``, one MariaDB between them, as controllers behind a load
balancer), Neutron's periodic worker, and one etcd as ``[oneview] coordination_backend_url``. The client threads are spread
over both hosts. Two kinds of contention, both through the real API (the driver runs inside the
workers):

* uplink-set membership: VLAN networks created, and half of them deleted again, concurrently,
  so several workers edit one uplink set's ``networkUris`` at the same time;
* server-profile connections: several bare-metal ports of one server bound, unbound, rebound
  and deleted concurrently, so workers of both hosts edit one profile's connection list (new
  connections, so OneView wants the server off: the test opts in to power cycles).

Edits of one profile or one uplink set must take turns across the hosts, which the simulator
sees as no write refused for a stale eTag (412) and no profile write refused because another
change of it is still running (409 RESOURCE_LOCKED: a run without the shared backend gets about
ten); uplink-set writes must be batched across the processes (fewer PUTs than membership
changes). No two edits of one profile interleaved, by the simulator's edit history
(``/_sim/edits``, judged by ``interleaved_edits``): each edit arrived after the previous one's
task had ended, and each PUT carried an eTag, the one the profile had when it arrived.

Nothing may be lost, checked twice against the simulator's witness state: when the churn ends
(the periodic worker is held with SIGSTOP during the churn, so no repair hides a lost update),
and again after two reconciliation passes, the last of which must find nothing to repair.

Shared by ``tests/multiprocess`` (in CI) and ``benchmarks/neutron_workers.py`` (for the
performance report). The result is judged from the simulator's witness view and Neutron's own
records, never through the product's client.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openstack import connection as os_connection

from crash.crashing import reconciliation_held, reports, wait_reports
from etcd_server import running_etcd
from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET, TENANT_NETWORK
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import interleaved_edits
from soak import check
from soak.run import Sim

HOSTS = 2  # Neutron API hosts
WORKERS = 2  # Neutron API processes under gunicorn, per host
THREADS = 2  # threads per worker
NODES = 3  # deployed; each server has 8 MACs, one used by Ironic's port
CLIENT_THREADS = 12
# One OneView session per client: the API workers, Neutron's periodic worker (its parent and the
# child that reconciles), Ironic's conductor, and this process's two (the sandbox's own client and
# enrollment's).
EXTRA_SESSIONS = 5
CHURN_VLANS = range(110, 150)  # the scenario's networks use 101 and 150
MEMBERSHIP_CHANGES = len(CHURN_VLANS) + len(CHURN_VLANS) // 2  # every create, every 2nd delete
POWER_PUT = "PUT /rest/server-hardware/{id}/powerState"
# A profile written while another writer's task on it runs: edits interleaved across processes.
BUSY = "409 RESOURCE_LOCKED"
WIRING_VLANS = (160, 161, 162)
LINK = {"switch_id": "00:00:00:00:00:00", "port_id": "d1", "switch_info": "multiprocess"}
# oslo.log's default line: "<date> <time> <pid> <LEVEL> <logger> [<request context>] <message>"
PLUGGED = re.compile(
    r"^\S+ \S+ (?P<pid>\d+) INFO oneview_openstack\.neutron\.ports \[[^\]]*\] Port ", re.M
)
# ports.py's line for a wired port: "Port <id> (MAC <mac>) of node <node> is on <net> in profile <uri>"
WIRED_IN = re.compile(
    r"INFO oneview_openstack\.neutron\.ports \[[^\]]*\] Port .* in profile "
    r"(?P<profile>/rest/server-profiles/[\w-]+)"
)
CYCLED = re.compile(
    r"^\S+ \S+ \d+ WARNING oneview_openstack\.neutron\.profile_writes .*cycling its power", re.M
)
OUR_ERRORS = re.compile(r"^\S+ \S+ \d+ ERROR oneview_openstack\S*.*$", re.M)
RECONCILE_INTERVAL = 5  # seconds; the periodic worker is held during the churn
# After the churn: the first pass may find the newest resources too young (one interval).
PASSES_AFTER = 2
REPORT = re.compile(r"OneView reconciliation: Report\((?P<fields>.*)\)$", re.M)
REPORT_FIELD = re.compile(r"(?:^|, )(\w+)=")


@dataclass(frozen=True)
class PortJob:
    """One bare-metal port: which node and MAC, which network, and how it ends."""

    node_id: str
    mac: str
    network_id: str
    ending: str  # "bound", "deleted" or "rebound"


class Jobs:
    """The concurrent work; each client thread has its own openstacksdk connection."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.local = threading.local()
        self.lock = threading.Lock()
        self.connections = 0
        self.errors: list[str] = []
        self.kept_networks: list[str] = []
        self.deleted_networks: list[str] = []
        self.kept_ports: list[str] = []

    def conn(self) -> Any:
        """This thread's connection; threads take the Neutron hosts in turn (a load balancer)."""
        if not hasattr(self.local, "conn"):
            assert self.sandbox.layout is not None
            urls = self.sandbox.layout.neutron_urls
            with self.lock:
                url = urls[self.connections % len(urls)]
                self.connections += 1
            self.local.conn = os_connection.Connection(
                auth_type="none",
                baremetal_endpoint_override=self.sandbox.layout.ironic_url,
                baremetal_api_version="1.90",
                network_endpoint_override=url + "/",
            )
        return self.local.conn

    def failed(self, what: str, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{what}: {error}")

    def network(self, vlan: int) -> None:
        net = self.conn().network
        try:
            made = net.create_network(
                name=f"mp-{vlan}",
                provider_network_type="vlan",
                provider_physical_network=PHYSNET,
                provider_segmentation_id=vlan,
            )
            if vlan % 2:
                net.delete_network(made.id)
        except Exception as error:
            self.failed(f"network VLAN {vlan}", error)
            return
        with self.lock:
            (self.deleted_networks if vlan % 2 else self.kept_networks).append(made.id)

    def port(self, job: PortJob) -> None:
        net = self.conn().network
        try:
            port = net.create_port(
                network_id=job.network_id,
                mac_address=job.mac,
                name=f"mp-{job.mac}",
                device_owner="compute:nova",
                device_id=job.node_id,
                binding_host_id=job.node_id,
                binding_vnic_type="baremetal",
                binding_profile={"local_link_information": [LINK]},
            )
            if job.ending == "deleted":
                net.delete_port(port.id)
            elif job.ending == "rebound":
                net.update_port(port.id, binding_host_id="")
                net.update_port(port.id, binding_host_id=job.node_id)
        except Exception as error:
            self.failed(f"port {job.mac} ({job.ending})", error)
            return
        if job.ending != "deleted":
            with self.lock:
                self.kept_ports.append(port.id)


def port_jobs(sandbox: Sandbox, sim: Sim, nodes: list[Any], networks: list[str]) -> list[PortJob]:
    """Every MAC of every deployed node's server, except those Ironic's own ports use."""
    conn = sandbox.conn
    assert conn is not None
    servers = {s["uri"]: s for s in sim.state()["server-hardware"]}
    jobs = []
    endings = ("bound", "deleted", "rebound")
    for node in nodes:
        taken = {p.address.lower() for p in conn.baremetal.ports(node_id=node.id)}
        server = servers[node.driver_info["server_hardware_uri"]]
        for slot in server["portMap"]["deviceSlots"]:
            for physical in slot.get("physicalPorts") or []:
                for virtual in physical.get("virtualPorts") or []:
                    mac = virtual["mac"].lower()
                    if mac in taken:
                        continue
                    n = len(jobs)
                    jobs.append(PortJob(node.id, mac, networks[n % len(networks)], endings[n % 3]))
    return jobs


def interleave(first: list[Any], second: list[Any]) -> list[Any]:
    """Alternate the two lists so both kinds of contention overlap in time."""
    mixed: list[Any] = []
    for index in range(max(len(first), len(second))):
        mixed += first[index : index + 1] + second[index : index + 1]
    return mixed


def run(sandbox: Sandbox, nodes_to_deploy: int, timeout: float = 300.0) -> dict[str, Any]:
    """Deploy nodes, then the concurrent churn with reconciliation held, then two passes."""
    conn = sandbox.conn
    assert conn is not None
    sim = Sim(sandbox)
    baseline = {p["uri"] for p in sim.state()["server-profiles"]}
    networks = scenario.create_networks(sandbox)
    wiring = [
        conn.network.create_network(
            name=f"mp-wiring-{vlan}",
            provider_network_type="vlan",
            provider_physical_network=PHYSNET,
            provider_segmentation_id=vlan,
        ).id
        for vlan in WIRING_VLANS
    ]
    nodes = scenario.pick_nodes(sandbox, nodes_to_deploy)
    scenario.deploy(sandbox, nodes, networks[TENANT_NETWORK], timeout)
    nodes = [conn.baremetal.get_node(n.id) for n in nodes]
    jobs = Jobs(sandbox)
    ports = port_jobs(sandbox, sim, nodes, wiring)

    with reconciliation_held(sandbox):
        logins_before = sim("GET", "_sim/stats")["logins"]
        sim("DELETE", "_sim/stats")  # also clears the profile edit history
        offsets = {path: path.stat().st_size for path in api_logs(sandbox)}
        started = time.monotonic()
        work = interleave(
            [lambda v=vlan: jobs.network(v) for vlan in CHURN_VLANS],
            [lambda j=job: jobs.port(j) for job in ports],
        )
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            for done in [pool.submit(step) for step in work]:
                done.result()
        seconds = time.monotonic() - started
        # the churn's own log lines: the reconciliation passes after it also log to neutron.log
        during = [
            path.read_bytes()[offset:].decode(errors="replace") for path, offset in offsets.items()
        ]
        stats = sim("GET", "_sim/stats")
        at_end = lost(sandbox, sim, jobs, baseline)
        passes = reports(sandbox)
    wait_reports(sandbox, passes + PASSES_AFTER)
    after = lost(sandbox, sim, jobs, baseline)
    edits = sim.edits()
    changed = [e for e in edits if e["changed"]]
    logs = {path.stem: path.read_text(errors="replace") for path in api_logs(sandbox)}
    log = "\n".join(logs.values())
    return {
        "seconds": round(seconds, 1),
        "api_errors": jobs.errors,
        "networks_created": len(CHURN_VLANS),
        "networks_kept": len(jobs.kept_networks),
        **at_end,
        "ports": len(ports),
        "ports_kept": len(jobs.kept_ports),
        "after_reconciliation": {
            **after,
            "last_report_not_empty": unfinished(last_report(sandbox)),
        },
        "membership_changes": MEMBERSHIP_CHANGES,
        "uplink_set_writes": stats["byRoute"].get("PUT /rest/uplink-sets/{id}", 0),
        "profile_writes": stats["byRoute"].get("PUT /rest/server-profiles/{id}", 0),
        "power_writes": stats["byRoute"].get(POWER_PUT, 0),
        "power_cycles": len(CYCLED.findall(log)),
        "refusals": stats["refusals"],
        "stale_etag_refusals": sum(
            count for refusal, count in stats["refusals"].items() if refusal.startswith("412 ")
        ),
        "busy_refusals": stats["refusals"].get(BUSY, 0),
        "profile_edits": len(changed),
        "profile_edits_refused": len(edits) - len(changed),
        "profiles_edited_by_several_sessions": sum(
            1
            for uri in {e["uri"] for e in changed}
            if len({e["session"] for e in changed if e["uri"] == uri}) > 1
        ),
        "interleaved_profile_edits": interleaved_edits(edits),
        # during the churn, not the deploys before it
        "worker_pids_that_wired_ports": sorted(
            {m["pid"] for text in during for m in PLUGGED.finditer(text)}
        ),
        "hosts_that_wired_ports": sorted(
            path.stem for path, text in zip(offsets, during, strict=True) if PLUGGED.search(text)
        ),
        # the same server's ports wired through different hosts
        "profiles_wired_through_several_hosts": sum(
            1
            for uri in {m["profile"] for text in during for m in WIRED_IN.finditer(text)}
            if sum(1 for text in during if uri in set(WIRED_IN.findall(text))) > 1
        ),
        "driver_errors_logged": OUR_ERRORS.findall(log),
        "logins_during_churn": stats["logins"],
        "logins_total": logins_before + stats["logins"],
    }


def lost(sandbox: Sandbox, sim: Sim, jobs: Jobs, baseline: set[str]) -> dict[str, list[str]]:
    """What OneView lacks (or still has) against Neutron and Ironic, from the witness state."""
    conn = sandbox.conn
    assert conn is not None
    state = sim.state()
    wired = {
        owner.group("port").lower()
        for profile in state["server-profiles"]
        for connection in check.connections(profile)
        if (owner := check.OWNER.match(connection.get("name") or ""))
    }
    active = {p.id for p in conn.network.ports() if p.status == "ACTIVE"}
    oneview_names = {n["name"] for n in state["ethernet-networks"]}
    return {
        "networks_kept_missing_in_oneview": [
            n for n in jobs.kept_networks if f"Neutron [{n}]" not in oneview_names
        ],
        "networks_deleted_left_in_oneview": [
            n for n in jobs.deleted_networks if f"Neutron [{n}]" in oneview_names
        ],
        "ports_kept_not_active": sorted(set(jobs.kept_ports) - active),
        "ports_kept_not_wired": sorted(set(jobs.kept_ports) - wired),
        "drift": check.drift(conn, state, baseline),
    }


def last_report(sandbox: Sandbox) -> dict[str, str]:
    """The fields of the last reconciliation report in ``neutron.log``, as logged (repr)."""
    found = list(REPORT.finditer((sandbox.state_dir / "neutron.log").read_text(errors="replace")))
    if not found:
        return {"(report)": "none in neutron.log"}
    text = found[-1].group("fields")
    names = list(REPORT_FIELD.finditer(text))
    return {
        name.group(1): text[name.end() : following.start() if following else len(text)]
        for name, following in zip(names, [*names[1:], None], strict=True)
    }


def unfinished(report: dict[str, str]) -> list[str]:
    """``field=value`` for every part of a report that found or did something."""
    return [f"{name}={value}" for name, value in report.items() if value not in ("[]", "{}")]


def api_logs(sandbox: Sandbox) -> list[Path]:
    """neutron.log, neutron-host2.log, ...: one per Neutron API host."""
    return sorted(sandbox.state_dir.glob("neutron*.log"))


def log_files(sandbox: Sandbox) -> list[Path]:
    return [*api_logs(sandbox), *sorted(sandbox.state_dir.glob("neutron*.out"))]


@dataclass(frozen=True)
class Shape:
    """How Neutron runs: hosts x workers, and what coordinates them.

    ``backend``: ``etcd`` (an etcd of its own: profile locks and the uplink-set batch queue),
    ``file`` (tooz's file driver in a folder both "hosts" see: locks, turns, no queue) or
    ``none`` (each host its own lock files: nothing joins the hosts but OneView's eTags).
    ``database``: the sandbox's ``mariadb`` (production's) or ``sqlite`` (every transaction
    taking the write lock up front).
    """

    hosts: int = HOSTS
    workers: int = WORKERS
    backend: str = "etcd"
    database: str = "mariadb"

    @property
    def processes(self) -> int:
        return self.hosts * self.workers


def start_and_run(state_dir: Path, say: Any = None, shape: Shape = Shape()) -> dict[str, Any]:
    """An etcd, a sandbox with ``shape``'s Neutron, 4 nodes enrolled, 3 deployed, the churn."""
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        url = None
        if shape.backend == "etcd":
            url = stack.enter_context(running_etcd(state_dir / "etcd")).url
        elif shape.backend == "file":
            (state_dir / "tooz").mkdir(parents=True, exist_ok=True)
            url = f"file://{state_dir / 'tooz'}"
        options = Options(
            state_dir=state_dir,
            time_scale=0.005,
            reconcile_interval=RECONCILE_INTERVAL,  # held during the churn: see run()
            database=shape.database,
            neutron_workers=shape.workers,
            neutron_threads=THREADS,
            neutron_hosts=shape.hosts,
            coordination_backend_url=url,
            # every port here needs a new connection, which OneView takes only with the server off
            oneview_settings={"allow_power_cycle_for_connection_changes": True},
        )
        sandbox = stack.enter_context(Sandbox(options, say=say))
        if not (sandbox.ironic_oneview and sandbox.neutron_oneview):
            raise RuntimeError("the oneview drivers do not load")
        with open(state_dir / "enroll.out", "w") as out, contextlib.redirect_stdout(out):
            code = enroll([*sandbox.enroll_argv(), "--limit", str(NODES + 1), "--format", "json"])
        if code != 0:
            raise RuntimeError(f"enrollment failed; see {state_dir / 'enroll.out'}")
        result = run(sandbox, NODES)
        assert sandbox.simulator is not None
        result["secrets_in_logs"] = check.secrets_in_logs(
            log_files(sandbox), [sandbox.simulator.password]
        )
    return {
        "hosts": shape.hosts,
        "workers_per_host": shape.workers,
        "threads": THREADS,
        "workers": shape.processes,
        "coordination": shape.backend,
        "database": shape.database,
        "client_threads": CLIENT_THREADS,
        **result,
        "seconds_with_start_up": round(time.monotonic() - started, 1),
    }


LOSSES = (
    "networks_kept_missing_in_oneview",
    "networks_deleted_left_in_oneview",
    "ports_kept_not_active",
    "ports_kept_not_wired",
)


def verdict(result: dict[str, Any]) -> list[str]:
    """Every broken claim as a sentence (empty: nothing was lost, nothing raced)."""
    problems = [f"API call failed: {error}" for error in result["api_errors"]]
    after = result["after_reconciliation"]
    for when, found in (("at the end", result), ("after reconciliation", after)):
        problems += [f"drift {when}: {line}" for line in found["drift"]]
        for key in LOSSES:
            problems += [f"{key.replace('_', ' ')} {when}: {item}" for item in found[key]]
    problems += [
        f"the last reconciliation pass still found: {item}"
        for item in after["last_report_not_empty"]
    ]
    for key in ("interleaved_profile_edits", "driver_errors_logged", "secrets_in_logs"):
        problems += [f"{key.replace('_', ' ')}: {item}" for item in result[key]]
    if not result["profiles_edited_by_several_sessions"]:
        problems.append("no profile was edited by two sessions: no contention was tested")
    if result["hosts"] > 1 and not result["profiles_wired_through_several_hosts"]:
        problems.append("no server had ports wired through two hosts: no contention was tested")
    if result["networks_kept"] != len(CHURN_VLANS) // 2:
        problems.append(f"{result['networks_kept']} networks kept, not {len(CHURN_VLANS) // 2}")
    expected_ports = result["ports"] - result["ports"] // 3
    if result["ports"] != NODES * 7 or result["ports_kept"] != expected_ports:
        problems.append(f"{result['ports_kept']} of {result['ports']} ports kept")
    if len(result["worker_pids_that_wired_ports"]) < 2:
        problems.append("one API worker did all the wiring: no contention was tested")
    if len(result["hosts_that_wired_ports"]) < result["hosts"]:
        problems.append(f"only {result['hosts_that_wired_ports']} wired ports: hosts not all used")
    if result["stale_etag_refusals"]:
        problems.append(
            f"{result['stale_etag_refusals']} writes refused for a stale eTag: edits of one "
            "profile or uplink set interleaved across processes"
        )
    if result["busy_refusals"]:
        problems.append(
            f"{result['busy_refusals']} profile writes refused with {BUSY}: one process wrote "
            "while another's change of that profile was still running"
        )
    if result["uplink_set_writes"] >= result["membership_changes"]:
        problems.append(
            f"{result['uplink_set_writes']} uplink-set writes for {result['membership_changes']} "
            "membership changes: nothing was batched"
        )
    sessions = result["hosts"] * result["workers_per_host"] + EXTRA_SESSIONS
    if result["logins_total"] > sessions:
        problems.append(f"{result['logins_total']} logins for {sessions} OneView clients")
    return problems
