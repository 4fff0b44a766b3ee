"""The simulator's own ``/_sim`` API over real HTTPS: out-of-band actions (other OneView users,
operators, the clock), the state snapshot and the request statistics (contract §13)."""

from __future__ import annotations

from typing import Any

import pytest

from oneview_openstack.simulator.testing import ApplianceClient, named

Resource = dict[str, Any]
TEST_TIME_SCALE = 0.0005
PROFILES = "/rest/server-profiles"


# --- helpers ------------------------------------------------------------------------------


def error_of(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["errorCode"] == code, body
    assert body["message"]
    return body


def action(api: ApplianceClient, name: str, **body: Any) -> Any:
    return api.request("POST", f"/_sim/actions/{name}", json=body)


def free_blade(api: ApplianceClient, power: str = "Off", index: int = 0) -> Resource:
    servers = [
        s
        for s in api.members("server-hardware", sort="name:ascending")
        if s["locationUri"] and not s["serverProfileUri"] and s["powerState"] == power
    ]
    return servers[index]


def user_profile(api: ApplianceClient) -> Resource:
    return named(api, "server-profiles", "web-tier-1")


def slow_clock(api: ApplianceClient) -> None:
    api.sim("POST", "clock", json={"time_scale": 1.0})


def advance(api: ApplianceClient, seconds: float) -> None:
    api.sim("POST", "clock", json={"advance": seconds})


def fast_clock(api: ApplianceClient) -> None:
    api.sim("POST", "clock", json={"time_scale": TEST_TIME_SCALE})


def power_on(api: ApplianceClient, server: Resource) -> Any:
    return api.put(server["uri"] + "/powerState", json={"powerState": "On"})


# --- take_server / free_server ------------------------------------------------------------


def test_take_server_gives_a_free_server_a_foreign_profile(api):
    server = free_blade(api)
    result = api.sim("POST", "actions/take_server", json={"uri": server["uri"]})
    profile = api.get(result["profileUri"]).json()
    assert profile["name"].startswith("oneview-user-")
    assert profile["serverHardwareUri"] == server["uri"]
    assert (profile["state"], profile["inProgress"]) == ("Normal", False)
    assert profile["type"] == "ServerProfileV12"
    taken = api.get(server["uri"]).json()
    assert (taken["serverProfileUri"], taken["state"], taken["powerLock"]) == (
        profile["uri"],
        "ProfileApplied",
        False,
    )
    assert taken["eTag"] != server["eTag"]


def test_take_server_with_a_name_replaces_the_previous_owner(api):
    previous = user_profile(api)
    server_uri = previous["serverHardwareUri"]
    result = api.sim("POST", "actions/take_server", json={"uri": server_uri, "name": "ops-team"})
    assert api.get(result["profileUri"]).json()["name"] == "ops-team"
    assert api.get(server_uri).json()["serverProfileUri"] == result["profileUri"]
    unassigned = api.get(previous["uri"]).json()
    assert (unassigned["serverHardwareUri"], unassigned["enclosureBay"]) == (None, None)


def test_take_server_accepts_a_profile_uri(api):
    profile = user_profile(api)
    result = api.sim("POST", "actions/take_server", json={"uri": profile["uri"]})
    assert api.get(profile["serverHardwareUri"]).json()["serverProfileUri"] == result["profileUri"]


def test_free_server_deletes_the_owner_profile(api):
    profile = user_profile(api)
    assert api.sim("POST", "actions/free_server", json={"uri": profile["serverHardwareUri"]}) == {
        "done": "free_server"
    }
    error_of(api.get(profile["uri"]), 404, "RESOURCE_NOT_FOUND")
    freed = api.get(profile["serverHardwareUri"]).json()
    assert (freed["serverProfileUri"], freed["state"]) == (None, "NoProfileApplied")
    # A free server stays free.
    api.sim("POST", "actions/free_server", json={"uri": freed["uri"]})
    assert api.get(freed["uri"]).json()["state"] == "NoProfileApplied"


def test_actions_refuse_uris_that_are_not_servers_or_profiles(api):
    network = named(api, "ethernet-networks", "Deploy")
    for name in ("take_server", "free_server", "power_lock", "applying_profile", "set_power"):
        reply = action(api, name, uri=network["uri"], powerState="On")
        error_of(reply, 400, "INVALID_PARAMETER")
    error_of(
        action(api, "take_server", uri="/rest/server-hardware/nope"), 404, "RESOURCE_NOT_FOUND"
    )


# --- power_lock and applying_profile ------------------------------------------------------


def test_power_lock_expires_with_the_clock(api):
    server = free_blade(api)
    slow_clock(api)
    api.sim("POST", "actions/power_lock", json={"uri": server["uri"], "seconds": 30})
    assert api.get(server["uri"]).json()["powerLock"] is True
    error_of(power_on(api, server), 409, "POWER_CONTROL_NOT_ALLOWED")
    advance(api, 29)
    assert api.get(server["uri"]).json()["powerLock"] is True
    advance(api, 2)
    assert api.get(server["uri"]).json()["powerLock"] is False
    fast_clock(api)
    assert api.wait(power_on(api, server))["taskState"] == "Completed"


def test_a_longer_power_lock_is_not_lifted_by_an_earlier_one(api):
    server = free_blade(api)
    slow_clock(api)
    api.sim("POST", "actions/power_lock", json={"uri": server["uri"], "seconds": 30})
    advance(api, 10)
    api.sim("POST", "actions/power_lock", json={"uri": server["uri"], "seconds": 100})
    advance(api, 25)  # the first lock's end
    assert api.get(server["uri"]).json()["powerLock"] is True
    error_of(power_on(api, server), 409, "POWER_CONTROL_NOT_ALLOWED")
    advance(api, 80)
    assert api.get(server["uri"]).json()["powerLock"] is False


def test_power_lock_of_a_profile_locks_its_server(api):
    profile = user_profile(api)
    slow_clock(api)
    api.sim("POST", "actions/power_lock", json={"uri": profile["uri"]})
    assert api.get(profile["serverHardwareUri"]).json()["powerLock"] is True
    advance(api, 30)  # the default
    assert api.get(profile["serverHardwareUri"]).json()["powerLock"] is False


def test_a_power_lock_ending_mid_apply_leaves_the_apply_lock(api):
    server = free_blade(api)
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="mid-apply", serverHardwareUri=server["uri"])
    slow_clock(api)
    reply = api.post(PROFILES, json=body)
    assert reply.status_code == 202, reply.text
    api.sim("POST", "actions/power_lock", json={"uri": server["uri"], "seconds": 1})
    advance(api, 2)  # the out-of-band lock is over; the apply (60 s or more) is not
    applying = api.get(server["uri"]).json()
    assert (applying["state"], applying["powerLock"]) == ("ApplyingProfile", True)
    advance(api, 1000)
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["powerLock"] is False


