"""Which of our drivers load, asked in child processes.

Ironic and Neutron register clashing oslo.config options, so neither is imported into the
sandbox's own process: a short child Python loads each entry point and reports, for the hardware
type, the interfaces it supports by entry-point name (what ironic.conf must enable).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PROBE_IRONIC = r"""
import json
from importlib.metadata import entry_points
(hw,) = [e for e in entry_points(group="ironic.hardware.types") if e.name == "oneview"]
hardware = hw.load()()
found = {}
for kind in ("boot", "deploy", "inspect", "management", "network", "power"):
    classes = getattr(hardware, "supported_%s_interfaces" % kind)
    names = []
    for ep in entry_points(group="ironic.hardware.interfaces." + kind):
        try:
            loaded = ep.load()
        except Exception:
            if ep.value.startswith("oneview_openstack."):
                raise  # ours must load: the probe fails and says why
            continue  # another project's optional interface (its own dependencies missing)
        if loaded in classes:
            names.append((classes.index(loaded), ep.name))
    found[kind] = [name for _, name in sorted(names)]
print(json.dumps(found))
"""

PROBE_NEUTRON = r"""
from importlib.metadata import entry_points
(ep,) = [e for e in entry_points(group="neutron.ml2.mechanism_drivers") if e.name == "oneview"]
ep.load()
print("{}")
"""


@dataclass
class Probe:
    ok: bool
    detail: str = ""
    interfaces: dict[str, list[str]] = field(default_factory=dict)


def _run(code: str, timeout: float) -> Probe:
    try:
        done = subprocess.run(  # noqa: S603 - our own fixed probe code
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Probe(False, f"loading took longer than {timeout:.0f} s")
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return Probe(False, lines[-1] if lines else f"exit code {done.returncode}")
    try:
        return Probe(True, interfaces=json.loads(done.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return Probe(False, "unexpected probe output: " + done.stdout[-200:])


# Both drivers' probes once they have loaded: the installed code does not change under a running
# process, and each probe is two interpreters importing Ironic and Neutron (a test run starts
# seven sandboxes and real Ironics in one process). A failed probe is never kept: asked again.
_loaded: tuple[Probe, Probe] | None = None
_loaded_lock = threading.Lock()


def probe_drivers(timeout: float = 120.0) -> tuple[Probe, Probe]:
    """(Ironic hardware type ``oneview``, ML2 mechanism driver ``oneview``), in parallel; once
    both loaded, this process's later calls get that answer (copies) without probing again."""
    global _loaded
    with _loaded_lock:
        if _loaded is None:
            with ThreadPoolExecutor(2) as pool:
                ironic = pool.submit(_run, PROBE_IRONIC, timeout)
                neutron = pool.submit(_run, PROBE_NEUTRON, timeout)
                found = ironic.result(), neutron.result()
            if not (found[0].ok and found[1].ok):
                return found
            _loaded = found
        return copy.deepcopy(_loaded)
