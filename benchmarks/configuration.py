"""A deployment configured through OneView: composed into the claim (ours) vs one change at a time.

Run: ``.venv/bin/python benchmarks/configuration.py [--time-scale 0.002] [--no-write]``.

The configuration: a non-default server profile template (chosen by a deploy template's trait),
BIOS settings, a RAID 1 root volume, UEFI boot mode and secure boot. Two sides, one run, the same
simulator (in this process, so the benchmark can add the second template to its inventory the
way an operator adds one in OneView) and Ironic's real conductor manager (Ironic's test base as
a harness, sqlite):

* ``composed`` (ours): one deployment through the conductor whose deploy template carries
  ``deploy.apply_server_profile_template``, ``bios.apply_configuration`` and
  ``raid.apply_configuration`` and whose instance asks for UEFI and secure boot. The claim
  applies all of it in its one profile create; the steps are no-ops.
* ``one change at a time``: what a driver with one job per change does. A deployment from the
  node's default template, then each of template, BIOS, RAID, boot mode and secure boot as its
  own profile edit, each with its power cycle (off, edit, on), as a BMC job per change needs.

Counted from the simulator's own task list: OneView profile tasks, power tasks, power cycles
(power-ons: the deployment's own boot is one) and the appliance time the tasks take (their
simulated durations, summed: they run one after the other), beside the real wall time of each
side at the simulator's time scale. Both sides' final profiles are checked to hold every change.
Results go to stdout and docs/benchmarks/configuration.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from _report import Lines, Section, figure, save, table

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "configuration.json"
TRAIT = "CUSTOM_OV_DATABASE"
TEMPLATE_NAME = "ironic-database"
CHANGES = ("template", "BIOS", "RAID", "boot mode", "secure boot")
BIOS_SETTINGS = [
    {"name": "WorkloadProfile", "value": "Virtualization-MaxPerformance"},
    {"name": "ProcHyperthreading", "value": "Disabled"},
]
RAID_CONFIG = {
    "logical_disks": [
        {"size_gb": "MAX", "raid_level": "1", "is_root_volume": True, "volume_name": "root"}
    ]
}
SIDES = ("composed", "one change at a time")


# -- the report ---------------------------------------------------------------------------------
def render(data: dict[str, Any]) -> Lines:
    """The docs/performance.md section (run_all.py)."""
    import matplotlib.pyplot as plt

    rows = []
    for side in SIDES:
        r = data["sides"][side]
        rows.append(
            [
                side,
                f"**{r['profileTasks']}**",
                r["powerTasks"],
                f"**{r['powerCycles']}**",
                r["oneviewTasks"],
                f"{r['applianceSeconds'] / 60:.1f} min",
                f"{r['wallSeconds']:.2f} s",
            ]
        )
    fig, ax = plt.subplots(figsize=(7, 3.6))
    measures = ("profileTasks", "powerTasks", "powerCycles")
    width = 0.8 / len(SIDES)
    for index, side in enumerate(SIDES):
        values = [data["sides"][side][m] for m in measures]
        bars = ax.bar([i + index * width for i in range(len(measures))], values, width, label=side)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(
        [i + width / 2 for i in range(len(measures))],
        ["profile tasks", "power tasks", "power cycles"],
    )
    ax.set_ylabel("count (lower is better)")
    ax.legend()
    save(fig, "configuration")
    setup = data["setup"]
    return [
        "A deployment with a non-default template (chosen by a trait), BIOS settings, a RAID 1",
        "root volume, UEFI and secure boot. Ours composes them into the claim's one profile",
        "create through Ironic's real conductor (the deploy steps then do nothing); beside it, the",
        "same configuration one change at a time after a plain deployment (a profile edit and a",
        "power cycle for each of " + ", ".join(CHANGES) + "), what a driver with one job per",
        "change does. Target: 1 profile task and no power cycle beyond the deployment's own,",
        "against at least 4. Appliance time is the sum of the OneView tasks' simulated durations",
        "(the simulator's realistic defaults); a real server's POST after each power-on (minutes",
        f"on a ProLiant) is not modelled and adds to every extra cycle. Simulator: {setup['simulator']}.",
        "",
        *table(
            [
                "side",
                "profile tasks",
                "power tasks",
                "power cycles",
                "OneView tasks",
                "appliance time",
                "wall time",
            ],
            rows,
        ),
        *figure("configuration", "OneView tasks and power cycles per side (one run)."),
    ]


SECTION = Section(
    "configuration", "configuration.py", "Deploy-time configuration: composed vs one by one", render
)


# -- the run ------------------------------------------------------------------------------------
def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class Counted:
    """The tasks started since it was made, from the simulator's own task list."""

    def __init__(self, appliance: Any) -> None:
        self.appliance = appliance  # the simulator's own raw HTTP client, logged in
        self.seen = {t["uri"] for t in self._tasks()}

    def _tasks(self) -> list[dict[str, Any]]:
        return self.appliance.members("tasks")

    def result(self, wall: float) -> dict[str, Any]:
        new = [t for t in self._tasks() if t["uri"] not in self.seen]
        kinds = Counter(f"{t['associatedResource']['resourceCategory']}: {t['name']}" for t in new)
        profile = sum(n for k, n in kinds.items() if k.startswith("server-profiles"))
        power = sum(n for k, n in kinds.items() if k.startswith("server-hardware: Power"))
        cycles = kinds.get("server-hardware: Power on", 0) + kinds.get("server-hardware: Reset", 0)
        appliance = sum(_seconds(t["modified"]) - _seconds(t["created"]) for t in new)
        return {
            "profileTasks": profile,
            "powerTasks": power,
            "powerCycles": cycles,
            "oneviewTasks": len(new),
            "tasks": dict(sorted(kinds.items())),
            "applianceSeconds": round(appliance, 1),
            "wallSeconds": round(wall, 3),
        }


