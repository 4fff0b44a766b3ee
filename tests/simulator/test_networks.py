"""Ethernet networks, uplink sets, logical interconnects and their groups over real HTTPS
(contract §8, §9 and the §13 endpoint table)."""

from __future__ import annotations

from typing import Any

import pytest
from test_faults import arm

from oneview_openstack.simulator.testing import ApplianceClient, error_of, named
from oneview_openstack.simulator.versions import CLAIMED_VERSIONS

Resource = dict[str, Any]
NETS = "/rest/ethernet-networks"


# --- helpers ------------------------------------------------------------------------------


def ml2_body(name: str, vlan: int | None = None, kind: str = "Tagged") -> dict[str, Any]:
    """What networking-oneview sends (contract §8)."""
    body: dict[str, Any] = {
        "name": name,
        "ethernetNetworkType": kind,
        "purpose": "General",
        "smartLink": False,
        "privateNetwork": False,
    }
    if vlan is not None:
        body["vlanId"] = vlan
    return body


def create_network(api: ApplianceClient, name: str, vlan: int | None = None, **kw: Any) -> Resource:
    task = api.wait(api.post(NETS, json={**ml2_body(name, vlan), **kw}))
    assert task["taskState"] == "Completed", task
    return api.get(task["associatedResource"]["resourceUri"]).json()


def add_to_uplink_set(api: ApplianceClient, uplink_name: str, uri: str) -> Any:
    uplink = named(api, "uplink-sets", uplink_name)
    uplink["networkUris"].append(uri)
    return api.put(uplink["uri"], json=uplink)


def uplink_body(api: ApplianceClient, name: str, kind: str, uris: list[str]) -> dict[str, Any]:
    li = api.members("logical-interconnects")[0]
    return {
        "name": name,
        "networkType": "Ethernet",
        "ethernetNetworkType": kind,
        "logicalInterconnectUri": li["uri"],
        "networkUris": uris,
        "portConfigInfos": [],
        "connectionMode": "Auto",
    }


# --- ethernet networks: create ------------------------------------------------------------


def test_create_a_tagged_network(api):
    reply = api.post(NETS, json=ml2_body("Neutron [5d1c]", 201))
    assert reply.status_code == 202, reply.text
    assert reply.headers["Location"] == reply.json()["uri"]
    assert reply.json()["name"] == "Create"
    task = api.wait(reply)
    assert task["taskState"] == "Completed"
    uri = task["associatedResource"]["resourceUri"]
    assert uri.startswith(NETS + "/")
    got = api.get(uri)
    network = got.json()
    assert got.headers["ETag"].strip('"') == network["eTag"]
    assert network["type"] == "ethernet-networkV4"
    assert (network["name"], network["vlanId"], network["ethernetNetworkType"]) == (
        "Neutron [5d1c]",
        201,
        "Tagged",
    )
    assert (network["purpose"], network["smartLink"], network["privateNetwork"]) == (
        "General",
        False,
        False,
    )
    assert (network["state"], network["status"]) == ("Active", "OK")
    assert network["scopesUri"].endswith(uri)
    template = api.get(network["connectionTemplateUri"])
    assert template.status_code == 200
    assert template.json()["bandwidth"]["maximumBandwidth"] == 20000
    assert api.get(uri, headers={"X-API-Version": "500"}).json()["type"] == "ethernet-networkV300"


def test_create_an_untagged_network_has_vlan_zero(api):
    # An appliance answers vlanId 0 for an Untagged network (oneview-sdk-ruby fixture
    # ethernet_networks_members.json), whatever the POST said.
    network = create_network(api, "flat", None, ethernetNetworkType="Untagged", vlanId=7)
    assert (network["ethernetNetworkType"], network["vlanId"]) == ("Untagged", 0)


def test_networks_may_share_a_vlan_id(api):
    deploy = named(api, "ethernet-networks", "Deploy")
    twin = create_network(api, "deploy-twin", deploy["vlanId"])
    assert twin["vlanId"] == deploy["vlanId"]


@pytest.mark.parametrize("name", ["Deploy", "deploy", "DEPLOY"])
def test_duplicate_network_name_is_400(api, name):
    before = len(api.members("ethernet-networks"))
    body = error_of(api.post(NETS, json=ml2_body(name, 300)), 400, "CRM_DUPLICATE_NETWORK_NAME")
    assert body["message"] == f"A network with the name {name} already exists."
    assert body["errorSource"] == "ethernet-networks"
    assert len(api.members("ethernet-networks")) == before


