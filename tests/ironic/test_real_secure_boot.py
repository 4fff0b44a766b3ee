"""Secure boot through a real ``ironic`` process: a deployment asking for it
(``instance_info/capabilities secure_boot=true``), then ``baremetal node secure boot off/on``
while the instance runs (deferred to the next power-on), all read back from OneView."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_real_ironic import _config, _free_port, create_blade_node, running_ironic

from oneview_openstack.simulator.testing import wait_until


@pytest.fixture
def ironic(tmp_path: Path, simulator: Any) -> Iterator[tuple[Any, Path]]:
    port = _free_port()
    with running_ironic(tmp_path, _config(tmp_path, port, simulator), port) as conn:
        yield conn, tmp_path


def test_secure_boot_on_and_off_through_the_api(ironic, simulator):
    from ov_base import GOOD_TEMPLATE, Sim

    conn, work = ironic
    bm = conn.baremetal
    sim = Sim(simulator)

    def boot_mode() -> dict[str, Any]:
        server = sim.get(node_server["uri"])
        return sim.get(server["serverProfileUri"])["bootMode"]

    def secure_boot_becomes(value: bool) -> None:
        def changed() -> bool:
            node = bm.get_node(node_id)
            assert not node.last_error, node.last_error
            return node.is_secure_boot == value

        wait_until(changed, timeout=30, interval=0.2, what=f"node secure_boot {value}")

    try:
        template = sim.template(GOOD_TEMPLATE)
        node_server = sim.free_blade(template)
        node = create_blade_node(bm, work, node_server, template, "ov-secure")
        node_id = node.id
        physical = node_server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
        bm.create_port(node_id=node_id, address=physical["virtualPorts"][0]["mac"].lower())
        bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
        bm.set_node_provision_state(node, "provide", wait=True, timeout=60)
        bm.update_node(
            node,
            instance_info={
                "kernel": f"file://{work}/images/kernel",
                "ramdisk": f"file://{work}/images/ramdisk",
                "capabilities": {"secure_boot": "true"},
            },
        )
        bm.set_node_provision_state(node, "active", wait=True, timeout=120)
        node = bm.get_node(node_id)
        assert node.power_state == "power on"
        assert boot_mode()["secureBoot"] == "Enabled"
        assert boot_mode()["mode"] == "UEFIOptimized"
        assert node.is_secure_boot is True  # Ironic read it back from our management interface

        # Off while the instance runs: kept, then written with the server off at the reboot.
        bm.set_node_secure_boot(node, False)
        secure_boot_becomes(False)
        assert boot_mode()["secureBoot"] == "Enabled"  # OneView refuses it while on
        assert sim.get(node_server["uri"])["powerState"] == "On"  # nobody switched it off
        bm.set_node_power_state(node, "rebooting")  # its wait ends at once: power is on
        wait_until(
            lambda: boot_mode()["secureBoot"] == "Disabled",
            timeout=60,
            interval=0.2,
            what="the reboot to write it",
        )
        wait_until(
            lambda: bm.get_node(node_id).target_power_state is None,
            timeout=60,
            interval=0.2,
            what="the reboot to end",
        )
        assert not bm.get_node(node_id).last_error
        assert sim.get(node_server["uri"])["powerState"] == "On"

        bm.set_node_secure_boot(node, True)
        secure_boot_becomes(True)
        bm.set_node_power_state(node, "power off", wait=True, timeout=60)
        bm.set_node_power_state(node, "power on", wait=True, timeout=60)
        assert boot_mode()["secureBoot"] == "Enabled"
        assert bm.get_node(node_id).is_secure_boot is True

        bm.set_node_provision_state(node, "deleted", wait=True, timeout=120)
        node = bm.get_node(node_id)
        assert node.provision_state == "available", node.last_error
        assert "applied_server_profile_uri" not in node.driver_info
    except Exception:
        sys.stderr.write((work / "ironic.log").read_text()[-8000:])
        raise
    finally:
        sim.close()
