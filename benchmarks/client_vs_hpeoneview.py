"""Our OneView client against HPE's SDK (hpeOneView 11.4.0) used the way Ironic's driver used it.

Run: ``.venv/bin/python benchmarks/client_vs_hpeoneview.py [--gets 1000] [--servers 50]``
(needs the ``bench`` extra). The simulator runs in its own process over HTTPS; both sides verify
its certificate with its CA. Two workloads, each side in turn:

* ``gets``: GET one server-hardware resource, N times (cycling over the inventory);
* ``power``: power on, then off, M servers, waiting for each OneView task.

The baseline follows the last upstream Ironic OneView driver (``common.get_hponeview_client()``):
a new ``hpeOneView.OneViewClient`` (hence ``GET /rest/version`` twice and a login) for every
operation, never logged out. Ours: one shared ``OneViewClient``.

Counted per side: wall time, logins (the simulator's ``/_sim/stats`` ``logins`` before and after)
and TCP connections, counted in-process by wrapping ``socket.socket.connect`` (every connect to the
simulator's port; both requests/urllib3 and ``http.client`` go through it). Results go to stdout
and docs/benchmarks/client.json.

TLS: hpeOneView builds its own ``ssl.SSLContext`` from ``ssl_certificate`` and uses ``http.client``,
so REQUESTS_CA_BUNDLE and friends do not reach it; without ``ssl_certificate`` it trusts any
certificate (CERT_NONE). Ours ignores the environment (``trust_env=False``) and verifies with
``tls_cacert_file``. Both are given the simulator's CA here.
"""

from __future__ import annotations

import argparse
import platform
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _simproc import RunningSimulator, our_client, sim_call, simulator_process, write_results
from oneview_openstack.client import OneViewClient

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "client.json"


