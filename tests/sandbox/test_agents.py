"""The agent launcher with real processes: a server that powers on booting from the network gets
a real ironic-python-agent, which looks its node up (by the server's MACs) at the Ironic URL it
was given, and is stopped when the server powers off; the agents' ``poweroff``/``reboot`` are
the simulator's OS power-off; commands that would act on this machine refuse.

Ironic is a stub here (it records lookups and answers 404, as Ironic does for a node it does
not know); the IMAGES room's e2e suite runs the agent against the real one.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import psutil
import pytest

from oneview_openstack.client import views
from oneview_openstack.sandbox.agents import DESCRIPTION_ENV, Agents, write_shims
from oneview_openstack.sandbox.processes import Supervisor
from oneview_openstack.simulator.testing import ApplianceClient, Witness, named, wait_until

BLADE = "Encl1, bay 3"  # Off and free in the default inventory
GIB = 1024**3
VERSIONS = {
    "name": "OpenStack Ironic API",
    "versions": [{"id": "v1", "status": "CURRENT", "version": "1.90", "min_version": "1.1"}],
    "default_version": {"id": "v1", "status": "CURRENT", "version": "1.90", "min_version": "1.1"},
}


class IronicStub:
    """Records each ``GET /v1/lookup`` (its MACs, when) and answers 404 like Ironic."""

    def __init__(self) -> None:
        self.lookups: list[tuple[float, list[str]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/v1/lookup":
                    macs = parse_qs(url.query).get("addresses", [""])[0].split(",")
                    stub.lookups.append((time.monotonic(), macs))
                    fault = {"faultstring": "Node could not be found."}
                    self._answer(404, {"error_message": json.dumps(fault)})
                else:
                    self._answer(200, VERSIONS)

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


@pytest.fixture
def ironic() -> Iterator[IronicStub]:
    stub = IronicStub()
    yield stub
    stub.close()


@pytest.fixture
def launcher(simulator, ironic, tmp_path) -> Iterator[Agents]:
    supervisor = Supervisor()
    agents = Agents(
        supervisor,
        tmp_path,
        simulator_url=simulator.url,
        ca_file=str(simulator.ca_file),
        ironic_url=ironic.url,
        poll_interval=0.1,
    )
    yield agents
    agents.stop()
    supervisor.stop_all()


def power(api: ApplianceClient, server: dict[str, Any], state: str) -> None:
    task = api.wait(api.put(server["uri"] + "/powerState", json={"powerState": state}))
    assert task["taskState"] == "Completed", task


def network_boot_next(api: ApplianceClient, server: dict[str, Any]) -> None:
    operation = [{"op": "replace", "path": "/oneTimeBoot", "value": "Network"}]
    assert api.wait(api.patch(server["uri"], json=operation))["taskState"] == "Completed"


def agent_env(agents: Agents, name: str) -> dict[str, str]:
    folder = agents.disk(name).parent
    return {
        **os.environ,
        DESCRIPTION_ENV: str(folder / "server.json"),
        "PATH": f"{agents.bin_dir}:/usr/sbin:/usr/bin:/bin",
    }


def test_a_network_boot_starts_a_real_agent_and_a_power_off_stops_it(api, launcher, ironic):
    blade = named(api, "server-hardware", BLADE)
    network_boot_next(api, blade)
    launcher.start()
    powered = time.monotonic()
    power(api, blade, "On")
    wait_until(lambda: ironic.lookups, timeout=120, what="the agent's first lookup")
    first_lookup = ironic.lookups[0][0] - powered
    agent = launcher.running()[BLADE]
    rss_mb = psutil.Process(agent.service.process.pid).memory_info().rss / 2**20
    print(f"\nagent: power-on to first lookup {first_lookup:.1f} s, RSS {rss_mb:.0f} MB")

    # It asked for the MACs Ironic's ports carry (what enrollment creates them from).
    enrolled = {port.mac for port in views.ethernet_ports(blade)}
    assert enrolled and enrolled <= set(ironic.lookups[0][1])
    assert set(agent.macs) == set(ironic.lookups[0][1])
    log = launcher.log(BLADE).read_text()
    assert "Failed looking up node with addresses" in log
    assert "SimulatedServerHardwareManager" in log
    assert "GenericHardwareManager" not in log
    # Its disk: a sparse file the size of the server's root disk, in the state folder.
    disk = launcher.disk(BLADE)
    assert disk.is_file() and disk.stat().st_size % GIB == 0 and disk.stat().st_size >= GIB
    assert disk.stat().st_blocks == 0

    power(api, blade, "Off")
    wait_until(lambda: BLADE not in launcher.running(), timeout=60, what="the agent stopped")
    assert agent.service.process.poll() is not None
    kinds = [(e.kind, e.server, e.reason) for e in launcher.events]
    assert kinds == [
        ("started", BLADE, f"booted from the network (boot {agent.boot_sequence})"),
        ("stopped", BLADE, "the server is Off"),
    ]
    assert launcher.events[0].port == agent.port


def test_the_agents_poweroff_and_reboot_are_the_servers_os(api, launcher, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    network_boot_next(api, blade)
    launcher.start()
    power(api, blade, "On")
    first = wait_until(lambda: launcher.running().get(BLADE), timeout=60, what="an agent")

    # `reboot` inside the server: off and on again, a new boot, a new agent.
    done = subprocess.run(  # noqa: S603 - the shim, fixed argv
        [str(launcher.bin_dir / "reboot")],
        capture_output=True, text=True, env=agent_env(launcher, BLADE), timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (rebooted,) = witness.boots(blade["uri"], since=first.boot_sequence)
    assert rebooted["device"] == "Unmanaged"
    # The one-time network boot was used up: the reboot booted from the profile-less default,
    # so the watcher stops the agent and starts none.
    wait_until(lambda: BLADE not in launcher.running(), timeout=60, what="the agent stopped")

    network_boot_next(api, blade)
    witness.os_power_off(blade["uri"])
    power(api, blade, "On")
    second = wait_until(lambda: launcher.running().get(BLADE), timeout=60, what="a new agent")
    assert second.boot_sequence > rebooted["sequence"]

    # `poweroff` inside the server: the simulator's server is Off (no OneView task) and exit 0.
    tasks = len(api.members("tasks"))
    done = subprocess.run(  # noqa: S603 - the shim, fixed argv
        [str(launcher.bin_dir / "poweroff")],
        capture_output=True, text=True, env=agent_env(launcher, BLADE), timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "is now Off" in done.stderr
    assert api.get(blade["uri"]).json()["powerState"] == "Off"
    assert len(api.members("tasks")) == tasks
    wait_until(lambda: BLADE not in launcher.running(), timeout=60, what="the agent stopped")
    reasons = [e.reason for e in launcher.events if e.kind == "stopped"]
    assert reasons == ["the server booted from Unmanaged", "the server is Off"]


def test_a_disk_boot_and_a_refused_server_get_no_agent(api, launcher):
    blade = named(api, "server-hardware", BLADE)
    power(api, blade, "On")  # no profile, no override: its own default, not the network
    launcher.poll()
    assert launcher.running() == {}
    assert launcher.events == []

    launcher.refuse(BLADE)
    power(api, blade, "Off")
    network_boot_next(api, blade)
    power(api, blade, "On")
    launcher.poll()
    assert launcher.running() == {}
    assert [(e.kind, e.server) for e in launcher.events] == [("refused", BLADE)]
    assert not launcher.disk(BLADE).exists()


def shim(agents: Agents, *argv: str, env: dict[str, str] | None = None):
    return subprocess.run(  # noqa: S603 - a shim, fixed argv
        [str(agents.bin_dir / argv[0]), *argv[1:]],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


def test_shims_refuse_what_would_act_on_this_machine(tmp_path, launcher):
    write_shims(launcher.bin_dir)
    env = {k: v for k, v in os.environ.items() if k != DESCRIPTION_ENV}
    env["PATH"] = f"{launcher.bin_dir}:/usr/sbin:/usr/bin:/bin"
    for argv in (("modprobe", "ipmi_msghandler"), ("mdadm", "--assemble", "--scan"),
                 ("efibootmgr", "-v"), ("ip", "link", "set", "eth0", "down"), ("hwclock", "-w"),
                 ("dd", "if=/dev/zero", "of=/dev/sda", "count=1"), ("wipefs", "-a", "/dev/sda"),
                 ("udevadm", "trigger")):  # fmt: skip
        done = shim(launcher, *argv, env=env)
        assert done.returncode == 1, (argv, done.stderr)
        assert "refused" in done.stderr, argv
    # On a file of the state folder the real tool runs.
    target = tmp_path / "file.img"
    done = shim(launcher, "dd", "if=/dev/zero", f"of={target}", "bs=512", "count=2", env=env)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_size == 1024
    # `poweroff` outside an agent leaves this machine alone, and still exits 0.
    done = shim(launcher, "poweroff", env=env)
    assert done.returncode == 0
    assert "left alone" in done.stderr


def test_the_agent_options_keep_it_on_loopback(launcher, ironic):
    options = launcher.agent_options(41000)
    assert options["api_url"] == ironic.url
    for key in ("listen_host", "advertise_host"):
        assert options[key] == "127.0.0.1"
    assert options["listen_port"] == options["advertise_port"] == "41000"
    assert options["enable_auto_tls"] == "false"
    assert options["inspection_callback_url"] == ""


def test_a_server_description_names_its_disk_and_macs(api, launcher, simulator):
    blade = named(api, "server-hardware", BLADE)
    network_boot_next(api, blade)
    power(api, blade, "On")
    launcher.start()
    agent = wait_until(lambda: launcher.running().get(BLADE), timeout=60, what="an agent")
    described = json.loads((launcher.disk(BLADE).parent / "server.json").read_text())
    assert described["server"]["uri"] == blade["uri"]
    assert described["disk"]["path"] == str(launcher.disk(BLADE))
    assert [i["mac"] for i in described["interfaces"]] == list(agent.macs)
    assert described["boot"]["device"] == "Network"
    assert Path(described["caFile"]) == Path(simulator.ca_file)
