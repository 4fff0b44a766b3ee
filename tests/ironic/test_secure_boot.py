"""Secure boot through the profile's ``bootMode.secureBoot``: on, off, deferred while the server
is on (Ironic asks in ``prepare_instance`` while IPA may run), refused on Gen9."""

from __future__ import annotations

from ironic.common import boot_devices, boot_modes, exception, states
from ironic.conductor import utils as manager_utils
from ironic.drivers.modules import boot_mode_utils
from ov_base import OneViewTestCase

from oneview_openstack.ironic import allocation, common

GEN9_TYPE = "DL360 Gen9 1"
PROFILE_PUT = "PUT /rest/server-profiles/{id}"


class SecureBootTest(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.node = self.make_node()

    def _claim(self) -> str:
        with self.acquire(self.node) as task:
            return allocation.claim(task, "secure boot test")

    def _power(self, state: str) -> None:
        with self.acquire(self.node) as task:
            task.driver.power.set_power_state(task, state)

    def _set(self, state: bool, node=None) -> None:
        with self.acquire(node or self.node) as task:
            task.driver.management.set_secure_boot_state(task, state)

    def _get(self, shared: bool = True) -> bool | None:
        with self.acquire(self.node, shared=shared) as task:
            return task.driver.management.get_secure_boot_state(task)

    def _boot_mode(self) -> dict:
        profile = self.sim.get(self.server_of(self.node)["serverProfileUri"])
        return profile["bootMode"]

    def test_on_and_off_with_the_server_off(self):
        self._claim()
        self._power(states.POWER_OFF)
        self.assertIs(False, self._get())  # the template's Disabled, recorded at the claim
        self._set(True)
        self.assertEqual("Enabled", self._boot_mode()["secureBoot"])
        self.assertEqual("UEFIOptimized", self._boot_mode()["mode"])
        self.assertIs(True, self._get())
        self.assertIs(True, self._get(shared=False))
        self._set(False)
        self.assertEqual("Disabled", self._boot_mode()["secureBoot"])
        self.assertEqual("UEFIOptimized", self._boot_mode()["mode"])  # the mode stays
        self.assertIs(False, self._get())
        self.node.refresh()
        self.assertNotIn(common.PENDING_SECURE_BOOT, self.node.driver_internal_info)

    def test_while_on_it_is_deferred_to_the_next_power_on(self):
        self._claim()
        self._power(states.POWER_ON)
        self._set(True)
        self.assertEqual("Disabled", self._boot_mode()["secureBoot"])  # not yet
        self.node.refresh()
        self.assertIs(True, self.node.driver_internal_info[common.PENDING_SECURE_BOOT])
        self.assertIs(True, self._get())  # what the next boot will have
        self._power(states.REBOOT)
        self.assertEqual("Enabled", self._boot_mode()["secureBoot"])
        self.node.refresh()
        self.assertNotIn(common.PENDING_SECURE_BOOT, self.node.driver_internal_info)
        self.assertIs(True, self._get())

    def test_asking_for_what_the_profile_has_keeps_nothing_pending(self):
        """As when the claim composed secure boot and prepare_instance asks for it again."""
        self._claim()
        self._power(states.POWER_OFF)
        self._set(True)
        self._power(states.POWER_ON)
        self.sim.reset_stats()
        self._set(True)
        self.node.refresh()
        self.assertNotIn(common.PENDING_SECURE_BOOT, self.node.driver_internal_info)
        self.assertIsNone(self.sim.stats()["byRoute"].get(PROFILE_PUT))
        self._set(False)  # a real change while on: kept for the next power-on
        self.node.refresh()
        self.assertIs(False, self.node.driver_internal_info[common.PENDING_SECURE_BOOT])
        self._set(True)  # changed one's mind before it was written: nothing left to do
        self.node.refresh()
        self.assertNotIn(common.PENDING_SECURE_BOOT, self.node.driver_internal_info)
        self.assertIs(True, self._get())

    def test_pending_boot_settings_are_one_profile_update(self):
        self._claim()
        self._power(states.POWER_ON)
        with self.acquire(self.node) as task:
            task.driver.management.set_boot_device(task, boot_devices.DISK, persistent=True)
            task.driver.management.set_boot_mode(task, boot_modes.UEFI)
            task.driver.management.set_secure_boot_state(task, True)
        self.sim.reset_stats()
        self._power(states.REBOOT)
        self.assertEqual(1, self.sim.stats()["byRoute"].get(PROFILE_PUT))
        profile = self.sim.get(self.server_of(self.node)["serverProfileUri"])
        self.assertEqual("HardDisk", profile["boot"]["order"][0])
        self.assertEqual("Enabled", profile["bootMode"]["secureBoot"])

    def test_ironics_prepare_instance_path_while_ipa_runs(self):
        """``configure_secure_boot_if_needed`` with the server on (IPA), then Ironic's
        ``tear_down_agent`` (off) and ``boot_instance`` (on): written in between."""
        self._claim()
        self._power(states.POWER_ON)
        self.node.instance_info = {"capabilities": {"secure_boot": "true"}}
        self.node.save()
        with self.acquire(self.node) as task:
            self.assertTrue(boot_mode_utils.is_secure_boot_requested(task.node))
            boot_mode_utils.configure_secure_boot_if_needed(task)
            manager_utils.node_power_action(task, states.POWER_OFF)
            self.assertEqual("Disabled", self._boot_mode()["secureBoot"])
            manager_utils.node_power_action(task, states.POWER_ON)
        self.assertEqual("Enabled", self._boot_mode()["secureBoot"])
        self.node.refresh()
        self.assertIs(True, self.node.secure_boot)  # cached by Ironic from our get
        with self.acquire(self.node) as task:  # clean_up_instance at tear-down
            boot_mode_utils.deconfigure_secure_boot_if_needed(task)
            manager_utils.node_power_action(task, states.REBOOT)
        self.assertEqual("Disabled", self._boot_mode()["secureBoot"])

    def test_conductor_change_with_nothing_to_do_sends_nothing(self):
        self._claim()
        self._power(states.POWER_OFF)
        self.sim.reset_stats()
        with self.acquire(self.node) as task:
            manager_utils.node_change_secure_boot(task, False)  # already Disabled
        self.assertIsNone(self.sim.stats()["byRoute"].get(PROFILE_PUT))
        self.node.refresh()
        self.assertIsNone(self.node.last_error)

    def test_get_asks_oneview_nothing_in_a_power_sync(self):
        self._claim()
        self.sim.reset_stats()
        with self.acquire(self.node, shared=True) as task:
            self.assertIs(False, task.driver.management.get_secure_boot_state(task))
        self.assertEqual(0, self.sim.requests())

    def test_without_a_profile_the_template_says(self):
        self.assertIs(False, self._get())

    def test_bios_mode_is_refused_while_secure_boot_is_on(self):
        self._claim()
        self._power(states.POWER_OFF)
        self._set(True)
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.InvalidParameterValue,
                task.driver.management.set_boot_mode,
                task,
                boot_modes.LEGACY_BIOS,
            )
        self.assertIn("secure boot needs UEFI", str(caught))
        self.assertEqual("UEFIOptimized", self._boot_mode()["mode"])


