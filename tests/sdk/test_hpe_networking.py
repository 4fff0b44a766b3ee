"""hpeOneView 11.4.0, unchanged: Ethernet networks, network sets, uplink sets, connection
templates and fabrics, as networking-oneview used them (a network per Neutron network, added to
uplink sets; trunks as network sets), checked against the simulator's own view."""

from __future__ import annotations

from typing import Any

import pytest
from hpeOneView.exceptions import HPEOneViewException
from hpeOneView.oneview_client import OneViewClient as HpeClient

from oneview_openstack.simulator.testing import ApplianceClient, Witness


def stored(witness: Witness, category: str) -> list[dict[str, Any]]:
    return witness.state(category)[category]


def network_body(name: str, vlan: int) -> dict[str, Any]:
    """What networking-oneview POSTed for a VLAN network (its ``common.network_dict``)."""
    return {
        "name": name,
        "vlanId": vlan,
        "ethernetNetworkType": "Tagged",
        "purpose": "General",
        "smartLink": False,
        "privateNetwork": False,
        "connectionTemplateUri": None,
    }


# -- Ethernet networks -----------------------------------------------------------------------
def test_networks_get_all_and_get_by(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "ethernet-networks")
    listed = hpe.ethernet_networks.get_all()
    assert [n["uri"] for n in listed] == [n["uri"] for n in expected]
    tagged = next(n for n in expected if n["ethernetNetworkType"] == "Tagged")
    assert hpe.ethernet_networks.get_by_name(tagged["name"]).data["uri"] == tagged["uri"]
    by_vlan = hpe.ethernet_networks.get_by("vlanId", str(tagged["vlanId"]))
    assert tagged["uri"] in {n["uri"] for n in by_vlan}


def test_network_create_update_delete(hpe: HpeClient, witness: Witness) -> None:
    network = hpe.ethernet_networks.create(network_body("Neutron [sdk-net]", 1234))
    uri = network.data["uri"]
    assert network.data["vlanId"] == 1234 and network.data["name"] == "Neutron [sdk-net]"
    assert uri in {n["uri"] for n in stored(witness, "ethernet-networks")}

    renamed = network.update({"name": "Neutron [sdk-net-renamed]"})
    assert renamed.data["name"] == "Neutron [sdk-net-renamed]"
    assert next(n for n in stored(witness, "ethernet-networks") if n["uri"] == uri)["name"] == (
        "Neutron [sdk-net-renamed]"
    )

    assert network.delete() is True
    assert uri not in {n["uri"] for n in stored(witness, "ethernet-networks")}


def test_network_duplicate_vlan_name_is_oneviews_error(hpe: HpeClient) -> None:
    hpe.ethernet_networks.create(network_body("Neutron [dup]", 1300))
    with pytest.raises(HPEOneViewException) as refused:
        hpe.ethernet_networks.create(network_body("Neutron [dup]", 1301))
    assert refused.value.oneview_response["errorCode"], refused.value.msg
    assert "Neutron [dup]" in refused.value.msg


def test_network_bulk_create_get_range_and_bulk_delete(hpe: HpeClient, witness: Witness) -> None:
    created = hpe.ethernet_networks.create_bulk(
        {
            "vlanIdRange": "2001-2003",
            "namePrefix": "bulk",
            "purpose": "General",
            "smartLink": False,
            "privateNetwork": False,
            "bandwidth": {"maximumBandwidth": 10000, "typicalBandwidth": 2000},
        }
    )
    assert sorted(n["vlanId"] for n in created) == [2001, 2002, 2003]
    ranged = hpe.ethernet_networks.get_range("bulk", "2001-2003")
    assert sorted(n["uri"] for n in ranged) == sorted(n["uri"] for n in created)
    hpe.ethernet_networks.delete_bulk({"networkUris": [n["uri"] for n in created]})
    left = {n["uri"] for n in stored(witness, "ethernet-networks")}
    assert not left & {n["uri"] for n in created}


def test_network_associated_uplink_groups_and_profiles(hpe: HpeClient, witness: Witness) -> None:
    uplink_set = stored(witness, "uplink-sets")[0]
    network_uri = uplink_set["networkUris"][0]
    network = hpe.ethernet_networks.get_by_uri(network_uri)
    assert uplink_set["uri"] in network.get_associated_uplink_groups()
    in_profiles = {
        profile["uri"]
        for profile in stored(witness, "server-profiles")
        for connection in profile.get("connectionSettings", {}).get("connections", [])
        if connection.get("networkUri") == network_uri
    }
    assert set(network.get_associated_profiles()) == in_profiles


# -- network sets ----------------------------------------------------------------------------
def test_network_sets(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "network-sets")
    listed = hpe.network_sets.get_all()
    assert [s["uri"] for s in listed] == [s["uri"] for s in expected]
    assert hpe.network_sets.get_by_name(expected[0]["name"]).data["uri"] == expected[0]["uri"]