def test_applying_profile_makes_the_server_and_its_profile_busy_for_a_while(api):
    profile = user_profile(api)
    server_uri = profile["serverHardwareUri"]
    slow_clock(api)
    api.sim("POST", "actions/applying_profile", json={"uri": server_uri, "seconds": 60})
    busy = api.get(server_uri).json()
    assert (busy["state"], busy["powerLock"]) == ("ApplyingProfile", True)
    assert api.get(profile["uri"]).json()["inProgress"] is True
    error_of(power_on(api, busy), 409, "POWER_CONTROL_NOT_ALLOWED")
    current = api.get(profile["uri"]).json()
    error_of(api.put(profile["uri"], json=current), 409, "RESOURCE_LOCKED")
    advance(api, 61)
    idle = api.get(server_uri).json()
    assert (idle["state"], idle["powerLock"]) == ("ProfileApplied", False)
    assert api.get(profile["uri"]).json()["inProgress"] is False
    fast_clock(api)
    assert api.wait(power_on(api, idle))["taskState"] == "Completed"


def test_a_power_lock_outlives_an_apply_that_ends_first(api):
    server = free_blade(api)
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="short-apply", serverHardwareUri=server["uri"])
    slow_clock(api)
    reply = api.post(PROFILES, json=body)
    api.sim("POST", "actions/power_lock", json={"uri": server["uri"], "seconds": 5000})
    advance(api, 1000)  # the apply (at most 300 s) is over, the lock is not
    assert api.wait(reply)["taskState"] == "Completed"
    applied = api.get(server["uri"]).json()
    assert (applied["state"], applied["powerLock"]) == ("ProfileApplied", True)
    error_of(power_on(api, applied), 409, "POWER_CONTROL_NOT_ALLOWED")
    advance(api, 4001)
    assert api.get(server["uri"]).json()["powerLock"] is False