class Gen9SecureBootTest(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        types = {t["uri"]: t for t in self.sim.members("server-hardware-types")}
        gen9 = [
            s
            for s in self.sim.members("server-hardware")
            if types[s["serverHardwareTypeUri"]]["name"] == GEN9_TYPE
        ]
        self.assertTrue(gen9, f"the simulator's inventory has a {GEN9_TYPE} server")
        self.server = gen9[0]
        template = next(
            t
            for t in self.sim.members("server-profile-templates")
            if t["serverHardwareTypeUri"] == self.server["serverHardwareTypeUri"]
        )
        capabilities = (  # a rack server: no enclosure group
            f"server_hardware_type_uri:{self.server['serverHardwareTypeUri']},"
            f"server_profile_template_uri:{template['uri']}"
        )
        self.node = self.make_node(
            server=self.server, template=template, properties={"capabilities": capabilities}
        )

    def test_secure_boot_on_gen9_is_refused_and_nothing_changes(self):
        self.sim.reset_stats()
        with self.acquire(self.node) as task:
            caught = self.assertRaises(
                exception.InvalidParameterValue,
                task.driver.management.set_secure_boot_state,
                task,
                True,
            )
        text = str(caught)
        self.assertIn(GEN9_TYPE, text)
        self.assertIn(self.server["serverHardwareTypeUri"], text)
        self.assertIn("Gen10-or-later", text)
        self.assertIn("UEFIOptimized", text)
        self.assertIn("Nothing was changed in OneView", text)
        writes = [
            route
            for route in self.sim.stats()["byRoute"]
            if not route.startswith("GET")
            and "/_sim" not in route
            and "login-sessions" not in route
        ]
        self.assertEqual([], writes)
        self.node.refresh()
        self.assertNotIn(common.PENDING_SECURE_BOOT, self.node.driver_internal_info)

    def test_secure_boot_off_on_gen9_is_nothing_to_do(self):
        with self.acquire(self.node) as task:
            task.driver.management.set_secure_boot_state(task, False)
        self.node.refresh()
        self.assertNotIn(common.PENDING_SECURE_BOOT, self.node.driver_internal_info)