def test_tagged_network_without_vlan_is_400(api):
    error_of(api.post(NETS, json=ml2_body("novlan")), 400, "CRM_MISSING_VLAN_ID_IN_NETWORK")


@pytest.mark.parametrize("vlan", [0, 4095, -1, 100000, "100", 1.5, True])
def test_vlan_out_of_range_is_400(api, vlan):
    error_of(api.post(NETS, json=ml2_body("badvlan", vlan)), 400, "CRM_VALUE_OUT_OF_RANGE")


@pytest.mark.parametrize("vlan", [1, 4094])
def test_vlan_range_bounds_are_accepted(api, vlan):
    assert create_network(api, f"edge-{vlan}", vlan)["vlanId"] == vlan


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": None},
        {"ethernetNetworkType": "Trunk"},
        {"purpose": "Gaming"},
        {"smartLink": "yes"},
    ],
)
def test_invalid_network_fields_are_400(api, change):
    error_of(api.post(NETS, json={**ml2_body("x", 5), **change}), 400, "INVALID_PARAMETER")


def test_find_a_network_by_name_filter(api):
    create_network(api, "Neutron [abc]", 250)
    found = api.members("ethernet-networks", filter="\"name='Neutron [abc]'\"")
    assert [n["vlanId"] for n in found] == [250]


# --- bulk create and bulk delete ----------------------------------------------------------