def test_overlapping_applying_profile_windows_end_in_the_original_state(api):
    server = free_blade(api)
    slow_clock(api)
    api.sim("POST", "actions/applying_profile", json={"uri": server["uri"], "seconds": 60})
    advance(api, 10)
    api.sim("POST", "actions/applying_profile", json={"uri": server["uri"], "seconds": 60})
    advance(api, 55)  # the first window is over, the second is not
    assert api.get(server["uri"]).json()["state"] == "ApplyingProfile"
    assert api.get(server["uri"]).json()["powerLock"] is True
    advance(api, 10)
    after = api.get(server["uri"]).json()
    assert (after["state"], after["powerLock"]) == ("NoProfileApplied", False)


def test_applying_profile_fault_fires_the_same_action(api):
    profile = user_profile(api)
    slow_clock(api)
    api.sim(
        "POST",
        "faults",
        json={
            "kind": "applying_profile",
            "method": "GET",
            "resource": profile["serverHardwareUri"],
            "params": {"seconds": 60},
        },
    )
    assert api.get(profile["serverHardwareUri"]).json()["state"] == "ApplyingProfile"
    advance(api, 61)
    assert api.get(profile["serverHardwareUri"]).json()["state"] == "ProfileApplied"
    assert api.sim("GET", "stats")["faultsFired"] == {"applying_profile": 1}


# --- vanish -------------------------------------------------------------------------------


def test_vanish_a_profile_frees_its_server(api):
    profile = user_profile(api)
    api.sim("POST", "actions/vanish", json={"uri": profile["uri"]})
    error_of(api.get(profile["uri"]), 404, "RESOURCE_NOT_FOUND")
    server = api.get(profile["serverHardwareUri"]).json()
    assert (server["serverProfileUri"], server["state"], server["powerLock"]) == (
        None,
        "NoProfileApplied",
        False,
    )
    error_of(api.put(profile["uri"], json=profile), 404, "RESOURCE_NOT_FOUND")


def test_vanish_a_network_then_a_body_naming_it_is_400(api):
    profile = user_profile(api)
    storage = named(api, "ethernet-networks", "Storage")
    api.sim("POST", "actions/vanish", json={"uri": storage["uri"]})
    error_of(api.get(storage["uri"]), 404, "RESOURCE_NOT_FOUND")
    assert storage["uri"] not in named(api, "uplink-sets", "US-Tagged-1")["networkUris"]
    current = api.get(profile["uri"]).json()
    current["description"] = "still here?"
    reply = api.put(profile["uri"], json=current)
    error_of(reply, 400, "RESOURCE_NOT_FOUND")
    assert storage["uri"] in reply.json()["message"]


def test_vanish_a_server(api):
    profile = user_profile(api)
    server_uri = profile["serverHardwareUri"]
    api.sim("POST", "actions/vanish", json={"uri": server_uri})
    error_of(api.get(server_uri), 404, "RESOURCE_NOT_FOUND")
    error_of(power_on(api, {"uri": server_uri}), 404, "RESOURCE_NOT_FOUND")
    assert server_uri not in [s["uri"] for s in api.members("server-hardware")]
    # A body that references it is a 400; its orphaned profile can still be deleted.
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="ghost", serverHardwareUri=server_uri)
    error_of(api.post(PROFILES, json=body), 400, "RESOURCE_NOT_FOUND")
    assert api.wait(api.delete(profile["uri"]))["taskState"] == "Completed"


