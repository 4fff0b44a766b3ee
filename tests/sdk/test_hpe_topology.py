"""hpeOneView 11.4.0, unchanged: enclosures and their bays, enclosure groups, interconnects and
their ports, logical interconnects and their settings, logical interconnect groups."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hpeOneView.oneview_client import OneViewClient as HpeClient

from oneview_openstack.simulator.testing import ApplianceClient, Witness


def stored(witness: Witness, category: str) -> list[dict[str, Any]]:
    return witness.state(category)[category]


# -- enclosures and enclosure groups ---------------------------------------------------------
def test_enclosures_get_all_by_name_and_uri(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "enclosures")
    listed = hpe.enclosures.get_all()
    assert [e["uri"] for e in listed] == [e["uri"] for e in expected]
    first = expected[0]
    assert hpe.enclosures.get_by_name(first["name"]).data["uri"] == first["uri"]
    assert hpe.enclosures.get_by_uri(first["uri"]).data["serialNumber"] == first["serialNumber"]


def test_walk_enclosure_device_bays_to_blades(hpe: HpeClient, witness: Witness) -> None:
    """enclosure -> bay -> blade, as a client of a real appliance walks it (issue 18)."""
    walked = 0
    for listed in hpe.enclosures.get_all():
        enclosure = hpe.enclosures.get_by_uri(listed["uri"]).data
        bays = enclosure["deviceBays"]
        assert len(bays) == enclosure["deviceBayCount"]
        for bay in bays:
            if bay["devicePresence"] != "Present":
                assert bay["deviceUri"] is None, bay
                continue
            blade = hpe.server_hardware.get_by_uri(bay["deviceUri"]).data
            assert blade["locationUri"] == enclosure["uri"]
            assert blade["position"] == bay["bayNumber"]
            assert bay["profileUri"] == blade["serverProfileUri"]
            walked += 1
    blades = [s for s in stored(witness, "server-hardware") if s.get("locationUri")]
    assert walked == len(blades)


def test_walk_enclosure_interconnect_bays(hpe: HpeClient) -> None:
    walked = 0
    for listed in hpe.enclosures.get_all():
        enclosure = hpe.enclosures.get_by_uri(listed["uri"]).data
        assert len(enclosure["interconnectBays"]) == enclosure["interconnectBayCount"]
        for bay in enclosure["interconnectBays"]:
            if not bay["interconnectUri"]:
                continue
            module = hpe.interconnects.get_by_uri(bay["interconnectUri"]).data
            assert module["enclosureUri"] == enclosure["uri"]
            assert module["logicalInterconnectUri"] == bay["logicalInterconnectUri"]
            walked += 1
    assert walked == len(hpe.interconnects.get_all())


def test_enclosure_environmental_configuration(hpe: HpeClient) -> None:
    enclosure = hpe.enclosures.get_by_uri(hpe.enclosures.get_all()[0]["uri"])
    configuration = enclosure.get_environmental_configuration()
    assert configuration["uri"] == f"{enclosure.data['uri']}/environmentalConfiguration"


def test_enclosure_groups(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "enclosure-groups")
    listed = hpe.enclosure_groups.get_all()
    assert [g["uri"] for g in listed] == [g["uri"] for g in expected]
    group = hpe.enclosure_groups.get_by_name(expected[0]["name"])
    assert group.data["uri"] == expected[0]["uri"]
    servers = stored(witness, "server-hardware")
    assert {s["serverGroupUri"] for s in servers if s.get("serverGroupUri")} <= {
        g["uri"] for g in listed
    }


# -- interconnects and their ports -----------------------------------------------------------
def test_interconnects_and_the_ports_in_their_body(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "interconnects")
    listed = hpe.interconnects.get_all()
    assert [i["uri"] for i in listed] == [i["uri"] for i in expected]
    module = hpe.interconnects.get_by_name(expected[0]["name"]).data
    ports = module["ports"]
    assert {p["portType"] for p in ports} >= {"Uplink", "Downlink"}
    for port in ports:
        assert port["uri"] == f"{module['uri']}/ports/{port['portId']}"
        assert "associatedUplinkSetUri" in port and "operationalSpeed" in port


def test_interconnect_get_ports_and_get_port(hpe: HpeClient) -> None:
    module = hpe.interconnects.get_by_uri(hpe.interconnects.get_all()[0]["uri"])
    ports = module.get_ports()
    assert [p["uri"] for p in ports] == [p["uri"] for p in module.data["ports"]]
    first = module.data["ports"][0]
    assert module.get_port(first["portId"])["uri"] == first["uri"]


def test_uplink_port_follows_its_uplink_set(hpe: HpeClient) -> None:
    """An uplink port's ``associatedUplinkSetUri`` names the uplink set it is in."""
    uplink_sets = hpe.uplink_sets.get_all()
    in_sets = {
        info["portUri"]: uplink_set["uri"]
        for uplink_set in uplink_sets
        for info in uplink_set["portConfigInfos"]
        if info.get("portUri")
    }
    assert in_sets, "no uplink set has a port"
    seen = {
        port["uri"]: port["associatedUplinkSetUri"]
        for module in hpe.interconnects.get_all()
        for port in module["ports"]
        if port["portType"] == "Uplink"
    }
    assert {uri: seen.get(uri) for uri in in_sets} == in_sets