def test_network_set_create_update_delete(hpe: HpeClient, witness: Witness) -> None:
    """networking-oneview's trunk: a set of the subports' networks, the parent's native."""
    native = hpe.ethernet_networks.create(network_body("Neutron [trunk-parent]", 1401))
    member = hpe.ethernet_networks.create(network_body("Neutron [trunk-sub]", 1402))
    members = [native.data["uri"], member.data["uri"]]
    created = hpe.network_sets.create(
        {"name": "Trunk [sdk]", "networkUris": members, "nativeNetworkUri": native.data["uri"]}
    )
    uri = created.data["uri"]
    assert sorted(created.data["networkUris"]) == sorted(members)
    assert created.data["nativeNetworkUri"] == native.data["uri"]

    updated = created.update({"networkUris": [native.data["uri"]]})
    assert updated.data["networkUris"] == [native.data["uri"]]
    assert next(s for s in stored(witness, "network-sets") if s["uri"] == uri)["networkUris"] == [
        native.data["uri"]
    ]

    assert created.delete() is True
    assert uri not in {s["uri"] for s in stored(witness, "network-sets")}


# -- uplink sets -----------------------------------------------------------------------------
def test_uplink_sets_and_their_networks(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "uplink-sets")
    listed = hpe.uplink_sets.get_all()
    assert [u["uri"] for u in listed] == [u["uri"] for u in expected]
    uplink_set = hpe.uplink_sets.get_by_name(expected[0]["name"])
    networks = uplink_set.get_ethernet_networks()
    assert [n.data["uri"] for n in networks] == expected[0]["networkUris"]


def test_uplink_set_add_and_remove_networks(
    hpe: HpeClient, witness: Witness, api: ApplianceClient
) -> None:
    """networking-oneview's ``add_network_to_uplink_sets``: eTag'd whole-body PUTs."""
    network = hpe.ethernet_networks.create(network_body("Neutron [on-uplink]", 1501))
    target = next(u for u in stored(witness, "uplink-sets") if u["ethernetNetworkType"] == "Tagged")
    uplink_set = hpe.uplink_sets.get_by_uri(target["uri"])
    added = uplink_set.add_ethernet_networks("Neutron [on-uplink]")
    assert network.data["uri"] in added["networkUris"]
    assert network.data["uri"] in api.get(target["uri"]).json()["networkUris"]
    assert target["uri"] in network.get_associated_uplink_groups()

    removed = uplink_set.remove_ethernet_networks(["Neutron [on-uplink]"])
    assert network.data["uri"] not in removed["networkUris"]
    assert sorted(api.get(target["uri"]).json()["networkUris"]) == sorted(target["networkUris"])


def test_uplink_set_create_and_delete(hpe: HpeClient, witness: Witness) -> None:
    template = next(
        u for u in stored(witness, "uplink-sets") if u["ethernetNetworkType"] == "Tagged"
    )
    network = hpe.ethernet_networks.create(network_body("Neutron [new-uplink]", 1601))
    body = {
        "name": "US-sdk",
        "logicalInterconnectUri": template["logicalInterconnectUri"],
        "networkType": "Ethernet",
        "ethernetNetworkType": "Tagged",
        "networkUris": [network.data["uri"]],
        "portConfigInfos": [],
        "connectionMode": "Auto",
    }
    created = hpe.uplink_sets.create(body)
    assert created.data["uri"].startswith("/rest/uplink-sets/")
    assert created.data["networkUris"] == [network.data["uri"]]
    assert created.delete() is True
    assert created.data["uri"] not in {u["uri"] for u in stored(witness, "uplink-sets")}


# -- connection templates and fabrics --------------------------------------------------------
def test_connection_templates(hpe: HpeClient, witness: Witness, api: ApplianceClient) -> None:
    expected = stored(witness, "connection-templates")
    listed = hpe.connection_templates.get_all()
    assert [t["uri"] for t in listed] == [t["uri"] for t in expected]
    default = hpe.connection_templates.get_default()
    assert default == api.get("/rest/connection-templates/defaultConnectionTemplate").json()
    network = stored(witness, "ethernet-networks")[0]
    template = hpe.connection_templates.get_by_uri(network["connectionTemplateUri"])
    assert (
        template.data["bandwidth"]["maximumBandwidth"]
        >= template.data["bandwidth"]["typicalBandwidth"]
    )


def test_connection_template_update(hpe: HpeClient, api: ApplianceClient) -> None:
    """networking-oneview's QoS: a network's bandwidth lives in its connection template."""
    uri = hpe.ethernet_networks.get_all()[0]["connectionTemplateUri"]
    template = hpe.connection_templates.get_by_uri(uri)
    bandwidth = {"maximumBandwidth": 8000, "typicalBandwidth": 3000}
    updated = template.update({"bandwidth": bandwidth})
    assert updated.data["bandwidth"] == bandwidth
    assert api.get(uri).json()["bandwidth"] == bandwidth


def test_fabrics(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "fabrics")
    listed = hpe.fabrics.get_all()
    assert [f["uri"] for f in listed] == [f["uri"] for f in expected]
    assert hpe.fabrics.get(expected[0]["uri"])["name"] == expected[0]["name"]
    assert hpe.fabrics.get_by("name", expected[0]["name"])[0]["uri"] == expected[0]["uri"]
    assert expected[0]["reservedVlanRange"]["length"] > 0


def test_fabric_reserved_vlan_range(hpe: HpeClient) -> None:
    fabric = hpe.fabrics.get_all()[0]
    ranged = hpe.fabrics.get_reserved_vlan_range(fabric["uri"])
    assert ranged["start"] == fabric["reservedVlanRange"]["start"]
    assert ranged["length"] == fabric["reservedVlanRange"]["length"]
