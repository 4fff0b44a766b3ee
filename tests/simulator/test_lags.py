"""S-Channel LAGs (``lagName``) over real HTTPS: which connection pairs OneView accepts, and the
power rule of a lagName change (docs/simulator.md: verified vs chosen)."""

from __future__ import annotations

import pytest
from test_connection_bandwidth import flexnic
from test_network_sets import create_set, tagged
from test_profiles import applied, connections, finish, network_uri, put, set_power

from oneview_openstack.simulator.testing import error_of


def lag(profile, name="LAG1"):
    for conn in connections(profile)[:2]:  # Mezz 3:1-a and Mezz 3:2-a, both on Deploy
        conn["lagName"] = name
    return profile


def test_the_two_ports_of_the_adapter_pair_into_a_lag(api):
    profile = lag(applied(api))
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    after = connections(api.get(profile["uri"]).json())
    assert [c["lagName"] for c in after] == ["LAG1", "LAG1"]
    assert after[0]["interconnectUri"] != after[1]["interconnectUri"]


def test_a_lag_may_carry_a_network_set(api):
    profile = applied(api)
    net_set = create_set(api, "trunk", tagged(api, "Storage", "Management"))
    for conn in connections(profile):
        conn.update(networkUri=net_set["uri"], lagName="LAG24")
    assert finish(api, put(api, profile))["taskState"] == "Completed"


def test_other_flexnic_functions_pair_too(api):
    profile = applied(api)
    storage = network_uri(api, "Storage")
    connections(profile).extend(
        [flexnic(3, "Mezz 3:1-b", storage, "2500"), flexnic(4, "Mezz 3:2-b", storage, "2500")]
    )
    connections(profile)[2]["lagName"] = connections(profile)[3]["lagName"] = "LAG2"
    assert finish(api, put(api, profile))["taskState"] == "Completed"


@pytest.mark.parametrize("name", ["LAG0", "LAG25", "lag1", "Bond1", 1])
def test_lag_names_are_lag1_to_lag24(api, name):
    profile = lag(applied(api), name)
    body = error_of(put(api, profile), 400, "INVALID_PARAMETER")
    assert "lagName" in body["message"] and "LAG1 .. LAG24" in body["message"]


def test_a_lag_of_one_connection_is_refused(api):
    profile = applied(api)
    connections(profile)[0]["lagName"] = "LAG1"
    body = error_of(put(api, profile), 400, "CONNECTION_COUNT_LAG_VIOLATION_ERROR")
    assert "LAG1 has 1" in body["message"]


def test_a_lag_of_three_connections_is_refused(api):
    profile = lag(applied(api))
    connections(profile).append(
        flexnic(3, "Mezz 3:1-b", connections(profile)[0]["networkUri"], "2500")
    )
    connections(profile)[2]["lagName"] = "LAG1"
    error_of(put(api, profile), 400, "CONNECTION_COUNT_LAG_VIOLATION_ERROR")


def test_different_functions_do_not_pair(api):
    profile = applied(api)
    deploy = connections(profile)[0]["networkUri"]
    connections(profile)[1]["portId"] = "Mezz 3:2-b"
    for conn in connections(profile):
        conn.update(networkUri=deploy, lagName="LAG1")
    body = error_of(put(api, profile), 400, "PORT_PAIRING_LAG_VIOLATION_ERROR")
    assert "Mezz 3:1-a" in body["message"] and "Mezz 3:2-b" in body["message"]


def test_two_flexnics_of_one_port_do_not_pair(api):
    profile = applied(api)
    storage = network_uri(api, "Storage")
    connections(profile).append(flexnic(3, "Mezz 3:1-b", storage, "2500"))
    connections(profile)[0].update(networkUri=storage, lagName="LAG3")
    connections(profile)[2]["lagName"] = "LAG3"
    error_of(put(api, profile), 400, "PORT_PAIRING_LAG_VIOLATION_ERROR")


def test_the_pair_needs_the_same_network(api):
    profile = lag(applied(api))
    connections(profile)[1]["networkUri"] = network_uri(api, "Storage")
    body = error_of(put(api, profile), 400, "MISMATCH_NETWORK_LAG_VIOLATION_ERROR")
    assert "LAG1" in body["message"] and "connection 2 (Mezz 3:2-a)" in body["details"]


def test_the_pair_needs_the_same_bandwidth(api):
    profile = lag(applied(api))
    connections(profile)[1]["requestedMbps"] = "5000"
    error_of(put(api, profile), 400, "MISMATCH_BANDWIDTH_LAG_VIOLATION_ERROR")


def test_a_lag_on_non_synergy_interconnects_is_refused(api, simulator):
    profile = lag(applied(api))
    interconnect = connections(profile)[0]["interconnectUri"]
    with simulator.state.lock:  # a C7000 Virtual Connect in the frame (no REST way to swap one)
        simulator.state.core.store.get(interconnect).update(
            productName="HP VC FlexFabric-20/40 F8 Module", model="HP VC FlexFabric-20/40 F8 Module"
        )
    error_of(put(api, profile), 400, "LAG_NOT_SUPPORTED_ERROR")


def test_a_lag_change_needs_the_server_off(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    body = error_of(put(api, lag(profile)), 409, "ServerNotOffWithCauseForNoServerChange")
    assert "Connections" in body["details"]
    assert [c.get("lagName") for c in connections(api.get(profile["uri"]).json())] == [None, None]
    set_power(api, server, "Off")
    profile = api.get(profile["uri"]).json()
    assert finish(api, put(api, lag(profile)))["taskState"] == "Completed"


def test_a_lags_network_changes_while_the_server_is_on(api):
    profile = lag(applied(api))
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    profile = api.get(profile["uri"]).json()
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    storage = network_uri(api, "Storage")
    for conn in connections(profile):
        conn["networkUri"] = storage
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["powerState"] == "On"
