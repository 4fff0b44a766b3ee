"""RAID interface ``oneview`` through Ironic's conductor (manual cleaning) and the simulator.

A target RAID configuration is set through the conductor (which validates it), a manual clean
runs the raid steps without the ramdisk (Ironic finds every step out-of-band), the step claims
the server, edits the profile's localStorage and waits; the interface's periodic finishes it
and Ironic's ``continue_node_clean`` ends the cleaning. Expectations are read from the
simulator's raw bodies, not from our client's views.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception, states
from oslo_messaging import rpc as messaging_rpc
from ov_base import InProcessConductor, OneViewTestCase, Sim, mgr_utils

from oneview_openstack.ironic import common, profile_steps
from oneview_openstack.simulator.testing import wait_until

RAID1_ROOT = {
    "logical_disks": [
        {
            "raid_level": "1",
            "size_gb": "MAX",
            "is_root_volume": True,
            "volume_name": "root",
            "number_of_physical_disks": 2,
        }
    ]
}


def step(name: str, **args: Any) -> dict[str, Any]:
    return {"interface": "raid", "step": name, "args": args}


@mgr_utils.mock_record_keepalive
class RaidTest(InProcessConductor, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start_conductor()
        self.node = self.make_node(raid_interface="oneview", provision_state=states.MANAGEABLE)
        self.server_uri = self.node.driver_info["server_hardware_uri"]

    # -- helpers --------------------------------------------------------------------------
    def _storage(self) -> dict[str, Any]:
        return self.sim.get(self.server_uri + "/localStorageV2")

    def _logical_drives(self) -> list[dict[str, Any]]:
        return [ld for c in self._storage()["data"] for ld in c.get("LogicalDrives") or []]

    def _set_target(self, config: dict[str, Any]) -> None:
        try:
            self.service.set_target_raid_config(self.context, self.node.uuid, config)
        except messaging_rpc.ExpectedException as wrapped:
            raise wrapped.exc_info[1] from None
        self.node.refresh()

    def _poll(self) -> None:
        with self.acquire(self.node, shared=True) as task:
            raid = task.driver.raid
        raid._periodic_check_profile_edits(self.service, self.context)
        self.node.refresh()

    def _clean(self, *steps: dict[str, Any]) -> None:
        """A manual clean of ``steps`` (none: the one under way), polled until it ends."""
        if steps:
            self.service.do_node_clean(self.context, self.node.uuid, list(steps))
        self.node.refresh()

        def left_wait() -> bool:
            if self.node.provision_state == states.CLEANWAIT:
                self._poll()
            return self.node.provision_state not in (states.CLEANWAIT, states.CLEANING)

        wait_until(left_wait, timeout=30, what="the manual clean to end")

    def _writes(self) -> dict[str, int]:
        return {
            route: n
            for route, n in self.sim.stats()["byRoute"].items()
            if route.split()[0] in ("PUT", "POST", "PATCH", "DELETE")
            and "/_sim" not in route
            and "/login-sessions" not in route
        }

    def _build_raid1(self) -> None:
        self._set_target(RAID1_ROOT)
        self._clean(step("create_configuration"))
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)

    # -- building and deleting ------------------------------------------------------------
    def test_target_raid_config_then_manual_clean_builds_it(self):
        self._set_target(RAID1_ROOT)
        self.assertEqual(RAID1_ROOT, self.node.target_raid_config)
        self.assertEqual([], self._logical_drives())
        self.service.do_node_clean(self.context, self.node.uuid, [step("create_configuration")])
        self.node.refresh()
        # Out-of-band only: no ramdisk, the step claimed the server and waits for OneView.
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        self.assertTrue(self.node.driver_internal_info["cleaning_disable_ramdisk"])
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual(("raid", "create_configuration"), (record["owner"], record["step"]))
        profile = self.sim.get(record["profile_uri"])
        (controller,) = profile["localStorage"]["controllers"]
        self.assertEqual(
            ("Embedded", "RAID", True),
            (controller["deviceSlot"], controller["mode"], controller["initialize"]),
        )
        (wanted,) = controller["logicalDrives"]
        self.assertEqual(
            {"name": "root", "raidLevel": "RAID1", "bootable": True, "numPhysicalDrives": 2},
            {k: wanted[k] for k in ("name", "raidLevel", "bootable", "numPhysicalDrives")},
        )
        self.assertEqual("Off", self.server_of(self.node)["powerState"])

        wait_until(
            lambda: self._poll() or self.node.provision_state != states.CLEANWAIT,
            timeout=30,
            what="the clean to end",
        )
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        (built,) = self._logical_drives()
        self.assertEqual("root", built["Name"])
        (disk,) = self.node.raid_config["logical_disks"]
        self.assertEqual("1", disk["raid_level"])
        self.assertTrue(disk["is_root_volume"])
        self.assertEqual("root", disk["volume_name"])
        self.assertEqual(int(built["CapacityGB"]), disk["size_gb"])
        self.assertIn("last_updated", self.node.raid_config)
        self.assertIn("raid_level:1", self.node.properties["capabilities"])
        self.assertEqual(int(built["CapacityGB"]), self.node.properties["local_gb"])
        # The claim the step made is given back; the logical drive stays on the controller.
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertFalse(self.sim.exists(record["profile_uri"]))
        self.assertNotIn(profile_steps.EDIT_KEY, self.node.driver_internal_info)

    def test_delete_configuration_leaves_no_logical_drive(self):
        self._build_raid1()
        self.assertEqual(1, len(self._logical_drives()))
        self._clean(step("delete_configuration"))
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual([], self._logical_drives())
        self.assertEqual([], self.node.raid_config["logical_disks"])

    def test_inspection_after_raid_sees_the_root_volume(self):
        # RAID0 over both drives: the root volume is larger than any one drive.
        striped = {
            "logical_disks": [
                {
                    "raid_level": "0",
                    "size_gb": "MAX",
                    "is_root_volume": True,
                    "number_of_physical_disks": 2,
                }
            ]
        }
        self._clean(step("apply_configuration", raid_config=striped))
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        (built,) = self._logical_drives()
        drives = [d["CapacityGB"] for c in self._storage()["data"] for d in c["PhysicalDrives"]]
        self.assertGreater(built["CapacityGB"], max(drives))
        with self.acquire(self.node) as task:
            task.driver.inspect.inspect_hardware(task)
        self.node.refresh()
        self.assertEqual(int(built["CapacityGB"]) - 1, self.node.properties["local_gb"])
        self.assertIn("raid_level:0", self.node.properties["capabilities"])  # kept

    def test_apply_configuration_sets_the_target_and_builds_it(self):
        raid0 = {"logical_disks": [{"raid_level": "0", "size_gb": "MAX", "volume_name": "scratch"}]}
        self._clean(step("apply_configuration", raid_config=raid0))
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual(raid0, self.node.target_raid_config)
        (built,) = self._logical_drives()
        self.assertEqual(("scratch", "RAID0"), (built["Name"], built["Raid"]))
        (disk,) = self.node.raid_config["logical_disks"]
        self.assertEqual(("0", False), (disk["raid_level"], disk["is_root_volume"]))

    def test_delete_then_create_in_one_clean_keeps_one_claim(self):
        self._set_target(RAID1_ROOT)
        self.sim.reset_stats()
        self._clean(step("delete_configuration"), step("create_configuration"))
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual(["root"], [ld["Name"] for ld in self._logical_drives()])
        writes = self._writes()
        self.assertEqual(1, writes.get("POST /rest/server-profiles"), writes)  # one claim
        self.assertEqual(2, writes.get("PUT /rest/server-profiles/{id}"), writes)  # two edits

    def _deploying(self, name: str, args: dict[str, Any], composed: bool) -> None:
        self.node.provision_state = states.DEPLOYING
        self.node.target_provision_state = states.ACTIVE
        self.node.deploy_step = {"interface": "raid", "step": name, "args": args, "priority": 150}
        if composed:
            self.node.set_driver_internal_info(common.COMPOSED_STEPS, [f"raid.{name}"])
            self.node.set_driver_internal_info(common.COMPOSED_ARGS, {f"raid.{name}": args})
        self.node.save()

    def test_composed_deploy_steps_only_record(self):
        self._build_raid1()
        self.node.target_raid_config = {}
        self._deploying("apply_configuration", {"raid_config": RAID1_ROOT}, composed=True)
        self.sim.reset_stats()
        with self.acquire(self.node) as task:
            self.assertIsNone(task.driver.raid.apply_configuration(task, RAID1_ROOT))
        self.node.refresh()
        self.assertEqual({}, self._writes())
        self.assertEqual(RAID1_ROOT, self.node.target_raid_config)
        self.assertEqual(
            ["root"], [d["volume_name"] for d in self.node.raid_config["logical_disks"]]
        )
        self._deploying("delete_configuration", {}, composed=True)
        with self.acquire(self.node) as task:
            self.assertIsNone(task.driver.raid.delete_configuration(task))
        self.assertEqual({}, self._writes())

    def test_a_deploy_step_not_composed_edits_the_profile(self):
        self._deploying("apply_configuration", {"raid_config": RAID1_ROOT}, composed=False)
        with self.acquire(self.node) as task:
            self.assertEqual(
                states.DEPLOYWAIT, task.driver.raid.apply_configuration(task, RAID1_ROOT)
            )
        self.node.refresh()
        record = self.node.driver_internal_info[profile_steps.EDIT_KEY]
        self.assertEqual(("raid", "apply_configuration"), (record["owner"], record["step"]))
        profile = self.sim.get(record["profile_uri"])
        self.assertEqual(
            ["root"],
            [ld["name"] for ld in profile["localStorage"]["controllers"][0]["logicalDrives"]],
        )
        self.assertEqual(RAID1_ROOT, self.node.target_raid_config)

    def _gen9_node(self) -> Any:
        """A node on the DL360 Gen9 (Smart Array P440ar) with the most drives."""
        template = self.sim.template("ironic-dl360-gen9")
        racks = [
            s
            for s in self.sim.members("server-hardware")
            if s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
        ]

        def drives(server: dict[str, Any]) -> int:
            body = self.sim.get(server["uri"] + "/localStorageV2")
            return sum(len(c["PhysicalDrives"]) for c in body["data"])

        rack = max(racks, key=drives)
        self.assertGreaterEqual(drives(rack), 3)
        node = self.make_node(
            server=rack,
            template=template,
            raid_interface="oneview",
            provision_state=states.MANAGEABLE,
            properties={
                "capabilities": f"server_hardware_type_uri:{rack['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{template['uri']}"
            },
        )
        self.node, self.server_uri = node, rack["uri"]
        return node

    def test_gen9_smart_array_builds_raid5(self):
        # The simulator's rack types lack ManageBootOrder, so Ironic's power validation refuses
        # to clean a rack node: the step runs as the conductor runs it, from CLEANING.
        self._gen9_node()
        raid5 = {
            "logical_disks": [
                {
                    "raid_level": "5",
                    "size_gb": "MAX",
                    "is_root_volume": True,
                    "number_of_physical_disks": 3,
                }
            ]
        }
        self._set_target(raid5)
        create = {**step("create_configuration"), "priority": 0, "abortable": False}
        self.node.provision_state = states.CLEANING
        self.node.target_provision_state = states.MANAGEABLE
        self.node.clean_step = create
        self.node.set_driver_internal_info("clean_steps", [create])
        self.node.set_driver_internal_info("clean_step_index", 0)
        self.node.set_driver_internal_info("cleaning_disable_ramdisk", True)
        self.node.save()
        with self.acquire(self.node) as task:
            self.assertEqual(states.CLEANWAIT, task.driver.raid.create_configuration(task))
            task.process_event("wait", target_state=states.MANAGEABLE)
        self._clean()
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        (built,) = self._logical_drives()
        self.assertEqual("RAID5", built["Raid"])
        (disk,) = self.node.raid_config["logical_disks"]
        self.assertEqual(("5", int(built["CapacityGB"])), (disk["raid_level"], disk["size_gb"]))

    def test_gen9_refuses_a_level_only_gen10_offers(self):
        self._gen9_node()
        self._refused(
            {"logical_disks": [{"raid_level": "5+0", "size_gb": "MAX"}]},
            "raid_level",
            "'5+0'",
            "one of 0, 1, 5, 6, 1+0",
        )

    def test_an_expired_session_in_the_middle_is_renewed(self):
        self._set_target(RAID1_ROOT)
        self.service.do_node_clean(self.context, self.node.uuid, [step("create_configuration")])
        self.node.refresh()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        self.sim.action("expire_sessions")  # every session, the test's own too
        self.sim = Sim(self.simulator_server)
        self.addCleanup(self.sim.close)
        self._clean()
        self.assertEqual(states.MANAGEABLE, self.node.provision_state, self.node.last_error)
        self.assertEqual(["root"], [ld["Name"] for ld in self._logical_drives()])

    def test_logical_disk_properties_say_what_oneview_does(self):
        props = self.service.get_raid_logical_disk_properties(self.context, "oneview")
        self.assertIn("must be 'MAX'", props["size_gb"])
        self.assertIn("refused", props["physical_disks"])
        self.assertEqual(
            {
                "raid_level",
                "size_gb",
                "volume_name",
                "is_root_volume",
                "share_physical_disks",
                "disk_type",
                "interface_type",
                "number_of_physical_disks",
                "controller",
                "physical_disks",
            },
            set(props),
        )

    # -- refusals: named field, value and what is accepted; nothing sent ------------------
    def _refused(self, config: dict[str, Any], *words: str) -> None:
        self.sim.reset_stats()
        caught = self.assertRaises(exception.InvalidParameterValue, self._set_target, config)
        for word in words:
            self.assertIn(word, str(caught))
        self.assertIn("Nothing was sent", str(caught))
        self.assertEqual({}, self._writes())
        self.assertEqual({}, self.node.target_raid_config)

    def test_a_size_other_than_max_is_refused(self):
        self._refused(
            {"logical_disks": [{"raid_level": "1", "size_gb": 100}]},
            "logical_disks[0].size_gb",
            "100",
            "'MAX'",
        )

    def test_a_level_the_controller_lacks_is_refused(self):
        # The blade's P204i offers RAID0 and RAID1 only.
        self._refused(
            {"logical_disks": [{"raid_level": "5", "size_gb": "MAX"}]},
            "logical_disks[0].raid_level",
            "'5'",
            "one of 0, 1",
        )

    def test_too_many_drives_are_refused(self):
        self._refused(
            {
                "logical_disks": [
                    {"raid_level": "0", "size_gb": "MAX", "number_of_physical_disks": 3}
                ]
            },
            "physical disks in all",
            "3",
            "at most 2",
        )

    def test_ironics_schema_comes_first(self):
        caught = self.assertRaises(
            exception.InvalidParameterValue,
            self._set_target,
            {"logical_disks": [{"raid_level": "7", "size_gb": "MAX"}]},
        )
        self.assertIn("RAID config validation error", str(caught))

    def test_a_refused_step_fails_the_clean_before_oneview_is_touched(self):
        self.sim.reset_stats()
        bad = {"logical_disks": [{"raid_level": "1", "size_gb": 10}]}
        self.service.do_node_clean(
            self.context, self.node.uuid, [step("apply_configuration", raid_config=bad)]
        )
        self.node.refresh()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("size_gb", self.node.last_error)
        self.assertIn("'MAX'", self.node.last_error)
        self.assertEqual({}, {r: n for r, n in self._writes().items() if "server-profiles" in r})

    def test_node_validate_checks_a_stored_target(self):
        self.node.target_raid_config = {"logical_disks": [{"raid_level": "0", "size_gb": 50}]}
        self.node.save()
        with self.acquire(self.node, shared=True) as task:
            caught = self.assertRaises(
                exception.InvalidParameterValue, task.driver.raid.validate, task
            )
        self.assertIn("size_gb: value 50", str(caught))

    def test_create_without_a_target_fails_the_clean(self):
        self.service.do_node_clean(self.context, self.node.uuid, [step("create_configuration")])
        self.node.refresh()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("has no target RAID configuration", self.node.last_error)
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))  # nothing claimed

    def test_delete_existing_false_is_refused(self):
        self._set_target(RAID1_ROOT)
        self.service.do_node_clean(
            self.context, self.node.uuid, [step("create_configuration", delete_existing=False)]
        )
        self.node.refresh()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("delete_existing False", self.node.last_error)
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))

    # -- faults in the middle --------------------------------------------------------------
    def test_a_task_error_fails_the_clean_with_oneviews_message(self):
        self._set_target(RAID1_ROOT)
        self.sim.arm(
            "task_error",
            method="PUT",
            path="/rest/server-profiles/*",
            params={
                "error_code": "LOCAL_STORAGE_CONFIGURATION_FAILED",
                "message": "The Smart Array controller did not accept the configuration.",
            },
        )
        self._clean(step("create_configuration"))
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("LOCAL_STORAGE_CONFIGURATION_FAILED", self.node.last_error)
        self.assertIn("did not accept the configuration", self.node.last_error)
        self.assertIn("raid.create_configuration", self.node.last_error)
        self.assertEqual([], self._logical_drives())
        self.assertEqual({}, self.node.raid_config)

    def test_a_oneview_user_taking_the_server_fails_the_clean_and_is_left_alone(self):
        self._set_target(RAID1_ROOT)
        self.sim.arm(
            "task_stuck", method="PUT", path="/rest/server-profiles/*", params={"percent": 30}
        )
        self.service.do_node_clean(self.context, self.node.uuid, [step("create_configuration")])
        self.node.refresh()
        self.assertEqual(states.CLEANWAIT, self.node.provision_state, self.node.last_error)
        theirs = self.sim.action("take_server", uri=self.server_uri, name="dave")["profileUri"]
        self.sim.action("set_power", uri=self.server_uri, powerState="On")
        self._poll()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("a OneView user took", self.node.last_error)
        server = self.server_of(self.node)
        self.assertEqual(theirs, server["serverProfileUri"])
        self.assertEqual("On", server["powerState"])
        self.assertEqual("dave", self.sim.get(theirs)["name"])

    def test_a_oneview_users_server_is_refused_before_anything_is_sent(self):
        self._set_target(RAID1_ROOT)
        theirs = self.sim.action("take_server", uri=self.server_uri, name="erin")["profileUri"]
        self.sim.reset_stats()
        self.service.do_node_clean(self.context, self.node.uuid, [step("create_configuration")])
        self.node.refresh()
        self.assertEqual(states.CLEANFAIL, self.node.provision_state)
        self.assertIn("in use by OneView", self.node.last_error)
        self.assertEqual({}, self._writes())
        self.assertEqual(theirs, self.server_of(self.node)["serverProfileUri"])
