"""Fault injection over real HTTPS: one test per fault kind, then scoping, counting and arming.

Faults are armed through ``POST /_sim/faults`` (or at start-up through ``SimulatorConfig``) and
observed only through OneView's own API, the way a client under test would meet them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from oneview_openstack.simulator.cli import build_config, main, parse_args
from oneview_openstack.simulator.config import DEFAULT_TASK_DURATIONS, SimulatorConfig
from oneview_openstack.simulator.testing import ERROR_KEYS, ApplianceClient

ALL_KINDS = {
    "latency",
    "http_error",
    "reset",
    "bad_status_line",
    "lost_answer",
    "session_expired",
    "session_limit",
    "etag_conflict",
    "vanish",
    "power_lock",
    "applying_profile",
    "server_taken",
    "api_version",
    "task_error",
    "task_warning",
    "task_interrupted",
    "task_stuck",
    "task_slow",
    "power_anomaly",
}
LOGIN = {"userName": "Administrator", "password": "oneview-sim", "loginMsgAck": True}
POWER_PATH = "/rest/server-hardware/*/powerState"


def assert_error(reply: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == ERROR_KEYS
    assert body["errorCode"] == code, body
    assert body["message"]
    return body


def arm(client: ApplianceClient, **spec: Any) -> dict[str, Any]:
    armed = client.sim("POST", "faults", json=spec)["armed"]
    assert len(armed) == 1
    return armed[0]


def armed(client: ApplianceClient) -> list[dict[str, Any]]:
    return client.sim("GET", "faults")["faults"]


def fired(client: ApplianceClient) -> dict[str, int]:
    return client.sim("GET", "stats")["faultsFired"]


def advance(client: ApplianceClient, seconds: float) -> None:
    client.sim("POST", "clock", json={"advance": seconds})


def reconfigure(simulator: Any, **settings: Any) -> None:
    settings.setdefault("time_scale", simulator.state.config.time_scale)
    with simulator.state.lock:
        simulator.state.reset(config=SimulatorConfig(**settings))


def server(api: ApplianceClient, *, power: str = "Off", profiled: bool = False) -> dict[str, Any]:
    return next(
        m
        for m in api.members("server-hardware")
        if m["locationUri"] and m["powerState"] == power and bool(m["serverProfileUri"]) == profiled
    )


def power_on(api: ApplianceClient, target: dict[str, Any]) -> requests.Response:
    return api.put(target["uri"] + "/powerState", json={"powerState": "On"})


def profile_body(api: ApplianceClient, target: dict[str, Any], name: str) -> dict[str, Any]:
    template = next(
        t
        for t in api.members("server-profile-templates")
        if t["enclosureGroupUri"] == target["serverGroupUri"] and t["name"].startswith("ironic-EG")
    )
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name=name, serverHardwareUri=target["uri"])
    return body


def test_the_catalogue_names_every_kind(api):
    listing = api.sim("GET", "faults")
    assert set(listing["catalogue"]) == ALL_KINDS
    assert all(isinstance(text, str) and text for text in listing["catalogue"].values())
    assert listing["faults"] == []


# -- request-stage faults -------------------------------------------------------------------------


def test_latency_delays_the_matching_request_only(api):
    arm(api, kind="latency", path="/rest/version", params={"seconds": 0.25, "jitter": 0.05})
    started = time.monotonic()
    assert api.get("/rest/version").status_code == 200
    assert time.monotonic() - started >= 0.25  # the delay was applied (a floor, not a speed bound)
    assert fired(api) == {"latency": 1}
    assert api.get("/rest/version").status_code == 200
    assert fired(api) == {"latency": 1}  # count 1 by default: the second request was not delayed


@pytest.mark.parametrize(
    ("status", "code"), [(500, "INTERNAL_ERROR"), (503, "SERVICE_UNAVAILABLE")]
)
def test_http_error_answers_an_error_message(api, status, code):
    arm(api, kind="http_error", path="/rest/server-hardware", params={"status": status})
    body = assert_error(api.get("/rest/server-hardware"), status, code)
    assert body["recommendedActions"] == ["Retry the operation later."]
    assert body["nestedErrors"] == []
    assert api.get("/rest/server-hardware").status_code == 200  # one-shot by default


def test_http_error_with_a_chosen_code_and_message(api):
    arm(
        api,
        kind="http_error",
        path="/rest/server-hardware",
        params={"status": 409, "error_code": "RESOURCE_LOCKED", "message": "busy"},
    )
    body = assert_error(api.get("/rest/server-hardware"), 409, "RESOURCE_LOCKED")
    assert body["message"] == "busy"


def test_reset_drops_the_connection(api):
    arm(api, kind="reset", path="/rest/version")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("/rest/version")
    assert api.get("/rest/version").status_code == 200
    assert fired(api) == {"reset": 1}


def test_lost_answer_applies_the_change_then_drops_the_connection(api):
    network = api.post(
        "/rest/ethernet-networks",
        json={
            "type": "ethernet-networkV4",
            "name": "before",
            "vlanId": 231,
            "ethernetNetworkType": "Tagged",
        },
    )
    uri = api.wait(network)["associatedResource"]["resourceUri"]
    body = api.get(uri).json()
    before = api.sim("GET", "stats")["byRoute"].get("PUT /rest/ethernet-networks/{id}", 0)
    arm(api, kind="lost_answer", method="PUT", path=uri)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put(uri, json={**body, "name": "after"}, headers={"If-Match": body["eTag"]})
    assert fired(api) == {"lost_answer": 1}
    stats = api.sim("GET", "stats")["byRoute"]
    assert stats["PUT /rest/ethernet-networks/{id}"] == before + 1  # it was served
    assert api.get(uri).json()["name"] == "after"  # and it landed
    assert api.get("/rest/version").status_code == 200


def test_bad_status_line_is_a_protocol_error(api):
    arm(api, kind="bad_status_line", path="/rest/version")
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        api.get("/rest/version")
    assert "BadStatusLine" in repr(caught.value)
    assert api.get("/rest/version").status_code == 200


def test_session_expired_ends_the_callers_session(api, anonymous):
    other = anonymous.post("/rest/login-sessions", json=LOGIN).json()["sessionID"]
    arm(api, kind="session_expired", path="/rest/server-hardware")
    assert_error(api.get("/rest/server-hardware"), 401, "AUTHORIZATION")
    assert_error(api.get("/rest/logindomains"), 401, "AUTHORIZATION")  # and it stays gone
    assert anonymous.get("/rest/sessions", headers={"Session-ID": api.token}).status_code == 404
    assert anonymous.get("/rest/server-hardware", headers={"Auth": other}).status_code == 200


def test_session_limit_refuses_one_login(anonymous):
    arm(anonymous, kind="session_limit", method="POST", path="/rest/login-sessions")
    reply = anonymous.post("/rest/login-sessions", json=LOGIN)
    assert_error(reply, 403, "SESSION_LIMIT_EXCEEDED")
    assert anonymous.post("/rest/login-sessions", json=LOGIN).status_code == 200


def test_etag_conflict_makes_the_clients_etag_stale(api):
    network = api.get(api.members("ethernet-networks")[0]["uri"]).json()
    arm(api, kind="etag_conflict", method="PUT", path=network["uri"])
    network["description"] = "mine"
    assert_error(api.put(network["uri"], json=network), 412, "PRECONDITION_FAILED")
    fresh = api.get(network["uri"]).json()
    assert fresh["eTag"] != network["eTag"]
    assert fresh["description"] != "mine"
    fresh["description"] = "mine"
    assert api.wait(api.put(fresh["uri"], json=fresh))["taskState"] == "Completed"


def test_vanish_deletes_the_target_first(api):
    profile = api.members("server-profiles")[0]
    arm(api, kind="vanish", method="GET", path=profile["uri"])
    assert_error(api.get(profile["uri"]), 404, "RESOURCE_NOT_FOUND")
    assert api.get("/rest/server-profiles").json()["total"] == 0
    owner = api.get(profile["serverHardwareUri"]).json()
    assert owner["serverProfileUri"] is None
    assert owner["state"] == "NoProfileApplied"


def test_power_lock_refuses_power_until_it_lifts(api):
    target = server(api)
    arm(api, kind="power_lock", method="PUT", path=POWER_PATH, params={"seconds": 3600})
    body = assert_error(power_on(api, target), 409, "POWER_CONTROL_NOT_ALLOWED")
    assert body["recommendedActions"]
    assert api.get(target["uri"]).json()["powerLock"] is True
    assert_error(power_on(api, target), 409, "POWER_CONTROL_NOT_ALLOWED")  # still locked
    advance(api, 3601)
    assert api.get(target["uri"]).json()["powerLock"] is False
    assert api.wait(power_on(api, target))["taskState"] == "Completed"
    assert api.get(target["uri"]).json()["powerState"] == "On"


def test_applying_profile_makes_the_server_busy(api):
    target = server(api, profiled=True)
    profile = api.get(target["serverProfileUri"]).json()
    arm(
        api,
        kind="applying_profile",
        method="GET",
        resource=target["uri"],
        params={"seconds": 3600},
    )
    busy = api.get(target["uri"]).json()
    assert busy["state"] == "ApplyingProfile"
    assert busy["powerLock"] is True
    assert api.get(profile["uri"]).json()["inProgress"] is True
    assert_error(power_on(api, target), 409, "POWER_CONTROL_NOT_ALLOWED")
    reply = api.put(profile["uri"], json=api.get(profile["uri"]).json())
    assert reply.status_code == 409, reply.text
    advance(api, 3601)
    calm = api.get(target["uri"]).json()
    assert calm["state"] == "ProfileApplied"
    assert calm["powerLock"] is False
    assert api.get(profile["uri"]).json()["inProgress"] is False
    assert api.wait(power_on(api, target))["taskState"] == "Completed"


def test_server_taken_gives_the_server_to_another_user(api):
    target = server(api)
    arm(api, kind="server_taken", method="GET", resource=target["uri"], params={"name": "theirs"})
    taken = api.get(target["uri"]).json()
    assert taken["state"] == "ProfileApplied"
    foreign = api.get(taken["serverProfileUri"]).json()
    assert foreign["name"] == "theirs"
    assert foreign["serverHardwareUri"] == target["uri"]
    task = api.wait(api.post("/rest/server-profiles", json=profile_body(api, target, "mine")))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "ProfileAlreadyExistsInServer"


def test_a_fault_aimed_at_a_server_fires_on_the_profile_post_that_names_it(api):
    target, other = [
        m
        for m in api.members("server-hardware")
        if m["locationUri"] and m["powerState"] == "Off" and not m["serverProfileUri"]
    ][:2]
    arm(api, kind="server_taken", method="POST", resource=target["uri"], params={"name": "theirs"})
    task = api.wait(api.post("/rest/server-profiles", json=profile_body(api, other, "other")))
    assert task["taskState"] == "Completed"  # another server's body does not match
    assert fired(api) == {}
    task = api.wait(api.post("/rest/server-profiles", json=profile_body(api, target, "mine")))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "ProfileAlreadyExistsInServer"
    assert fired(api) == {"server_taken": 1}
    assert api.get(api.get(target["uri"]).json()["serverProfileUri"]).json()["name"] == "theirs"


def test_api_version_downgrade_refuses_the_clients_version(api, anonymous):
    arm(api, kind="api_version", path="/rest/server-hardware", params={"current_version": 1800})
    body = assert_error(api.get("/rest/server-hardware"), 412, "INVALID_API_VERSION")
    assert "Only values 1 through 1800 are accepted." in body["details"]
    assert anonymous.get("/rest/version").json()["currentVersion"] == 1800
    reply = api.get("/rest/server-hardware", headers={"X-API-Version": "1800"})
    assert reply.status_code == 200
    assert_error(api.get("/rest/logindomains"), 412, "INVALID_API_VERSION")  # it stays down


def test_state_faults_wait_for_a_request_they_can_act_on(api, anonymous):
    """Unscoped faults are not used up by requests they cannot affect (hpeOneView's first
    call is an anonymous GET /rest/version)."""
    target = server(api)
    arm(api, kind="power_lock", params={"seconds": 3600})
    arm(api, kind="session_limit")
    arm(api, kind="session_expired")
    assert anonymous.get("/rest/version").status_code == 200  # no session, no server, no login
    assert [f["fired"] for f in armed(api)] == [0, 0, 0]
    assert fired(api) == {}
    assert_error(api.get("/rest/logindomains"), 401, "AUTHORIZATION")  # session_expired
    assert anonymous.post("/rest/login-sessions", json=LOGIN).status_code == 403
    token = anonymous.post("/rest/login-sessions", json=LOGIN).json()["sessionID"]
    reply = anonymous.put(
        target["uri"] + "/powerState", json={"powerState": "On"}, headers={"Auth": token}
    )
    assert_error(reply, 409, "POWER_CONTROL_NOT_ALLOWED")
    assert armed(api) == []
    assert fired(api) == {"session_expired": 1, "session_limit": 1, "power_lock": 1}


# -- task-stage faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["Error", "Killed", "Terminated"])
def test_task_error_ends_the_task_in_failure(api, state):
    target = server(api)
    arm(
        api,
        kind="task_error",
        method="PUT",
        path=POWER_PATH,
        params={"state": state, "error_code": "POWER_FAILED", "message": "The iLO is gone."},
    )
    reply = power_on(api, target)
    assert reply.status_code == 202
    assert reply.json()["taskErrors"] == []  # not failed before it ends
    task = api.wait(reply)
    assert task["taskState"] == state
    assert task["percentComplete"] == 100
    error = task["taskErrors"][0]
    assert error["errorCode"] == "POWER_FAILED"
    assert error["message"] == "The iLO is gone."
    assert set(error) >= {"errorCode", "message", "details", "recommendedActions", "nestedErrors"}
    assert task["taskStatus"].endswith("failed.")
    assert api.get(target["uri"]).json()["powerState"] == "Off"  # rolled back


def test_task_warning_is_a_success_with_a_message(api):
    target = server(api)
    arm(api, kind="task_warning", method="PUT", path=POWER_PATH, params={"message": "Slow iLO."})
    task = api.wait(power_on(api, target))
    assert task["taskState"] == "Warning"
    assert task["percentComplete"] == 100
    assert task["taskErrors"][0]["message"] == "Slow iLO."
    assert api.get(target["uri"]).json()["powerState"] == "On"


def test_task_interrupted_ends_interrupted(api):
    network = api.get(api.members("ethernet-networks")[0]["uri"]).json()
    arm(api, kind="task_interrupted", method="PUT", path="/rest/ethernet-networks/*")
    task = api.wait(api.put(network["uri"], json=network))
    assert task["taskState"] == "Interrupted"
    assert task["percentComplete"] == 100


def test_task_stuck_never_ends_and_keeps_its_percent(api):
    target = server(api)
    arm(api, kind="task_stuck", method="PUT", path=POWER_PATH, params={"percent": 30})
    reply = power_on(api, target)
    advance(api, 20 * 3600)  # hours: far past any power task (and within the session's life)
    task = api.get(reply.headers["Location"]).json()
    assert task["taskState"] == "Running"
    assert task["percentComplete"] == task["computedPercentComplete"] == 30
    with pytest.raises(TimeoutError):
        api.wait(reply, timeout=0.05)
    assert api.sim("GET", "stats")["tasksInFlight"] == 1
    assert api.get(target["uri"]).json()["powerState"] == "PoweringOn"


def test_task_slow_multiplies_the_duration(simulator):
    reconfigure(
        simulator,
        time_scale=1.0,
        task_durations={**DEFAULT_TASK_DURATIONS, "power": (10.0, 10.0)},
    )
    api = ApplianceClient(simulator)
    try:
        api.login()
        first, second = [m for m in api.members("server-hardware") if m["powerState"] == "Off"][:2]
        arm(api, kind="task_slow", method="PUT", resource=first["uri"], params={"factor": 5})
        slow, normal = power_on(api, first), power_on(api, second)
        assert slow.json()["expectedDuration"] == 50
        assert normal.json()["expectedDuration"] == 10
        advance(api, 11)
        assert api.get(normal.headers["Location"]).json()["taskState"] == "Completed"
        assert api.get(slow.headers["Location"]).json()["taskState"] == "Running"
        advance(api, 40)
        assert api.get(slow.headers["Location"]).json()["taskState"] == "Completed"
    finally:
        api.close()


@pytest.mark.parametrize("params", [{}, {"final_state": "Unknown"}, {"final_state": "Off"}])
def test_power_anomaly_leaves_the_server_in_an_odd_state(api, params):
    target = server(api)
    arm(api, kind="power_anomaly", method="PUT", path=POWER_PATH, params=params)
    task = api.wait(power_on(api, target))
    assert task["taskState"] == "Completed"
    assert api.get(target["uri"]).json()["powerState"] == params.get("final_state", "Unknown")


# -- how often: times and probability -------------------------------------------------------------


def test_times_n_fires_n_times_then_disarms(api):
    fault = arm(api, kind="http_error", path="/rest/version", times=3)
    assert fault["timesLeft"] == 3
    codes = [api.get("/rest/version").status_code for _ in range(5)]
    assert codes == [500, 500, 500, 200, 200]
    assert armed(api) == []
    assert fired(api) == {"http_error": 3}


def test_times_null_fires_until_cleared(api):
    fault = arm(api, kind="http_error", path="/rest/version", times=None)
    assert [api.get("/rest/version").status_code for _ in range(4)] == [500] * 4
    assert armed(api)[0]["fired"] == 4
    assert api.sim("DELETE", f"faults?id={fault['id']}") == {"cleared": 1}
    assert api.get("/rest/version").status_code == 200


def test_clearing_all_faults(api):
    for path in ("/rest/version", "/rest/tasks"):
        arm(api, kind="http_error", path=path, times=None)
    assert len(armed(api)) == 2
    assert api.sim("DELETE", "faults") == {"cleared": 2}
    assert api.get("/rest/version").status_code == 200
    assert api.get("/rest/tasks").status_code == 200


def _firing_pattern(simulator: Any, seed: int) -> list[bool]:
    reconfigure(simulator, seed=seed)
    client = ApplianceClient(simulator)
    try:
        arm(client, kind="http_error", path="/rest/version", times=None, probability=0.3)
        return [client.get("/rest/version").status_code == 500 for _ in range(200)]
    finally:
        client.close()


def test_probability_fires_about_that_often_and_is_seeded(simulator):
    pattern = _firing_pattern(simulator, seed=42)
    assert 30 <= sum(pattern) <= 90  # p * 200 = 60
    assert _firing_pattern(simulator, seed=42) == pattern
    assert _firing_pattern(simulator, seed=43) != pattern


def test_probability_and_times_combine(api):
    arm(api, kind="http_error", path="/rest/version", times=5, probability=0.5)
    codes = [api.get("/rest/version").status_code for _ in range(100)]
    assert codes.count(500) == 5
    assert armed(api) == []


# -- where: method, path and resource scoping -----------------------------------------------------


def test_method_scoping(api):
    network = api.get(api.members("ethernet-networks")[0]["uri"]).json()
    arm(api, kind="http_error", method="PUT", times=None)
    assert api.get(network["uri"]).status_code == 200
    assert api.get("/rest/server-hardware").status_code == 200
    assert api.put(network["uri"], json=network).status_code == 500
    assert api.put("/rest/login-sessions").status_code == 500


def test_method_scoping_ignores_case(api):
    arm(api, kind="http_error", method="get", path="/rest/version")
    assert api.get("/rest/version").status_code == 500


def test_path_glob_scoping(api):
    arm(api, kind="http_error", path="/rest/ethernet-networks*", times=None)
    assert api.get("/rest/server-hardware").status_code == 200
    assert api.get("/rest/ethernet-networks").status_code == 500
    uri = api.sim("GET", "state?categories=ethernet-networks")["ethernet-networks"][0]["uri"]
    assert api.get(uri).status_code == 500
    assert api.get("/rest/ethernet-networks-other").status_code == 500  # it is a glob
    assert api.get("/rest/uplink-sets").status_code == 200


def test_resource_scoping_covers_the_resource_and_its_sub_resources(api):
    first, second = api.members("server-hardware")[:2]
    arm(api, kind="http_error", resource=first["uri"], times=None)
    assert api.get(second["uri"]).status_code == 200
    assert api.get(first["uri"]).status_code == 500
    assert api.get(first["uri"] + "/remoteConsoleUrl").status_code == 500
    assert api.get(second["uri"] + "/remoteConsoleUrl").status_code == 200
    assert api.get("/rest/server-hardware").status_code == 200


def test_task_fault_scoped_to_the_server_named_in_the_body(api):
    mine, other = [
        m
        for m in api.members("server-hardware")
        if m["locationUri"] and m["powerState"] == "Off" and not m["serverProfileUri"]
    ][:2]
    arm(
        api,
        kind="task_error",
        resource=mine["uri"],
        params={"error_code": "EnclosureBayUnavailableForProfile"},
    )
    other_task = api.wait(api.post("/rest/server-profiles", json=profile_body(api, other, "a")))
    assert other_task["taskState"] == "Completed"
    mine_task = api.wait(api.post("/rest/server-profiles", json=profile_body(api, mine, "b")))
    assert mine_task["taskState"] == "Error"
    assert mine_task["taskErrors"][0]["errorCode"] == "EnclosureBayUnavailableForProfile"
    assert api.get(mine["uri"]).json()["state"] == "ProfileError"


def test_task_faults_do_not_fire_on_reads(api):
    arm(api, kind="task_error", times=None)
    assert api.get("/rest/server-hardware").status_code == 200
    assert armed(api)[0]["fired"] == 0


# -- arming at start-up and refusing bad specs ----------------------------------------------------


def test_faults_armed_at_start_up(simulator):
    reconfigure(
        simulator,
        faults=[
            {"kind": "http_error", "path": "/rest/version", "params": {"status": 503}},
            {"kind": "session_limit", "path": "/rest/login-sessions", "times": 2},
        ],
    )
    client = ApplianceClient(simulator)
    try:
        assert [f["kind"] for f in armed(client)] == ["http_error", "session_limit"]
        assert client.get("/rest/version").status_code == 503
        assert client.get("/rest/version").status_code == 200
        for _ in range(2):
            assert_error(
                client.post("/rest/login-sessions", json=LOGIN), 403, "SESSION_LIMIT_EXCEEDED"
            )
        assert client.post("/rest/login-sessions", json=LOGIN).status_code == 200
    finally:
        client.close()


def test_start_up_faults_come_back_after_a_reset(simulator):
    reconfigure(simulator, faults=[{"kind": "http_error", "path": "/rest/version"}])
    client = ApplianceClient(simulator)
    try:
        assert client.get("/rest/version").status_code == 500
        assert client.get("/rest/version").status_code == 200
        client.sim("POST", "reset", json={})
        assert client.get("/rest/version").status_code == 500
    finally:
        client.close()


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("latency", "(body)"),
        ({}, "kind"),
        ({"kind": "explode"}, "kind"),
        ({"kind": "http_error", "colour": "red"}, "colour"),
        ({"kind": "http_error", "times": 0}, "times"),
        ({"kind": "http_error", "times": -2}, "times"),
        ({"kind": "http_error", "times": 1.5}, "times"),
        ({"kind": "http_error", "times": True}, "times"),
        ({"kind": "http_error", "probability": 0}, "probability"),
        ({"kind": "http_error", "probability": 1.01}, "probability"),
        ({"kind": "http_error", "probability": "often"}, "probability"),
        ({"kind": "http_error", "method": 5}, "method"),
        ({"kind": "http_error", "path": ["/rest"]}, "path"),
        ({"kind": "http_error", "resource": {}}, "resource"),
        ({"kind": "http_error", "params": []}, "params"),
        ({"kind": "http_error", "params": {"status": 418}}, "params.status"),
        ({"kind": "latency"}, "params.seconds"),
        ({"kind": "latency", "params": {"seconds": -1}}, "params.seconds"),
        ({"kind": "latency", "params": {"seconds": 1, "jitter": "x"}}, "params.jitter"),
        ({"kind": "power_lock", "params": {"seconds": -5}}, "params.seconds"),
        ({"kind": "applying_profile", "params": {"seconds": "long"}}, "params.seconds"),
        ({"kind": "api_version", "params": {}}, "params.current_version"),
        ({"kind": "api_version", "params": {"current_version": 0}}, "params.current_version"),
        ({"kind": "task_error", "params": {"state": "Fine"}}, "params.state"),
        ({"kind": "task_error", "params": {"error_code": 7}}, "params.error_code"),
        ({"kind": "task_warning", "params": {"message": ["x"]}}, "params.message"),
        ({"kind": "task_stuck", "params": {"percent": "half"}}, "params.percent"),
        ({"kind": "task_stuck", "params": {"percent": 150}}, "params.percent"),
        ({"kind": "task_slow", "params": {}}, "params.factor"),
        ({"kind": "task_slow", "params": {"factor": -1}}, "params.factor"),
        ({"kind": "power_anomaly", "params": {"final_state": "Sideways"}}, "params.final_state"),
        ({"kind": "server_taken", "params": {"name": 5}}, "params.name"),
    ],
)
def test_invalid_fault_specs_are_400_naming_the_field(api, spec, field):
    reply = api.post("/_sim/faults", json=spec)
    body = assert_error(reply, 400, "INVALID_FAULT")
    assert f"'{field}'" in body["message"], body["message"]
    assert armed(api) == []


def test_a_batch_with_one_bad_spec_arms_nothing(api):
    specs = [
        {"kind": "http_error", "path": "/rest/version"},
        {"kind": "latency", "params": {"seconds": -1}},
    ]
    body = assert_error(api.post("/_sim/faults", json=specs), 400, "INVALID_FAULT")
    assert "[1]" in body["message"]
    assert armed(api) == []
    assert api.get("/rest/version").status_code == 200


def test_a_batch_of_good_specs_is_armed_in_order(api):
    specs = [
        {"kind": "http_error", "path": "/rest/version", "params": {"status": 503}},
        {"kind": "http_error", "path": "/rest/version"},
    ]
    reply = api.sim("POST", "faults", json=specs)
    assert [f["kind"] for f in reply["armed"]] == ["http_error", "http_error"]
    assert [api.get("/rest/version").status_code for _ in range(3)] == [503, 500, 200]


# -- the command line -----------------------------------------------------------------------------


def _config_file(tmp_path: Path, values: dict[str, Any]) -> str:
    path = tmp_path / "sim.json"
    path.write_text(json.dumps(values))
    return str(path)


def test_cli_builds_a_config_from_flags():
    config = build_config(
        parse_args(
            ["--seed", "3", "--servers", "5", "--time-scale", "0.01", "--api-version", "1200"]
        )
    )
    assert (config.seed, config.servers, config.time_scale, config.current_api_version) == (
        3,
        5,
        0.01,
        1200,
    )


def test_cli_reads_a_config_file_and_flags_override_it(tmp_path):
    path = _config_file(tmp_path, {"servers": 40, "login_failure_status": 400, "seed": 1})
    config = build_config(parse_args(["--config", path, "--seed", "9"]))
    assert (config.servers, config.login_failure_status, config.seed) == (40, 400, 9)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--time-scale", "0"], "time_scale must be > 0"),
        (["--time-scale", "-2"], "time_scale must be > 0"),
        (["--api-version", "100"], "minimum_api_version"),
        (["--servers", "-1"], "servers must be within 0..64770"),
    ],
)
def test_cli_bad_flags_are_a_clear_value_error(argv, message):
    with pytest.raises(ValueError, match=message):
        build_config(parse_args(argv))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"colour": "red"}, "unknown simulator settings"),
        ({"login_failure_status": 403}, "login_failure_status must be 400 or 401"),
        ({"powered_on_error_channel": "mail"}, "powered_on_error_channel"),
        ({"task_durations": {"power": [20, 5]}}, r"task_durations\['power'\]"),
        ({"minimum_api_version": 3000}, "minimum_api_version"),
    ],
)
def test_cli_bad_config_files_are_a_clear_value_error(tmp_path, values, message):
    path = _config_file(tmp_path, values)
    with pytest.raises(ValueError, match=message):
        build_config(parse_args(["--config", path]))


def test_cli_unparsable_config_files_are_value_errors(tmp_path):
    toml = tmp_path / "bad.toml"
    toml.write_text("servers = \n")
    with pytest.raises(ValueError):
        build_config(parse_args(["--config", str(toml)]))
    broken = tmp_path / "bad.json"
    broken.write_text("{")
    with pytest.raises(ValueError):
        build_config(parse_args(["--config", str(broken)]))


def test_cli_main_reports_bad_configuration_and_exits_2(tmp_path, capsys):
    assert main(["--time-scale", "0"]) == 2
    assert "bad configuration: time_scale must be > 0" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "bad configuration" in capsys.readouterr().err


@pytest.mark.parametrize(
    "values",
    [
        {"servers": 100_000},  # beyond inventory.MAX_SERVERS: build_inventory raises at start
        {"page_caps": {"server-hardware": 0}},  # every server-hardware GET is then a 500
        {"time_scale": "fast"},  # TypeError, not ValueError: main() prints a traceback
        {"current_api_version": "2800"},  # TypeError as well
        {"login_domains": "LOCAL"},  # a string: 'LOC' would pass the `in` check
        {"idle_timeout_seconds": -1},  # every session expires at once
        {"faults": [{"kind": "explode"}]},  # only refused (as a BadRequest) when state is built
    ],
    ids=["servers", "page_caps", "time_scale", "api_version", "login_domains", "idle", "faults"],
)
def test_cli_config_refuses_settings_that_would_fail_later(tmp_path, values):
    path = _config_file(tmp_path, values)
    with pytest.raises(ValueError, match=next(iter(values))):
        build_config(parse_args(["--config", path]))
