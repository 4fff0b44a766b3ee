"""How each benchmark's JSON becomes a section of docs/performance.md: a table and a figure."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

DOCS = Path(__file__).resolve().parent.parent / "docs"
RESULTS = DOCS / "benchmarks"
FIGURES = DOCS / "performance"
Lines = list[str]


@dataclass(frozen=True)
class Section:
    name: str  # docs/benchmarks/<name>.json
    script: str
    title: str
    render: Callable[[dict[str, Any]], Lines]
    args: tuple[str, ...] = field(default=())


def table(header: list[str], rows: list[list[Any]]) -> Lines:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return out


def figure(name: str, caption: str) -> Lines:
    return ["", f"![{caption}](performance/{name}.png)", "", f"_{caption}_"]


def save(fig: Any, name: str) -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(FIGURES / f"{name}.png", dpi=110)
    plt.close(fig)


def side_by_side(name: str, labels: list[str], series: dict[str, list[float]], ylabel: str) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / len(series)
    for index, (side, values) in enumerate(series.items()):
        xs = [i + index * width for i in range(len(labels))]
        bars = ax.bar(xs, values, width, label=side)
        ax.bar_label(bars, fmt="%.3g", fontsize=8)
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels)
    ax.set_ylabel(ylabel)
    ax.legend()
    save(fig, name)


# -- client vs hpeOneView ---------------------------------------------------------------------
def render_client(data: dict[str, Any]) -> Lines:
    rows, labels, ours, theirs = [], [], [], []
    for workload, row in data["workloads"].items():
        o, h = row["ours"], row["hpeOneView"]
        rows.append(
            [
                workload,
                f"{o['seconds']:.2f} s",
                f"{h['seconds']:.2f} s",
                f"**{row['speedup']}x**",
                f"{o['logins']} / {h['logins']}",
                f"{o['tcpConnections']} / {h['tcpConnections']}",
                f"{o['failures']} / {h['failures']}",
            ]
        )
        labels.append(workload)
        ours.append(o["seconds"])
        theirs.append(h["seconds"])
    side_by_side(
        "client", labels, {"ours": ours, "hpeOneView": theirs}, "seconds (lower is better)"
    )
    setup = data["setup"]
    return [
        "Our client against HPE's SDK used the way the last upstream Ironic driver used it (a new",
        f"SDK client per operation). Setup: {setup['hpeOneView']}; ours: {setup['ours']};",
        f"simulator: {setup['simulator']}; connections counted as {setup['connections']}.",
        "",
        *table(
            [
                "workload",
                "ours",
                "hpeOneView",
                "speed-up",
                "logins (ours / SDK)",
                "TCP connections",
                "failed calls",
            ],
            rows,
        ),
        *figure("client", "Wall time per workload, ours vs hpeOneView 11.4.0 (one run)."),
    ]


# -- task waits --------------------------------------------------------------------------------
def render_task_wait(data: dict[str, Any]) -> Lines:
    rows, labels = [], list(data["lengths"])
    overhead: dict[str, list[float]] = {}
    for length, row in data["lengths"].items():
        for side, r in row.items():
            overhead.setdefault(side, []).append(r["meanOverheadPercent"])
            rows.append(
                [
                    length,
                    side,
                    f"{r['meanOverheadPercent']}%",
                    f"{r['worstOverheadPercent']}%",
                    r["pollsPerTask"],
                    r["pollsPerMinute"],
                ]
            )
    side_by_side("task_wait", labels, overhead, "mean overhead % (lower is better)")
    setup = data["setup"]
    return [
        "How long after a OneView task ends the waiter notices, as overhead = observed wait /",
        "task length - 1, and what it costs in polls. Targets: overhead at most 10%, at most 15",
        "polls a minute (a rate that matters for long waits, the 60 s row; a 2 s task costs a",
        f"handful of polls in all). Ours: {setup['ours']}. Baseline: {setup['hpeOneView']}.",
        f"Simulator: {setup['simulator']}; {setup['scaling']}.",
        "",
        *table(
            ["task length", "side", "mean overhead", "worst", "polls per task", "polls a minute"],
            rows,
        ),
        *figure("task_wait", "Mean task-wait overhead by task length (one run)."),
    ]


# -- simulator ---------------------------------------------------------------------------------
def render_simulator(data: dict[str, Any]) -> Lines:
    listing = data["listing"]
    rows = [
        [
            f"paged listing of {listing['servers']:,} servers ({listing['pages']} pages)",
            f"{listing['median_s']:.3f} s median, {listing['best_s']:.3f} s best",
            f"< {data['targets']['listing_s']} s",
        ]
    ]
    for gets in data["single_gets"]:
        rows.append(
            [
                f"single GETs, {gets['threads']} client thread(s)",
                f"{gets['per_second']:,.0f} /s",
                f">= {data['targets']['gets_per_s']:,} /s",
            ]
        )
    return [
        "The appliance every other number depends on: if it were slow, it would hide the",
        "client's differences. HTTPS, keep-alive, the simulator in its own process.",
        "",
        *table(["workload", "measured", "target"], rows),
    ]


# -- power-state sync ------------------------------------------------------------------------
def render_power_sync(data: dict[str, Any]) -> Lines:
    counts = sorted(data["results"], key=int)
    rows = []
    for count in counts:
        snap, per_node = data["results"][count]["snapshot"], data["results"][count]["per-node"]
        rows.append(
            [
                f"{int(count):,}",
                f"{snap['requests_per_sync']} ({100 * snap['requests_per_node']:.1f}%)",
                per_node["requests_per_sync"],
                f"{snap['wall_seconds']:.2f} s",
                f"{per_node['wall_seconds']:.2f} s",
            ]
        )
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    xs = [int(c) for c in counts]
    for side in ("snapshot", "per-node"):
        left.plot(xs, [data["results"][c][side]["requests_per_sync"] for c in counts], "o-")
        right.plot(xs, [data["results"][c][side]["wall_seconds"] for c in counts], "o-")
    left.set(xscale="log", yscale="log", xlabel="nodes", ylabel="OneView requests per sync")
    right.set(xscale="log", xlabel="nodes", ylabel="seconds per sync")
    left.legend(["fleet snapshot (ours)", "one GET per node (upstream)"])
    save(fig, "power_sync")
    return [
        "Ironic's periodic power-state sync through the real conductor manager (Ironic's test",
        f"base, sqlite), {data['sync_power_state_workers']} sync workers, the simulator adding",
        f"{1000 * data['latency_seconds_per_request']:.0f} ms to every request; median of"
        f" {data['repeat']} syncs. Target: at most 5% of the node count in requests.",
        "",
        *table(
            [
                "nodes",
                "requests, snapshot",
                "requests, per node",
                "wall, snapshot",
                "wall, per node",
            ],
            rows,
        ),
        *figure("power_sync", "Requests and wall time per power sync by node count."),
    ]


# -- uplink-set churn ------------------------------------------------------------------------
def render_uplink_set_churn(data: dict[str, Any]) -> Lines:
    rows, labels, writes = [], [], []
    for pattern, r in data["patterns"].items():
        rows.append(
            [
                pattern,
                f"{r['seconds']:.1f} s",
                r["uplinkSetWrites"],
                r["createsFailed"],
                f"**{r['lostMemberships']}**",
            ]
        )
        labels.append(pattern.replace(", ", "\n"))
        writes.append(r["uplinkSetWrites"])
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bars = ax.bar(range(len(labels)), writes)
    ax.bar_label(bars)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylabel("uplink-set writes (lower is better)")
    save(fig, "uplink_set_churn")
    setup = data["setup"]
    return [
        f"{setup['networks']} VLAN networks created concurrently against one uplink set:",
        "lost memberships (target 0) and uplink-set writes (target at most a quarter of the",
        "networks), beside the read-modify-write per network of HPE's SDK that networking-oneview",
        f"used. Simulator: {setup['simulator']}. Neutron: {setup['neutron']}.",
        "",
        "A batch holds at most the changes in flight (8 clients, so at least 25 writes). Through",
        "Neutron's API the creates also take turns in sqlite and reach the driver spread out, so",
        "fewer wait for each write and the Neutron rows stay above the write target; a slower",
        "appliance (the second Neutron row) does not change that. No row of ours loses a",
        "membership.",
        "",
        *table(
            ["pattern", "wall time", "uplink-set writes", "failed creates", "lost memberships"],
            rows,
        ),
        *figure("uplink_set_churn", "Uplink-set writes per pattern for the same 200 networks."),
    ]


# -- fault soak ------------------------------------------------------------------------------
def render_soak(data: dict[str, Any]) -> Lines:
    faults = ", ".join(f"{kind} {n}" for kind, n in sorted(data["faults_fired"].items()))
    operations = ", ".join(f"{op} {n}" for op, n in sorted(data["operations"].items()))
    rows = [
        ["load", f"{data['seconds_of_load']:.0f} s on {data['nodes']} nodes"],
        ["databases", data.get("database", "sqlite")],
        ["operations", f"{data['operations_total']} ({operations})"],
        [
            "faults injected",
            f"{data['faults_fired_total']} of {data['fault_kinds_fired']}/"
            f"{data['fault_kinds_armed']} kinds ({faults})",
        ],
        [
            "failures surfaced",
            f"{data['failures_total']}, unreadable {len(data['failures_unreadable'])}",
        ],
        ["drift after one reconciliation pass", f"**{len(data['drift'])}**"],
        [
            "OneView logins",
            f"{data['logins']} ({data['sessions_expected']} OneView clients + at most "
            f"{data['relogins_allowed']} re-logins after injected expiries)",
        ],
    ]
    return [
        "Ironic lifecycles (deploy, power, undeploy with VIFs) and Neutron network and port churn",
        "run at once through the sandbox's real processes while the simulator injects every",
        "fault kind; at the end Ironic's and Neutron's view is compared with the simulator's",
        "own state. Run on demand with `python benchmarks/soak.py --minutes N`; a shorter",
        "version is `tests/soak` in CI.",
        "",
        *table(["measure", "value"], rows),
    ]


# -- multi-process safety --------------------------------------------------------------------
def render_neutron_workers(data: dict[str, Any]) -> Lines:
    refusals = ", ".join(f"{code} {n}" for code, n in data["refusals"].items()) or "none"

    def losses(found: dict[str, Any]) -> int:
        return (
            len(found["networks_kept_missing_in_oneview"])
            + len(found["networks_deleted_left_in_oneview"])
            + len(found["ports_kept_not_wired"])
            + len(found["drift"])
        )

    lost = losses(data)
    after = data.get("after_reconciliation")
    hosts = int(data.get("hosts", 1))
    per_host = data.get("workers_per_host", data["workers"])
    rows = [
        [
            "API",
            f"{hosts} host(s) x {per_host} gunicorn workers x {data['threads']} threads "
            f"(separate lock paths), coordination: {data.get('coordination') or 'none'}, "
            f"database: {data.get('database', 'sqlite')}, {data['client_threads']} client threads",
        ],
        [
            "networks",
            f"{data['networks_created']} created, {data['networks_kept']} kept, the rest deleted",
        ],
        [
            "bare-metal ports",
            f"{data['ports']} on {data['ports'] // 7} server profiles: {data['ports_kept']} kept "
            "(bound or unbound and rebound), the rest deleted",
        ],
        [
            "workers (hosts) that wired ports",
            f"{len(data['worker_pids_that_wired_ports'])} "
            f"({len(data.get('hosts_that_wired_ports', [])) or 1})",
        ],
        ["failed API calls", len(data["api_errors"])],
        ["lost or leaked updates (networks, memberships, connections)", f"**{lost}**"],
        *(
            [
                [
                    "the same after two reconciliation passes; what the last one still found",
                    f"**{losses(after)}**; {len(after['last_report_not_empty'])} items",
                ],
                [
                    "profile edits; interleaved (`/_sim/edits`); profiles edited by 2+ sessions",
                    f"{data['profile_edits']}; **{len(data['interleaved_profile_edits'])}**; "
                    f"{data['profiles_edited_by_several_sessions']}",
                ],
            ]
            if after is not None
            else []
        ),
        [
            "OneView writes",
            f"{data['uplink_set_writes']} uplink-set PUTs for "
            f"{data.get('membership_changes', '?')} membership changes, "
            f"{data['profile_writes']} profile PUTs",
        ],
        [
            "power cycles (opt-in `allow_power_cycle_for_connection_changes`)",
            data.get("power_cycles", "?"),
        ],
        ["OneView refusals answered", refusals],
        [
            "OneView logins",
            f"{data['logins_total']} (one per client: {data['workers']} API workers, Neutron's "
            "periodic worker and its reconciling child, Ironic, the run's own two)",
        ],
        ["churn time", f"{data['seconds']:.0f} s"],
    ]
    lines = [
        "Neutron's API under gunicorn on several hosts (each its own lock path, all on one",
        "MariaDB and one etcd through `[oneview] coordination_backend_url`), network creates and",
        "deletes and bare-metal port bindings at once through the real API, then Neutron's and",
        "Ironic's view compared with the simulator's own state: first with the periodic worker",
        "held (SIGSTOP) during the churn, so nothing can be repaired before the check, then again",
        "after two reconciliation passes. Edits of one server profile interleaved when one",
        "arrived while the previous one's task ran, or a PUT carried no eTag or another than the",
        "profile had when it arrived (the simulator's edit history). The same run is",
        "`tests/multiprocess` in CI.",
        "",
        *table(["measure", "value"], rows),
    ]
    comparison = data.get("comparison") or {}
    if comparison:
        compared = [
            [
                shape,
                f"{run['uplink_set_writes']} / {run['membership_changes']}",
                run["profile_writes"],
                run["stale_etag_refusals"],
                run["busy_refusals"],
                run.get("interleaved_profile_edits", "?"),
                f"{run['seconds']:.0f} s",
                "; ".join(run.get("problems") or []) or "none",
            ]
            for shape, run in comparison.items()
        ]
        lines += [
            "",
            "The same churn with other coordination set-ups (`neutron_workers.py --compare`):",
            "",
            *table(
                [
                    "set-up",
                    "uplink-set PUTs / changes",
                    "profile PUTs",
                    "412 stale eTag",
                    "409 busy profile",
                    "interleaved edits",
                    "churn",
                    "problems",
                ],
                compared,
            ),
        ]
    return lines


def render_raw(data: dict[str, Any]) -> Lines:
    """Fallback for a benchmark without a renderer yet: its JSON, verbatim."""
    return ["```json", json.dumps(data, indent=2), "```"]


def sections() -> list[Section]:
    return [
        Section("client", "client_vs_hpeoneview.py", "Client vs hpeOneView", render_client),
        Section("task_wait", "task_wait.py", "Task-wait overhead", render_task_wait),
        Section("power_sync", "power_sync.py", "Power-state sync vs node count", render_power_sync),
        Section(
            "uplink_set_churn", "uplink_set_churn.py", "Uplink-set churn", render_uplink_set_churn
        ),
        Section(
            "neutron_workers",
            "neutron_workers.py",
            "Multi-process safety: Neutron API workers",
            render_neutron_workers,
        ),
        Section("soak", "soak.py", "Fault soak", render_soak),
        Section("simulator", "simulator_throughput.py", "Simulator throughput", render_simulator),
    ]