def _add_template(server: Any, like_name: str) -> dict[str, Any]:
    state = server.state
    with state.lock:
        like = next(
            t
            for t in state.core.store.members("server-profile-templates")
            if t["name"] == like_name
        )
        body = copy.deepcopy(like)
        for key in ("eTag", "created", "modified", "_revision"):
            body.pop(key, None)
        body.update(
            uri=f"/rest/server-profile-templates/{uuid.uuid4()}",
            name=TEMPLATE_NAME,
            description="database servers",
            serverProfileDescription=f"from {TEMPLATE_NAME}",
            # Legacy BIOS boot, so that UEFI and then secure boot are real changes of their own.
            bootMode={**body["bootMode"], "mode": "BIOS", "secureBoot": "Disabled"},
        )
        state.core.store.add(body)
    return {k: v for k, v in body.items() if not k.startswith("_")}


def _one_change_at_a_time(client: Any, node: Any, template: dict[str, Any]) -> None:
    """Each change its own profile edit, each edit with its power cycle."""
    from oneview_openstack.client import profile_sections
    from oneview_openstack.client.configuration import hardware_type_config

    server_uri = node.driver_info["server_hardware_uri"]
    profile_uri = node.driver_info["applied_server_profile_uri"]
    config = hardware_type_config(
        client.server_hardware_types.get(template["serverHardwareTypeUri"])
    )
    new_profile = client.connector.get(template["uri"] + "/new-profile")
    keep = {"uri", "eTag", "name", "serverHardwareUri", "connectionSettings", "created", "modified"}

    def from_template(profile: dict[str, Any]) -> bool:
        profile.update({k: v for k, v in new_profile.items() if k not in keep})
        profile["serverProfileTemplateUri"] = ""
        return True

    def section(name: str, body: dict[str, Any]) -> Any:
        return lambda profile: profile_sections.merge_sections(profile, {name: body})

    bios = profile_sections.bios_section(profile_sections.bios_overrides(config, BIOS_SETTINGS))
    drives = None
    storage = profile_sections.local_storage_section(config, RAID_CONFIG, drives)
    edits = [
        from_template,
        section("bios", bios),
        section("localStorage", storage),
        section("bootMode", profile_sections.boot_mode_section(config, "uefi", None)),
        section("bootMode", profile_sections.boot_mode_section(config, "uefi", True)),
    ]
    for edit in edits:
        client.server_hardware.set_power_state(server_uri, "Off", "PressAndHold")
        client.server_profiles.update(profile_uri, edit)
        client.server_hardware.set_power_state(server_uri, "On")


