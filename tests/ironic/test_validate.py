"""The node contract and its consistency with OneView: precise Ironic errors for bad input."""

from __future__ import annotations

from ironic.common import exception
from ov_base import OneViewTestCase


class ValidateTest(OneViewTestCase):
    def _validate(self, node):
        with self.acquire(node, shared=True) as task:
            task.driver.power.validate(task)
            task.driver.management.validate(task)
            task.driver.inspect.validate(task)

    def _raises(self, error, node, *fragments):
        with self.acquire(node, shared=True) as task:
            caught = self.assertRaises(error, task.driver.management.validate, task)
        for fragment in fragments:
            self.assertIn(fragment, str(caught))
        return caught

    def test_good_node_validates_with_two_cached_reads(self):
        node = self.make_node()
        self.sim.reset_stats()
        self._validate(node)
        by_route = self.sim.stats()["byRoute"]
        self.assertEqual(1, by_route.get("GET /rest/server-hardware/{id}"))
        self.assertEqual(1, by_route.get("GET /rest/server-profile-templates/{id}"))

    def test_conductor_validate_driver_interfaces(self):
        node = self.make_node()
        from ironic.conductor import manager

        service = manager.ConductorManager("test-host", "test-topic")
        result = service.validate_driver_interfaces(self.context, node.uuid)
        for iface in ("power", "management", "inspect"):
            self.assertTrue(result[iface]["result"], result[iface])

    def test_missing_fields_are_all_named(self):
        node = self.make_node(driver_info={}, properties={})
        caught = self._raises(
            exception.MissingParameterValue,
            node,
            "driver_info/server_hardware_uri",
            "properties/capabilities/server_hardware_type_uri",
            "properties/capabilities/server_profile_template_uri",
        )
        self.assertIn(node.uuid, str(caught))

    def test_uri_of_the_wrong_kind(self):
        node = self.make_node()
        node.driver_info = {"server_hardware_uri": self.template["uri"]}
        node.save()
        self._raises(
            exception.InvalidParameterValue,
            node,
            "driver_info/server_hardware_uri",
            repr(self.template["uri"]),
            "expected /rest/server-hardware/<id>",
        )

    def test_malformed_uri(self):
        node = self.make_node(driver_info={"server_hardware_uri": "server-1"})
        self._raises(exception.InvalidParameterValue, node, "'server-1'", "server-hardware URI")

    def test_capabilities_that_do_not_parse(self):
        node = self.make_node()
        node.properties = {"capabilities": "server_hardware_type_uri,oops"}
        node.save()
        self._raises(
            exception.InvalidParameterValue,
            node,
            "properties/capabilities 'server_hardware_type_uri,oops' does not parse",
            "Malformed capabilities value: server_hardware_type_uri",
            "expected a 'key:value,key:value' string",
        )

    def test_capabilities_of_a_wrong_type(self):
        node = self.make_node()
        node.properties = {"capabilities": ["a", "b"]}
        node.save()
        self._raises(exception.InvalidParameterValue, node, "is a list", "'key:value,key:value'")

    def test_server_that_does_not_exist(self):
        node = self.make_node(driver_info={"server_hardware_uri": "/rest/server-hardware/nope"})
        self._raises(
            exception.InvalidParameterValue,
            node,
            "'/rest/server-hardware/nope' does not exist in OneView",
        )

    def test_hardware_type_inconsistent_with_server(self):
        other = next(
            t
            for t in self.sim.members("server-hardware-types")
            if t["uri"] != self.template["serverHardwareTypeUri"]
        )
        node = self.make_node()
        caps = node.properties["capabilities"].replace(
            self.template["serverHardwareTypeUri"], other["uri"]
        )
        node.properties = {"capabilities": caps}
        node.save()
        self._raises(
            exception.InvalidParameterValue,
            node,
            "server_hardware_type_uri",
            other["uri"],
            f"expected its serverHardwareTypeUri '{self.template['serverHardwareTypeUri']}'",
        )

    def test_enclosure_group_inconsistent_with_server(self):
        node = self.make_node()
        caps = node.properties["capabilities"].replace(
            self.template["enclosureGroupUri"], "/rest/enclosure-groups/elsewhere"
        )
        node.properties = {"capabilities": caps}
        node.save()
        self._raises(exception.InvalidParameterValue, node, "enclosure_group_uri", "serverGroupUri")

    def test_template_of_another_hardware_type(self):
        rack_template = self.sim.template("ironic-dl360")
        blade = self.sim.free_blade(self.template)
        node = self.make_node(server=blade, template=rack_template)
        self._raises(
            exception.InvalidParameterValue,
            node,
            rack_template["uri"],
            f"is for server hardware type '{rack_template['serverHardwareTypeUri']}'",
        )

    def test_template_that_does_not_manage_boot(self):
        template = self.sim.template("no-manage-boot-EG-1")
        node = self.make_node(template=template)
        self._raises(exception.InvalidParameterValue, node, "boot.manageBoot false")

    def test_template_with_virtual_macs(self):
        template = self.sim.template("ironic-virtual-mac-EG-1")
        node = self.make_node(template=template)
        self._raises(exception.InvalidParameterValue, node, "macType 'Virtual'", "'Physical'")

    def test_ports_must_match_the_server(self):
        from ironic.tests.unit.objects import utils as obj_utils

        node = self.make_node()
        obj_utils.create_test_port(self.context, node_id=node.id, address="52:54:00:00:00:01")
        self._raises(exception.InvalidParameterValue, node, "52:54:00:00:00:01", "expected one of")

    def test_ports_matching_the_server_pass(self):
        from ironic.tests.unit.objects import utils as obj_utils

        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            mac = task.driver.management.get_mac_addresses(task)[0]
        obj_utils.create_test_port(self.context, node_id=node.id, address=mac)
        self._validate(node)

    def test_validate_passes_for_a_server_a_oneview_user_owns(self):
        # Ironic validates power before an undeploy: letting go must stay possible. The power
        # actions themselves refuse (test_power).
        node = self.make_node()
        self.sim.action("take_server", uri=node.driver_info["server_hardware_uri"], name="alice")
        self._validate(node)

    def test_linked_profiles_accept_a_template_that_names_no_connection_compliance(self):
        """Before API 1000 a template has no connectionSettings.complianceControl: accepted."""
        self.config(keep_profiles_linked_to_template=True, group="oneview")
        self.assertNotIn("complianceControl", self.template["connectionSettings"])
        self._validate(self.make_node())

    def test_properties_document_the_contract(self):
        node = self.make_node()
        with self.acquire(node, shared=True) as task:
            for iface in ("power", "management", "deploy", "inspect"):
                props = getattr(task.driver, iface).get_properties()
                self.assertIn("server_hardware_uri", props)
                self.assertIn("server_profile_template_uri", props)


class SecretsTest(OneViewTestCase):
    def test_a_refused_login_names_no_secret(self):
        node = self.make_node()
        secret = "s3cr3t-Not-The-Password"
        self.config(password=secret, group="oneview")
        with self.acquire(node) as task:
            caught = self.assertRaises(
                exception.PowerStateFailure, task.driver.power.get_power_state, task
            )
            self.assertRaises(
                exception.InvalidParameterValue, task.driver.management.validate, task
            )
        self.assertIn("401", str(caught))
        self.assertNotIn(secret, str(caught))
        node.refresh()
        self.assertNotIn(secret, str(node.driver_info) + str(node.driver_internal_info))
        self.assertNotIn(secret, str(node.last_error))
