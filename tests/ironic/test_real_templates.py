"""The template per deployment through a real ``ironic`` process and its API.

A deploy template is created through the API with a trait; a node carrying that trait is
deployed (PXE with file images, no agent: the ramdisk deploy) and the claim's profile comes from
the template the deploy template names, with the BIOS and RAID steps and secure boot composed
into it, kept linked to its template (``keep_profiles_linked_to_template``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from test_real_ironic import _config, _free_port, create_blade_node, running_ironic
from test_templates import add_template

TRAIT = "CUSTOM_OV_DATABASE"
BIOS_SETTINGS = [{"name": "WorkloadProfile", "value": "Virtualization-MaxPerformance"}]
RAID_CONFIG = {
    "logical_disks": [
        {"size_gb": "MAX", "raid_level": "1", "is_root_volume": True, "volume_name": "root"}
    ]
}


def test_a_deploy_template_trait_chooses_the_template_and_composes_the_steps(
    tmp_path: Path, simulator: Any
) -> None:
    from ov_base import GOOD_TEMPLATE, Sim

    port = _free_port()
    conf = _config(tmp_path, port, simulator)
    conf.write_text(conf.read_text() + "keep_profiles_linked_to_template = true\n")
    sim = Sim(simulator)
    try:
        default = sim.template(GOOD_TEMPLATE)
        chosen = add_template(simulator, default, "ironic-database")
        server = sim.free_blade(default)
        with running_ironic(tmp_path, conf, port) as conn:
            bm = conn.baremetal
            bm.create_deploy_template(
                name=TRAIT,
                steps=[
                    {
                        "interface": "deploy",
                        "step": "apply_server_profile_template",
                        "args": {"template": "ironic-database"},
                        "priority": 150,
                    },
                    {
                        "interface": "bios",
                        "step": "apply_configuration",
                        "args": {"settings": BIOS_SETTINGS},
                        "priority": 130,
                    },
                    {
                        "interface": "raid",
                        "step": "apply_configuration",
                        "args": {"raid_config": RAID_CONFIG},
                        "priority": 120,
                    },
                ],
            )
            node = create_blade_node(
                bm,
                tmp_path,
                server,
                default,
                "ov-database",
                inspect_interface="oneview",
                bios_interface="oneview",
                raid_interface="oneview",
            )
            bm.add_node_trait(node, TRAIT)
            bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
            bm.set_node_provision_state(node, "inspect", wait=True, timeout=60)  # the ports
            bm.set_node_provision_state(node, "provide", wait=True, timeout=60)
            bm.update_node(
                node,
                instance_info={
                    "kernel": f"file://{tmp_path}/images/kernel",
                    "ramdisk": f"file://{tmp_path}/images/ramdisk",
                    "traits": [TRAIT],
                    "capabilities": {"boot_mode": "uefi", "secure_boot": "true"},
                },
            )
            sim.reset_stats()
            bm.set_node_provision_state(node, "active", wait=True, timeout=120)
            node = bm.get_node(node.id)
            profile = sim.get(node.driver_info["applied_server_profile_uri"])
            assert profile["serverProfileTemplateUri"] == chosen["uri"]
            assert profile["description"] == "from ironic-database"
            assert {"id": "WorkloadProfile", "value": "Virtualization-MaxPerformance"} in (
                profile["bios"]["overriddenSettings"]
            )
            assert profile["localStorage"]["controllers"][0]["logicalDrives"][0]["raidLevel"] == (
                "RAID1"
            )
            assert profile["bootMode"]["secureBoot"] == "Enabled"
            assert node.driver_internal_info["oneview_composed_steps"] == [
                "deploy.apply_server_profile_template",
                "bios.apply_configuration",
                "raid.apply_configuration",
                "management.set_boot_mode",
                "management.set_secure_boot_state",
            ]
            routes = sim.stats()["byRoute"]
            assert routes.get("POST /rest/server-profiles") == 1, routes
            assert not routes.get("PUT /rest/server-profiles/{id}"), routes
    except Exception:
        log = tmp_path / "ironic.log"
        if log.exists():
            sys.stderr.write(log.read_text()[-6000:])
        raise
    finally:
        sim.close()