def test_bulk_create_names_prefix_vlan_and_lists_in_vlan_order(api):
    create_network(api, "bulkX1", 444)  # must not match the escaped '_' below
    reply = api.post(
        NETS + "/bulk",
        json={
            "vlanIdRange": "205,201-203",
            "namePrefix": "bulk",
            "purpose": "General",
            "smartLink": False,
            "privateNetwork": False,
            "bandwidth": {"typicalBandwidth": 2500, "maximumBandwidth": 10000},
            "type": "bulk-ethernet-networkV2",
        },
    )
    assert reply.status_code == 202, reply.text
    task = api.wait(reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Create")
    listed = api.members(
        "ethernet-networks", filter="\"'name' matches 'bulk\\_%'\"", sort="vlanId:ascending"
    )
    assert [(n["name"], n["vlanId"]) for n in listed] == [
        ("bulk_201", 201),
        ("bulk_202", 202),
        ("bulk_203", 203),
        ("bulk_205", 205),
    ]
    assert {n["ethernetNetworkType"] for n in listed} == {"Tagged"}
    # ... and bulk-delete them.
    uris = [n["uri"] for n in listed]
    deleted = api.post(NETS + "/bulk-delete", json={"networkUris": uris})
    assert deleted.status_code == 202, deleted.text
    assert api.wait(deleted)["taskState"] == "Completed"
    for uri in uris:
        error_of(api.get(uri), 404, "RESOURCE_NOT_FOUND")
    assert api.members("ethernet-networks", filter="\"'name' matches 'bulk\\_%'\"") == []
    assert [n["name"] for n in api.members("ethernet-networks", filter="\"name='bulkX1'\"")] == [
        "bulkX1"
    ]


def test_bulk_create_refuses_an_existing_name_and_creates_nothing(api):
    create_network(api, "dup_102", 999)
    before = len(api.members("ethernet-networks"))
    reply = api.post(NETS + "/bulk", json={"vlanIdRange": "101-103", "namePrefix": "dup"})
    error_of(reply, 400, "CRM_DUPLICATE_NETWORK_NAME")
    assert len(api.members("ethernet-networks")) == before


@pytest.mark.parametrize(
    "body",
    [
        {"vlanIdRange": "1-3,x", "namePrefix": "p"},
        {"vlanIdRange": "", "namePrefix": "p"},
        {"vlanIdRange": "1-3"},
        {"vlanIdRange": "4090-4100", "namePrefix": "p"},
        {"vlanIdRange": "205-201", "namePrefix": "p"},
    ],
)
def test_bulk_create_validates_its_body(api, body):
    before = len(api.members("ethernet-networks"))
    reply = api.post(NETS + "/bulk", json=body)
    assert reply.status_code == 400, reply.text
    assert reply.json()["errorCode"] in ("INVALID_PARAMETER", "CRM_VALUE_OUT_OF_RANGE")
    assert len(api.members("ethernet-networks")) == before


def test_bulk_delete_of_a_missing_network_is_400(api):
    reply = api.post(NETS + "/bulk-delete", json={"networkUris": [NETS + "/nope"]})
    assert reply.status_code == 400


# --- update and delete --------------------------------------------------------------------


def test_update_a_network_with_its_etag(api):
    network = create_network(api, "before", 310)
    network.update(name="after", vlanId=311, description="renamed")
    reply = api.put(network["uri"], json=network)
    assert reply.status_code == 202, reply.text
    task = api.wait(reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Update")
    after = api.get(network["uri"]).json()
    assert (after["name"], after["vlanId"], after["description"]) == ("after", 311, "renamed")
    assert after["eTag"] != network["eTag"]
    error_of(api.put(network["uri"], json=network), 412, "PRECONDITION_FAILED")


def test_update_cannot_change_the_network_type(api):
    network = create_network(api, "typed", 312)
    network["ethernetNetworkType"] = "Untagged"
    error_of(api.put(network["uri"], json=network), 400, "INVALID_PARAMETER")


def test_update_cannot_give_a_network_the_vlan_of_its_uplink_set_neighbour(api):
    deploy = named(api, "ethernet-networks", "Deploy")
    management = named(api, "ethernet-networks", "Management")
    deploy["vlanId"] = management["vlanId"]
    error_of(api.put(deploy["uri"], json=deploy), 400, "CRM_DUPLICATE_VLAN_IDS_UPLINK_SET")
    assert api.get(deploy["uri"]).json()["vlanId"] == 100


def test_delete_a_network(api):
    network = create_network(api, "doomed", 320)
    reply = api.delete(network["uri"])
    assert reply.status_code == 202
    assert reply.json()["name"] == "Delete"
    task = api.wait(reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Delete")
    error_of(api.get(network["uri"]), 404, "RESOURCE_NOT_FOUND")
    assert api.get(network["connectionTemplateUri"]).status_code == 404
    error_of(api.delete(network["uri"]), 404, "RESOURCE_NOT_FOUND")


def test_deleting_a_network_removes_it_from_uplink_sets_and_groups(api):
    network = create_network(api, "passing", 321)
    assert api.wait(add_to_uplink_set(api, "US-Tagged-1", network["uri"]))["taskState"] == (
        "Completed"
    )
    lig = api.members("logical-interconnect-groups")[0]
    for template in lig["uplinkSets"]:
        if template["name"] == "US-Tagged-1":
            template["networkUris"].append(network["uri"])
    assert api.wait(api.put(lig["uri"], json=lig))["taskState"] == "Completed"
    uplink = named(api, "uplink-sets", "US-Tagged-1")
    assert network["uri"] in uplink["networkUris"]
    assert api.wait(api.delete(network["uri"]))["taskState"] == "Completed"
    after = named(api, "uplink-sets", "US-Tagged-1")
    assert network["uri"] not in after["networkUris"]
    assert after["eTag"] != uplink["eTag"]
    assert len(after["networkUris"]) == 3
    lig_after = api.get(lig["uri"]).json()
    assert all(network["uri"] not in t["networkUris"] for t in lig_after["uplinkSets"])


def test_deleting_a_network_a_profile_uses_is_refused(api):
    management = named(api, "ethernet-networks", "Management")
    (profile,) = api.members("server-profiles")
    assert management["uri"] in [
        c["networkUri"] for c in profile["connectionSettings"]["connections"]
    ]
    body = error_of(api.delete(management["uri"]), 409, "CRM_NETWORK_IN_USE_BY_PROFILES")
    assert profile["uri"] in body["details"]
    reply = api.post(NETS + "/bulk-delete", json={"networkUris": [management["uri"]]})
    error_of(reply, 409, "CRM_NETWORK_IN_USE_BY_PROFILES")
    assert api.get(management["uri"]).status_code == 200
    # Once the profile is gone, the network can go.
    assert api.wait(api.delete(profile["uri"]))["taskState"] == "Completed"
    assert api.wait(api.delete(management["uri"]))["taskState"] == "Completed"


def test_associated_uplink_groups_and_profiles_are_uri_arrays(api):
    deploy = named(api, "ethernet-networks", "Deploy")
    management = named(api, "ethernet-networks", "Management")
    tagged = named(api, "uplink-sets", "US-Tagged-1")
    (profile,) = api.members("server-profiles")
    assert api.get(deploy["uri"] + "/associatedUplinkGroups").json() == [tagged["uri"]]
    assert api.get(deploy["uri"] + "/associatedProfiles").json() == []
    assert api.get(management["uri"] + "/associatedProfiles").json() == [profile["uri"]]
    fresh = create_network(api, "lonely", 322)
    assert api.get(fresh["uri"] + "/associatedUplinkGroups").json() == []
    api.wait(add_to_uplink_set(api, "US-Tagged-1", fresh["uri"]))
    assert api.get(fresh["uri"] + "/associatedUplinkGroups").json() == [tagged["uri"]]
    for leaf in ("associatedUplinkGroups", "associatedProfiles"):
        error_of(api.get(f"{NETS}/nope/{leaf}"), 404, "RESOURCE_NOT_FOUND")


# --- uplink sets --------------------------------------------------------------------------


def test_add_and_remove_networks_of_an_uplink_set_with_its_etag(api):
    network = create_network(api, "carried", 330)
    uplink = named(api, "uplink-sets", "US-Tagged-1")
    assert uplink["type"] == "uplink-setV7"
    uplink["networkUris"].append(network["uri"])
    reply = api.put(uplink["uri"], json=uplink)
    assert reply.status_code == 202, reply.text
    assert (api.wait(reply)["taskState"], reply.json()["name"]) == ("Completed", "Update")
    added = api.get(uplink["uri"]).json()
    assert network["uri"] in added["networkUris"]
    # The eTag we sent is now stale.
    error_of(api.put(uplink["uri"], json=uplink), 412, "PRECONDITION_FAILED")
    added["networkUris"].remove(network["uri"])
    assert api.wait(api.put(uplink["uri"], json=added))["taskState"] == "Completed"
    assert network["uri"] not in api.get(uplink["uri"]).json()["networkUris"]


def test_uplink_set_put_after_an_out_of_band_change_is_412(api):
    uplink = named(api, "uplink-sets", "US-Tagged-1")
    api.sim("POST", "actions/bump_etag", json={"uri": uplink["uri"]})
    error_of(api.put(uplink["uri"], json=uplink), 412, "PRECONDITION_FAILED")
    assert api.wait(api.put(uplink["uri"], json=uplink, headers={"If-Match": "*"}))[
        "taskState"
    ] == ("Completed")


def test_one_vlan_per_ethernet_uplink_set(api):
    twin = create_network(api, "vlan-100-twin", 100)
    body = error_of(
        add_to_uplink_set(api, "US-Tagged-1", twin["uri"]), 400, "CRM_DUPLICATE_VLAN_IDS_UPLINK_SET"
    )
    assert body["errorSource"] == "uplink-sets"
    assert twin["uri"] not in named(api, "uplink-sets", "US-Tagged-1")["networkUris"]


def test_a_network_in_two_uplink_sets_of_one_logical_interconnect_is_400(api):
    deploy = named(api, "ethernet-networks", "Deploy")
    reply = api.post("/rest/uplink-sets", json=uplink_body(api, "US-2", "Tagged", [deploy["uri"]]))
    error_of(reply, 400, "CRM_NETWORK_ALREADY_ASSIGNED")
    assert [u["name"] for u in api.members("uplink-sets")].count("US-2") == 0


def test_tagged_network_into_the_untagged_set_is_refused(api):
    network = create_network(api, "tagged-one", 340)
    reply = add_to_uplink_set(api, "US-Untagged-1", network["uri"])
    error_of(reply, 400, "CRM_INVALID_NETWORK_TYPE_FOR_UPLINK_SET")


def test_untagged_network_into_the_tagged_set_is_refused(api):
    flat = create_network(api, "flat-two", None, ethernetNetworkType="Untagged")
    reply = add_to_uplink_set(api, "US-Tagged-1", flat["uri"])
    error_of(reply, 400, "CRM_INVALID_NETWORK_TYPE_FOR_UPLINK_SET")


def test_an_untagged_set_holds_one_network(api):
    flat = create_network(api, "flat-three", None, ethernetNetworkType="Untagged")
    error_of(add_to_uplink_set(api, "US-Untagged-1", flat["uri"]), 400, "INVALID_PARAMETER")


def test_an_uplink_set_naming_a_missing_network_is_400(api):
    reply = add_to_uplink_set(api, "US-Tagged-1", NETS + "/00000000-0000-4000-a000-000000000000")
    error_of(reply, 400, "RESOURCE_NOT_FOUND")


def test_create_and_delete_an_uplink_set(api):
    network = create_network(api, "new-set-net", 350)
    reply = api.post(
        "/rest/uplink-sets", json=uplink_body(api, "US-New", "Tagged", [network["uri"]])
    )
    assert reply.status_code == 202, reply.text
    task = api.wait(reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Create")
    uplink = api.get(task["associatedResource"]["resourceUri"]).json()
    assert (uplink["name"], uplink["networkUris"]) == ("US-New", [network["uri"]])
    assert api.get(network["uri"] + "/associatedUplinkGroups").json() == [uplink["uri"]]
    error_of(
        api.post("/rest/uplink-sets", json=uplink_body(api, "us-new", "Tagged", [])),
        400,
        "CRM_DUPLICATE_UPLINK_SET_NAME",
    )
    deleted = api.delete(uplink["uri"])
    assert deleted.status_code == 202
    assert (api.wait(deleted)["taskState"], deleted.json()["name"]) == ("Completed", "Delete")
    error_of(api.get(uplink["uri"]), 404, "RESOURCE_NOT_FOUND")
    assert api.get(network["uri"] + "/associatedUplinkGroups").json() == []


def test_uplink_set_cannot_move_to_another_logical_interconnect(api):
    uplink = named(api, "uplink-sets", "US-Tagged-1")
    uplink["logicalInterconnectUri"] = "/rest/logical-interconnects/elsewhere"
    assert api.put(uplink["uri"], json=uplink).status_code == 400


# --- logical interconnect groups, logical interconnects and the rest ----------------------


def test_lig_put_with_etag_makes_its_logical_interconnects_inconsistent(api):
    network = create_network(api, "lig-net", 360)
    lig = api.members("logical-interconnect-groups")[0]
    assert lig["type"] == "logical-interconnect-groupV8"
    li = api.members("logical-interconnects")[0]
    assert li["logicalInterconnectGroupUri"] == lig["uri"]
    assert li["consistencyStatus"] == "CONSISTENT"
    template = next(t for t in lig["uplinkSets"] if t["name"] == "US-Tagged-1")
    template["networkUris"].append(network["uri"])
    reply = api.put(lig["uri"], json=lig)
    assert reply.status_code == 202, reply.text
    assert api.wait(reply)["taskState"] == "Completed"
    after = api.get(lig["uri"]).json()
    updated = next(t for t in after["uplinkSets"] if t["name"] == "US-Tagged-1")
    assert network["uri"] in updated["networkUris"]
    assert api.get(li["uri"]).json()["consistencyStatus"] == "NOT_CONSISTENT"
    # The LI's uplink set is not changed by the group: the ML2 driver updates it itself.
    assert network["uri"] not in named(api, "uplink-sets", "US-Tagged-1")["networkUris"]
    error_of(api.put(lig["uri"], json=lig), 412, "PRECONDITION_FAILED")


def test_lig_put_naming_a_missing_network_is_400(api):
    lig = api.members("logical-interconnect-groups")[0]
    lig["uplinkSets"][0]["networkUris"].append(NETS + "/00000000-0000-4000-a000-000000000000")
    error_of(api.put(lig["uri"], json=lig), 400, "RESOURCE_NOT_FOUND")
    li = api.members("logical-interconnects")[0]
    assert li["consistencyStatus"] == "CONSISTENT"


def test_logical_interconnects_and_interconnects_are_readable(api):
    (li,) = api.members("logical-interconnects")
    body = api.get(li["uri"]).json()
    assert body["type"] == "logical-interconnectV8"
    assert api.get(body["logicalInterconnectGroupUri"]).status_code == 200
    interconnects = api.members("interconnects")
    assert {ic["uri"] for ic in interconnects} == set(body["interconnects"])
    for ic in interconnects:
        one = api.get(ic["uri"]).json()
        assert one["logicalInterconnectUri"] == li["uri"]
        assert one["type"] == "InterconnectV6"
        assert api.get(one["enclosureUri"]).status_code == 200
    uplinks = api.members("uplink-sets")
    assert {u["logicalInterconnectUri"] for u in uplinks} == {li["uri"]}
    # Every blade port leads to an interconnect of this LI.
    blade = next(s for s in api.members("server-hardware") if s["locationUri"])
    ports = blade["portMap"]["deviceSlots"][0]["physicalPorts"]
    assert {p["interconnectUri"] for p in ports} <= set(body["interconnects"])


def test_network_sets_and_connection_templates_are_readable(api):
    (net_set,) = api.members("network-sets")
    body = api.get(net_set["uri"]).json()
    assert body["type"] == "network-setV5"
    tagged = [n["uri"] for n in api.members("ethernet-networks") if n["vlanId"]]
    assert sorted(body["networkUris"]) == sorted(tagged)
    for network in api.members("ethernet-networks"):
        template = api.get(network["connectionTemplateUri"])
        assert template.status_code == 200
        assert template.json()["type"] == "connection-template"
        assert template.json()["bandwidth"]["typicalBandwidth"] == 2500
    assert len(api.members("connection-templates")) == len(api.members("ethernet-networks")) + 2


def test_deleting_a_network_takes_it_out_of_network_sets(api):
    storage = named(api, "ethernet-networks", "Storage")
    (profile,) = api.members("server-profiles")
    assert api.wait(api.delete(profile["uri"]))["taskState"] == "Completed"
    assert api.wait(api.delete(storage["uri"]))["taskState"] == "Completed"
    (net_set,) = api.members("network-sets")
    assert storage["uri"] not in net_set["networkUris"]
    assert len(net_set["networkUris"]) == 2


@pytest.mark.parametrize("uris", [5, "x", {"a": 1}])
def test_lig_uplink_set_network_uris_must_be_a_list(api, uris):
    lig = api.members("logical-interconnect-groups")[0]
    lig["uplinkSets"][0]["networkUris"] = uris
    error_of(api.put(lig["uri"], json=lig), 400, "INVALID_PARAMETER")


# --- fields an appliance reports, and uplink ports -----------------------------------------


def free_uplink_port(api: ApplianceClient, name: str = "Q3") -> tuple[Resource, Resource]:
    """(interconnect, port): an uplink port no stored uplink set uses, on the first frame."""
    li = api.members("logical-interconnects")[0]
    used = {c["portUri"] for us in api.members("uplink-sets") for c in us["portConfigInfos"]}
    for ic_uri in li["interconnects"]:
        interconnect = api.get(ic_uri).json()
        for port in interconnect["ports"]:
            if port["portName"] == name and port["portType"] == "Uplink":
                assert port["uri"] not in used
                return interconnect, port
    raise AssertionError(f"no uplink port {name} on {li['name']}")


def bay_of(interconnect: Resource) -> str:
    entries = interconnect["interconnectLocation"]["locationEntries"]
    return next(str(e["value"]) for e in entries if e["type"] == "Bay")


def test_stored_networks_and_uplink_sets_carry_an_appliances_fields(api):
    native = named(api, "ethernet-networks", "Native")
    assert (native["vlanId"], native["state"]) == (0, "Active")
    assert native["subnetUri"] is None and native["ipv6SubnetUri"] is None
    tagged = named(api, "uplink-sets", "US-Tagged-1")
    assert tagged["reachability"] == "RedundantlyReachable"  # ports on bays 3 and 6
    assert (tagged["fcMode"], tagged["privateVlanDomains"]) == ("NONE", [])
    assert tagged["primaryPortLocation"] is None and "primaryPort" not in tagged
    (fabric,) = api.members("fabrics")
    assert fabric["reservedVlanRange"] == {"start": 3967, "length": 128}


def test_an_uplink_port_named_by_location_gets_its_uri(api):
    interconnect, port = free_uplink_port(api)
    location = {
        "locationEntries": [
            {"type": "Enclosure", "value": interconnect["enclosureUri"]},
            {"type": "Bay", "value": int(bay_of(interconnect))},  # HPE's test bodies send a number
            {"type": "Port", "value": port["portName"]},
        ]
    }
    body = uplink_body(api, "US-Ports", "Tagged", [])
    body["portConfigInfos"] = [{"desiredSpeed": "Speed40G", "location": location}]
    task = api.wait(api.post("/rest/uplink-sets", json=body))
    assert task["taskState"] == "Completed", task
    uplink = api.get(task["associatedResource"]["resourceUri"]).json()
    (config,) = uplink["portConfigInfos"]
    assert (config["portUri"], config["desiredSpeed"], config["expectedNeighbor"]) == (
        port["uri"],
        "Speed40G",
        None,
    )
    assert {e["type"]: e["value"] for e in config["location"]["locationEntries"]} == {
        "Enclosure": interconnect["enclosureUri"],
        "Bay": bay_of(interconnect),
        "Port": port["portName"],
    }
    assert uplink["reachability"] == "Reachable"  # one interconnect only


def test_a_port_of_another_uplink_set_is_400(api):
    tagged = named(api, "uplink-sets", "US-Tagged-1")
    body = uplink_body(api, "US-Steal", "Tagged", [])
    body["portConfigInfos"] = [{"portUri": tagged["portConfigInfos"][0]["portUri"]}]
    failed = error_of(
        api.post("/rest/uplink-sets", json=body), 400, "CRM_UPLINK_PORT_ALREADY_ASSIGNED"
    )
    assert "US-Tagged-1" in failed["message"]
    assert [u["name"] for u in api.members("uplink-sets")].count("US-Steal") == 0


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"portUri": "/rest/interconnects/nope/ports/nope:Q3"}, "portConfigInfos[0].portUri"),
        ({"location": {"locationEntries": [{"type": "Port", "value": "Q3"}]}}, "location"),
        ({"desiredSpeed": "Speed7G"}, "desiredSpeed"),
        ({"expectedNeighbor": {"remoteChassisId": 5}}, "expectedNeighbor"),
        ("Q3", "portConfigInfos[0]"),
    ],
)
def test_bad_port_configs_are_400_naming_the_field(api, config, field):
    _interconnect, port = free_uplink_port(api)
    if isinstance(config, dict) and "portUri" not in config and "location" not in config:
        config = {"portUri": port["uri"], **config}
    body = uplink_body(api, "US-Bad-Port", "Tagged", [])
    body["portConfigInfos"] = [config]
    failed = error_of(api.post("/rest/uplink-sets", json=body), 400, "INVALID_PARAMETER")
    assert field in failed["message"]


