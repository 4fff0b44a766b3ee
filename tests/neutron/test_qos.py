"""QoS on bare-metal ports: the ``oneview`` QoS driver with Neutron's QoS plugin, on the simulator.

bandwidth_limit in a network's policy → the maximum bandwidth of the OneView network's connection
template; minimum_bandwidth → the connection's requestedMbps; everything else refused with why.
"""

from __future__ import annotations

from typing import Any

import pytest
from ml2_case import LLI
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from qos_case import QosMl2TestCase

from oneview_openstack.neutron import qos_rules
from oneview_openstack.neutron.qos import QosRuleRefused
from oneview_openstack.neutron.reconcile import NeutronReads, Policy, Reconciler

CT_PUT = "PUT /rest/connection-templates/{id}"


class QosCase(QosMl2TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.qos = directory.get_plugin(plugin_constants.QOS)
        self.network = self.create_network("vlan", "physnet1", 42)
        self.ov_uri = self.ov_network(self.network["id"])["uri"]

    def policy(self, **rules: dict[str, Any]) -> dict[str, Any]:
        """A shared policy with rules by type, e.g. ``bandwidth_limit={"max_kbps": ...}``."""
        policy = self.qos.create_policy(
            self.context,
            {
                "policy": {
                    "name": "p",
                    "description": "",
                    "shared": True,
                    "project_id": self._project_id,
                    "is_default": False,
                }
            },
        )
        for rule_type, rule in rules.items():
            self.add_rule(policy["id"], rule_type, rule)
        return policy

    def add_rule(self, policy_id: str, rule_type: str, rule: dict[str, Any]) -> dict[str, Any]:
        create = getattr(self.qos, f"create_policy_{rule_type}_rule")
        return create(self.context, policy_id, {f"{rule_type}_rule": rule})

    def network_policy(self, policy_id: str | None) -> None:
        self._update(
            "networks",
            self.network["id"],
            {"network": {"qos_policy_id": policy_id}},
            as_admin=True,
        )

    def template(self, network_uri: str | None = None) -> dict[str, Any]:
        network = self.ov.get(network_uri or self.ov_uri).json()
        return self.ov.get(network["connectionTemplateUri"]).json()

    def attach(self, policy_id: str | None, port_id: str) -> None:
        """The port's own policy, through the API."""
        self._update("ports", port_id, {"port": {"qos_policy_id": policy_id}}, as_admin=True)

    def rebind(self, port: dict[str, Any], node: str) -> None:
        """Ironic unbinds and binds the port again: the connection is wired anew."""
        self.update_port(port["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        self.update_port(
            port["id"],
            **{portbindings.HOST_ID: node, portbindings.PROFILE: {"local_link_information": LLI}},
        )

    def default_bandwidth(self) -> dict[str, Any]:
        return self.ov.get("/rest/connection-templates/defaultConnectionTemplate").json()[
            "bandwidth"
        ]


class DriverTests(QosCase):
    def test_rule_types_are_the_two_oneview_has(self):
        types = {t["type"] for t in self.qos.get_rule_types(self.context)}
        assert types == {"bandwidth_limit", "minimum_bandwidth"}


class BandwidthLimitTests(QosCase):
    def test_network_policy_sets_the_template_maximum_and_follows_rule_changes(self):
        policy = self.policy(bandwidth_limit={"max_kbps": 4_550_000, "direction": "egress"})
        before = self.stats().get(CT_PUT, 0)
        self.network_policy(policy["id"])
        assert self.template()["bandwidth"]["maximumBandwidth"] == 4500  # rounded down
        assert self.template()["bandwidth"]["typicalBandwidth"] <= 4500
        assert self.stats().get(CT_PUT, 0) == before + 1

        rule = self.qos.get_policy_bandwidth_limit_rules(self.context, policy["id"])[0]
        self.qos.update_policy_bandwidth_limit_rule(
            self.context,
            rule["id"],
            policy["id"],
            {"bandwidth_limit_rule": {"max_kbps": 1_000_000}},
        )
        assert self.template()["bandwidth"]["maximumBandwidth"] == 1000

        self.qos.delete_policy_bandwidth_limit_rule(self.context, rule["id"], policy["id"])
        assert self.template()["bandwidth"] == self.default_bandwidth()

    def test_policy_removed_from_the_network_restores_the_default(self):
        policy = self.policy(bandwidth_limit={"max_kbps": 2_000_000})
        self.network_policy(policy["id"])
        assert self.template()["bandwidth"]["maximumBandwidth"] == 2000
        self.network_policy(None)
        assert self.template()["bandwidth"] == self.default_bandwidth()

    def test_a_limit_oneview_refuses_is_logged_and_does_not_fail_wiring(self):
        node, profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        policy = self.policy(bandwidth_limit={"max_kbps": 30_000_000})  # above 20 Gb/s
        with self.assertLogs("oneview_openstack.neutron.qos", level="ERROR") as logs:
            self.network_policy(policy["id"])
        assert "CRM_DEFAULT_INVALID_ARGUMENT" in "\n".join(logs.output), logs.output
        with (
            self.assertLogs("oneview_openstack.neutron.qos", level="ERROR"),
            self.assertNoLogs("oneview_openstack.neutron.driver", level="ERROR"),
        ):
            self.rebind(port, node)  # wired again although the template write failed
        assert self.connection(profile, mac)["networkUri"] == self.ov_uri

    def test_limits_oneview_cannot_express_are_refused_with_the_reason(self):
        node, _profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        policy = self.policy()
        self.attach(policy["id"], port["id"])
        cases = [
            ("bandwidth_limit", {"max_kbps": 2_000_000}, "not per port"),
            ("bandwidth_limit", {"max_kbps": 2_000_000, "direction": "ingress"}, "only egress"),
            ("dscp_marking", {"dscp_mark": 16}, "rule type dscp_marking"),
        ]
        for rule_type, rule, why in cases:
            with pytest.raises(QosRuleRefused) as raised:
                self.add_rule(policy["id"], rule_type, rule)
            text = str(raised.value)
            assert why in text and port["id"] in text and qos_rules.ACCEPTED in text, text
        assert self.qos.get_policy(self.context, policy["id"])["rules"] == []

        network_policy = self.policy()
        other = self.create_network("vlan", "physnet1", 45)
        node2, _profile2, mac2 = self.node()
        self.port_with(other, mac=mac2, host=node2)
        self._update(
            "networks",
            other["id"],
            {"network": {"qos_policy_id": network_policy["id"]}},
            as_admin=True,
        )
        for rule, why in (
            ({"max_kbps": 50_000}, "smallest maximum bandwidth is 100 Mbps"),
            ({"max_kbps": 1_000_000, "max_burst_kbps": 800}, "no burst setting"),
        ):
            with pytest.raises(QosRuleRefused) as raised:
                self.add_rule(network_policy["id"], "bandwidth_limit", rule)
            assert why in str(raised.value), raised.value


class MinimumBandwidthTests(QosCase):
    def test_network_policy_sets_requested_mbps_and_follows_its_changes(self):
        node, profile, mac = self.node(power="On")
        port = self.port_with(self.network, mac=mac, host=node)
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        powered = self.power_puts()
        policy = self.policy(minimum_bandwidth={"min_kbps": 1_050_000})
        self.network_policy(policy["id"])
        wired = self.connection(profile, mac)
        assert (wired["networkUri"], int(wired["requestedMbps"])) == (self.ov_uri, 1100)

        rule = self.qos.get_policy_minimum_bandwidth_rules(self.context, policy["id"])[0]
        self.qos.update_policy_minimum_bandwidth_rule(
            self.context,
            rule["id"],
            policy["id"],
            {"minimum_bandwidth_rule": {"min_kbps": 2_000_000}},
        )
        assert int(self.connection(profile, mac)["requestedMbps"]) == 2000
        self.network_policy(self.policy(minimum_bandwidth={"min_kbps": 3_000_000})["id"])
        wired = self.connection(profile, mac)
        assert (wired["networkUri"], int(wired["requestedMbps"])) == (self.ov_uri, 3000)
        assert self.power_puts() == powered  # a running server keeps running

    def test_a_port_policy_set_by_update_is_applied(self):
        node, profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        own = self.policy(minimum_bandwidth={"min_kbps": 1_500_000})
        self._update("ports", port["id"], {"port": {"qos_policy_id": own["id"]}}, as_admin=True)
        assert self.show_port(port["id"])["qos_policy_id"] == own["id"]
        wired = self.connection(profile, mac)
        assert (wired["networkUri"], int(wired["requestedMbps"])) == (self.ov_uri, 1500)

    def test_a_port_created_with_a_policy_is_wired_with_its_share(self):
        node, profile, mac = self.node()
        own = self.policy(minimum_bandwidth={"min_kbps": 900_000})
        port = self.port_with(self.network, mac=mac, host=node, qos_policy_id=own["id"])
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert int(self.connection(profile, mac)["requestedMbps"]) == 900

    def test_a_port_policy_wins_over_the_network_policy_when_wiring(self):
        node, profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        self.network_policy(self.policy(minimum_bandwidth={"min_kbps": 500_000})["id"])
        own = self.policy(minimum_bandwidth={"min_kbps": 700_000})
        assert int(self.connection(profile, mac)["requestedMbps"]) == 500
        self.attach(own["id"], port["id"])
        self.rebind(port, node)
        assert int(self.connection(profile, mac)["requestedMbps"]) == 700

    def test_a_guarantee_oneview_refuses_fails_the_port_at_wiring(self):
        node, profile, mac = self.node()
        port = self.port_with(self.network, mac=mac, host=node)
        before = self.connection(profile, mac)["requestedMbps"]
        huge = self.policy(minimum_bandwidth={"min_kbps": 400_000_000})  # 400 Gbit/s
        with self.assertLogs("oneview_openstack.neutron.qos", level="ERROR") as logs:
            self.network_policy(huge["id"])
        assert port["id"] in "\n".join(logs.output)
        assert self.connection(profile, mac)["requestedMbps"] == before  # nothing half-done
        with self.assertLogs("oneview_openstack.neutron.driver", level="ERROR") as logs:
            self.rebind(port, node)
        assert "requestedMbps" in "\n".join(logs.output)
        assert self.show_port(port["id"])["status"] != "ACTIVE"
        assert self.connection(profile, mac)["networkUri"] != self.ov_uri


class ReconcileTests(QosCase):
    def test_a_network_created_with_a_policy_gets_its_limit(self):
        policy = self.policy(bandwidth_limit={"max_kbps": 3_000_000})
        kwargs = {
            "provider:network_type": "vlan",
            "provider:physical_network": "physnet1",
            "provider:segmentation_id": 44,
            "qos_policy_id": policy["id"],
        }
        res = self._create_network(
            self.fmt, "limited", True, as_admin=True, arg_list=tuple(kwargs), **kwargs
        )
        network = self.deserialize(self.fmt, res)["network"]
        uri = self.ov_network(network["id"])["uri"]
        # at creation, not at the first port's wiring nor at reconciliation
        assert self.template(uri)["bandwidth"]["maximumBandwidth"] == 3000
        report = self.reconciler().run(NeutronReads(self.context, self.driver))
        assert "qos_templates_restored" not in report.extra, report

    def reconciler(self) -> Reconciler:
        mech = self.mech()
        return Reconciler(
            client=mech.client,
            mappings=mech.mappings,
            networks=mech.networks,
            ports=mech.ports,
            policy=Policy(),
            passes=[("qos", mech.qos.reconcile)],
        )

    def test_a_template_changed_in_oneview_is_restored(self):
        policy = self.policy(bandwidth_limit={"max_kbps": 2_000_000})
        self.network_policy(policy["id"])
        template = self.template()
        drifted = {**template, "bandwidth": {"typicalBandwidth": 2500, "maximumBandwidth": 8000}}
        assert self.ov.put(template["uri"], json=drifted).status_code == 200
        reconciler = self.reconciler()
        report = reconciler.run(NeutronReads(self.context, self.driver))
        assert report.extra.get("qos_templates_restored") == [template["uri"]], report
        assert self.template()["bandwidth"]["maximumBandwidth"] == 2000
        again = reconciler.run(NeutronReads(self.context, self.driver))
        assert "qos_templates_restored" not in again.extra
