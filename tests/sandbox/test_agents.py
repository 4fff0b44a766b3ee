"""The agent launcher with real processes: a server that powers on booting from the network gets
a real ironic-python-agent, which looks its node up (by the server's MACs) at the Ironic URL it
was given, and is stopped when the server powers off; the agents' ``poweroff``/``reboot`` are
the simulator's OS power-off; commands that would act on this machine refuse.

Ironic is a stub here (it records lookups and answers 404, as Ironic does for a node it does
not know); the IMAGES room's e2e suite runs the agent against the real one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import psutil
import pytest

from oneview_openstack.client import views
from oneview_openstack.sandbox.agents import DESCRIPTION_ENV, Agents, write_shims
from oneview_openstack.sandbox.processes import SandboxError, Supervisor
from oneview_openstack.simulator.testing import ApplianceClient, Witness, named, wait_until

BLADE = "Encl1, bay 3"  # Off and free in the default inventory
GIB = 1024**3
VERSIONS = {
    "name": "OpenStack Ironic API",
    "versions": [{"id": "v1", "status": "CURRENT", "version": "1.90", "min_version": "1.1"}],
    "default_version": {"id": "v1", "status": "CURRENT", "version": "1.90", "min_version": "1.1"},
}


class IronicStub:
    """Records each ``GET /v1/lookup`` (its MACs, when) and answers 404 like Ironic; lists the
    ports and nodes a test enrolled (what the watcher asks before it starts an agent)."""

    def __init__(self) -> None:
        self.lookups: list[tuple[float, list[str]]] = []
        self.ports: list[dict[str, str]] = []
        self.nodes: dict[str, dict[str, str]] = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/v1/lookup":
                    macs = parse_qs(url.query).get("addresses", [""])[0].split(",")
                    stub.lookups.append((time.monotonic(), macs))
                    fault = {"faultstring": "Node could not be found."}
                    self._answer(404, {"error_message": json.dumps(fault)})
                elif url.path == "/v1/ports":
                    self._answer(200, {"ports": stub.ports})
                elif url.path.startswith("/v1/nodes/"):
                    node = stub.nodes.get(url.path.rsplit("/", 1)[-1])
                    self._answer(200 if node else 404, node or {"error_message": "{}"})
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

    def enroll(self, server: dict[str, Any], state: str, deploy: str = "oneview-direct") -> str:
        """An Ironic node for the server (its boot port: the first Ethernet port's MAC)."""
        uuid = f"node-{len(self.nodes)}"
        self.nodes[uuid] = {"uuid": uuid, "provision_state": state, "deploy_interface": deploy}
        self.ports.append({"address": views.ethernet_ports(server)[0].mac, "node_uuid": uuid})
        return uuid

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
    ironic.enroll(blade, "clean wait")
    network_boot_next(api, blade)
    stale = launcher.disk(BLADE)
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"a disk of the previous sandbox")
    launcher.start()
    assert not stale.exists()
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
    # IPA logs the 404 after the stub answered it: wait for the line, not for luck.
    wait_until(
        lambda: "Failed looking up node with addresses" in launcher.log(BLADE).read_text(),
        timeout=60, what="the agent logging its failed lookup",
    )  # fmt: skip
    log = launcher.log(BLADE).read_text()
    assert "SimulatedServerHardwareManager" in log
    assert "GenericHardwareManager" not in log
    # Its log is root's only (with debug on, IPA logs Ironic's agent token).
    assert launcher.log(BLADE).stat().st_mode & 0o777 == 0o600
    # The same boot seen again (a poll that failed half-way) does not restart its agent: a
    # second IPA would find Ironic's agent token taken.
    launcher._cursor = 0
    launcher.poll()
    assert launcher.running()[BLADE].service is agent.service and agent.service.running
    assert [e.kind for e in launcher.events] == ["started"]
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


def test_the_agents_poweroff_and_reboot_are_the_servers_os(api, launcher, simulator, ironic):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    ironic.enroll(blade, "deploying")
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