def _holds_everything(profile: dict[str, Any], side: str) -> None:
    overridden = {s["id"]: s["value"] for s in profile["bios"].get("overriddenSettings") or []}
    wanted = {s["name"]: s["value"] for s in BIOS_SETTINGS}
    checks = {
        "template": profile.get("description") == f"from {TEMPLATE_NAME}",
        "BIOS": all(overridden.get(k) == v for k, v in wanted.items()),
        "RAID": any(
            d.get("raidLevel") == "RAID1"
            for c in (profile.get("localStorage") or {}).get("controllers") or []
            for d in c.get("logicalDrives") or []
        ),
        "boot mode": profile["bootMode"].get("mode") == "UEFIOptimized",
        "secure boot": profile["bootMode"].get("secureBoot") == "Enabled",
    }
    missing = [change for change, ok in checks.items() if not ok]
    if missing:
        raise SystemExit(f"{side}: the final profile lacks {', '.join(missing)}")


def run(time_scale: float) -> dict[str, Any]:
    import ironic.tests.unit.db.base  # noqa: F401 - selects oslo.service's backend first
    from ironic import objects
    from ironic.common import states
    from ironic.db import api as dbapi
    from ironic.db.sqlalchemy import migration
    from ironic.drivers.modules import fake
    from ironic.tests import base as ironic_test_base
    from ironic.tests.unit.conductor import mgr_utils
    from ironic.tests.unit.objects import utils as obj_utils

    from oneview_openstack.client import OneViewClient
    from oneview_openstack.ironic import hardware  # noqa: F401 - loaded before stevedore looks
    from oneview_openstack.ironic.common import CONF
    from oneview_openstack.simulator.config import SimulatorConfig
    from oneview_openstack.simulator.testing import ApplianceClient, running_simulator

    class Bench(mgr_utils.ServiceSetUpMixin, ironic_test_base.TestCase):
        """Ironic's test base as a harness (config, database, conductor), not as a test."""

        def setUp(self) -> None:
            super().setUp()
            work = tempfile.TemporaryDirectory(prefix="configuration-")
            self.addCleanup(work.cleanup)
            self.config(connection=f"sqlite:///{work.name}/ironic.db", group="database")
            migration.create_schema()
            self.dbapi = dbapi.get_instance()

        def _clear_attrs(self) -> None:
            pass

        def runTest(self) -> None:
            pass

    from unittest import mock

    config = SimulatorConfig(time_scale=time_scale)
    with running_simulator(config) as server:
        appliance = ApplianceClient(server)
        appliance.login()
        alternative = _add_template(server, "ironic-EG-1")
        bench = Bench()
        bench.setUp()
        signal.alarm(0)  # Ironic's test base arms a 60 s alarm per test; this is no test
        try:
            bench.config(
                enabled_hardware_types=["oneview"],
                enabled_power_interfaces=["oneview"],
                enabled_management_interfaces=["oneview"],
                enabled_deploy_interfaces=["oneview-ramdisk"],
                enabled_boot_interfaces=["fake"],
                enabled_inspect_interfaces=["no-inspect"],
                enabled_network_interfaces=["noop"],
                enabled_raid_interfaces=["oneview", "no-raid"],
                enabled_rescue_interfaces=["no-rescue"],
                enabled_vendor_interfaces=["no-vendor"],
                enabled_console_interfaces=["no-console"],
                enabled_bios_interfaces=["oneview", "no-bios"],
                enabled_firmware_interfaces=["no-firmware"],
                enabled_storage_interfaces=["noop"],
            )
            bench.config(automated_clean=False, group="conductor")
            bench.config(
                group="oneview",
                manager_url=server.url,
                username=config.username,
                password=config.password,
                tls_cacert_file=str(server.ca_file),
                task_poll_interval=0.002,
                task_poll_max_interval=0.02,
                task_timeout=600.0,
            )
            client = OneViewClient.from_conf(CONF)
            default = client.server_profile_templates.find_by_name("ironic-EG-1")
            servers = [
                s
                for s in client.server_hardware.iter()
                if s["serverHardwareTypeUri"] == default["serverHardwareTypeUri"]
                and not s.get("serverProfileUri")
            ][:2]
            capabilities = (
                f"server_hardware_type_uri:{default['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{default['uri']},"
                f"enclosure_group_uri:{default['enclosureGroupUri']}"
            )
            obj_utils.create_test_deploy_template(
                bench.context,
                name=TRAIT,
                steps=[
                    {
                        "interface": "deploy",
                        "step": "apply_server_profile_template",
                        "args": {"template": TEMPLATE_NAME},
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
            instance = {"kernel": "file:///k", "ramdisk": "file:///r"}
            nodes = []
            for index, (server_hw, extra) in enumerate(
                zip(
                    servers,
                    (
                        {
                            "traits": [TRAIT],
                            "capabilities": {"boot_mode": "uefi", "secure_boot": "true"},
                        },
                        {},
                    ),
                    strict=True,
                )
            ):
                node = obj_utils.create_test_node(
                    bench.context,
                    uuid=f"00000000-0000-4000-8000-{index:012d}",
                    name=f"node-{index}",
                    driver="oneview",
                    power_interface="oneview",
                    management_interface="oneview",
                    deploy_interface="oneview-ramdisk",
                    boot_interface="fake",
                    inspect_interface="no-inspect",
                    network_interface="noop",
                    bios_interface="oneview",
                    raid_interface="oneview",
                    provision_state=states.AVAILABLE,
                    power_state=states.POWER_OFF,
                    driver_info={"server_hardware_uri": server_hw["uri"]},
                    properties={"capabilities": capabilities},
                    instance_info={**instance, **extra},
                )
                objects.TraitList.create(bench.context, node.id, [TRAIT])
                nodes.append(node)
            ramdisk_boot = [*fake.FakeBoot.capabilities, "ramdisk_boot"]
            from ironic.conductor import manager

            with (
                mock.patch.object(fake.FakeBoot, "capabilities", ramdisk_boot),
                mock.patch.object(manager.ConductorManager, "_conductor_service_record_keepalive"),
            ):
                bench._start_service()
                sides: dict[str, Any] = {}
                for side, node in zip(SIDES, nodes, strict=True):
                    counted = Counted(appliance)
                    started = time.perf_counter()
                    bench.service.do_node_deploy(bench.context, node.uuid)
                    node.refresh()
                    if node.provision_state != states.ACTIVE:
                        raise SystemExit(f"{side}: deployment failed: {node.last_error}")
                    if side == "one change at a time":
                        _one_change_at_a_time(client, node, alternative)
                    sides[side] = counted.result(time.perf_counter() - started)
                    profile = client.server_profiles.get(
                        node.driver_info["applied_server_profile_uri"]
                    )
                    _holds_everything(profile, side)
                    sides[side]["composedSteps"] = node.driver_internal_info.get(
                        "oneview_composed_steps", []
                    )
            client.close()
        finally:
            bench.doCleanups()
            appliance.close()
    return {
        "benchmark": "deploy-time configuration through OneView: composed vs one change at a time",
        "setup": {
            "simulator": f"in this process, HTTPS, time scale {time_scale} (real seconds per "
            "simulated second), default task durations",
            "changes": list(CHANGES),
        },
        "python": sys.version.split()[0],
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "sides": sides,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=0.002)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from _simproc import write_results

    report = run(args.time_scale)
    print(json.dumps(report, indent=2))
    if not args.no_write:
        write_results(RESULTS, report)


if __name__ == "__main__":
    main()
