"""Network sets over real HTTPS: create/update/delete as tasks, OneView's member rules, eTags,
and a set in use by a running server changing without a power change (docs/simulator.md)."""

from __future__ import annotations

from typing import Any

import pytest
from test_networks import add_to_uplink_set, create_network
from test_profiles import applied, connections, finish, network_uri, put, set_power

from oneview_openstack.simulator.testing import ApplianceClient, error_of, named

Resource = dict[str, Any]
SETS = "/rest/network-sets"


def set_body(name: str, uris: list[str], native: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"name": name, "networkUris": uris, "nativeNetworkUri": native, **kw}


def create_set(api: ApplianceClient, name: str, uris: list[str], **kw: Any) -> Resource:
    reply = api.post(SETS, json=set_body(name, uris, **kw))
    assert reply.status_code == 202, reply.text
    task = api.wait(reply)
    assert task["taskState"] == "Completed", task
    return api.get(task["associatedResource"]["resourceUri"]).json()


def tagged(api: ApplianceClient, *names: str) -> list[str]:
    return [network_uri(api, name) for name in names]


# --- create --------------------------------------------------------------------------------


def test_create_gives_a_set_with_its_own_connection_template(api):
    uris = tagged(api, "Management", "Storage")
    created = create_set(api, "Neutron trunk [t1]", uris, native=uris[1])
    assert created["type"] == "network-setV5"
    assert (created["networkUris"], created["nativeNetworkUri"]) == (uris, uris[1])
    assert created["networkSetType"] == "Regular"
    template = api.get(created["connectionTemplateUri"]).json()
    assert template["type"] == "connection-template"
    network_templates = {n["connectionTemplateUri"] for n in api.members("ethernet-networks")}
    assert created["connectionTemplateUri"] not in network_templates
    assert [s["name"] for s in api.members("network-sets", filter="name='Neutron trunk [t1]'")] == [
        "Neutron trunk [t1]"
    ]


def test_an_empty_large_set_is_allowed(api):
    created = create_set(api, "empty", [], networkSetType="Large")
    assert (created["networkUris"], created["networkSetType"]) == ([], "Large")


def test_older_api_versions_see_older_types(api, simulator):
    older = ApplianceClient(simulator, api_version=800)
    try:
        older.session.headers["Auth"] = api.token
        (net_set,) = older.members("network-sets")
        assert older.get(net_set["uri"]).json()["type"] == "network-setV4"
    finally:
        older.close()


@pytest.mark.parametrize("kind", ["Untagged", "Tunnel"])
def test_untagged_and_tunnel_networks_cannot_be_members(api, kind):
    task = api.wait(
        api.post("/rest/ethernet-networks", json={"name": "x", "ethernetNetworkType": kind})
    )
    uri = task["associatedResource"]["resourceUri"]
    body = error_of(
        api.post(SETS, json=set_body("s", [*tagged(api, "Storage"), uri])),
        400,
        "CRM_INVALID_NETWORK_TYPE_FOR_NETWORK_SET",
    )
    assert kind in body["message"] and "networkUris[1]" in body["details"]


def test_members_need_unique_vlans(api):
    twin = create_network(api, "Storage twin", 20)
    body = error_of(
        api.post(SETS, json=set_body("s", [network_uri(api, "Storage"), twin["uri"]])),
        400,
        "CRM_DUPLICATE_VLAN_IDS_NETWORK_SET",
    )
    assert "VLAN 20" in body["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nativeNetworkUri": "/rest/ethernet-networks/other"}, "nativeNetworkUri"),
        ({"networkSetType": "Huge"}, "networkSetType"),
        ({"name": ""}, "name"),
        ({"networkUris": "all"}, "networkUris"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, change, field):
    body = {**set_body("s", tagged(api, "Storage")), **change}
    error = error_of(api.post(SETS, json=body), 400, "INVALID_PARAMETER")
    assert field in error["message"]


def test_a_member_twice_or_missing_is_400(api):
    storage = network_uri(api, "Storage")
    error_of(api.post(SETS, json=set_body("s", [storage, storage])), 400, "INVALID_PARAMETER")
    missing = "/rest/ethernet-networks/00000000-0000-4000-a000-000000000000"
    error_of(api.post(SETS, json=set_body("s", [missing])), 400, "RESOURCE_NOT_FOUND")


def test_duplicate_set_names_are_400(api):
    error_of(
        api.post(SETS, json=set_body("netset-prod", [])), 400, "CRM_DUPLICATE_NETWORK_SET_NAME"
    )


def test_a_regular_set_holds_at_most_1000_networks(api):
    task = api.wait(
        api.post(
            "/rest/ethernet-networks/bulk",
            json={"namePrefix": "n", "vlanIdRange": "1000-2000"},
        ),
        timeout=60,
    )
    assert task["taskState"] == "Completed"
    uris = [n["uri"] for n in api.members("ethernet-networks") if n["name"].startswith("n_")]
    assert len(uris) == 1001
    error_of(
        api.post(SETS, json=set_body("big", uris)), 400, "CRM_NETWORK_SET_MAX_NETWORKS_EXCEEDED"
    )
    assert create_set(api, "big", uris, networkSetType="Large")["networkSetType"] == "Large"


# --- update --------------------------------------------------------------------------------


def test_update_is_a_task_and_a_stale_etag_is_412(api):
    created = create_set(api, "s", tagged(api, "Storage"))
    stale = dict(created)
    created["networkUris"].append(network_uri(api, "Management"))
    reply = api.put(created["uri"], json=created, headers={"If-Match": created["eTag"]})
    assert reply.status_code == 202, reply.text
    assert api.wait(reply)["taskState"] == "Completed"
    assert len(api.get(created["uri"]).json()["networkUris"]) == 2
    error_of(api.put(created["uri"], json=stale), 412, "PRECONDITION_FAILED")


