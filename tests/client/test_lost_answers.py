"""A PUT that landed but whose answer was lost is settled, never reported done early (review R6).

A plain-HTTP forwarding proxy in front of the simulator loses answers where a test must hold the
task open while it looks (the simulator's clock stopped): it sends every request on to the
simulator over HTTPS and, when told to, closes the client's connection instead of passing the
simulator's answer back. The last test uses the simulator's own ``lost_answer`` fault instead. The simulator stays the witness: its request
counts, task states and resources are read directly, not through the proxy.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from oneview_openstack.client import ClientSettings, OneViewClient
from oneview_openstack.simulator.testing import wait_until

HOP_BY_HOP = {"host", "connection", "content-length", "keep-alive", "transfer-encoding"}
US_PUT = "PUT /rest/uplink-sets/{id}"
PROFILE_PUT = "PUT /rest/server-profiles/{id}"


class LosingProxy(ThreadingHTTPServer):
    """Forwards to the simulator; the next request matching ``lose`` gets no answer at all."""

    daemon_threads = True

    def __init__(self, upstream: str, ca_file: str) -> None:
        self.upstream = upstream
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = ca_file
        self.lose: tuple[str, str] | None = None  # (method, path glob)
        self.lost: list[dict[str, Any]] = []  # what the simulator answered to lost requests
        super().__init__(("127.0.0.1", 0), _Forward)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.http.close()
        self.thread.join(10)
        assert not self.thread.is_alive()


class _Forward(BaseHTTPRequestHandler):
    server: LosingProxy
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        reply = self.server.http.request(
            self.command,
            self.server.upstream + self.path,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        lose = self.server.lose
        path = self.path.split("?", 1)[0]
        if lose is not None and self.command == lose[0] and fnmatch.fnmatch(path, lose[1]):
            self.server.lose = None
            self.server.lost.append(reply.json())
            self.close_connection = True  # applied upstream; the client hears nothing
            return
        self.send_response(reply.status_code)
        for key, value in reply.headers.items():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-encoding":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        self.wfile.write(reply.content)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _forward

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def proxy(simulator: Any) -> Iterator[LosingProxy]:
    front = LosingProxy(simulator.url, str(simulator.ca_file))
    yield front
    front.stop()


@pytest.fixture
def via_proxy(settings: ClientSettings, proxy: LosingProxy) -> Iterator[OneViewClient]:
    client = OneViewClient(
        settings.replace(
            manager_url=proxy.url,
            allow_insecure_connections=True,  # plain http to the proxy on loopback
            tls_cacert_file=None,
            max_polling_attempts=100_000,  # the task ends when the test says so
            task_timeout=60.0,
        )
    )
    yield client
    client.close()


def _in_background(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except BaseException as error:  # reported by the test
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _clock(sim: Any, **change: float) -> None:
    sim.http.post(sim.server.url + "/_sim/clock", json=change, timeout=10).raise_for_status()


def _stop_the_clock(sim: Any) -> None:
    """A simulated second now lasts days: the write's task runs until the test ends it."""
    _clock(sim, time_scale=1e6)


def _finish_task(client: OneViewClient, sim: Any, lost_task: dict[str, Any]) -> None:
    """Check the task still runs on the simulator, then move its clock past the task's end."""
    assert client.tasks.get(lost_task["uri"])["taskState"] in ("New", "Starting", "Running")
    _clock(sim, advance=lost_task["expectedDuration"] + 1)


def test_uplink_set_put_whose_answer_was_lost_waits_for_its_task(client, via_proxy, proxy, sim):
    uplink_set = next(u for u in client.uplink_sets.list() if u["ethernetNetworkType"] == "Tagged")
    network = client.ethernet_networks.create("lost-answer", 410)["uri"]
    _stop_the_clock(sim)
    proxy.lose = ("PUT", "/rest/uplink-sets/*")

    thread, outcome = _in_background(
        lambda: via_proxy.uplink_sets.add_networks(uplink_set["uri"], [network])
    )
    wait_until(
        lambda: via_proxy.metrics["task_polls"] >= 1 or outcome, what="the landed PUT's task"
    )
    assert not outcome, f"returned while the landed PUT's task still ran: {outcome}"
    [lost] = proxy.lost
    assert network in client.uplink_sets.networks(uplink_set["uri"])  # the PUT did land...
    assert thread.is_alive() and not outcome  # ...but its task runs, so no answer yet
    _finish_task(client, sim, lost)
    thread.join(30)
    assert not thread.is_alive()

    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert result.changed and result.task["uri"] == lost["uri"]
    assert result.task["taskState"] == "Completed"
    assert client.tasks.get(lost["uri"])["taskState"] == "Completed"  # the simulator agrees
    assert sim.route(US_PUT) == 1  # the lost PUT was settled by reading, not sent again
    assert via_proxy.metrics["retries"] == 1


def test_profile_put_whose_answer_was_lost_waits_for_the_profiles_task(
    client, via_proxy, proxy, sim
):
    template = client.server_profile_templates.find_by_name("ironic-EG-1")
    server = next(
        s
        for s in client.server_hardware.list()
        if s["powerState"] == "Off"
        and not s["serverProfileUri"]
        and s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
    )
    profile = client.server_profiles.create_from_template(template["uri"], "lost-1", server["uri"])
    _stop_the_clock(sim)
    proxy.lose = ("PUT", "/rest/server-profiles/*")

    thread, outcome = _in_background(
        lambda: via_proxy.server_profiles.set_boot_order(profile["uri"], ["HardDisk", "PXE"])
    )
    wait_until(lambda: via_proxy.metrics["task_polls"] >= 1 or outcome, what="the profile's task")
    assert not outcome, f"returned while the profile's task still ran: {outcome}"
    [lost] = proxy.lost
    busy = client.server_profiles.get(profile["uri"])
    assert busy["inProgress"] and busy["taskUri"] == lost["uri"]  # the re-read saw it busy
    assert thread.is_alive() and not outcome
    _finish_task(client, sim, lost)
    thread.join(30)
    assert not thread.is_alive()

    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert result.changed and result.task["uri"] == lost["uri"]
    assert result.task["taskState"] == "Completed"
    settled = client.server_profiles.get(profile["uri"])
    assert not settled["inProgress"] and settled["boot"]["order"] == ["HardDisk", "PXE"]
    assert sim.route(PROFILE_PUT) == 1


def test_the_simulators_lost_answer_fault_is_settled_the_same_way(client, sim):
    """The simulator's own ``lost_answer`` fault (served, then reset) instead of the proxy."""
    uplink_set = next(u for u in client.uplink_sets.list() if u["ethernetNetworkType"] == "Tagged")
    network = client.ethernet_networks.create("lost-by-fault", 411)["uri"]
    before = sim.route(US_PUT)
    sim.arm("lost_answer", method="PUT", path="/rest/uplink-sets/*")

    result = client.uplink_sets.add_networks(uplink_set["uri"], [network])

    assert sim.stats()["faultsFired"] == {"lost_answer": 1}
    assert result.changed and result.task is not None
    assert result.task["taskState"] == "Completed"
    assert client.tasks.get(result.task["uri"])["taskState"] == "Completed"
    assert network in client.uplink_sets.networks(uplink_set["uri"])
    assert sim.route(US_PUT) == before + 1  # settled by reading, not sent again
