"""Start the simulator in its own process (as an operator would), so the benchmark client and the
appliance don't share one interpreter's GIL."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from oneview_openstack.client import ClientSettings, OneViewClient


@dataclass
class RunningSimulator:
    url: str
    ca_file: str
    username: str
    password: str


@contextlib.contextmanager
def simulator_process(*args: str) -> Iterator[RunningSimulator]:
    with tempfile.TemporaryDirectory(prefix="ovsim-bench-") as state_dir:
        command = [
            sys.executable,
            "-m",
            "oneview_openstack.simulator.cli",
            "--port",
            "0",
            "--state-dir",
            state_dir,
            *args,
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            fields: dict[str, str] = {}
            assert process.stdout is not None
            for line in process.stdout:
                if ":" in line and line.startswith("  "):
                    key, _, value = line.strip().partition(":")
                    fields[key] = value.strip()
                if line.startswith("Press Ctrl+C"):
                    break
            else:
                raise RuntimeError(f"the simulator did not start: {fields}")
            # Keep reading its log so a full pipe never blocks the simulator.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            yield RunningSimulator(
                fields["URL"], str(Path(fields["CA file"])), fields["username"], fields["password"]
            )
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def our_client(sim: RunningSimulator, **settings: Any) -> OneViewClient:
    """Our client for this simulator, verifying its CA; ``settings`` override the defaults."""
    return OneViewClient(
        ClientSettings(
            manager_url=sim.url,
            username=sim.username,
            password=sim.password,
            tls_cacert_file=sim.ca_file,
            **settings,
        )
    )


def write_results(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def sim_call(sim: RunningSimulator, method: str, path: str, **kwargs: Any) -> Any:
    """A raw call to the simulator (``/_sim/...``), verified with its CA, ignoring the env."""
    with requests.Session() as http:
        http.trust_env = False
        reply = http.request(method, sim.url + path, verify=sim.ca_file, timeout=60, **kwargs)
        reply.raise_for_status()
        return reply.json() if reply.content else None