def test_uplink_set_vocabularies_are_checked(api):
    uplink = named(api, "uplink-sets", "US-Tagged-1")
    for key, value in (
        ("lacpTimer", "Medium"),
        ("connectionMode", "Manual"),
        ("fcMode", "X"),
        ("primaryPortLocation", {"port": "Q1"}),
        ("description", 5),
    ):
        failed = error_of(
            api.put(uplink["uri"], json={**uplink, key: value}), 400, "INVALID_PARAMETER"
        )
        assert key in failed["message"] and repr(value) in failed["message"]
    golang = {**uplink, "primaryPort": {"locationEntries": []}}  # oneview-golang's json tag
    del golang["primaryPortLocation"]
    task = api.wait(api.put(uplink["uri"], json=golang))
    assert task["taskState"] == "Completed", task
    assert api.get(uplink["uri"]).json()["primaryPortLocation"] == {"locationEntries": []}


def test_a_network_naming_a_subnet_is_400(api):
    failed = error_of(
        api.post(
            NETS, json={**ml2_body("subnetted", 77), "subnetUri": "/rest/id-pools/ipv4/subnets/x"}
        ),
        400,
        "INVALID_PARAMETER",
    )
    assert "subnetUri" in failed["message"]


def port_named(api: ApplianceClient, port_uri: str) -> Resource:
    interconnect = api.get(port_uri.split("/ports/")[0]).json()
    return next(p for p in interconnect["ports"] if p["uri"] == port_uri)


