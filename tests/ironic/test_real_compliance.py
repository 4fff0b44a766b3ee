"""Template compliance through a real ``ironic`` process with linked profiles: an administrator's
template edit turns the deployed node's health to WARNING (power sync), and
``baremetal node service --steps management.update_from_template`` brings the profile back in
line (the server off and on again, since the change cannot be made online)."""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_real_ironic import (
    SYNC_INTERVAL,
    _config,
    _free_port,
    create_blade_node,
    running_ironic,
)

from oneview_openstack.simulator.testing import wait_until

LINKED = """
keep_profiles_linked_to_template = true
profile_edit_poll_interval = 1
"""
UPDATE = [{"interface": "management", "step": "update_from_template", "args": {}}]


@pytest.fixture
def ironic(tmp_path: Path, simulator: Any) -> Iterator[tuple[Any, Path]]:
    port = _free_port()
    conf = _config(tmp_path, port, simulator)
    conf.write_text(conf.read_text() + LINKED)  # [oneview] is the file's last section
    with running_ironic(tmp_path, conf, port) as conn:
        yield conn, tmp_path


def test_noncompliant_health_then_update_from_template(ironic, simulator):
    from ov_base import GOOD_TEMPLATE, Sim

    conn, work = ironic
    bm = conn.baremetal
    sim = Sim(simulator)
    try:
        template = sim.template(GOOD_TEMPLATE)
        server = sim.free_blade(template)
        node = create_blade_node(bm, work, server, template, "ov-compliance")
        physical = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
        bm.create_port(node_id=node.id, address=physical["virtualPorts"][0]["mac"].lower())
        bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
        bm.set_node_provision_state(node, "provide", wait=True, timeout=60)
        bm.update_node(
            node,
            instance_info={
                "kernel": f"file://{work}/images/kernel",
                "ramdisk": f"file://{work}/images/ramdisk",
            },
        )
        bm.set_node_provision_state(node, "active", wait=True, timeout=120)
        profile_uri = bm.get_node(node.id).driver_info["applied_server_profile_uri"]
        assert sim.get(profile_uri)["serverProfileTemplateUri"] == template["uri"]
        wait_until(
            lambda: bm.get_node(node.id).health == "OK",
            timeout=SYNC_INTERVAL * 10,
            interval=0.2,
            what="the power sync to report the health",
        )

        # An administrator requires secure boot in the template (a Checked section).
        body = copy.deepcopy(sim.get(template["uri"]))
        body["bootMode"] = {
            **body["bootMode"],
            "secureBoot": "Enabled",
            "complianceControl": "Checked",
        }
        reply = sim.http.put(simulator.url + template["uri"], json=body, timeout=10)
        reply.raise_for_status()
        wait_until(
            lambda: sim.get(profile_uri)["templateCompliance"] == "NonCompliant",
            timeout=10,
            interval=0.1,
            what="the profile to drift",
        )
        wait_until(
            lambda: bm.get_node(node.id).health == "Warning",
            timeout=SYNC_INTERVAL * 10,
            interval=0.2,
            what="the power sync to report the drift",
        )
        assert "is NonCompliant with server profile template" in (work / "ironic.log").read_text()

        bm.get_node(node.id).set_provision_state(bm, "service", service_steps=UPDATE)
        wait_until(
            lambda: bm.get_node(node.id).provision_state in ("active", "service failed"),
            timeout=60,
            interval=0.2,
            what="the service to end",
        )
        node = bm.get_node(node.id)
        assert node.provision_state == "active", node.last_error
        profile = sim.get(profile_uri)
        assert profile["templateCompliance"] == "Compliant"
        assert profile["bootMode"]["secureBoot"] == "Enabled"
        assert sim.get(server["uri"])["powerState"] == "On"  # switched back on for the tenant
        wait_until(
            lambda: bm.get_node(node.id).health == "OK" and bm.get_node(node.id).is_secure_boot,
            timeout=SYNC_INTERVAL * 10,
            interval=0.2,
            what="the power sync to see it compliant, with secure boot",
        )
    except Exception:
        sys.stderr.write((work / "ironic.log").read_text()[-8000:])
        raise
    finally:
        sim.close()