def test_vanish_of_a_missing_resource_is_404(api):
    error_of(action(api, "vanish", uri="/rest/server-profiles/nope"), 404, "RESOURCE_NOT_FOUND")


# --- bump_etag, set_power, set_api_version ------------------------------------------------


def test_bump_etag_makes_held_etags_stale(api):
    network = named(api, "ethernet-networks", "Deploy")
    reply = api.get(network["uri"])
    old_tag = reply.headers["ETag"]
    assert api.get(network["uri"], headers={"If-None-Match": old_tag}).status_code == 304
    new = api.sim("POST", "actions/bump_etag", json={"uri": network["uri"]})["eTag"]
    assert new != network["eTag"]
    fresh = api.get(network["uri"], headers={"If-None-Match": old_tag})
    assert fresh.status_code == 200
    assert fresh.json()["eTag"] == new
    assert fresh.headers["ETag"].strip('"') == new
    error_of(api.put(network["uri"], json=network), 412, "PRECONDITION_FAILED")
    assert api.wait(api.put(network["uri"], json=fresh.json()))["taskState"] == "Completed"


@pytest.mark.parametrize("state", ["On", "Off", "Unknown"])
def test_set_power_changes_the_power_state_at_once(api, state):
    server = free_blade(api, "On" if state == "Off" else "Off")
    assert api.sim("POST", "actions/set_power", json={"uri": server["uri"], "powerState": state})
    after = api.get(server["uri"]).json()
    assert after["powerState"] == state
    assert after["eTag"] != server["eTag"]


@pytest.mark.parametrize("state", ["PoweringOn", "on", None])
def test_set_power_refuses_other_states(api, state):
    server = free_blade(api)
    reply = action(api, "set_power", uri=server["uri"], powerState=state)
    error_of(reply, 400, "INVALID_PARAMETER")


