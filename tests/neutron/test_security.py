"""The driver's security-group stance: ``port_filter: false``, and refusing unenforced rules."""

from __future__ import annotations

from typing import Any

import pytest
from neutron.extensions import securitygroup as ext_sg
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins import directory
from qos_case import QosMl2TestCase

from oneview_openstack.neutron import security

SSH = {
    "direction": "ingress",
    "ethertype": "IPv4",
    "protocol": "tcp",
    "port_range_min": 22,
    "port_range_max": 22,
    "remote_ip_prefix": "10.0.0.0/8",
}


class SecurityCase(QosMl2TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plugin = directory.get_plugin()
        self.network = self.create_network("vlan", "physnet1", 42)

    def group(self, *rules: dict[str, Any]) -> dict[str, Any]:
        """A security group of the test project with Neutron's default rules, plus ``rules``."""
        group = self.plugin.create_security_group(
            self.context,
            {"security_group": {"name": "sg", "description": "", "project_id": self._project_id}},
        )
        for rule in rules:
            self.add_rule(group, rule)
        return group

    def add_rule(self, group: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
        body = {
            "port_range_min": None,
            "port_range_max": None,
            "protocol": None,
            "remote_ip_prefix": None,
            "remote_group_id": None,
            "remote_address_group_id": None,
            "description": "",
            **rule,
            "security_group_id": group["id"],
            "project_id": self._project_id,
        }
        return self.plugin.create_security_group_rule(self.context, {"security_group_rule": body})


class PortFilterTests(SecurityCase):
    def test_bound_port_says_nothing_filters_it(self):
        node, _profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_OTHER
        assert port[portbindings.VIF_DETAILS][portbindings.CAP_PORT_FILTER] is False

    def test_extra_rules_are_accepted_while_the_option_is_off(self):
        node, _profile, mac = self.node()
        group = self.group(SSH)
        port = self.port_with(self.network, mac=mac, host=node, security_groups=[group["id"]])
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        self.add_rule(group, {**SSH, "port_range_min": 80, "port_range_max": 80})


class RefusalTests(SecurityCase):
    oneview_overrides = {"refuse_unenforced_security_group_rules": True}

    def test_default_rules_only_are_accepted_and_wired(self):
        node, _profile, mac = self.node()
        group = self.group()
        port = self.port_with(self.network, mac=mac, host=node, security_groups=[group["id"]])
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        # the project's default group (ingress from itself) is default too
        other = self.create_network("vlan", "physnet1", 43)
        node2, _profile2, mac2 = self.node()
        assert self.port_with(other, mac=mac2, host=node2)["security_groups"]

    def test_port_with_an_extra_rule_is_refused_naming_it(self):
        node, _profile, mac = self.node()
        group = self.group(SSH)
        before = self.writes()
        body = self.port_with(
            self.network, mac=mac, host=node, security_groups=[group["id"]], status=400
        )
        message = body["NeutronError"]["message"]
        assert "ingress IPv4 tcp 22-22 from/to 10.0.0.0/8" in message, message
        assert group["id"] in message and security.OPTION in message, message
        assert "port_security_enabled false" in message, message
        assert self.writes() == before  # nothing reached OneView
        assert self._list("ports", as_admin=True)["ports"] == []

    def test_port_update_to_a_group_with_an_extra_rule_is_refused(self):
        node, _profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        group = self.group(SSH)
        res = self._update(
            "ports",
            port["id"],
            {"port": {"security_groups": [group["id"]]}},
            expected_code=400,
            as_service=True,
        )
        assert "cannot enforce" in res["NeutronError"]["message"]
        assert group["id"] not in self.show_port(port["id"])["security_groups"]

    def test_rule_added_to_a_group_of_a_bound_port_is_refused(self):
        node, _profile, mac = self.node()
        group = self.group()
        port = self.port_with(self.network, mac=mac, host=node, security_groups=[group["id"]])
        with pytest.raises(ext_sg.SecurityGroupConflict) as raised:
            self.add_rule(group, SSH)
        text = str(raised.value)
        assert port["id"] in text and "tcp 22-22" in text and security.OPTION in text, text
        rules = self.plugin.get_security_group_rules(
            self.context, filters={"security_group_id": [group["id"]]}
        )
        assert not any(r["protocol"] == "tcp" for r in rules)

    def test_ports_the_driver_does_not_wire_are_not_its_business(self):
        group = self.group(SSH)
        unmapped = self.create_network("vlan", "physnet2", 250)
        self.port_with(unmapped, mac="52:54:00:00:00:01", host=None, security_groups=[group["id"]])
        self.create_port(
            self.network,
            mac="52:54:00:00:00:02",
            host=None,
            vnic=portbindings.VNIC_NORMAL,
            profile={},
        )
        self.add_rule(group, {**SSH, "port_range_min": 443, "port_range_max": 443})
        no_security = self.port_with(
            self.network,
            mac="52:54:00:00:00:03",
            host=None,
            port_security_enabled=False,
            security_groups=[],
        )
        assert no_security["security_groups"] == []


def test_default_rule_matching_is_exact():
    templates = [
        {"direction": "egress", "ethertype": "IPv4", "remote_group_id": None},
        {"direction": "ingress", "ethertype": "IPv4", "remote_group_id": security.PARENT},
    ]
    own = {
        "direction": "ingress",
        "ethertype": "IPv4",
        "remote_group_id": "g1",
        "security_group_id": "g1",
    }
    assert security.is_default({"direction": "egress", "ethertype": "IPv4"}, templates)
    assert security.is_default(own, templates)
    assert not security.is_default({**own, "remote_group_id": "g2"}, templates)
    assert not security.is_default({"direction": "egress", "ethertype": "IPv6"}, templates)
    assert not security.is_default({**own, "protocol": "tcp"}, templates)
