"""One fault soak: start the sandbox, load it under faults, reconcile, and judge the result.

Shared by ``tests/soak/test_soak.py`` (two minutes, in CI) and ``benchmarks/soak.py`` (on
demand, any length). The result is a plain dict, written as ``docs/benchmarks/soak.json``.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from pathlib import Path
from typing import Any

from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import TENANT_NETWORK
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness, wait_until

from . import check, faults
from .load import NetworkWorker, NodeWorker, Tally, connect

TIME_SCALE = 0.005  # a 2-minute profile apply takes 0.6 s
NODES = 6
RECONCILE_INTERVAL = 10  # seconds; the soak waits for a pass that starts after the faults stop
# A stuck task fails after 30 s (not the hour an appliance is given), and a server held by one
# after 20 s (not 10 minutes): the failure is then surfaced within the soak's window.
ONEVIEW_SETTINGS = {
    "task_timeout": 30,
    "power_lock_timeout": 20,
    "delete_orphan_networks": True,
    "undo_stale_connections": True,
}
LOGS = ("ironic.log", "ironic.out", "neutron.log", "neutron.out", "neutron-periodic.out")
# OneView clients that log in: the soak's own client and enrollment (this process), Ironic's
# conductor, the Neutron API worker, and Neutron's periodic worker, which is two processes: the
# parent loads the driver (its start-up check of the mappings logs in) and forks the child that
# reconciles (a forked client logs in for itself). An injected expiry that hits a session
# nobody uses again (the parent's) needs no re-login, so the bound below is not always reached.
SESSIONS_EXPECTED = 6
PASS = re.compile(r"OneView reconciliation: Report\(")
# The production shape's database: real concurrency and foreign keys, as operators run it.
DATABASE = "mariadb"


def options(state_dir: Path, database: str = DATABASE) -> Options:
    return Options(
        state_dir=state_dir,
        time_scale=TIME_SCALE,
        reconcile_interval=RECONCILE_INTERVAL,
        oneview_settings=dict(ONEVIEW_SETTINGS),
        database=database,
    )


def Sim(sandbox: Sandbox) -> Witness:
    """The simulator's own endpoints (``/_sim``): the witness and the fault switchboard."""
    assert sandbox.simulator is not None
    return Witness.of(sandbox.simulator)


def reconciled(sandbox: Sandbox, passes: int = 2, timeout: float = 120.0) -> int:
    """Wait (bounded) for ``passes`` new reconciliation reports; the last starts after now."""
    log = sandbox.state_dir / "neutron.log"
    before = len(PASS.findall(log.read_text(errors="replace")))

    def new_passes() -> int:
        seen = len(PASS.findall(log.read_text(errors="replace"))) - before
        return seen if seen >= passes else 0

    return int(
        wait_until(
            new_passes,
            timeout=timeout,
            interval=1.0,
            what=f"{passes} reconciliation passes in {log}",
        )
    )


