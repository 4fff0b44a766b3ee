"""A fleet deployed and undeployed at once through the production shape, against its physical limit.

Run: ``.venv/bin/python benchmarks/fleet_deploy.py [--nodes 50] [--db mariadb] [--conductors 2]
[--neutron-hosts 2]``. It starts the whole sandbox once (simulator, MariaDB, ironic-api and the
conductors on json-rpc, the Neutron API hosts and periodic worker, all on one etcd), enrolls the
nodes, gives each a VIF on a tenant network (one network per Neutron host, the VIFs through the
hosts in turn), then, per lifecycle, asks every node to deploy at once, waits for all
``active``, asks every node to undeploy at once and waits for all ``available`` (``_fleet_run``).

Two lifecycles of the same fleet: the *timed* one at ``--time-scale`` (OneView's tasks take
their simulated time), then the *instant* one at ``--instant-scale`` (OneView answers at once),
whose wall time is Ironic's and Neutron's own time for the same work (caches already warm, so
if anything shorter: the target gets stricter, not looser). The physical limit is the longest chain of OneView
task time one node of the timed run needed (``_fleet_chain``). Target: timed wall <= 1.25 x
(limit + instant wall). Also reported: OneView requests per node lifecycle by kind (method +
route family, from ``/_sim/stats``), logins against the processes that hold a OneView client
(target one each), failures (target 0). Results: docs/benchmarks/fleet_deploy.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _report import RESULTS as RESULTS_DIR
from _report import Lines, Section, plt, save, table

RESULTS = RESULTS_DIR / "fleet_deploy.json"
TARGET = 1.25  # wall at most this times (physical limit + Ironic's own time)


def measure(args: argparse.Namespace, shape: Any, scales: dict[str, float]) -> dict[str, Any]:
    from _fleet_run import run  # the sandbox and OpenStack SDK: only when measuring

    print(f"== {shape.describe()}: runs {scales}", flush=True)
    if args.state_dir:
        return run(args.state_dir, shape, scales, args.timeout)
    with tempfile.TemporaryDirectory(prefix="oneview-fleet-") as state:
        return run(Path(state), shape, scales, args.timeout)


def verdict(timed: dict[str, Any], instant: dict[str, Any]) -> dict[str, Any]:
    bound = timed["chain_seconds"] + instant["wall_seconds"]
    processes = sum(timed["oneview_processes"].values())
    problems = [f"timed run: {f}" for f in timed["failures"]]
    problems += [f"instant run: {f}" for f in instant["failures"]]
    ratio = timed["wall_seconds"] / bound if bound else None
    if ratio is None or ratio > TARGET:
        problems.append(f"wall {timed['wall_seconds']} s is {ratio}x (limit + own time)")
    if timed["logins"] > processes:
        problems.append(f"{timed['logins']} logins for {processes} OneView clients")
    for process, seen in timed.get("logins_by_process", {}).items():
        if seen["logins"] != 1:
            problems.append(f"{process} logged in {seen['logins']} times")
    return {
        "bound_seconds": round(bound, 2),
        "wall_over_bound": round(ratio, 3) if ratio else None,
        "target": TARGET,
        "logins_per_process": round(timed["logins"] / processes, 2),
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--db", default="mariadb", choices=("mariadb", "sqlite"))
    parser.add_argument("--conductors", type=int, default=2)
    parser.add_argument("--neutron-hosts", type=int, default=2)
    parser.add_argument("--neutron-workers", type=int, default=1, help="per host")
    parser.add_argument("--neutron-threads", type=int, default=4, help="per worker")
    parser.add_argument(
        "--time-scale", type=float, default=0.1, help="timed run: real s per simulated s"
    )
    parser.add_argument(
        "--instant-scale", type=float, default=0.0001, help="instant run (OneView at once)"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per fleet wait")
    parser.add_argument("--state-dir", type=Path, help="keep each run's state here")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        choices=("instant", "timed"),
        help="one run, printed, no result file (to try a shape out)",
    )
    args = parser.parse_args(argv)
    from _fleet_run import Shape

    shape = Shape(
        args.nodes,
        args.db,
        args.conductors,
        args.neutron_hosts,
        args.neutron_workers,
        args.neutron_threads,
    )
    started = time.monotonic()
    scales = {"timed": args.time_scale, "instant": args.instant_scale}
    if args.only:
        one = measure(args, shape, {args.only: scales[args.only]})
        return 1 if one[args.only]["failures"] else 0
    measured = measure(args, shape, scales)
    timed, instant = measured["timed"], measured["instant"]
    judged = verdict(timed, instant)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        "shape": {**shape.__dict__, "description": shape.describe()},
        "timed": timed,
        "instant": instant,
        "start_up_seconds": measured["start_up_seconds"],
        "enroll_seconds": measured["enroll_seconds"],
        **judged,
        "benchmark_seconds": round(time.monotonic() - started, 1),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("timed", "instant")}, indent=2))
    print(f"wrote {args.out}")
    return 1 if judged["problems"] else 0


# -- docs/performance.md -------------------------------------------------------------------------
def _plot(data: dict[str, Any]) -> None:
    timed, instant = data["timed"], data["instant"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=(1, 1.4))
    parts = [
        ("physical limit\n(longest task chain)", timed["chain_seconds"]),
        ("own time, OneView instant\n(Ironic, Neutron, DB)", instant["wall_seconds"]),
    ]
    bottom = 0.0
    for label, value in parts:
        left.bar(["limit + own time"], [value], bottom=bottom, label=label)
        bottom += value
    left.bar(["measured wall"], [timed["wall_seconds"]], color="tab:green")
    left.axhline(data["target"] * data["bound_seconds"], ls="--", c="grey", lw=1)
    left.text(
        -0.4, data["target"] * data["bound_seconds"], f"target {data['target']}x", va="bottom"
    )
    left.set_ylabel("seconds for the fleet (lower is better)")
    left.legend(fontsize=7, loc="upper right")
    left.set_ylim(top=1.3 * max(data["target"] * data["bound_seconds"], timed["wall_seconds"]))
    kinds = list(timed["requests_per_node_by_kind"].items())[:10]
    right.barh([k for k, _ in kinds][::-1], [v for _, v in kinds][::-1])
    right.set_xlabel("OneView requests per node lifecycle")
    right.tick_params(axis="y", labelsize=7)
    save(fig, "fleet_deploy")


def _conductors(run: dict[str, Any]) -> str:
    spread = run.get("nodes_by_conductor") or {}
    return ", ".join(f"{host}: {n}" for host, n in spread.items()) or "not recorded"


def _per_process(run: dict[str, Any]) -> str:
    seen = run.get("logins_by_process") or {}
    return (
        "; ".join(
            f"{name}: {s['logins']} login(s), {s['requests']} requests" for name, s in seen.items()
        )
        or "no process logs its client at DEBUG"
    )


def render(data: dict[str, Any]) -> Lines:
    timed, instant, shape = data["timed"], data["instant"], data["shape"]
    _plot(data)
    processes = ", ".join(f"{name} {n}" for name, n in timed["oneview_processes"].items())
    rows = [
        ["shape", shape["description"]],
        [
            "wall time, timed run",
            f"{timed['wall_seconds']:.1f} s (deploy {timed['deploy_seconds']:.1f} s, "
            f"undeploy {timed['undeploy_seconds']:.1f} s), time scale {timed['time_scale']}",
        ],
        [
            "physical limit",
            f"{timed['chain_seconds']:.1f} s: the slowest node's {timed['chain_tasks']} OneView "
            f"tasks, {timed['chain_simulated_seconds']:.0f} simulated s "
            f"(mean node {timed['mean_chain_seconds']:.1f} s)",
        ],
        ["nodes per conductor", _conductors(timed)],
        [
            "own time (Ironic, Neutron, databases)",
            f"{instant['wall_seconds']:.1f} s: the same lifecycle with OneView instant "
            f"(time scale {instant['time_scale']})",
        ],
        [
            "wall / (limit + own time)",
            f"**{data['wall_over_bound']}** (target at most {data['target']})",
        ],
        [
            "OneView requests per node lifecycle",
            f"{timed['requests_per_node']} (instant run {instant['requests_per_node']})",
        ],
        [
            "OneView logins",
            f"{timed['logins']} for {sum(timed['oneview_processes'].values())} processes "
            f"({processes}): **{data['logins_per_process']}** per process (target 1); "
            f"{timed['logins_during_lifecycle']} while the fleet deployed and undeployed",
        ],
        ["logins and requests per conductor (its log)", _per_process(timed)],
        [
            "failures",
            f"**{len(timed['failures'])}** timed, **{len(instant['failures'])}** instant "
            "(target 0)",
        ],
        [
            "benchmark time",
            f"{data['benchmark_seconds'] / 60:.1f} min (start-up {data['start_up_seconds']:.0f} s,"
            f" enrollment {data['enroll_seconds']:.0f} s, then both lifecycles)",
        ],
    ]
    kinds = [
        [kind, per_node, instant["requests_per_node_by_kind"].get(kind, 0)]
        for kind, per_node in timed["requests_per_node_by_kind"].items()
    ]
    return [
        f"{shape['nodes']} nodes deployed at once and then undeployed at once through the",
        "production shape (`benchmarks/fleet_deploy.py`): each node a VIF on a tenant network,",
        "the networks and VIFs through the Neutron hosts in turn. The physical limit is the",
        "longest chain of OneView task time one node needed (its power, profile apply,",
        "connection edits and profile delete, which cannot overlap); the own time (Ironic,",
        "Neutron, their databases) is the same fleet's lifecycle again with OneView instant.",
        "Requests are everything the simulator served between the first deploy request and the",
        "last node available (periodic tasks included). Each conductor binds its nodes' ports",
        "through its own Neutron host.",
        "",
        *table(["measure", "value"], rows),
        "",
        *table(["request kind", "per node (timed)", "per node (instant)"], kinds),
        "",
        f"![Fleet wall time against its limit]({'performance/fleet_deploy.png'})",
        "",
        "_Left: wall time against the physical limit plus the own time. Right: OneView"
        " requests per node lifecycle by kind (one run)._",
    ]


SECTION = Section("fleet_deploy", "fleet_deploy.py", "Fleet deploy: 50 nodes at once", render)

if __name__ == "__main__":
    sys.exit(main())
