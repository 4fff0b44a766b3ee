"""VLAN transparency: flat networks on a physical network mapped to a Tunnel uplink set, and
private networks."""

from __future__ import annotations

from typing import Any

import pytest
from ml2_case import OneViewMl2TestCase, oneview_opts
from oslo_config import cfg

from oneview_openstack.neutron import network_options
from oneview_openstack.neutron.errors import OneViewMappingError
from oneview_openstack.neutron.mappings import Mappings, UplinkSetFacts

TUNNEL_PHYSNET = "tunnelnet"


class TunnelCase(OneViewMl2TestCase):
    def preSetUp(self) -> None:
        super().preSetUp()
        cfg.CONF.set_override("vlan_transparent", True)
        body = {
            "name": "tunnel-us",
            "ethernetNetworkType": "Tunnel",
            "logicalInterconnectUri": self.tagged_us["logicalInterconnectUri"],
            "networkUris": [],
        }
        task = self.ov.wait(self.ov.post("/rest/uplink-sets", json=body))
        assert task["taskState"] == "Completed", task
        self.tunnel_us = self.ov.get(task["associatedResource"]["resourceUri"]).json()
        mappings = [
            *cfg.CONF.oneview.uplink_set_mappings,
            f"{TUNNEL_PHYSNET}:{self.tunnel_us['uri'].rsplit('/', 1)[1]}",
        ]
        cfg.CONF.set_override("uplink_set_mappings", mappings, group="oneview")

    def transparent_network(
        self, network_type: str, physnet: str, vlan: int | None = None, status: int = 201
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "provider:network_type": network_type,
            "provider:physical_network": physnet,
            "vlan_transparent": True,
        }
        if vlan is not None:
            kwargs["provider:segmentation_id"] = vlan
        res = self._create_network(
            self.fmt, "transparent", True, arg_list=tuple(kwargs), as_admin=True, **kwargs
        )
        body = self.deserialize(self.fmt, res)
        self.assertEqual(status, res.status_int, body)
        return body.get("network") or body


class VlanTransparencyTests(TunnelCase):
    def test_flat_network_on_a_tunnel_physnet_is_a_transparent_tunnel_network(self):
        network = self.transparent_network("flat", TUNNEL_PHYSNET)
        assert network["vlan_transparent"] is True
        ov = self.ov_network(network["id"])
        assert ov["ethernetNetworkType"] == "Tunnel"
        assert self.members_of(self.tunnel_us) == [ov["uri"]]
        self.delete_network(network["id"])
        assert self.members_of(self.tunnel_us) == []
        assert self.ov_network(network["id"]) is None

    def test_one_tunnel_network_per_physnet_as_neutron_has_one_flat_network(self):
        first = self.create_network("flat", TUNNEL_PHYSNET)
        assert self.ov_network(first["id"])["ethernetNetworkType"] == "Tunnel"
        before = self.writes()
        body = self.create_network("flat", TUNNEL_PHYSNET, status=409)
        assert "in use" in body["NeutronError"]["message"], body
        assert self.writes() == before

    def test_networks_that_would_not_pass_vlan_tags_are_refused(self):
        before = self.writes()
        for network_type, physnet, vlan in (("vlan", "physnet1", 42), ("flat", "physnet3", None)):
            body = self.transparent_network(network_type, physnet, vlan, status=400)
            assert "VLAN" in body["NeutronError"]["message"] or "ransparen" in str(body), body
        assert self.writes() == before
        assert self._list("networks", as_admin=True)["networks"] == []


class PrivateNetworkTests(OneViewMl2TestCase):
    oneview_overrides = {"private_networks": True}

    def test_created_networks_are_private(self):
        network = self.create_network("vlan", "physnet1", 42)
        assert self.ov_network(network["id"])["privateNetwork"] is True


class DefaultNetworkTests(OneViewMl2TestCase):
    def test_created_networks_are_not_private_by_default(self):
        network = self.create_network("vlan", "physnet1", 42)
        assert self.ov_network(network["id"])["privateNetwork"] is False


def _mappings(*entries: str) -> Mappings:
    return Mappings.from_conf(oneview_opts(uplink_set_mappings=list(entries)))


T, U, X = (
    "11111111-1111-1111-1111-111111111111",
    "22222222-2222-2222-2222-222222222222",
    "33333333-3333-3333-3333-333333333333",
)


def test_vlan_transparent_answers_per_segment_kind():
    mappings = _mappings(f"tn:{X}", f"tn:{T}", f"un:{U}")
    mappings.adopt(
        {
            X: UplinkSetFacts("Tunnel", "li-1"),
            T: UplinkSetFacts("Tagged", "li-1"),
            U: UplinkSetFacts("Untagged", "li-1"),
        }
    )

    def net(network_type: str, physnet: str) -> dict[str, Any]:
        return {"provider:network_type": network_type, "provider:physical_network": physnet}

    assert network_options.vlan_transparent(mappings, net("flat", "tn")) is True
    assert network_options.vlan_transparent(mappings, net("vlan", "tn")) is False  # Tagged
    assert network_options.vlan_transparent(mappings, net("flat", "un")) is False
    assert network_options.vlan_transparent(mappings, net("flat", "elsewhere")) is None
    assert network_options.vlan_transparent(mappings, net("vxlan", "")) is None
    multi = {"segments": [net("flat", "tn"), net("vlan", "tn")]}
    assert network_options.vlan_transparent(mappings, multi) is False


def test_vlan_transparent_refuses_until_the_types_are_read():
    mappings = _mappings(f"tn:{X}")
    net = {"provider:network_type": "flat", "provider:physical_network": "tn"}
    assert network_options.vlan_transparent(mappings, net) is False


def test_a_physnet_cannot_map_both_untagged_and_tunnel_uplink_sets():
    mappings = _mappings(f"p:{X}", f"p:{U}")
    with pytest.raises(OneViewMappingError) as raised:
        mappings.adopt({X: UplinkSetFacts("Tunnel", "li-1"), U: UplinkSetFacts("Untagged", "li-2")})
    assert U in str(raised.value) and X in str(raised.value)
    assert "two physical networks" in str(raised.value)