def soak(sandbox: Sandbox, seconds: float, say: Any = print) -> dict[str, Any]:
    """Run the load for ``seconds`` under the fault catalogue; return the judged result."""
    started = time.monotonic()
    with open(sandbox.state_dir / "enroll.out", "w") as out, contextlib.redirect_stdout(out):
        code = enroll([*sandbox.enroll_argv(), "--limit", str(NODES), "--format", "json"])
    assert code == 0, "enrollment failed"
    sim = Sim(sandbox)
    conn = connect(sandbox)
    networks = scenario.create_networks(sandbox)
    nodes = [n for n in conn.baremetal.nodes(details=True) if n.provision_state == "available"]
    baseline = {p["uri"] for p in sim.state()["server-profiles"]}
    version = sim("GET", "rest/version")["currentVersion"]
    scale = max(1.0, seconds / 120.0)
    taken = nodes[-1].driver_info["server_hardware_uri"]
    sim("POST", "_sim/faults", faults.catalogue(taken, scale))
    say(f"soak: {len(nodes)} nodes, 2 network workers, {seconds:.0f} s of faults")

    tally = Tally()
    stop = threading.Event()
    workers: list[Any] = [
        NodeWorker(sandbox, n.id, networks[TENANT_NETWORK].id, tally, keep=i % 2 == 0)
        for i, n in enumerate(nodes)
    ]
    workers += [NetworkWorker(sandbox, list(range(110 + 10 * i, 120 + 10 * i)), tally)
                for i in range(2)]  # fmt: skip
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in workers]
    load_started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=600)
    load_seconds = time.monotonic() - load_started
    stuck = sum(t.is_alive() for t in threads)

    armed = sim("GET", "_sim/faults")
    sim("DELETE", "_sim/faults")
    sim("POST", "_sim/actions/set_api_version", {"current_version": version})
    say("soak: faults off; waiting for a reconciliation pass")
    reconciled(sandbox)
    stats = sim("GET", "_sim/stats")
    drift = check.drift(conn, sim.state(), baseline)
    port_errors = _port_errors(conn, sandbox)
    fired = stats["faultsFired"]
    conn.close()
    assert sandbox.simulator is not None
    return {
        "seconds_of_load": round(load_seconds, 1),
        "seconds_total": round(time.monotonic() - started, 1),
        "nodes": len(nodes),
        "workers_still_running": stuck,
        "operations": dict(sorted(tally.ops.items())),
        "operations_total": sum(tally.ops.values()),
        "faults_fired": dict(sorted(fired.items())),
        "faults_fired_total": sum(fired.values()),
        "fault_kinds_fired": len(fired),
        "fault_kinds_armed": len(faults.KINDS),
        "faults_not_exhausted": [f.get("kind") for f in armed.get("faults", armed)]
        if isinstance(armed, dict)
        else None,
        "failures": [f.__dict__ for f in tally.failures],
        "failures_total": len(tally.failures),
        "failures_unreadable": [f.__dict__ for f in tally.failures if not f.readable],
        "ports_in_error_without_log": port_errors,
        "drift": drift,
        "logins": stats["logins"],
        "login_failures": stats["loginFailures"],
        "sessions_expected": SESSIONS_EXPECTED,
        "relogins_allowed": fired.get("session_expired", 0) + fired.get("api_version", 0),
        "active_sessions": stats["activeSessions"],
        "requests": stats["requests"],
        "driver_tracebacks": check.driver_tracebacks([sandbox.state_dir / n for n in LOGS]),
        "secrets_in_logs": check.secrets_in_logs(
            [sandbox.state_dir / name for name in LOGS], [sandbox.simulator.password]
        ),
    }


def _port_errors(conn: Any, sandbox: Sandbox) -> list[str]:
    """Ports left in ERROR whose reason is not in Neutron's log."""
    text = (sandbox.state_dir / "neutron.log").read_text(errors="replace")
    return [
        port.id
        for port in conn.network.ports()
        if port.status == "ERROR" and f"Cannot wire bare-metal port {port.id}" not in text
    ]


def run(
    state_dir: Path, seconds: float, say: Any = print, database: str = DATABASE
) -> dict[str, Any]:
    """Start a sandbox in ``state_dir`` on ``database`` and soak it."""
    started = time.monotonic()
    with Sandbox(options(state_dir, database), say=say) as sandbox:
        if not (sandbox.ironic_oneview and sandbox.neutron_oneview):
            raise RuntimeError("the oneview drivers do not load")
        result = soak(sandbox, seconds, say)
    return {
        **result,
        "database": database,
        "seconds_with_start_up": round(time.monotonic() - started, 1),
    }


def verdict(result: dict[str, Any]) -> list[str]:
    """The invariants the soak claims; each broken one as a sentence (empty: all hold)."""
    problems = [f"drift: {line}" for line in result["drift"]]
    problems += [f"unreadable error: {f}" for f in result["failures_unreadable"]]
    problems += [
        f"port {p} in ERROR with no reason logged" for p in result["ports_in_error_without_log"]
    ]
    problems += [f"secret in log: {hit}" for hit in result["secrets_in_logs"]]
    problems += [f"traceback logged by {hit}" for hit in result["driver_tracebacks"]]
    allowed = result["sessions_expected"] + result["relogins_allowed"]
    if result["logins"] > allowed:
        problems.append(f"{result['logins']} logins; at most {allowed} expected")
    if result["workers_still_running"]:
        problems.append(f"{result['workers_still_running']} workers did not stop")
    return problems
