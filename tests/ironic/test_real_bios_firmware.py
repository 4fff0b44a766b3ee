"""BIOS and firmware through a real ``ironic`` process and the ``baremetal`` CLI, against the
simulator.

The operator's path: a manual clean with ``bios.apply_configuration`` and ``firmware.update``
(both out-of-band: Ironic boots no ramdisk, the first step claims the server, the periodic
finishes each step and the last one gives the server back), then ``baremetal node bios setting
list`` and ``baremetal node firmware list``. A firmware update lasting several times
``[conductor]clean_callback_timeout`` survives it, while a node that really stops answering
(waiting for a ramdisk that never calls back; ``fake`` boot, so no PXE files) is failed by the
same timeout in the same process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from ov_base import GOOD_TEMPLATE, Sim
from test_real_ironic import _config, _free_port, running_ironic

from oneview_openstack.simulator.testing import wait_until

CALLBACK_TIMEOUT = 3
SETTINGS = [
    {"name": "WorkloadProfile", "value": "GeneralThroughputCompute"},
    {"name": "NetworkBootRetryCount", "value": "7"},
]


@pytest.fixture
def ironic(tmp_path: Path, simulator: Any):
    port = _free_port()
    conf = _config(tmp_path, port, simulator)
    text = conf.read_text().replace(
        "enabled_boot_interfaces = pxe\n", "enabled_boot_interfaces = pxe,fake\n"
    )
    text = text.replace(
        "[conductor]\n",
        f"[conductor]\nclean_callback_timeout = {CALLBACK_TIMEOUT}\n"
        "check_provision_state_interval = 1\n",
    )
    conf.write_text(text + "profile_edit_poll_interval = 1\n")  # [oneview] is the last section
    with running_ironic(tmp_path, conf, port) as conn:
        yield conn, port, tmp_path


def _baremetal(port: int, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).parent / "baremetal"),
        "--os-auth-type",
        "none",
        "--os-endpoint",
        f"http://127.0.0.1:{port}",
        "--os-baremetal-api-version",
        "1.115",
        *args,
    ]
    return subprocess.run(  # noqa: S603 - our venv's CLI, fixed arguments
        command, capture_output=True, text=True, timeout=180, check=False
    )


def _listed(port: int, *args: str) -> list[dict[str, Any]]:
    shown = _baremetal(port, *args, "-f", "json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def _node(bm: Any, sim: Sim, name: str, index: int = 0, **fields: Any) -> Any:
    template = sim.template(GOOD_TEMPLATE)
    server = sim.free_blade(template, index)
    return bm.create_node(
        driver="oneview",
        name=name,
        deploy_interface="oneview-ramdisk",
        driver_info={"server_hardware_uri": server["uri"]},
        **fields,
        properties={
            "capabilities": f"server_hardware_type_uri:{server['serverHardwareTypeUri']},"
            f"server_profile_template_uri:{template['uri']},"
            f"enclosure_group_uri:{server['serverGroupUri']}"
        },
    )


def _newest_baseline(sim: Sim) -> dict[str, Any]:
    return max(sim.members("firmware-drivers"), key=lambda b: b["version"])


def _firmware_step(baseline: dict[str, Any]) -> dict[str, Any]:
    setting = {"component": "baseline", "url": baseline["uri"]}
    return {"interface": "firmware", "step": "update", "args": {"settings": [setting]}}


def _state(bm: Any, node: Any) -> str:
    return bm.get_node(node.id).provision_state


def _settled(bm: Any, node: Any, what: str, timeout: float = 90) -> Any:
    """The node once its clean ended."""

    def ended() -> Any:
        now = bm.get_node(node.id)
        return now if now.provision_state not in ("cleaning", "clean wait") else None

    return wait_until(ended, timeout=timeout, interval=0.5, what=what)


def _errors(port: int, node: Any) -> str:
    """The node's error events (its history): ``last_error`` is cleared by the power sync."""
    reply = requests.get(
        f"http://127.0.0.1:{port}/v1/nodes/{node.id}/history",
        params={"detail": "true"},
        headers={"X-OpenStack-Ironic-API-Version": "1.78"},
        timeout=10,
    )
    reply.raise_for_status()
    return "\n".join(e["event"] for e in reply.json()["history"] if e["severity"] == "ERROR")