def test_interconnect_ports_follow_uplink_set_changes(api):
    _interconnect, q3 = free_uplink_port(api, "Q3")
    _interconnect, q4 = free_uplink_port(api, "Q4")
    stored = named(api, "uplink-sets", "US-Tagged-1")
    assert (
        port_named(api, stored["portConfigInfos"][0]["portUri"])["associatedUplinkSetUri"]
        == (stored["uri"])
    )
    assert port_named(api, q3["uri"])["associatedUplinkSetUri"] is None
    body = uplink_body(api, "US-Follow", "Tagged", [])
    body["portConfigInfos"] = [{"portUri": q3["uri"]}]
    task = api.wait(api.post("/rest/uplink-sets", json=body))
    uri = task["associatedResource"]["resourceUri"]
    assert port_named(api, q3["uri"])["associatedUplinkSetUri"] == uri
    uplink = api.get(uri).json()
    uplink["portConfigInfos"] = [{"portUri": q4["uri"]}]
    assert api.wait(api.put(uri, json=uplink))["taskState"] == "Completed"
    assert port_named(api, q3["uri"])["associatedUplinkSetUri"] is None
    assert port_named(api, q4["uri"])["associatedUplinkSetUri"] == uri
    assert api.wait(api.delete(uri))["taskState"] == "Completed"
    assert port_named(api, q4["uri"])["associatedUplinkSetUri"] is None


