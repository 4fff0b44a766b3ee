"""ironic-python-agent processes standing in for the servers' deploy ramdisk.

A real server that Ironic powers on booting from the network loads IPA, which looks its node up
by MAC, heartbeats, writes the image and powers the server off when asked. Here a watcher
thread polls the simulator's own API (``/_sim/boots`` and ``/_sim/state``; no product code) and
starts one real ``ironic-python-agent`` (the venv's console script, unchanged) per server that
powered on booting from the network, and stops it when the server powers off or boots from
anything else. Each agent gets: the server's MACs, its own 127.0.0.1 port, a sparse disk file
sized like the server's root disk, and a JSON description of the server that our hardware
manager (``agent_hardware.SimulatedServerHardwareManager``) reports as the inventory.

Safety: IPA runs as root on THIS machine. Every agent runs with a PATH whose first folder holds
the shims of ``agent_shims`` (``poweroff`` is the simulator's OS power-off, host commands refuse,
disk tools never see a device), and the hardware manager answers every call IPA dispatches.
Everything an agent writes stays under ``<state>/agents/``; its log is readable by root only.
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from .agent_description import describe, root_disk_bytes, server_interfaces, slug
from .agent_shims import DESCRIPTION_ENV, ensure_shims, write_shims
from .processes import SandboxError, Service, Supervisor, free_port

LOG = logging.getLogger(__name__)

AGENT_SCRIPT = "ironic-python-agent"
STOP_GRACE_SECONDS = 5.0
EVENTS_KEPT = 10_000  # a long sandbox run boots servers for ever: the newest events are kept
# The folders after our shims: the venv's scripts first, then the system's.
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")

# Ironic's provision states in which it boots a node into IPA from the network; a ramdisk
# deploy boots its instance's own ramdisk in the deploy states instead. Not rescue: IPA's
# rescue writes the rescue password and its "rescued" marker into this machine's /etc.
AGENT_STATES = frozenset({"deploying", "wait call-back", "cleaning", "clean wait", "inspecting",
                          "inspect wait", "servicing", "service wait"})  # fmt: skip
RAMDISK_DEPLOY_STATES = frozenset({"deploying", "wait call-back"})
IRONIC_HEADERS = {"X-OpenStack-Ironic-API-Version": "1.90", "Accept": "application/json"}
__all__ = ["DESCRIPTION_ENV", "AgentEvent", "Agents", "RunningAgent", "write_shims"]


@dataclass(frozen=True)
class AgentEvent:
    """Something the launcher did: ``started``, ``stopped``, ``refused`` (``Agents.refuse``),
    ``skipped`` (Ironic expects no agent: ``Agents.ironic_expects_no_agent``), ``exited`` (IPA
    ended by itself) or ``failed`` (the agent could not be started)."""

    kind: str
    server: str  # the server hardware's name
    at: float  # time.time()
    port: int | None
    reason: str


@dataclass
class RunningAgent:
    server_name: str
    server_uri: str
    port: int
    boot_sequence: int
    service: Service
    macs: tuple[str, ...]
    started: float = field(default_factory=time.monotonic)


class Agents:
    """The watcher/launcher: one IPA per server that booted from the network.

    ``events`` is the record tests read (see ``AgentEvent``). A server given to
    ``refuse`` never gets an agent (a silent ramdisk, for Ironic's timeouts); ``allow`` undoes it.
    """

    def __init__(
        self,
        supervisor: Supervisor,
        state_dir: Path,
        *,
        simulator_url: str,
        ca_file: str,
        ironic_url: str,
        poll_interval: float = 0.5,
        lookup_timeout: int = 300,
        debug: bool = False,
        ask_ironic: bool = True,
    ) -> None:
        self.supervisor = supervisor
        self.root = Path(state_dir).resolve() / "agents"
        self.bin_dir = self.root / "bin"
        self.simulator_url = simulator_url.rstrip("/")
        self.ca_file = ca_file
        self.ironic_url = ironic_url.rstrip("/")
        self.poll_interval = poll_interval
        self.lookup_timeout = lookup_timeout
        self.debug = debug
        self.ask_ironic = ask_ironic
        self.events: list[AgentEvent] = []
        self._running: dict[str, RunningAgent] = {}  # by server URI
        self._refused: set[str] = set()
        self._cursor = 0  # the last boot sequence handled
        self._disk_sizes: dict[str, int] = {}  # by server name: what its disk file must hold
        self._lock = threading.RLock()
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._http: requests.Session = requests.Session()
        self._http.trust_env = False
        self._http.verify = ca_file or True

    # -- the contract ----------------------------------------------------------------------
    def start(self) -> None:
        """Write the shims and start the watcher thread (the first poll happens at once).

        What a previous sandbox left (disk files, logs) goes first: the simulator starts from
        its inventory, so the servers' disks start empty too.
        """
        script = Path(sys.executable).parent / AGENT_SCRIPT
        if not script.exists():
            raise SandboxError(
                f"{script} is missing: install the agent extra, e.g. "
                "`uv pip install -c constraints.txt -e '.[agent]'`."
            )
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(mode=0o700, parents=True)  # disk files hold what tenants wrote
        write_shims(self.bin_dir)
        self._halt.clear()
        self._thread = threading.Thread(target=self._watch, name="ipa-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the watcher and every agent it started."""
        self._halt.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            if self._thread.is_alive():  # a poll stuck in a request: it starts nothing now
                LOG.error("Agent watcher: the thread did not end within 60 s")
            self._thread = None
        with self._lock:
            for uri in list(self._running):
                self._stop_agent(uri, "the sandbox stops")
        self._http.close()

    def disk(self, server_name: str) -> Path:
        """The server's disk file (created, sparse, at its first network boot)."""
        return self.root / slug(server_name) / "disk.img"

    def log(self, server_name: str) -> Path:
        return self.root / f"{slug(server_name)}.log"

    def refuse(self, server_name: str) -> None:
        """Never start an agent for this server (its running agent, if any, is stopped)."""
        with self._lock:
            self._refused.add(server_name)
            for uri, agent in list(self._running.items()):
                if agent.server_name == server_name:
                    self._stop_agent(uri, "refused by the test bed")

    def allow(self, server_name: str) -> None:
        with self._lock:
            self._refused.discard(server_name)

    def running(self) -> dict[str, RunningAgent]:
        """The agents running now, by server name."""
        with self._lock:
            return {a.server_name: a for a in self._running.values()}

    # -- the watcher -----------------------------------------------------------------------
    def _watch(self) -> None:
        while True:
            try:
                self.poll()
            except Exception as error:  # the simulator restarting, a slow answer: poll again
                LOG.warning("Agent watcher: polling the simulator failed: %s", error)
            if self._halt.wait(self.poll_interval):
                return

    def _get(self, path: str, **params: Any) -> Any:
        reply = self._http.get(f"{self.simulator_url}/_sim/{path}", params=params, timeout=30)
        reply.raise_for_status()
        return reply.json()

    def poll(self) -> None:
        """One pass: start agents for new network boots, stop those whose server went off.

        A boot is handled once (the cursor moves past it even when handling it failed), and
        an agent is never restarted for the boot it already serves: a second IPA would find
        Ironic's agent token taken and lock itself down.
        """
        boots = self._get("boots", since=self._cursor)["boots"]
        with self._lock:
            if not boots and not self._running:
                return  # nothing booted, nothing to watch: no need to read every server
        state = self._get("state", categories="server-hardware,server-profiles")
        servers = {s["uri"]: s for s in state.get("server-hardware", [])}
        profiles = {p["uri"]: p for p in state.get("server-profiles", [])}
        latest: dict[str, dict[str, Any]] = {}
        for boot in boots:
            latest[boot["serverUri"]] = boot  # oldest first: the last one wins
        newest = max((int(b["sequence"]) for b in boots), default=self._cursor)
        # Servers that booted again while the state was read: their powerState may be that
        # later boot's, so they wait for the next pass (which sees the later boot).
        later = (
            {b["serverUri"] for b in self._get("boots", since=newest)["boots"]} if boots else set()
        )
        with self._lock:
            for uri, boot in latest.items():
                if self._halt.is_set():
                    return
                if uri in later:
                    continue
                try:
                    self._handle_boot(servers.get(uri), profiles, boot)
                except Exception as error:  # one bad record must not stall the others
                    LOG.exception("Agent watcher: boot %s of %s", boot.get("sequence"), uri)
                    self._event("failed", str(boot.get("serverName")), None, str(error))
            self._cursor = max(self._cursor, newest)  # a deferred boot's later one follows
            for uri, agent in list(self._running.items()):
                server = servers.get(uri)
                power = server.get("powerState") if server else "gone"
                if power != "On":
                    self._stop_agent(uri, f"the server is {power}")
                elif not agent.service.running:
                    code = agent.service.process.returncode if agent.service.process else None
                    self._running.pop(uri)
                    self.supervisor.stop(agent.service, STOP_GRACE_SECONDS)
                    self._event("exited", agent.server_name, agent.port, f"exit code {code}")

    def _handle_boot(
        self,
        server: Mapping[str, Any] | None,
        profiles: Mapping[str, Mapping[str, Any]],
        boot: Mapping[str, Any],
    ) -> None:
        uri = str(boot["serverUri"])
        power = server.get("powerState") if server else "gone"
        serving = self._running.get(uri)
        if server is None or power != "On":
            self._stop_agent(uri, f"the server is {power}")
        elif boot["device"] != "Network":
            self._stop_agent(uri, f"the server booted from {boot['device']}")
        elif serving is not None and serving.boot_sequence >= int(boot["sequence"]):
            return  # this boot's agent runs already
        else:
            self._stop_agent(uri, "the server rebooted")
            profile = profiles.get(server.get("serverProfileUri") or "")
            try:
                self._start_agent(server, profile, boot)
            except Exception as error:  # as a failed PXE boot: Ironic's timeouts act
                LOG.exception("Agent watcher: no agent for %s", server.get("name"))
                self._event("failed", str(server.get("name")), None, str(error))

    def _event(self, kind: str, server: str, port: int | None, reason: str) -> None:
        self.events.append(AgentEvent(kind, server, time.time(), port, reason))
        if len(self.events) > EVENTS_KEPT:
            del self.events[: len(self.events) - EVENTS_KEPT]
        LOG.info("Agent %s for %s (port %s): %s", kind, server, port, reason)

    def _stop_agent(self, uri: str, reason: str) -> None:
        agent = self._running.pop(uri, None)
        if agent is None:
            return
        self.supervisor.stop(agent.service, STOP_GRACE_SECONDS)
        self._event("stopped", agent.server_name, agent.port, reason)

    def _start_agent(
        self, server: Mapping[str, Any], profile: Mapping[str, Any] | None, boot: Mapping[str, Any]
    ) -> None:
        name = str(server["name"])
        if name in self._refused:
            self._event("refused", name, None, "refused by the test bed")
            return
        interfaces = server_interfaces(server, profile)
        why_not = self.ironic_expects_no_agent([i["mac"] for i in interfaces])
        if why_not:
            self._event("skipped", name, None, why_not)
            return
        folder = self.root / slug(name)
        (folder / "tmp").mkdir(mode=0o700, parents=True, exist_ok=True)
        disk = self.disk(name)
        size = self._disk_sizes.get(name)
        if size is None:
            server_id = str(server["uri"]).rsplit("/", 1)[-1]
            size = root_disk_bytes(self._get(f"server-hardware/{server_id}/local-storage"))
            self._disk_sizes[name] = size
        # Created sparse at the first boot; grown back if an agent stopped mid-write left it
        # truncated (IPA's raw writer truncates the file it opens).
        with open(disk, "ab") as sparse:
            if sparse.tell() < size:
                sparse.truncate(size)
        ensure_shims(self.bin_dir)  # never an agent without them (poll() works without start())
        port = self._free_port()
        description = describe(server, profile, interfaces, disk, boot, size)
        description.update(simulatorUrl=self.simulator_url, caFile=self.ca_file)
        description_path = folder / "server.json"
        description_path.write_text(json.dumps(description, indent=2))
        config_path = folder / "ipa.conf"
        write_config(config_path, self.agent_options(port))
        env = {
            "PATH": os.pathsep.join(
                (str(self.bin_dir), str(Path(sys.executable).parent), *SYSTEM_PATH)
            ),
            "TMPDIR": str(folder / "tmp"),
            "HOME": str(folder),
            DESCRIPTION_ENV: str(description_path),
        }
        script = Path(sys.executable).parent / AGENT_SCRIPT
        private_file(self.log(name))  # with debug on, IPA logs Ironic's agent token
        service = self.supervisor.start(
            f"ipa {name}",
            [str(script), "--config-file", str(config_path)],
            log_path=self.log(name),
            env=env,
            cwd=folder,
        )
        self._running[str(server["uri"])] = RunningAgent(
            server_name=name,
            server_uri=str(server["uri"]),
            port=port,
            boot_sequence=int(boot["sequence"]),
            service=service,
            macs=tuple(i["mac"] for i in interfaces),
        )
        self._event("started", name, port, f"booted from the network (boot {boot['sequence']})")

    def _free_port(self) -> int:
        """A free port no running agent was given (an agent binds it only once IPA started)."""
        taken = {agent.port for agent in self._running.values()}
        for _attempt in range(20):
            port = free_port()
            if port not in taken:
                return port
        raise SandboxError(f"no free 127.0.0.1 port apart from the agents' {sorted(taken)}")

    def ironic_expects_no_agent(self, macs: list[str]) -> str | None:
        """Why the network boot of a server with these MACs loads no IPA, from Ironic's view of
        its node (what Ironic's PXE configuration would serve it); None when Ironic expects an
        agent, or cannot say (then the agent starts: its own lookup decides)."""
        if not self.ask_ironic:
            return None
        try:
            reply = self._http.get(f"{self.ironic_url}/v1/ports", headers=IRONIC_HEADERS,
                                   params={"fields": "address,node_uuid"}, timeout=10)  # fmt: skip
            reply.raise_for_status()
            ports = reply.json()["ports"]
            node_uuid = next((p["node_uuid"] for p in ports if p.get("address") in macs), None)
            if node_uuid is None:
                return "no Ironic port carries its MACs"
            reply = self._http.get(
                f"{self.ironic_url}/v1/nodes/{node_uuid}",
                headers=IRONIC_HEADERS,
                params={"fields": "uuid,provision_state,deploy_interface"},
                timeout=10,
            )
            reply.raise_for_status()
            node = reply.json()
        except Exception as error:  # Ironic starting or gone: let the agent's lookup decide
            LOG.warning("Agent watcher: could not ask Ironic about %s: %s", macs, error)
            return None
        state, deploy = node.get("provision_state"), str(node.get("deploy_interface") or "")
        if state not in AGENT_STATES:
            return f"Ironic node {node_uuid} is {state}: it boots no deploy ramdisk"
        if state in RAMDISK_DEPLOY_STATES and "ramdisk" in deploy:
            return f"Ironic node {node_uuid} ({deploy}) boots its instance's ramdisk, not IPA"
        return None

    def agent_options(self, port: int) -> dict[str, str]:
        """IPA's ``[DEFAULT]`` options for one agent (also in the operator docs)."""
        from oslo_log import log

        return {
            "api_url": self.ironic_url,
            "listen_host": "127.0.0.1",
            "listen_port": str(port),
            "advertise_host": "127.0.0.1",
            "advertise_port": str(port),
            "advertise_protocol": "http",
            "enable_auto_tls": "false",
            "hardware_initialization_delay": "0",
            "disk_wait_attempts": "1",
            "disk_wait_delay": "0",
            "lookup_timeout": str(self.lookup_timeout),
            "lookup_interval": "1",
            "inspection_callback_url": "",
            "enable_vlan_interfaces": "",
            "ignore_bootloader_failure": "true",
            "disable_bootc_deploy": "true",  # bootc writes /etc/containers on this machine
            "debug": "true" if self.debug else "false",
            "use_stderr": "true",
            # IPA's API access lines carry Ironic's agent token in their URLs: not in our logs.
            "default_log_levels": ",".join(
                (*log.get_default_log_levels(), "ironic_python_agent.api=WARN")
            ),
        }


def private_file(path: Path) -> None:
    """Create ``path`` (or keep it) readable and writable by its owner only."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
    path.chmod(0o600)


def write_config(path: Path, options: Mapping[str, str]) -> None:
    config = configparser.ConfigParser(interpolation=None)
    config["DEFAULT"] = dict(options)
    with open(path, "w") as handle:
        config.write(handle)
