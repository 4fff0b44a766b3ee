"""Helpers of the QoS, security-group and VLAN-transparency tests (QOS room).

The ML2 plugin with the ``qos`` service plugin and the ``port_security``/``qos`` extension
drivers, and a wired bare-metal port on a server whose profile Ironic applied.
"""

from __future__ import annotations

import uuid
from typing import Any

from ml2_case import LLI, OneViewMl2TestCase, port_extension_in_bulk_mode
from neutron_lib.api.definitions import portbindings
from oslo_config import cfg


def resource_request_in_one_session(case: Any) -> None:
    """The QoS plugin's ``resource_request`` port extension reads the policy's rules and the
    network's segments in a session of its own (a port's qos_policy_id would be lost, or the
    binding update fail with StaleDataError): run it in bulk mode."""
    port_extension_in_bulk_mode(case, "_extend_port_resource_request")


class QosMl2TestCase(OneViewMl2TestCase):
    def get_additional_service_plugins(self) -> dict[str, str]:
        return {"qos": "qos"}

    def preSetUp(self) -> None:
        super().preSetUp()
        cfg.CONF.set_override("extension_drivers", ["port_security", "qos"], group="ml2")

    def setUp(self) -> None:
        super().setUp()
        self._resource_request_in_one_session()

    def _resource_request_in_one_session(self) -> None:
        resource_request_in_one_session(self)

    def node(self, power: str = "Off") -> tuple[str, dict[str, Any], str]:
        """An Ironic node on a server with an applied profile: (node id, profile, PXE MAC)."""
        server, profile = self.server_with_profile(power)
        node_id = str(uuid.uuid4())
        self.ironic.add_node(node_id, profile["uri"], server_hardware_uri=server["uri"])
        return node_id, profile, self.connections(profile)[0]["mac"].lower()

    def port_with(
        self,
        network: dict[str, Any],
        *,
        mac: str,
        host: str | None,
        status: int = 201,
        **fields: Any,
    ) -> dict[str, Any]:
        """A bare-metal port with extra API fields (security_groups, qos_policy_id...)."""
        kwargs: dict[str, Any] = {
            portbindings.VNIC_TYPE: portbindings.VNIC_BAREMETAL,
            "mac_address": mac,
            "device_owner": "baremetal:none",
            portbindings.PROFILE: {"local_link_information": LLI},
            **fields,
        }
        if host is not None:
            kwargs[portbindings.HOST_ID] = host
        res = self._create_port(
            self.fmt, network["id"], is_service=True, arg_list=tuple(kwargs), **kwargs
        )
        body = self.deserialize(self.fmt, res)
        self.assertEqual(status, res.status_int, body)
        return body.get("port") or body

    def connection(self, profile: dict[str, Any], mac: str) -> dict[str, Any]:
        return next(c for c in self.connections(profile) if c["mac"].lower() == mac.lower())