@pytest.mark.parametrize(
    ("category", "field", "since"),
    [
        ("ethernet-networks", "scopesUri", 300),
        ("ethernet-networks", "ipv6SubnetUri", 2000),
        ("network-sets", "networkSetType", 1000),
        ("uplink-sets", "privateVlanDomains", 1000),
        ("fabrics", "reservedVlanRange", 300),
    ],
)
def test_fields_appear_from_their_api_version(api, category, field, since):
    uri = api.members(category)[0]["uri"]
    previous = max(v for v in CLAIMED_VERSIONS if v < since)
    older = api.get(uri, headers={"X-API-Version": str(previous)}).json()
    newer = api.get(uri, headers={"X-API-Version": str(since)}).json()
    assert field not in older and field in newer


def test_the_fabrics_reserved_vlan_range_reads_and_changes(api):
    (fabric,) = api.members("fabrics")
    path = fabric["uri"] + "/reserved-vlan-range"
    assert api.get(path).json() == {"type": "vlan-pool", "start": 3967, "length": 128}
    task = api.wait(api.put(path, json={"start": 300, "length": 62, "type": "vlan-pool"}))
    assert task["taskState"] == "Completed", task
    assert task["associatedResource"]["resourceUri"] == fabric["uri"]
    assert api.get(fabric["uri"]).json()["reservedVlanRange"] == {"start": 300, "length": 62}
    assert api.get(path).json()["start"] == 300
    error_of(api.get(path, headers={"X-API-Version": "200"}), 404, "RESOURCE_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": 300, "length": 10}, "length"),
        ({"start": 4000, "length": 128}, "start"),
        ({"start": "300", "length": 62}, "start"),
        ({"start": 300, "length": 62, "type": "range"}, "type"),
        ({"start": 300, "length": 62, "end": 361}, "end"),
    ],
)
def test_a_bad_reserved_vlan_range_is_400_naming_the_field(api, body, field):
    (fabric,) = api.members("fabrics")
    failed = error_of(
        api.put(fabric["uri"] + "/reserved-vlan-range", json=body), 400, "INVALID_PARAMETER"
    )
    assert field in failed["message"]
    assert api.get(fabric["uri"]).json()["reservedVlanRange"]["start"] == 3967


