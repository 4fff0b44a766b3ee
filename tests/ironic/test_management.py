"""Management interface: boot devices and modes (deferred while on), sensors, health, LED, MACs."""

from __future__ import annotations

from ironic.common import boot_devices, boot_modes, components, exception, indicator_states, states
from ironic.common.health_states import HealthState
from ov_base import OneViewTestCase

from oneview_openstack.ironic import allocation, common


class ManagementTest(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.node = self.make_node()
        self.uri = self.node.driver_info["server_hardware_uri"]

    def _claim(self) -> str:
        with self.acquire(self.node) as task:
            return allocation.claim(task, "mgmt test")

    def _power(self, state):
        with self.acquire(self.node) as task:
            task.driver.power.set_power_state(task, state)

    def _profile(self):
        return self.sim.get(self.server_of(self.node)["serverProfileUri"])

    def test_supported_boot_devices_follow_the_hardware_type(self):
        with self.acquire(self.node, shared=True) as task:
            devices = task.driver.management.get_supported_boot_devices(task)
        self.assertEqual([boot_devices.PXE, boot_devices.DISK, boot_devices.CDROM], devices)

    def test_unsupported_device_is_refused(self):
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.InvalidParameterValue,
                task.driver.management.set_boot_device,
                task,
                boot_devices.FLOPPY,
            )
        self.assertIn("'floppy' is not supported", str(caught))
        self.assertIn("expected one of ['pxe', 'disk', 'cdrom']", str(caught))

    def test_one_time_boot_through_oneview(self):
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.PXE, persistent=False)
            self.assertEqual(
                {"boot_device": boot_devices.PXE, "persistent": False},
                task.driver.management.get_boot_device(task),
            )
        self.assertEqual("Network", self.sim.get(self.uri)["oneTimeBoot"])

    def test_persistent_boot_with_server_off_writes_the_profile(self):
        self._claim()
        self._power(states.POWER_OFF)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.DISK, persistent=True)
            self.assertNotIn(common.PENDING_BOOT_DEVICE, task.node.driver_internal_info)
        self.assertEqual(["HardDisk", "PXE"], self._profile()["boot"]["order"])
        with self.acquire(self.node, shared=True) as task:
            self.assertEqual(
                {"boot_device": boot_devices.DISK, "persistent": True},
                task.driver.management.get_boot_device(task),
            )

    def test_persistent_boot_while_on_is_deferred_to_power_on(self):
        self._claim()
        self._power(states.POWER_ON)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.DISK, persistent=True)
            self.assertEqual(
                {"boot_device": boot_devices.DISK, "persistent": True},
                task.driver.management.get_boot_device(task),
            )
        self.assertEqual("PXE", self._profile()["boot"]["order"][0])  # not yet
        self._power(states.REBOOT)
        self.assertEqual("HardDisk", self._profile()["boot"]["order"][0])
        self.node.refresh()
        self.assertNotIn(common.PENDING_BOOT_DEVICE, self.node.driver_internal_info)

    def test_persistent_boot_without_a_profile_waits_for_the_claim(self):
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.DISK, persistent=True)
        self._claim()
        self._power(states.POWER_ON)
        self.assertEqual("HardDisk", self._profile()["boot"]["order"][0])

    def test_stale_etag_on_boot_order_is_retried(self):
        profile_uri = self._claim()
        self._power(states.POWER_OFF)
        self.sim.arm("etag_conflict", method="PUT", resource=profile_uri)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.CDROM, persistent=True)
        self.assertEqual("CD", self._profile()["boot"]["order"][0])

    def test_get_boot_device_without_profile(self):
        with self.acquire(self.node, shared=True) as task:
            self.assertEqual(
                {"boot_device": None, "persistent": None},
                task.driver.management.get_boot_device(task),
            )

    def test_persistent_set_clears_a_one_time_override(self):
        self._claim()
        self._power(states.POWER_OFF)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.CDROM)
            task.driver.management.set_boot_device(task, boot_devices.PXE, persistent=True)
        self.assertEqual("Normal", self.sim.get(self.uri)["oneTimeBoot"])

    def test_boot_mode(self):
        with self.acquire(self.node, shared=True) as task:
            self.assertEqual(
                [boot_modes.LEGACY_BIOS, boot_modes.UEFI],
                task.driver.management.get_supported_boot_modes(task),
            )
            self.assertEqual(boot_modes.UEFI, task.driver.management.get_boot_mode(task))
        self._claim()
        self._power(states.POWER_OFF)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_mode(task, boot_modes.LEGACY_BIOS)
            self.assertEqual(boot_modes.LEGACY_BIOS, task.driver.management.get_boot_mode(task))
        self.assertEqual("BIOS", self._profile()["bootMode"]["mode"])

    def test_boot_mode_while_on_is_deferred(self):
        self._claim()
        self._power(states.POWER_ON)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_mode(task, boot_modes.LEGACY_BIOS)
            self.assertEqual(
                boot_modes.LEGACY_BIOS, task.node.driver_internal_info[common.PENDING_BOOT_MODE]
            )
        self._power(states.REBOOT)
        self.assertEqual("BIOS", self._profile()["bootMode"]["mode"])

    def test_unsupported_boot_mode(self):
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.InvalidParameterValue,
                task.driver.management.set_boot_mode,
                task,
                "secure-ish",
            )
        self.assertIn("'secure-ish' is not supported", str(caught))

    def test_sensors_in_ironic_format(self):
        with self.acquire(self.node, shared=True) as task:
            data = task.driver.management.get_sensors_data(task)
        name = self.sim.get(self.uri)["name"]
        temperature = data["Temperature"][f"AmbientTemperature@{name}"]
        self.assertEqual(f"{temperature['reading_celsius']} C", temperature["Sensor Reading"])
        power = data["Power"][f"AveragePower@{name}"]
        self.assertTrue(power["Sensor Reading"].endswith(" W"))
        self.assertIn(f"CalibratedMaxPower@{name}", data["Power"])

    def test_sensor_failure_is_failed_to_get_sensor_data(self):
        self.sim.arm(
            "http_error", path="/rest/server-hardware/*/utilization", params={"status": 400}
        )
        with self.acquire(self.node, shared=True) as task:
            self.assertRaises(
                exception.FailedToGetSensorData, task.driver.management.get_sensors_data, task
            )

    def test_health(self):
        with self.acquire(self.node, shared=True) as task:
            self.assertEqual(HealthState.OK, task.driver.management.get_node_health(task))

    def test_uid_indicator(self):
        with self.acquire(self.node) as task:
            mgmt = task.driver.management
            self.assertIn("uid", mgmt.get_supported_indicators(task)[components.SYSTEM])
            self.assertEqual({}, mgmt.get_supported_indicators(task, components.DISK))
            mgmt.set_indicator_state(task, components.SYSTEM, "uid", indicator_states.BLINKING)
            self.assertEqual(
                indicator_states.BLINKING,
                mgmt.get_indicator_state(task, components.SYSTEM, "uid"),
            )
            self.assertRaises(
                exception.InvalidParameterValue,
                mgmt.set_indicator_state,
                task,
                components.DISK,
                "uid",
                indicator_states.ON,
            )
        self.assertEqual("Blink", self.sim.get(self.uri)["uidState"])

    def test_mac_addresses_are_the_flexnic_a_of_each_port(self):
        server = self.sim.get(self.uri)
        expected = [
            port["virtualPorts"][0]["mac"].lower()
            for slot in server["portMap"]["deviceSlots"]
            for port in slot["physicalPorts"]
        ]
        with self.acquire(self.node, shared=True) as task:
            self.assertEqual(expected, task.driver.management.get_mac_addresses(task))
