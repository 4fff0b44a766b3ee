"""Tunnel networks and Tunnel uplink sets, and private networks, over real HTTPS."""

from __future__ import annotations

from test_networks import NETS, create_network, uplink_body
from test_profiles import applied, connections, finish, put

from oneview_openstack.simulator.testing import error_of


def tunnel(api, name="Tunnel A"):
    task = api.wait(api.post(NETS, json={"name": name, "ethernetNetworkType": "Tunnel"}))
    assert task["taskState"] == "Completed", task
    return api.get(task["associatedResource"]["resourceUri"]).json()


def tunnel_uplink_set(api, uris):
    return api.post("/rest/uplink-sets", json=uplink_body(api, "US-Tunnel", "Tunnel", uris))


def test_a_tunnel_network_has_no_vlan(api):
    network = tunnel(api)
    assert (network["ethernetNetworkType"], network["vlanId"]) == ("Tunnel", 0)


def test_a_tunnel_uplink_set_carries_one_tunnel_network(api):
    first, second = tunnel(api), tunnel(api, "Tunnel B")
    body = error_of(tunnel_uplink_set(api, [first["uri"], second["uri"]]), 400, "INVALID_PARAMETER")
    assert "at most one network in a Tunnel uplink set" in body["message"]
    task = api.wait(tunnel_uplink_set(api, [first["uri"]]))
    assert task["taskState"] == "Completed"
    created = api.get(task["associatedResource"]["resourceUri"]).json()
    assert (created["ethernetNetworkType"], created["networkUris"]) == ("Tunnel", [first["uri"]])


def test_a_tagged_network_cannot_ride_a_tunnel_uplink_set(api):
    tagged = create_network(api, "Tenant 320", 320)
    error_of(
        tunnel_uplink_set(api, [tagged["uri"]]), 400, "CRM_INVALID_NETWORK_TYPE_FOR_UPLINK_SET"
    )


def test_a_server_connects_to_a_tunnel_network_its_logical_interconnect_carries(api):
    network = tunnel(api)
    profile = applied(api)
    connections(profile)[1]["networkUri"] = network["uri"]
    error_of(put(api, profile), 400, "UnavailableEthernetFCError")
    assert api.wait(tunnel_uplink_set(api, [network["uri"]]))["taskState"] == "Completed"
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert connections(api.get(profile["uri"]).json())[1]["networkUri"] == network["uri"]


def test_private_networks_are_stored_and_shown(api):
    network = create_network(api, "Private 330", 330, privateNetwork=True)
    assert network["privateNetwork"] is True
    network["privateNetwork"] = False
    assert api.wait(api.put(network["uri"], json=network))["taskState"] == "Completed"
    assert api.get(network["uri"]).json()["privateNetwork"] is False