def test_a_lig_put_replaces_the_group(api):
    lig = api.members("logical-interconnect-groups")[0]
    edited = {**lig, "description": "edited", "name": "LIG-renamed"}
    assert api.wait(api.put(lig["uri"], json=edited))["taskState"] == "Completed"
    stored = api.get(lig["uri"]).json()
    assert (stored["description"], stored["name"]) == ("edited", "LIG-renamed")
    for key, value in (("noSuchField", 1), ("enclosureIndexes", "1,2")):
        failed = error_of(
            api.put(lig["uri"], json={**stored, key: value}), 400, "INVALID_PARAMETER"
        )
        assert key in failed["message"]


def test_a_failed_uplink_set_task_gives_its_ports_back(api):
    _interconnect, q3 = free_uplink_port(api, "Q3")
    _interconnect, q4 = free_uplink_port(api, "Q4")
    arm(api, kind="task_error", method="POST", path="/rest/uplink-sets")
    body = uplink_body(api, "US-Doomed", "Tagged", [])
    body["portConfigInfos"] = [{"portUri": q3["uri"]}]
    assert api.wait(api.post("/rest/uplink-sets", json=body))["taskState"] == "Error"
    assert port_named(api, q3["uri"])["associatedUplinkSetUri"] is None
    body["portConfigInfos"] = [{"portUri": q4["uri"]}]  # Q3 is free again, Q4 too
    task = api.wait(api.post("/rest/uplink-sets", json=body))
    uri = task["associatedResource"]["resourceUri"]
    uplink = api.get(uri).json()
    arm(api, kind="task_error", method="PUT", path=uri)
    uplink["portConfigInfos"] = [{"portUri": q3["uri"]}]
    assert api.wait(api.put(uri, json=uplink))["taskState"] == "Error"
    assert [c["portUri"] for c in api.get(uri).json()["portConfigInfos"]] == [q4["uri"]]
    assert port_named(api, q4["uri"])["associatedUplinkSetUri"] == uri
    assert port_named(api, q3["uri"])["associatedUplinkSetUri"] is None


def test_written_networks_and_sets_have_the_fields_of_their_version(api):
    network = create_network(api, "versioned", 321)
    task = api.wait(
        api.post(
            "/rest/network-sets", json={"name": "versioned-set", "networkUris": [network["uri"]]}
        )
    )
    net_set = task["associatedResource"]["resourceUri"]
    old = {"X-API-Version": "200"}
    assert {"scopesUri", "subnetUri"} & set(api.get(network["uri"], headers=old).json()) == set()
    assert set(api.get(net_set, headers={"X-API-Version": "800"}).json()) >= {"scopesUri"}
    assert "networkSetType" not in api.get(net_set, headers={"X-API-Version": "800"}).json()
    newest = api.get(net_set).json()
    assert (newest["networkSetType"], newest["state"]) == ("Regular", "Active")
    assert api.get(network["uri"]).json()["ipv6SubnetUri"] is None