class ConnectCounter:
    """Counts TCP connects to one port, process-wide, by wrapping ``socket.socket.connect``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.count = 0
        self._lock = threading.Lock()
        self._real = socket.socket.connect

    def __enter__(self) -> ConnectCounter:
        real, counter = self._real, self

        def connect(sock: socket.socket, address: Any) -> None:
            if isinstance(address, tuple) and len(address) >= 2 and address[1] == counter.port:
                with counter._lock:
                    counter.count += 1
            return real(sock, address)

        socket.socket.connect = connect  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        socket.socket.connect = self._real  # type: ignore[method-assign]


def sim_stats(sim: RunningSimulator) -> dict[str, Any]:
    return sim_call(sim, "GET", "/_sim/stats")


def measure(sim: RunningSimulator, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    port = urlsplit(sim.url).port
    before = sim_stats(sim)["logins"]
    with ConnectCounter(port) as connects:
        started = time.perf_counter()
        extra = work()
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "logins": sim_stats(sim)["logins"] - before,
        "tcpConnections": connects.count,
        **extra,
    }


# -- ours ------------------------------------------------------------------------------------
def bench_client(sim: RunningSimulator) -> OneViewClient:
    # Power tasks here last 0.5-2 ms (5-20 s at --time-scale 0.0001), so the first poll is
    # scaled like them; on an appliance keep the defaults (1 s, backing off to 10 s).
    return our_client(sim, task_poll_interval=0.001, task_poll_max_interval=0.01)


def ours_gets(client: OneViewClient, uris: list[str], count: int) -> dict[str, Any]:
    for index in range(count):
        client.server_hardware.get(uris[index % len(uris)])
    return {"operations": count, "failures": 0}


def ours_power(client: OneViewClient, uris: list[str]) -> dict[str, Any]:
    for uri in uris:
        client.server_hardware.set_power_state(uri, "On")
        client.server_hardware.set_power_state(uri, "Off", "PressAndHold")
    return {"operations": 2 * len(uris), "failures": 0}


# -- hpeOneView as Ironic used it --------------------------------------------------------------
def hpe_client(sim: RunningSimulator) -> Any:
    """``ironic.drivers.modules.oneview.common.get_hponeview_client()``: a new client each time."""
    from hpeOneView.oneview_client import OneViewClient as HpeClient

    config = {
        "ip": urlsplit(sim.url).netloc,  # prepare_manager_url(): the scheme is stripped
        "credentials": {"userName": sim.username, "password": sim.password},
        "ssl_certificate": sim.ca_file,
    }
    return HpeClient(config)


def hpe_gets(sim: RunningSimulator, uris: list[str], count: int) -> dict[str, Any]:
    failures: dict[str, int] = {}
    for index in range(count):
        try:
            hpe_client(sim).server_hardware.get_by_uri(uris[index % len(uris)])
        except Exception as error:  # record what a conductor would have logged
            key = type(error).__name__ + ": " + str(error).splitlines()[0][:120]
            failures[key] = failures.get(key, 0) + 1
    return {"operations": count, "failures": sum(failures.values()), "failureKinds": failures}


def hpe_power(sim: RunningSimulator, uris: list[str]) -> dict[str, Any]:
    failures: dict[str, int] = {}
    for uri in uris:
        for state, control in (("On", None), ("Off", "PressAndHold")):
            body = {"powerState": state}
            if control:
                body["powerControl"] = control
            try:
                server = hpe_client(sim).server_hardware.get_by_uri(uri)
                server.update_power_state(body)
            except Exception as error:
                key = type(error).__name__ + ": " + str(error).splitlines()[0][:120]
                failures[key] = failures.get(key, 0) + 1
    return {
        "operations": 2 * len(uris),
        "failures": sum(failures.values()),
        "failureKinds": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--time-scale", default="0.0001")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "workloads": {},
        "setup": {
            "simulator": f"own process, HTTPS, --time-scale {args.time_scale}",
            "hpeOneView": "11.4.0, new OneViewClient per operation (Ironic's pattern), no logout",
            "ours": "one OneViewClient, task_poll_interval=0.001 s (the power task lasts 0.5-2 ms)",
            "connections": "socket.socket.connect calls to the simulator port, in-process",
            "python": platform.python_version(),
        },
    }
    # A fresh simulator per workload, ours first: the baseline never logs out, and its sessions
    # would otherwise fill the appliance's session table before the next run.
    workloads = {
        f"{args.gets} server-hardware GETs": (
            lambda c, uris, _free: ours_gets(c, uris, args.gets),
            lambda sim, uris, _free: hpe_gets(sim, uris, args.gets),
        ),
        f"power on+off of {args.servers} servers": (
            lambda c, _uris, free: ours_power(c, free),
            lambda sim, _uris, free: hpe_power(sim, free),
        ),
    }
    for name, (ours, theirs) in workloads.items():
        with simulator_process("--time-scale", args.time_scale, "--servers", "64") as sim:
            client = bench_client(sim)
            servers = client.server_hardware.list()
            uris = [s["uri"] for s in servers]
            free = [s["uri"] for s in servers if not s.get("powerLock")][: args.servers]
            client.close()
            client = bench_client(sim)
            ours_result = measure(sim, lambda: ours(client, uris, free))  # noqa: B023
            client.close()
            theirs_result = measure(sim, lambda: theirs(sim, uris, free))  # noqa: B023
            ratio = theirs_result["seconds"] / ours_result["seconds"]
            results["workloads"][name] = {
                "ours": ours_result,
                "hpeOneView": theirs_result,
                "speedup": round(ratio, 2),
                "simulatorAfter": {
                    k: sim_stats(sim).get(k) for k in ("logins", "activeSessions", "requests")
                },
            }
    write_results(RESULTS, results)
    header = (
        f"{'workload':<34} {'side':<11} {'seconds':>8} {'logins':>7} {'TCP conns':>9} {'fail':>5}"
    )
    print(header)
    print("-" * len(header))
    for name, row in results["workloads"].items():
        for side in ("ours", "hpeOneView"):
            r = row[side]
            print(
                f"{name:<34} {side:<11} {r['seconds']:>8.2f} {r['logins']:>7} "
                f"{r['tcpConnections']:>9} {r['failures']:>5}"
            )
        print(f"{'':<34} speedup x{row['speedup']}")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
