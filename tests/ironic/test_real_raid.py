"""RAID through a real ``ironic`` process and the ``baremetal`` CLI, against the simulator.

The operator's path: ``baremetal node set --target-raid-config`` (validated by our interface in
the conductor: a refusal is the CLI's error), a manual clean with the raid steps (out-of-band,
so Ironic boots no ramdisk; the step claims the server and the periodic finishes it), then the
node's ``raid_config`` as the API shows it, beside the logical drive the simulator built.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ov_base import GOOD_TEMPLATE, Sim
from test_real_ironic import _config, _free_port, running_ironic

from oneview_openstack.simulator.testing import wait_until

RAID1_ROOT = {
    "logical_disks": [
        {"raid_level": "1", "size_gb": "MAX", "is_root_volume": True, "volume_name": "root"}
    ]
}


@pytest.fixture
def ironic(tmp_path: Path, simulator: Any):
    port = _free_port()
    conf = _config(tmp_path, port, simulator)
    with conf.open("a") as extra:  # [oneview] is the last section: look at edits every second
        extra.write("profile_edit_poll_interval = 1\n")
    with running_ironic(tmp_path, conf, port) as conn:
        yield conn, port


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
        command, capture_output=True, text=True, timeout=120, check=False
    )


def test_target_raid_config_and_manual_clean_through_the_api(ironic, simulator):
    conn, port = ironic
    bm = conn.baremetal
    sim = Sim(simulator)
    try:
        template = sim.template(GOOD_TEMPLATE)
        server = sim.free_blade(template)
        node = bm.create_node(
            driver="oneview",
            name="ov-raid",
            deploy_interface="oneview-ramdisk",
            driver_info={"server_hardware_uri": server["uri"]},
            properties={
                "capabilities": f"server_hardware_type_uri:{server['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{template['uri']},"
                f"enclosure_group_uri:{server['serverGroupUri']}"
            },
        )
        assert bm.get_node(node.id).raid_interface == "oneview"
        bm.set_node_provision_state(node, "manage", wait=True, timeout=60)

        refused = _baremetal(
            port,
            "node",
            "set",
            node.id,
            "--target-raid-config",
            json.dumps({"logical_disks": [{"raid_level": "5", "size_gb": 100}]}),
        )
        assert refused.returncode != 0
        assert "size_gb" in refused.stderr and "'MAX'" in refused.stderr, refused.stderr
        assert bm.get_node(node.id).target_raid_config == {}

        done = _baremetal(
            port, "node", "set", node.id, "--target-raid-config", json.dumps(RAID1_ROOT)
        )
        assert done.returncode == 0, done.stderr
        assert bm.get_node(node.id).target_raid_config == RAID1_ROOT

        steps = [
            {"interface": "raid", "step": "delete_configuration"},
            {"interface": "raid", "step": "create_configuration"},
        ]
        cleaned = _baremetal(
            port, "node", "clean", node.id, "--clean-steps", json.dumps(steps), "--wait", "90"
        )
        assert cleaned.returncode == 0, cleaned.stderr
        after = bm.get_node(node.id)
        assert after.provision_state == "manageable", after.last_error

        storage = sim.get(server["uri"] + "/localStorageV2")
        (built,) = [ld for c in storage["data"] for ld in c.get("LogicalDrives") or []]
        assert (built["Name"], built["Raid"]) == ("root", "RAID1")
        (disk,) = after.raid_config["logical_disks"]
        assert disk["raid_level"] == "1"
        assert disk["is_root_volume"] is True
        assert disk["size_gb"] == int(built["CapacityGB"])
        assert "raid_level:1" in after.properties["capabilities"]
        # The claim the steps made is given back; the logical drive stays.
        assert not sim.get(server["uri"]).get("serverProfileUri")

        reply = bm.get("/drivers/oneview/raid/logical_disk_properties", microversion="1.115")
        assert reply.status_code == 200, reply.text
        assert "must be 'MAX'" in reply.json()["size_gb"]

        # A OneView task error in the middle: the clean fails with OneView's words and the
        # node's raid_config still describes what the server has.
        sim.arm(
            "task_error",
            method="PUT",
            path="/rest/server-profiles/*",
            params={
                "error_code": "LOCAL_STORAGE_CONFIGURATION_FAILED",
                "message": "The Smart Array controller did not accept the configuration.",
            },
        )
        raid0 = {"logical_disks": [{"raid_level": "0", "size_gb": "MAX"}]}
        steps = [
            {"interface": "raid", "step": "apply_configuration", "args": {"raid_config": raid0}}
        ]
        bm.set_node_provision_state(node, "clean", clean_steps=steps)
        wait_until(
            lambda: bm.get_node(node.id).provision_state == "clean failed",
            timeout=60,
            interval=0.5,
            what="the clean to fail",
        )
        failed = bm.get_node(node.id)
        assert "LOCAL_STORAGE_CONFIGURATION_FAILED" in failed.last_error
        assert "did not accept the configuration" in failed.last_error
        assert failed.raid_config["logical_disks"] == [disk]
        storage = sim.get(server["uri"] + "/localStorageV2")
        assert [ld["Name"] for c in storage["data"] for ld in c.get("LogicalDrives") or []] == [
            "root"
        ]
    finally:
        sim.close()
