"""Connection templates and requestedMbps over real HTTPS: the template PUT (200 with the body,
eTag), the default template, and the per-port limits a profile connection's bandwidth obeys."""

from __future__ import annotations

from typing import Any

import pytest
from test_network_sets import create_set, tagged
from test_networks import create_network
from test_profiles import (
    PROFILES,
    applied,
    connections,
    create,
    finish,
    free_blades,
    network_uri,
    new_profile,
    put,
    set_power,
)

from oneview_openstack.simulator.testing import ApplianceClient, error_of

Resource = dict[str, Any]
TEMPLATES = "/rest/connection-templates"


def template_of(api: ApplianceClient, owner_uri: str) -> Resource:
    return api.get(api.get(owner_uri).json()["connectionTemplateUri"]).json()


def set_bandwidth(api: ApplianceClient, owner_uri: str, typical: int, maximum: int) -> Resource:
    template = template_of(api, owner_uri)
    template["bandwidth"] = {"typicalBandwidth": typical, "maximumBandwidth": maximum}
    reply = api.put(template["uri"], json=template)
    assert reply.status_code == 200, reply.text
    return reply.json()


# --- connection templates ------------------------------------------------------------------


def test_put_answers_200_with_the_template_and_a_new_etag(api):
    before = template_of(api, network_uri(api, "Storage"))
    reply = api.put(
        before["uri"],
        json={**before, "bandwidth": {"typicalBandwidth": 1000, "maximumBandwidth": 5000}},
        headers={"If-Match": before["eTag"]},
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["bandwidth"] == {"typicalBandwidth": 1000, "maximumBandwidth": 5000}
    assert body["type"] == "connection-template"
    assert reply.headers["ETag"].strip('"') == body["eTag"] != before["eTag"]
    assert api.get(before["uri"]).json()["bandwidth"]["maximumBandwidth"] == 5000
    error_of(api.put(before["uri"], json=before), 412, "PRECONDITION_FAILED")


@pytest.mark.parametrize(
    ("typical", "maximum", "field"),
    [
        (2500, 20100, "maximumBandwidth"),
        (2550, 10000, "typicalBandwidth"),
        (6000, 5000, "typicalBandwidth"),
        (0, 5000, "typicalBandwidth"),
    ],
)
def test_bad_bandwidth_is_400_naming_the_field(api, typical, maximum, field):
    template = template_of(api, network_uri(api, "Storage"))
    template["bandwidth"] = {"typicalBandwidth": typical, "maximumBandwidth": maximum}
    body = error_of(api.put(template["uri"], json=template), 400, "CRM_DEFAULT_INVALID_ARGUMENT")
    assert field in body["details"]
    assert body["message"].startswith("Updating connection-template: Invalid bandwidth:")


def test_a_maximum_above_20_gbps_has_oneviews_message(api):
    template = template_of(api, network_uri(api, "Storage"))
    template["bandwidth"]["maximumBandwidth"] = 25000
    body = error_of(api.put(template["uri"], json=template), 400, "CRM_DEFAULT_INVALID_ARGUMENT")
    assert body["message"].endswith("Maximum bandwidth exceeds 20 GBits/s")


def test_a_bandwidth_that_is_not_a_number_is_400(api):
    template = template_of(api, network_uri(api, "Storage"))
    template["bandwidth"]["maximumBandwidth"] = "10000"
    error_of(api.put(template["uri"], json=template), 400, "INVALID_PARAMETER")


def test_the_default_template_is_copied_into_new_networks_and_sets(api):
    default = api.get(f"{TEMPLATES}/defaultConnectionTemplate")
    assert default.status_code == 200
    body = default.json()
    assert body["name"] == "defaultConnectionTemplate"
    body["bandwidth"] = {"typicalBandwidth": 3000, "maximumBandwidth": 8000}
    assert api.put(body["uri"], json=body).status_code == 200
    network = create_network(api, "Tenant 310", 310)
    assert template_of(api, network["uri"])["bandwidth"]["maximumBandwidth"] == 8000
    net_set = create_set(api, "s", [network["uri"]])
    assert template_of(api, net_set["uri"])["bandwidth"]["typicalBandwidth"] == 3000
    assert template_of(api, net_set["uri"])["uri"] != body["uri"]


def test_a_network_created_with_bandwidth_gets_it_in_its_template(api):
    network = create_network(
        api, "Tenant 311", 311, bandwidth={"typicalBandwidth": 1500, "maximumBandwidth": 7000}
    )
    assert template_of(api, network["uri"])["bandwidth"] == {
        "typicalBandwidth": 1500,
        "maximumBandwidth": 7000,
    }
    reply = api.post(
        "/rest/ethernet-networks",
        json={
            "name": "x",
            "vlanId": 312,
            "bandwidth": {"typicalBandwidth": 1, "maximumBandwidth": 2},
        },
    )
    error_of(reply, 400, "CRM_DEFAULT_INVALID_ARGUMENT")


# --- connections: maximumMbps and allocatedMbps ----------------------------------------------


def test_connections_show_the_template_maximum_and_follow_its_changes(api):
    profile = applied(api)
    deploy = connections(profile)[0]["networkUri"]
    assert connections(profile)[0]["maximumMbps"] == 20000
    set_bandwidth(api, deploy, 1000, 6000)
    after = api.get(profile["uri"]).json()
    assert [c["maximumMbps"] for c in connections(after)] == [6000, 6000]
    assert after["eTag"] == profile["eTag"]  # no profile write happened


def test_a_connection_on_a_set_uses_the_sets_template(api):
    profile = applied(api)
    net_set = create_set(api, "trunk", tagged(api, "Storage", "Management"))
    set_bandwidth(api, net_set["uri"], 1000, 4000)
    connections(profile)[1].update(networkUri=net_set["uri"], requestedMbps="3000")
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    conn = connections(api.get(profile["uri"]).json())[1]
    assert (conn["maximumMbps"], conn["allocatedMbps"], conn["requestedMbps"]) == (
        4000,
        3000,
        "3000",
    )


def test_without_requested_mbps_a_connection_gets_its_networks_typical_bandwidth(api):
    set_bandwidth(api, network_uri(api, "Deploy"), 1200, 20000)
    body = new_profile(api, "ironic-EG-1", free_blades(api, "Off")[0], "typical")
    for conn in connections(body):
        conn.pop("requestedMbps", None)
    profile = create(api, body)
    assert [c["requestedMbps"] for c in connections(profile)] == ["1200", "1200"]


# --- requestedMbps limits --------------------------------------------------------------------


@pytest.mark.parametrize("mbps", ["2550", "50", "20100"])
def test_requested_mbps_is_a_multiple_of_100_up_to_the_port_speed(api, mbps):
    body = new_profile(api, "ironic-EG-1", free_blades(api, "Off")[0], "bw")
    connections(body)[0]["requestedMbps"] = mbps
    error = error_of(api.post(PROFILES, json=body), 400, "INVALID_REQUESTED_BANDWIDTH")
    assert "connections[0].requestedMbps" in error["details"]
    assert "(20 Gb/s)" in error["recommendedActions"][0]


def test_requested_mbps_above_the_networks_maximum_is_refused(api):
    set_bandwidth(api, network_uri(api, "Deploy"), 1000, 5000)
    body = new_profile(api, "ironic-EG-1", free_blades(api, "Off")[0], "bw")
    connections(body)[0]["requestedMbps"] = "6000"
    error = error_of(api.post(PROFILES, json=body), 400, "BW_NETWORKMAXBW_OVERFLOW_ERROR")
    assert "(6.0 Gb/s)" in error["message"] and "(5.0 Gb/s)" in error["message"]


def flexnic(conn_id: int, port: str, network: str | None, mbps: str) -> dict[str, Any]:
    return {
        "id": conn_id,
        "portId": port,
        "functionType": "Ethernet",
        "networkUri": network,
        "requestedMbps": mbps,
        "boot": {"priority": "NotBootable"},
    }


def test_the_flexnics_of_one_port_share_its_speed(api):
    profile = applied(api)
    storage, management = tagged(api, "Storage", "Management")
    connections(profile)[0]["requestedMbps"] = "10000"
    connections(profile).extend(
        [flexnic(3, "Mezz 3:1-b", storage, "6000"), flexnic(4, "Mezz 3:1-c", management, "5000")]
    )
    error = error_of(put(api, profile), 400, "BW_TOTAL_LINKRATE_OVERFLOW_ERROR")
    assert "Mezz 3:1" in error["message"] and "21.0 Gb/s" in error["message"]
    assert "[1, 3, 4]" in error["message"]
    connections(profile)[3]["requestedMbps"] = "4000"
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    ports = {c["portId"]: c["requestedMbps"] for c in connections(api.get(profile["uri"]).json())}
    assert ports["Mezz 3:1-c"] == "4000"


def test_the_other_port_has_its_own_budget(api):
    profile = applied(api)
    storage = network_uri(api, "Storage")
    connections(profile)[0]["requestedMbps"] = "20000"
    connections(profile)[1]["requestedMbps"] = "10000"
    connections(profile).append(flexnic(3, "Mezz 3:2-b", storage, "10000"))
    assert finish(api, put(api, profile))["taskState"] == "Completed"


def test_bandwidth_changes_while_the_server_is_on(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    connections(profile)[1]["requestedMbps"] = "7000"
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert connections(api.get(profile["uri"]).json())[1]["allocatedMbps"] == 7000
    assert api.get(server["uri"]).json()["powerState"] == "On"