def test_a_disk_boot_and_a_refused_server_get_no_agent(api, launcher, ironic):
    blade = named(api, "server-hardware", BLADE)
    ironic.enroll(blade, "clean wait")
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

    # Allowed again, and without start() (no shims written yet): the agent still gets them
    # first on its PATH, and its description.
    launcher.allow(BLADE)
    power(api, blade, "Off")
    network_boot_next(api, blade)
    power(api, blade, "On")
    launcher.poll()
    env = launcher.running()[BLADE].service.env or {}
    assert env["PATH"].split(os.pathsep)[0] == str(launcher.bin_dir)
    assert all(os.access(launcher.bin_dir / name, os.X_OK) for name in ("poweroff", "reboot"))
    assert json.loads(Path(env[DESCRIPTION_ENV]).read_text())["server"]["name"] == BLADE


def test_an_agent_that_ends_by_itself_and_one_that_cannot_start(api, simulator, ironic, tmp_path):
    """IPA gives up when its lookup never succeeds (lookup_timeout): an ``exited`` event; a
    start refused (the sandbox stopping) is a ``failed`` one, not retried at every poll."""
    supervisor = Supervisor()
    agents = Agents(supervisor, tmp_path, simulator_url=simulator.url,
                    ca_file=str(simulator.ca_file), ironic_url=ironic.url, lookup_timeout=1)  # fmt: skip
    try:
        blade = named(api, "server-hardware", BLADE)
        ironic.enroll(blade, "clean wait")
        network_boot_next(api, blade)
        power(api, blade, "On")
        agents.start()
        wait_until(lambda: any(e.kind == "exited" for e in agents.events), timeout=120,
                   what="the agent giving up its lookup")  # fmt: skip
        assert [e.kind for e in agents.events] == ["started", "exited"]
        assert agents.running() == {}
        assert "Could not look up node info" in agents.log(BLADE).read_text()

        supervisor.stop_all()  # the sandbox stopping: no new process from now on
        Witness.of(simulator).os_power_off(blade["uri"])
        network_boot_next(api, blade)
        power(api, blade, "On")
        wait_until(lambda: any(e.kind == "failed" for e in agents.events), timeout=60,
                   what="the failed start")  # fmt: skip
        agents.poll()
        agents.poll()
        failed = [e for e in agents.events if e.kind == "failed"]
        assert [(e.server, "stopping" in e.reason) for e in failed] == [(BLADE, True)]
    finally:
        agents.stop()
        supervisor.stop_all()


def test_ironic_decides_which_network_boots_load_ipa(api, launcher, ironic):
    """As Ironic's PXE configuration would: IPA only while Ironic waits for an agent, and not
    for the instance boot of a ramdisk deploy."""
    blade = named(api, "server-hardware", BLADE)
    macs = [p.mac for p in views.ethernet_ports(blade)]
    assert launcher.ironic_expects_no_agent(macs) == "no Ironic port carries its MACs"
    node = ironic.enroll(blade, "active", "oneview-ramdisk")
    for state, deploy, expected in (
        ("active", "oneview-direct", f"Ironic node {node} is active: it boots no deploy ramdisk"),
        ("deploying", "oneview-ramdisk",
         f"Ironic node {node} (oneview-ramdisk) boots its instance's ramdisk, not IPA"),
        ("clean wait", "oneview-ramdisk", None),
        ("deploying", "oneview-direct", None),
        # IPA's rescue writes this machine's /etc: no agent for it.
        ("rescue wait", "oneview-direct",
         f"Ironic node {node} is rescue wait: it boots no deploy ramdisk"),
    ):  # fmt: skip
        ironic.nodes[node].update(provision_state=state, deploy_interface=deploy)
        assert launcher.ironic_expects_no_agent(macs) == expected, (state, deploy)

    ironic.nodes[node].update(provision_state="active")
    network_boot_next(api, blade)
    power(api, blade, "On")
    launcher.poll()
    assert launcher.running() == {}
    assert [(e.kind, e.reason) for e in launcher.events] == [
        ("skipped", f"Ironic node {node} is active: it boots no deploy ramdisk")
    ]