def test_bios_and_firmware_steps_through_the_api(ironic, simulator):
    r"""One ironic process, three nodes side by side (a process start costs ~15 s here):

    * bios + firmware in one manual clean, then the CLI's BIOS and firmware listings, then a
      bad BIOS value refused with nothing changed in OneView;
    * a firmware update lasting several ``clean_callback_timeout``\ s, kept alive;
    * the control: a node waiting for a ramdisk that never calls back, failed by that timeout.
    """
    conn, port, work = ironic
    bm = conn.baremetal
    sim = Sim(simulator)
    try:
        configured = _node(bm, sim, "ov-bios-fw", 0)
        updating = _node(bm, sim, "ov-fw-long", 1)
        silent = _node(bm, sim, "ov-no-ramdisk-answers", 2, boot_interface="fake")
        for node in (configured, updating, silent):
            bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
        shown = bm.get_node(configured.id)
        assert (shown.bios_interface, shown.firmware_interface) == ("oneview", "oneview")
        baseline = _newest_baseline(sim)

        # The long update first: its baseline's task takes ~10-20 s, several callback timeouts.
        sim.arm("task_slow", method="PUT", path="/rest/server-profiles/*", params={"factor": 12})
        started = time.monotonic()
        bm.set_node_provision_state(updating, "clean", clean_steps=[_firmware_step(baseline)])
        wait_until(
            lambda: _state(bm, updating) == "clean wait",
            timeout=60,
            interval=0.2,
            what="the long update to start",
        )
        bm.set_node_provision_state(
            silent, "clean", clean_steps=[{"interface": "deploy", "step": "erase_devices"}]
        )
        steps = [
            {"interface": "bios", "step": "apply_configuration", "args": {"settings": SETTINGS}},
            _firmware_step(baseline),
        ]
        bm.set_node_provision_state(configured, "clean", clean_steps=steps)

        done = _settled(bm, configured, "bios + firmware clean")
        assert done.provision_state == "manageable", _errors(port, configured)
        server_uri = configured.driver_info["server_hardware_uri"]
        assert not sim.get(server_uri).get("serverProfileUri")  # the steps' claim given back
        rows = _listed(port, "node", "bios", "setting", "list", configured.id, "--long")
        settings = {row["name"]: row for row in rows}
        workload = settings["WorkloadProfile"]
        assert workload["value"] == "GeneralThroughputCompute"
        assert workload["attribute_type"] == "Enumeration"
        assert "GeneralPeakFrequencyCompute" in workload["allowable_values"]
        assert workload["read_only"] is False and workload["reset_required"] is True
        retries = settings["NetworkBootRetryCount"]
        assert (retries["value"], retries["lower_bound"], retries["upper_bound"]) == ("7", 0, 20)
        installed = {
            c["componentName"]: c["componentVersion"]
            for c in sim.get(server_uri + "/firmware")["components"]
        }
        listed = _listed(port, "node", "firmware", "list", configured.id)
        assert {row["component"]: row["current_version"] for row in listed} == installed

        # The control fails by Ironic's callback timeout while the long update lives on.
        failed = _settled(bm, silent, "Ironic's callback timeout to fail the silent node")
        assert failed.provision_state == "clean failed"
        assert "Timeout reached" in _errors(port, silent), _errors(port, silent)
        assert _state(bm, updating) == "clean wait"
        long_done = _settled(bm, updating, "the long firmware update")
        lasted = time.monotonic() - started
        assert long_done.provision_state == "manageable", _errors(port, updating)
        assert lasted > 2 * CALLBACK_TIMEOUT, lasted
        long_uri = updating.driver_info["server_hardware_uri"]
        versions = {c["componentVersion"] for c in sim.get(long_uri + "/firmware")["components"]}
        assert versions & {c["componentVersion"] for c in baseline["fwComponents"]}

        # Bad input: the clean fails naming the setting, the value and what is accepted, and
        # OneView is left as it was.
        bios_before = sim.get(server_uri + "/bios")["settings"]
        bad = [{"name": "WorkloadProfile", "value": "Max"}]
        bm.set_node_provision_state(
            configured,
            "clean",
            clean_steps=[
                {"interface": "bios", "step": "apply_configuration", "args": {"settings": bad}}
            ],
        )
        refused = _settled(bm, configured, "the refused clean")
        assert refused.provision_state == "clean failed"
        said = _errors(port, configured)
        assert "WorkloadProfile" in said and "'Max'" in said, said
        assert "GeneralThroughputCompute" in said, said
        assert sim.get(server_uri + "/bios")["settings"] == bios_before
        assert not sim.get(server_uri).get("serverProfileUri")
    except Exception:
        sys.stderr.write((work / "ironic.log").read_text()[-6000:])
        raise
    finally:
        sim.close()
