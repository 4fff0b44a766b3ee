"""Ironic's own undeploy/deploy sequence on a wired port (ironic/common/neutron.py): unbind
(host and profile cleared), reset the MAC (a second update: Neutron refuses a bound port's MAC
change), then bind again with the node's MAC. The port must end ACTIVE, not DOWN."""

from __future__ import annotations

from ml2_case import LLI
from neutron.db import provisioning_blocks
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import resources
from test_ports import PortCase


class IronicRebindTests(PortCase):
    def test_unbind_mac_reset_and_rebind_end_active(self):
        _server, profile, mac = self.ironic_server(power="On")
        deploy = self.connection(profile, mac)
        port = self.create_port(
            self.network, mac=mac, host=self.node_id, device_owner="baremetal:none"
        )
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        power = self.power_puts()

        self.update_port(port["id"], **{portbindings.HOST_ID: "", portbindings.PROFILE: {}})
        self.update_port(port["id"], mac_address=None)
        unbound = self.show_port(port["id"])
        assert unbound["status"] == "DOWN" and unbound["mac_address"] != mac
        assert self.connection(profile, mac)["networkUri"] == deploy["networkUri"]

        self.update_port(
            port["id"],
            mac_address=mac,
            **{
                portbindings.HOST_ID: self.node_id,
                portbindings.PROFILE: {"local_link_information": LLI},
            },
        )
        rebound = self.show_port(port["id"])
        assert (rebound["status"], rebound[portbindings.VIF_TYPE]) == ("ACTIVE", "other")
        assert not provisioning_blocks.is_object_blocked(self.context, port["id"], resources.PORT)
        assert self.connection(profile, mac)["networkUri"] == self.ov_uri
        assert self.power_puts() == power
