"""Out-of-band inspection: properties from OneView, ports wired for the ML2 driver, no claim."""

from __future__ import annotations

from ironic import objects
from ironic.common import exception, states
from ov_base import OneViewTestCase

from oneview_openstack.client import configuration
from oneview_openstack.ironic import inspect


class InspectTest(OneViewTestCase):
    def _inspect(self, node):
        with self.acquire(node) as task:
            return task.driver.inspect.inspect_hardware(task)

    def test_properties_and_ports_without_a_claim(self):
        node = self.make_node()
        server = self.server_of(node)
        self.sim.reset_stats()
        self.assertEqual(states.MANAGEABLE, self._inspect(node))
        node.refresh()
        props = node.properties
        self.assertEqual(server["processorCount"] * server["processorCoreCount"], props["cpus"])
        self.assertEqual(server["memoryMb"], props["memory_mb"])
        self.assertEqual("x86_64", props["cpu_arch"])
        self.assertIn("boot_mode:uefi", props["capabilities"])
        self.assertIn("server_profile_template_uri:", props["capabilities"])  # kept
        self.assertIsNone(self.server_of(node).get("serverProfileUri"))
        self.assertNotIn("POST /rest/server-profiles", self.sim.stats()["byRoute"])

        ports = objects.Port.list_by_node_id(self.context, node.id)
        first = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
        interconnect = self.sim.get(first["interconnectUri"])
        by_mac = {p.address: p for p in ports}
        port = by_mac[first["virtualPorts"][0]["mac"].lower()]
        self.assertEqual(
            {
                "switch_id": interconnect["interconnectMAC"].lower(),
                "port_id": f"d{first['interconnectPort']}",
                "switch_info": first["interconnectUri"],
            },
            port.local_link_connection,
        )
        self.assertEqual(2, len(ports))

    def test_local_gb_is_the_largest_drive_less_one_gib(self):
        node = self.make_node()
        self._inspect(node)
        node.refresh()
        # The expectation from the simulator's raw body, not from the client's view.
        storage = self.sim.get(node.driver_info["server_hardware_uri"] + "/localStorageV2")
        controllers = storage["data"]
        self.assertEqual([], [d for c in controllers for d in c.get("LogicalDrives") or []])
        largest = max(d["CapacityGB"] for c in controllers for d in c["PhysicalDrives"])
        self.assertGreater(largest, 1)
        self.assertEqual(int(largest) - 1, node.properties["local_gb"])

    def test_local_gb_rule(self):
        def drive(size):
            return configuration.PhysicalDrive(name="d", size_gb=size, media="ssd", interface="sas")

        def logical(size, bootable=False):
            return configuration.LogicalDrive(
                name="l", raid_level="1", size_gb=size, bootable=bootable, drive_count=2
            )

        physical = (drive(480), drive(1920))
        inventory = configuration.StorageInventory
        self.assertEqual(1919, inspect.local_gb(inventory(physical, ())))
        self.assertEqual(899, inspect.local_gb(inventory(physical, (logical(300), logical(900)))))
        self.assertEqual(
            299, inspect.local_gb(inventory(physical, (logical(900), logical(300, bootable=True))))
        )
        self.assertEqual(0, inspect.local_gb(inventory((), ())))
        self.assertEqual(0, inspect.local_gb(inventory((drive(None),), ())))
        self.config(disk_partitioning_spacing=False, group="inspector")
        self.assertEqual(1920, inspect.local_gb(inventory(physical, ())))

    def test_existing_port_gets_its_link(self):
        from ironic.tests.unit.objects import utils as obj_utils

        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            mac = task.driver.management.get_mac_addresses(task)[0]
        obj_utils.create_test_port(self.context, node_id=node.id, address=mac)
        self._inspect(node)
        ports = objects.Port.list_by_node_id(self.context, node.id)
        self.assertEqual(2, len(ports))
        self.assertTrue(all(p.local_link_connection.get("port_id") for p in ports))

    def test_rack_server_ports_have_no_link(self):
        rack_template = self.sim.template("ironic-dl360")
        rack = next(
            s
            for s in self.sim.members("server-hardware")
            if s["serverHardwareTypeUri"] == rack_template["serverHardwareTypeUri"]
        )
        node = self.make_node(
            server=rack,
            template=rack_template,
            properties={
                "capabilities": f"server_hardware_type_uri:{rack['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{rack_template['uri']}"
            },
        )
        self._inspect(node)
        ports = objects.Port.list_by_node_id(self.context, node.id)
        self.assertEqual(4, len(ports))
        for port in ports:
            self.assertEqual({"network_type": "unmanaged"}, port.local_link_connection)

    def test_oneview_failure_is_an_inspection_failure(self):
        node = self.make_node()
        self.sim.arm(
            "http_error", method="GET", path="/rest/server-hardware/*", params={"status": 400}
        )
        with self.acquire(node) as task:
            caught = self.assertRaises(
                exception.HardwareInspectionFailure, task.driver.inspect.inspect_hardware, task
            )
        self.assertIn(node.driver_info["server_hardware_uri"], str(caught))

    def test_a_link_unknown_once_is_filled_in_by_the_next_inspection(self):
        node = self.make_node()
        self.sim.arm(
            "http_error",
            method="GET",
            path="/rest/interconnects/*",
            times=None,
            params={"status": 500, "error_code": "INTERNAL_ERROR"},
        )
        self._inspect(node)
        ports = objects.Port.list_by_node_id(self.context, node.id)
        self.assertEqual(
            [{"network_type": "unmanaged"}] * 2, [p.local_link_connection for p in ports]
        )
        self.sim.http.delete(self.sim.server.url + "/_sim/faults", timeout=10).raise_for_status()
        self._inspect(node)
        ports = objects.Port.list_by_node_id(self.context, node.id)
        self.assertEqual(2, len(ports))
        self.assertTrue(all(p.local_link_connection.get("switch_id") for p in ports))

    def test_an_operators_link_is_kept(self):
        from ironic.tests.unit.objects import utils as obj_utils

        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            mac = task.driver.management.get_mac_addresses(task)[0]
        own = {"switch_id": "aa:bb:cc:dd:ee:ff", "port_id": "Ethernet1/1"}
        obj_utils.create_test_port(
            self.context, node_id=node.id, address=mac.upper(), local_link_connection=own
        )
        self._inspect(node)
        ports = objects.Port.list_by_node_id(self.context, node.id)
        self.assertEqual(2, len(ports))  # the upper-case MAC is the same port
        self.assertEqual(own, next(p for p in ports if p.address == mac).local_link_connection)