def test_the_type_and_template_cannot_change(api):
    created = create_set(api, "s", [])
    error_of(
        api.put(created["uri"], json={**created, "networkSetType": "Large"}),
        400,
        "INVALID_PARAMETER",
    )
    other = api.members("connection-templates")[0]["uri"]
    error_of(
        api.put(created["uri"], json={**created, "connectionTemplateUri": other}),
        400,
        "INVALID_PARAMETER",
    )


def trunked_profile(api: ApplianceClient) -> tuple[Resource, Resource]:
    """An applied profile whose connection 2 carries a set of the networks its LI carries."""
    profile = applied(api)
    net_set = create_set(api, "trunk", tagged(api, "Storage", "Management"))
    connections(profile)[1]["networkUri"] = net_set["uri"]
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    return api.get(profile["uri"]).json(), net_set


def test_a_set_used_by_a_running_server_changes_without_a_power_change(api):
    profile, net_set = trunked_profile(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    new = create_network(api, "Tenant 300", 300)
    assert add_to_uplink_set(api, "US-Tagged-1", new["uri"]).status_code == 202
    wait_for_uplink = api.get(named(api, "uplink-sets", "US-Tagged-1")["uri"]).json()
    assert new["uri"] in wait_for_uplink["networkUris"]
    net_set = api.get(net_set["uri"]).json()
    net_set["networkUris"].append(new["uri"])
    assert api.wait(api.put(net_set["uri"], json=net_set))["taskState"] == "Completed"
    assert new["uri"] in api.get(net_set["uri"]).json()["networkUris"]
    assert api.get(server["uri"]).json()["powerState"] == "On"
    assert api.get(profile["uri"]).json()["eTag"] == profile["eTag"]


def test_a_set_in_use_only_takes_networks_its_logical_interconnect_carries(api):
    _profile, net_set = trunked_profile(api)
    loose = create_network(api, "Not uplinked", 301)
    net_set["networkUris"].append(loose["uri"])
    body = error_of(
        api.put(net_set["uri"], json=net_set), 400, "CRM_NETWORK_SET_CONSTRAINT_A_VIOLATION"
    )
    assert "associated with an uplink set" in body["message"]
    assert "Not uplinked" in body["details"] and loose["uri"] in body["details"]
    assert loose["uri"] not in api.get(net_set["uri"]).json()["networkUris"]


def test_a_set_nobody_uses_takes_any_tagged_network(api):
    loose = create_network(api, "Not uplinked", 301)
    assert create_set(api, "free", [loose["uri"]])["networkUris"] == [loose["uri"]]


# --- delete --------------------------------------------------------------------------------


def test_delete_is_a_task_and_takes_the_template_with_it(api):
    created = create_set(api, "s", [])
    reply = api.delete(created["uri"])
    assert reply.status_code == 202
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(created["uri"]).status_code == 404
    assert api.get(created["connectionTemplateUri"]).status_code == 404


def test_a_set_in_use_cannot_be_deleted(api):
    profile, net_set = trunked_profile(api)
    body = error_of(api.delete(net_set["uri"]), 409, "CRM_NETWORK_SET_IN_USE_BY_PROFILES")
    assert profile["name"] in body["message"]
    connections(profile)[1]["networkUri"] = None
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert api.wait(api.delete(net_set["uri"]))["taskState"] == "Completed"


# --- Ethernet network create joins sets -----------------------------------------------------


def test_a_new_network_joins_sets_in_its_post(api):
    net_set = create_set(api, "s", tagged(api, "Storage"))
    created = create_network(api, "Tenant 302", 302, networkSetUris=[net_set["uri"]])
    assert created["uri"] in api.get(net_set["uri"]).json()["networkUris"]


def test_a_new_network_with_a_clashing_vlan_is_refused_and_not_created(api):
    net_set = create_set(api, "s", tagged(api, "Storage"))
    reply = api.post(
        "/rest/ethernet-networks",
        json={"name": "Clash", "vlanId": 20, "networkSetUris": [net_set["uri"]]},
    )
    error_of(reply, 400, "CRM_DUPLICATE_VLAN_IDS_NETWORK_SET")
    assert api.members("ethernet-networks", filter="name='Clash'") == []


def test_a_connection_moves_to_a_set_and_back_while_the_server_is_on(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    before = connections(profile)[1]
    net_set = create_set(api, "trunk", tagged(api, "Storage", "Management"))
    connections(profile)[1]["networkUri"] = net_set["uri"]
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    profile = api.get(profile["uri"]).json()
    moved = connections(profile)[1]
    assert (moved["networkUri"], moved["mac"]) == (net_set["uri"], before["mac"])
    connections(profile)[1]["networkUri"] = before["networkUri"]
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert connections(api.get(profile["uri"]).json())[1]["networkUri"] == before["networkUri"]
    assert api.get(server["uri"]).json()["powerState"] == "On"


def test_adding_a_connection_on_a_set_still_needs_the_server_off(api):
    profile = applied(api)
    set_power(api, api.get(profile["serverHardwareUri"]).json(), "On")
    net_set = create_set(api, "trunk", tagged(api, "Storage"))
    connections(profile).append(
        {"id": 3, "portId": "Mezz 3:1-b", "functionType": "Ethernet", "networkUri": net_set["uri"]}
    )
    error_of(put(api, profile), 409, "ServerNotOffWithCauseForNoServerChange")