def test_power_on_from_unknown_works(api):
    server = free_blade(api)
    api.sim("POST", "actions/set_power", json={"uri": server["uri"], "powerState": "Unknown"})
    assert api.wait(power_on(api, server))["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["powerState"] == "On"


def test_set_api_version_downgrades_the_appliance(api, simulator):
    api.sim("POST", "actions/set_api_version", json={"current_version": 1200})
    version = api.get("/rest/version").json()
    assert version == {"currentVersion": 1200, "minimumVersion": 120}
    body = error_of(api.get("/rest/server-hardware"), 412, "INVALID_API_VERSION")
    assert "2800" in body["details"] and "1200" in body["details"]
    older = ApplianceClient(simulator, api_version=1200)
    try:
        older.session.headers["Auth"] = api.token
        profile = user_profile(older)
        assert profile["type"] == "ServerProfileV11"
    finally:
        older.close()
    assert (
        api.sim("GET", "state", params={"categories": "server-profiles"})["_simulator"][
            "currentVersion"
        ]
        == 1200
    )


@pytest.mark.parametrize("version", [100, "1200", None, True])
def test_set_api_version_refuses_bad_values(api, version):
    error_of(action(api, "set_api_version", current_version=version), 400, "INVALID_PARAMETER")
    assert api.get("/rest/version").json()["currentVersion"] == 2800


def test_unknown_action_is_404(api):
    assert action(api, "reboot_universe").status_code == 404


def test_sim_api_needs_no_session(anonymous, simulator):
    server = simulator.state.core.store.members("server-hardware")[0]
    reply = anonymous.request(
        "POST", "/_sim/actions/set_power", json={"uri": server["uri"], "powerState": "On"}
    )
    assert reply.status_code == 200
    assert anonymous.request("GET", "/_sim/state").status_code == 200


# --- /_sim/state --------------------------------------------------------------------------


def test_state_snapshot_lists_every_category_as_clients_see_it(api):
    state = api.sim("GET", "state")
    for category in ("server-hardware", "server-profiles", "ethernet-networks", "uplink-sets"):
        assert category in state
    assert len(state["server-hardware"]) == 16
    assert len(state["ethernet-networks"]) == 4
    server = state["server-hardware"][0]
    assert server["type"] == "server-hardware-12"
    assert not any(key.startswith("_") for key in server)
    meta = state["_simulator"]
    assert meta["currentVersion"] == 2800
    assert meta["timeScale"] == TEST_TIME_SCALE
    assert meta["activeSessions"] == 1
    assert meta["faults"] == []


def test_state_snapshot_by_category_and_with_tasks(api):
    server = free_blade(api)
    task = api.wait(power_on(api, server))
    state = api.sim("GET", "state", params={"categories": "server-hardware,tasks"})
    assert set(state) == {"server-hardware", "tasks", "_simulator"}
    assert task["uri"] in [t["uri"] for t in state["tasks"]]
    (mine,) = [s for s in state["server-hardware"] if s["uri"] == server["uri"]]
    assert mine["powerState"] == "On"


# --- /_sim/stats --------------------------------------------------------------------------


def test_stats_count_requests_by_method_and_route(api):
    api.sim("DELETE", "stats")
    servers = api.members("server-hardware")  # one page of 16 (the cap is 32)
    api.members("server-hardware")
    api.get(servers[0]["uri"])
    api.get(servers[1]["uri"])
    api.get(servers[1]["uri"] + "/utilization")
    api.get("/rest/ethernet-networks")
    server = free_blade(api)  # one more collection read
    api.wait(power_on(api, server))
    stats = api.sim("GET", "stats")
    routes = stats["byRoute"]
    assert routes["GET /rest/server-hardware"] == 3
    assert routes["GET /rest/server-hardware/{id}"] == 2
    assert routes["GET /rest/server-hardware/{id}/utilization"] == 1
    assert routes["GET /rest/ethernet-networks"] == 1
    assert routes["PUT /rest/server-hardware/{id}/powerState"] == 1
    assert routes["GET /rest/tasks/{id}"] >= 1
    assert stats["requests"] == sum(routes.values())
    assert not any(route.split(" ")[1].startswith("/_sim") for route in routes)


def test_stats_count_logins_logouts_and_refusals(api, simulator, anonymous):
    api.sim("DELETE", "stats")
    other = ApplianceClient(simulator)
    try:
        other.login()
        assert other.delete("/rest/login-sessions").status_code == 204
    finally:
        other.close()
    bad = anonymous.post(
        "/rest/login-sessions", json={"userName": "Administrator", "password": "wrong"}
    )
    error_of(bad, 401, "AUTHN_AUTH_FAIL")
    error_of(anonymous.get("/rest/server-hardware"), 401, "AUTHORIZATION")
    stats = api.sim("GET", "stats")
    assert (stats["logins"], stats["logouts"], stats["loginFailures"]) == (1, 1, 1)
    assert stats["unauthorized"] == 1
    assert stats["activeSessions"] == 1
    assert stats["byRoute"]["POST /rest/login-sessions"] == 2
    assert stats["byRoute"]["DELETE /rest/login-sessions"] == 1
    assert stats["refusals"] == {"401 AUTHN_AUTH_FAIL": 1, "401 AUTHORIZATION": 1}


def test_stats_show_tasks_in_flight_and_reset(api):
    server = free_blade(api)
    slow_clock(api)
    reply = power_on(api, server)
    assert api.sim("GET", "stats")["tasksInFlight"] == 1
    advance(api, 100)
    assert api.wait(reply)["taskState"] == "Completed"
    stats = api.sim("GET", "stats")
    assert stats["tasksInFlight"] == 0
    assert stats["requests"] > 0
    cleared = api.sim("DELETE", "stats")
    assert (cleared["requests"], cleared["byRoute"], cleared["logins"]) == (0, {}, 0)
    assert cleared["refusals"] == {}