def test_an_unreachable_ironic_lets_the_agent_decide(api, simulator, tmp_path):
    agents = Agents(Supervisor(), tmp_path, simulator_url=simulator.url,
                    ca_file=str(simulator.ca_file), ironic_url="http://127.0.0.1:9")  # fmt: skip
    blade = named(api, "server-hardware", BLADE)
    try:
        assert agents.ironic_expects_no_agent([p.mac for p in views.ethernet_ports(blade)]) is None
    finally:
        agents.stop()


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
                 ("efibootmgr", "-v"), ("ip", "link", "set", "eth0", "down"),
                 ("dd", "if=/dev/zero", "of=/dev/sda", "count=1"), ("wipefs", "-a", "/dev/sda"),
                 ("udevadm", "trigger")):  # fmt: skip
        done = shim(launcher, *argv, env=env)
        assert done.returncode == 1, (argv, done.stderr)
        assert "refused" in done.stderr, argv
    # A path that leads to a device is one, whatever its name.
    (tmp_path / "innocent").symlink_to("/dev/loop-control")
    done = shim(launcher, "blkid", str(tmp_path / "innocent"), env=env)
    assert (done.returncode, "refused" in done.stderr) == (1, True), done.stderr
    # partx on the disk file would attach a loop device to it: nothing to tell a kernel.
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(4096))
    done = shim(launcher, "partx", "-av", str(disk), env=env)
    assert done.returncode == 0, done.stderr
    attached = subprocess.run(  # noqa: S603 - fixed argv, a read-only query
        [str(shutil.which("losetup") or "/usr/sbin/losetup"), "-j", str(disk)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert attached.stdout == ""
    # On a file of the state folder the real tool runs.
    target = tmp_path / "file.img"
    done = shim(launcher, "dd", "if=/dev/zero", f"of={target}", "bs=512", "count=2", env=env)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_size == 1024
    # The clock IPA syncs before powering off is this machine's: not run, and no error.
    done = shim(launcher, "hwclock", "-v", "--systohc", env=env)
    assert (done.returncode, "not run" in done.stderr) == (0, True)
    # `poweroff` outside an agent leaves this machine alone, and still exits 0.
    done = shim(launcher, "poweroff", env=env)
    assert done.returncode == 0
    assert "left alone" in done.stderr


def test_a_broken_shim_still_lets_a_power_command_succeed(tmp_path, launcher):
    """A poweroff that fails sends IPA to ``echo o > /proc/sysrq-trigger``: even when our
    package cannot be imported, ``poweroff`` exits 0 (and a refused command still refuses)."""
    write_shims(launcher.bin_dir)
    broken = tmp_path / "broken" / "oneview_openstack"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('a broken install')\n")
    env = {k: v for k, v in os.environ.items() if k != DESCRIPTION_ENV}
    env["PYTHONPATH"] = str(broken.parent)
    done = shim(launcher, "poweroff", env=env)
    assert (done.returncode, "a broken install" in done.stderr) == (0, True), done.stderr
    done = shim(launcher, "modprobe", "loop", env=env)
    assert (done.returncode, "a broken install" in done.stderr) == (1, True), done.stderr


def test_the_agent_options_keep_it_on_loopback(launcher, ironic):
    options = launcher.agent_options(41000)
    assert options["api_url"] == ironic.url
    for key in ("listen_host", "advertise_host"):
        assert options[key] == "127.0.0.1"
    assert options["listen_port"] == options["advertise_port"] == "41000"
    assert options["enable_auto_tls"] == "false"
    assert options["disable_bootc_deploy"] == "true"
    assert options["inspection_callback_url"] == ""
    assert "ironic_python_agent.api=WARN" in options["default_log_levels"].split(",")


def test_a_server_description_names_its_disk_and_macs(api, launcher, simulator, ironic):
    blade = named(api, "server-hardware", BLADE)
    ironic.enroll(blade, "deploying")
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


# IPA's own image writer (the standby extension's prepare_image, as a direct deploy's
# write_image step runs it), in a fresh interpreter with the agents' PATH and description.
PREPARE_IMAGE = """
import json, sys
from oslo_config import cfg
from ironic_python_agent import config
from ironic_python_agent.extensions import standby
cfg.CONF(args=[], project="ironic-python-agent", default_config_files=[], default_config_dirs=[])
command = standby.StandbyExtension().prepare_image(image_info=json.loads(sys.argv[1]))
command.join()
print(json.dumps({"status": command.command_status, "error": str(command.command_error)}))
"""


def raw_gpt_image(path: Path) -> str:
    """A small raw whole-disk image with a real GPT (parted), and its sha256."""
    parted = shutil.which("parted")
    assert parted, "the agents' disk tools need Debian's parted and gdisk (./dev installs them)"
    with open(path, "wb") as image:
        image.truncate(8 * 2**20)
    subprocess.run(  # noqa: S603 - fixed argv on our own file
        [parted, "-s", str(path), "mklabel", "gpt", "mkpart", "root", "ext4", "1MiB", "6MiB"],
        check=True,
    )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_ipas_image_writer_puts_a_whole_disk_image_on_the_disk_file(tmp_path, launcher):
    served = tmp_path / "http"
    served.mkdir()
    digest = raw_gpt_image(served / "disk.raw")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served))
    files = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=files.serve_forever, daemon=True)
    thread.start()
    disk = tmp_path / "agent" / "disk.img"
    disk.parent.mkdir()
    with open(disk, "wb") as sparse:
        sparse.truncate(GIB)
    described = {
        "server": {"uri": "/rest/server-hardware/x", "name": BLADE},
        "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01"}],
        "disk": {"path": str(disk), "sizeBytes": GIB},
    }
    (disk.parent / "server.json").write_text(json.dumps(described))
    write_shims(launcher.bin_dir)
    image_info = {
        "id": "sandbox-image",
        "urls": [f"http://127.0.0.1:{files.server_port}/disk.raw"],
        "os_hash_algo": "sha256",
        "os_hash_value": digest,
        "disk_format": "raw",
        "stream_raw_images": True,
        "image_type": "whole-disk",
        "node_uuid": "n1",
    }
    env = {
        **os.environ,
        DESCRIPTION_ENV: str(disk.parent / "server.json"),
        "PATH": f"{launcher.bin_dir}:{Path(sys.executable).parent}:/usr/sbin:/usr/bin:/bin",
        "TMPDIR": str(disk.parent),
    }
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-c", PREPARE_IMAGE, json.dumps(image_info)],
            capture_output=True, text=True, env=env, timeout=180,
        )  # fmt: skip
    finally:
        files.shutdown()
        files.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"status": "SUCCEEDED", "error": "None"}, done.stderr[-3000:]
    image = (served / "disk.raw").read_bytes()
    written = disk.read_bytes()[: len(image)]
    # The image's partition entries and its partition are on the disk; the disk kept its size
    # and its backup GPT moved to its end (`sgdisk -e`, as on a real disk larger than the
    # image), so the headers differ from the image's.
    entries = slice(2 * 512, 34 * 512)
    assert written[entries] == image[entries]
    assert written[2**20 : 6 * 2**20] == image[2**20 : 6 * 2**20]
    assert disk.stat().st_size == GIB
    assert disk.read_bytes()[-512:][:8] == b"EFI PART"
    listing = subprocess.run(  # noqa: S603 - fixed argv on our own file
        [str(shutil.which("parted")), "-s", "-m", str(disk), "unit", "MiB", "print"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "1:1.00MiB:6.00MiB:5.00MiB::root:" in listing, listing


def test_without_the_agent_extra_the_watcher_does_not_start(launcher, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "elsewhere" / "python"))
    with pytest.raises(SandboxError, match=r"elsewhere/ironic-python-agent is missing.*\[agent\]"):
        launcher.start()


class RacingAgents(Agents):
    """The real launcher, with one simulator action run just after it read every server's
    state: a boot that lands between its two reads."""

    race: Any = None

    def _get(self, path: str, **params: Any) -> Any:
        found = super()._get(path, **params)
        if path == "state" and self.race is not None:
            self.race, race = None, self.race
            race()
        return found


def test_a_boot_between_the_watchers_reads_waits_for_the_next_pass(
    api, simulator, ironic, tmp_path
):
    """The state read says On, but that On may be a later boot's: the server waits for the
    next pass rather than getting an agent for a network boot it is no longer in."""
    supervisor = Supervisor()
    agents = RacingAgents(supervisor, tmp_path, simulator_url=simulator.url,
                          ca_file=str(simulator.ca_file), ironic_url=ironic.url)  # fmt: skip
    witness = Witness.of(simulator)
    try:
        blade = named(api, "server-hardware", BLADE)
        ironic.enroll(blade, "deploying")
        network_boot_next(api, blade)
        power(api, blade, "On")  # from the network (the one-time boot, used up)
        agents.race = lambda: witness.os_power_off(blade["uri"], restart=True)  # then its disk
        agents.poll()
        assert agents.race is None  # the reboot happened between the reads
        agents.poll()
        assert agents.running() == {}
        assert agents.events == []
        assert [b["device"] for b in witness.boots(blade["uri"])] == ["Network", "Unmanaged"]
    finally:
        agents.stop()
        supervisor.stop_all()
