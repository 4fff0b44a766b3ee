"""A bandwidth limit in a trunk parent's own policy → the trunk's network set's template."""

from __future__ import annotations

from typing import Any

from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from oslo_config import cfg
from qos_case import resource_request_in_one_session
from test_trunks import DeployedTrunkCase


class TrunkLimitTests(DeployedTrunkCase):
    def get_additional_service_plugins(self) -> dict[str, str]:
        return {"trunk": "trunk", "qos": "qos"}

    def preSetUp(self) -> None:
        super().preSetUp()
        cfg.CONF.set_override("extension_drivers", ["port_security", "qos"], group="ml2")

    def setUp(self) -> None:
        super().setUp()
        resource_request_in_one_session(self)
        self.qos = directory.get_plugin(plugin_constants.QOS)

    def limit_policy(self, max_kbps: int) -> dict[str, Any]:
        policy = self.qos.create_policy(
            self.context,
            {
                "policy": {
                    "name": "trunk-limit",
                    "description": "",
                    "shared": True,
                    "project_id": self._project_id,
                    "is_default": False,
                }
            },
        )
        self.qos.create_policy_bandwidth_limit_rule(
            self.context, policy["id"], {"bandwidth_limit_rule": {"max_kbps": max_kbps}}
        )
        return policy

    def set_template(self, trunk_id: str) -> dict[str, Any]:
        network_set = self.network_set(trunk_id)
        assert network_set is not None
        return self.ov.get(network_set["connectionTemplateUri"]).json()

    def test_a_trunk_parent_policy_limits_the_trunk_set(self):
        _server, profile, mac, parent, trunk = self.deployed_trunk()
        default = self.ov.get("/rest/connection-templates/defaultConnectionTemplate").json()
        parent_template = self.ov.get(
            self.ov.get(self.uri_of(self.parent_net)).json()["connectionTemplateUri"]
        ).json()
        policy = self.limit_policy(2_500_000)
        self._update(
            "ports", parent["id"], {"port": {"qos_policy_id": policy["id"]}}, as_admin=True
        )
        assert self.set_template(trunk["id"])["bandwidth"]["maximumBandwidth"] == 2500
        # the parent's own network (other servers on it) keeps its bandwidth
        after = self.ov.get(parent_template["uri"]).json()
        assert after["bandwidth"] == parent_template["bandwidth"]
        assert self.connection(profile, mac)["networkUri"] == self.network_set(trunk["id"])["uri"]

        self._update("ports", parent["id"], {"port": {"qos_policy_id": None}}, as_admin=True)
        assert self.set_template(trunk["id"])["bandwidth"] == default["bandwidth"]