# -- logical interconnects and their groups --------------------------------------------------
def test_logical_interconnects(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "logical-interconnects")
    listed = hpe.logical_interconnects.get_all()
    assert [li["uri"] for li in listed] == [li["uri"] for li in expected]
    by_name = hpe.logical_interconnects.get_by_name(expected[0]["name"])
    assert by_name.data["uri"] == expected[0]["uri"]
    li = hpe.logical_interconnects.get_by_uri(expected[0]["uri"]).data
    assert set(li["interconnects"]) <= {i["uri"] for i in hpe.interconnects.get_all()}


LI_GETTERS = [
    ("get_ethernet_settings", "ethernetSettings"),
    ("get_igmp_settings", "igmpSettings"),
    ("get_snmp_configuration", "snmpConfiguration"),
    ("get_port_monitor", "portMonitor"),
    ("get_qos_aggregated_configuration", "qosConfiguration"),
    ("get_telemetry_configuration", "telemetryConfiguration"),
]


def test_logical_interconnect_settings_in_the_body(hpe: HpeClient) -> None:
    li = hpe.logical_interconnects.get_all()[0]
    for _method, field in LI_GETTERS:
        assert isinstance(li[field], dict), f"{field}: {li.get(field)!r}"
    assert li["telemetryConfiguration"]["uri"]


@pytest.mark.parametrize(("method", "field"), LI_GETTERS)
def test_logical_interconnect_settings_getters(hpe: HpeClient, method: str, field: str) -> None:
    """Each getter reads the sub-resource the body's block describes."""
    li = hpe.logical_interconnects.get_by_uri(hpe.logical_interconnects.get_all()[0]["uri"])
    got = getattr(li, method)()
    block = li.data[field]
    assert got["type"] == block["type"]
    if block.get("uri"):
        assert got["uri"] == block["uri"]


def test_logical_interconnect_internal_vlans(hpe: HpeClient) -> None:
    li = hpe.logical_interconnects.get_by_uri(hpe.logical_interconnects.get_all()[0]["uri"])
    assert isinstance(li.get_internal_vlans(), list)


def test_logical_interconnect_groups(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "logical-interconnect-groups")
    listed = hpe.logical_interconnect_groups.get_all()
    assert [g["uri"] for g in listed] == [g["uri"] for g in expected]
    group = hpe.logical_interconnect_groups.get_by_name(expected[0]["name"])
    assert group.data["uri"] == expected[0]["uri"]
    lis = hpe.logical_interconnects.get_all()
    assert {li["logicalInterconnectGroupUri"] for li in lis} <= {g["uri"] for g in listed}


def test_logical_interconnect_group_update_through_the_task_monitor(
    hpe: HpeClient, api: ApplianceClient
) -> None:
    """networking-oneview's LIG edit: a network added to an uplink-set template, whole-body PUT."""
    group = hpe.logical_interconnect_groups.get_by_uri(
        hpe.logical_interconnect_groups.get_all()[0]["uri"]
    )
    network = hpe.ethernet_networks.create(
        {
            "name": "lig-template-net",
            "vlanId": 3001,
            "ethernetNetworkType": "Tagged",
            "purpose": "General",
            "smartLink": False,
            "privateNetwork": False,
        }
    )
    templates = copy.deepcopy(group.data["uplinkSets"])
    templates[0]["networkUris"].append(network.data["uri"])
    updated = group.update({"uplinkSets": templates, "name": "LIG-renamed"})
    assert network.data["uri"] in updated.data["uplinkSets"][0]["networkUris"]
    stored_group = api.get(group.data["uri"]).json()
    assert stored_group["name"] == "LIG-renamed"
    assert stored_group["uplinkSets"][0]["networkUris"] == templates[0]["networkUris"]


def test_logical_interconnect_group_update_keeps_the_whole_body(
    hpe: HpeClient, api: ApplianceClient
) -> None:
    """A PUT replaces the group: its description and settings are what the SDK sent."""
    group = hpe.logical_interconnect_groups.get_by_uri(
        hpe.logical_interconnect_groups.get_all()[0]["uri"]
    )
    settings = copy.deepcopy(group.data["ethernetSettings"])
    settings["macRefreshInterval"] += 1
    group.update({"description": "edited through hpeOneView", "ethernetSettings": settings})
    stored_group = api.get(group.data["uri"]).json()
    assert stored_group["description"] == "edited through hpeOneView"
    assert stored_group["ethernetSettings"]["macRefreshInterval"] == settings["macRefreshInterval"]


def test_logical_interconnect_group_settings(hpe: HpeClient) -> None:
    group = hpe.logical_interconnect_groups.get_by_uri(
        hpe.logical_interconnect_groups.get_all()[0]["uri"]
    )
    settings = group.get_settings()
    assert settings["ethernetSettings"] == group.data["ethernetSettings"]
    assert hpe.logical_interconnect_groups.get_default_settings()["ethernetSettings"]
