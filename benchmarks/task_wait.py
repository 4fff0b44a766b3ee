"""Task-wait overhead: how long after a OneView task ends do we notice, and how many polls it costs.

Run: ``.venv/bin/python benchmarks/task_wait.py [--tasks 6] [--time-scale 0.2]``
(needs the ``bench`` extra). For each task length (2 s, 10 s, 60 s of appliance time) the simulator
runs in its own process with every power task lasting exactly that long, and each side powers one
server on and off ``--tasks`` times, waiting for every task:

* ``ours``: ``OneViewClient`` with the default pacing (first poll after 0.5 s, x1.5 back-off to
  10 s, brought forward by reported progress);
* ``hpeOneView``: HPE's SDK 11.4.0 ``TaskMonitor`` (polls at once, then sleeps 1, 2, 3 ... 10 s).

Time is compressed by ``--time-scale`` (real seconds per appliance second) on both sides: the
simulator's clock, our poll intervals, and the SDK's ``time.sleep`` are all multiplied by it, so
the ratios are those of a real appliance while the run takes about four minutes. What is not
compressed is the round trip of each poll (a few ms on loopback): at 0.2 it weighs 5 times what
it would on an appliance, at 0.05 20 times, which is why the default is not smaller. Reported
per side:
overhead (observed wait / task length - 1), polls per task, polls per minute of task time.
Results go to stdout and docs/benchmarks/task_wait.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import tempfile
import time
import types
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _simproc import RunningSimulator, our_client, simulator_process, write_results
from oneview_openstack.client import ClientSettings

POLL_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(ClientSettings)
    if f.name in ("task_poll_interval", "task_poll_max_interval")
}
RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "task_wait.json"
TASK_SECONDS = (2.0, 10.0, 60.0)


def summary(observed: list[float], task_seconds: float, polls: int, scale: float) -> dict:
    real_task = task_seconds * scale
    per_task = polls / len(observed)
    return {
        "tasks": len(observed),
        "meanOverheadPercent": round(100 * (sum(observed) / len(observed) / real_task - 1), 1),
        "worstOverheadPercent": round(100 * (max(observed) / real_task - 1), 1),
        "pollsPerTask": round(per_task, 2),
        "pollsPerMinute": round(per_task * 60 / task_seconds, 1),
    }


def ours(sim: RunningSimulator, server: str, tasks: int, scale: float) -> tuple[list[float], int]:
    client = our_client(
        sim,
        task_poll_interval=POLL_DEFAULTS["task_poll_interval"] * scale,
        task_poll_max_interval=POLL_DEFAULTS["task_poll_max_interval"] * scale,
    )
    try:
        observed = []
        for index in range(tasks):
            state = "On" if index % 2 == 0 else "Off"
            control = None if state == "On" else "PressAndHold"
            started = time.perf_counter()
            client.server_hardware.set_power_state(server, state, control)
            observed.append(time.perf_counter() - started)
        return observed, int(client.metrics.snapshot().get("task_polls", 0))
    finally:
        client.close()


def hpe(sim: RunningSimulator, server: str, tasks: int, scale: float) -> tuple[list[float], int]:
    from hpeOneView.oneview_client import OneViewClient as HpeClient
    from hpeOneView.resources import task_monitor

    polls = 0
    real_get = task_monitor.TaskMonitor.get

    def counted_get(self: Any, task: Any) -> Any:
        nonlocal polls
        polls += 1
        return real_get(self, task)

    real_time = task_monitor.time
    task_monitor.time = types.SimpleNamespace(  # its pauses, compressed like the appliance clock
        sleep=lambda seconds: real_time.sleep(seconds * scale), time=real_time.time
    )
    task_monitor.TaskMonitor.get = counted_get
    try:
        client = HpeClient(
            {
                "ip": urlsplit(sim.url).netloc,
                "credentials": {"userName": sim.username, "password": sim.password},
                "ssl_certificate": sim.ca_file,
            }
        )
        resource = client.server_hardware.get_by_uri(server)
        observed = []
        for index in range(tasks):
            body = {"powerState": "On"} if index % 2 == 0 else {"powerState": "Off"}
            if body["powerState"] == "Off":
                body["powerControl"] = "PressAndHold"
            started = time.perf_counter()
            resource.update_power_state(body)
            observed.append(time.perf_counter() - started)
        return observed, polls
    finally:
        task_monitor.time = real_time
        task_monitor.TaskMonitor.get = real_get


def free_server(sim: RunningSimulator) -> str:
    client = our_client(sim)
    try:
        servers = client.server_hardware.list()
        return next(
            s["uri"]
            for s in servers
            if not s.get("powerLock")
            and s.get("powerState") == "Off"
            and s.get("state") != "Unknown"
        )
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=6)
    parser.add_argument("--time-scale", type=float, default=0.2)
    args = parser.parse_args()
    scale = args.time_scale
    results: dict[str, Any] = {
        "setup": {
            "simulator": f"own process, HTTPS, --time-scale {scale}; every power task lasts "
            "exactly the named length",
            "ours": f"defaults: first poll {POLL_DEFAULTS['task_poll_interval']:g} s, x1.5 back-off to "
            f"{POLL_DEFAULTS['task_poll_max_interval']:g} s, paced by percentComplete (a value "
            "on the 10% grid read as mid-step)",
            "hpeOneView": "11.4.0 TaskMonitor: polls at once, then after 1, 2, ... 10 s",
            "scaling": f"all pauses and task lengths multiplied by {scale} (real s per appliance s)",
            "python": platform.python_version(),
        },
        "lengths": {},
    }
    for seconds in TASK_SECONDS:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config:
            json.dump({"task_durations": {"power": [seconds, seconds]}}, config)
        row: dict[str, Any] = {}
        for side, run in (("ours", ours), ("hpeOneView", hpe)):
            with simulator_process(
                "--config", config.name, "--time-scale", str(scale), "--servers", "16"
            ) as sim:
                observed, polls = run(sim, free_server(sim), args.tasks, scale)
                row[side] = summary(observed, seconds, polls, scale)
        Path(config.name).unlink()
        results["lengths"][f"{seconds:g} s"] = row
    write_results(RESULTS, results)
    header = (
        f"{'task':>6} {'side':<11} {'overhead %':>10} {'worst %':>8} {'polls':>6} {'polls/min':>9}"
    )
    print(header)
    print("-" * len(header))
    for length, row in results["lengths"].items():
        for side, r in row.items():
            print(
                f"{length:>6} {side:<11} {r['meanOverheadPercent']:>10} "
                f"{r['worstOverheadPercent']:>8} {r['pollsPerTask']:>6} {r['pollsPerMinute']:>9}"
            )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
