"""Protocol conformance over real HTTPS: API versions, sessions, login domains and eTags.

Contract §1-§3 and the "Global behaviour" part of §13. Every test speaks raw HTTP to the
simulator; time-dependent session tests switch the simulated clock to real time
(``time_scale`` 1.0) and then move it by hand, so they do not depend on how fast the host is.
"""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.testing import ERROR_KEYS, ApplianceClient

AUTH_FAIL_MESSAGE = (
    "Invalid username or password or directory. Enter correct credentials and try again. "
    "To obtain a username or password, contact your security administrator."
)


def assert_error(reply: requests.Response, status: int, code: str) -> dict[str, Any]:
    """The reply is OneView's ErrorMessage with this status and errorCode."""
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    body = reply.json()
    assert set(body) == ERROR_KEYS
    assert body["errorCode"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["recommendedActions"], list) and body["recommendedActions"]
    assert body["nestedErrors"] == []
    return body


def reconfigure(simulator: Any, **settings: Any) -> None:
    """Restart the shared simulator's state with these settings (sessions are dropped)."""
    settings.setdefault("time_scale", simulator.state.config.time_scale)
    with simulator.state.lock:
        simulator.state.reset(config=SimulatorConfig(**settings))


def real_time(client: ApplianceClient) -> None:
    """One simulated second per real second, so only explicit clock moves age sessions; then use
    the session once, so the compressed minutes since its login (30 ms at the suite's time scale
    are a minute) do not count against its idle life."""
    client.sim("POST", "clock", json={"time_scale": 1.0})
    if client.token:
        assert client.get("/rest/logindomains").status_code == 200


def advance(client: ApplianceClient, seconds: float) -> None:
    client.sim("POST", "clock", json={"advance": seconds})


def login_body(**overrides: Any) -> dict[str, Any]:
    body = {"userName": "Administrator", "password": "oneview-sim", "loginMsgAck": True}
    body.update(overrides)
    return body


class SourceAddressAdapter(HTTPAdapter):
    """Connect from another loopback address, i.e. appear to the appliance as another client."""

    def __init__(self, source: str) -> None:
        self._source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kwargs)


# -- /rest/version and X-API-Version ------------------------------------------------------------


def test_version_needs_neither_auth_nor_api_version(anonymous):
    reply = anonymous.get("/rest/version", headers={"X-API-Version": None})
    assert reply.status_code == 200
    assert reply.json() == {"currentVersion": 2800, "minimumVersion": 120}


def test_version_follows_the_configuration(simulator, anonymous):
    reconfigure(simulator, current_api_version=1200, minimum_api_version=300)
    assert anonymous.get("/rest/version").json() == {
        "currentVersion": 1200,
        "minimumVersion": 300,
    }


@pytest.mark.parametrize("header", ["0", "-1", "2801", "3800", "abc", "", "1.5"])
def test_invalid_api_version_is_412(api, header):
    reply = api.get("/rest/server-hardware", headers={"X-API-Version": header})
    body = assert_error(reply, 412, "INVALID_API_VERSION")
    assert body["message"] == "The specified API version is not valid."
    assert "Only values 1 through 2800 are accepted." in body["details"]


def test_invalid_api_version_is_refused_on_login_too(anonymous):
    reply = anonymous.post(
        "/rest/login-sessions", json=login_body(), headers={"X-API-Version": "9999"}
    )
    assert_error(reply, 412, "INVALID_API_VERSION")


@pytest.mark.parametrize("version", [1, 120, 1800, 2800])
def test_every_version_in_range_is_accepted(api, version):
    reply = api.get("/rest/server-hardware", headers={"X-API-Version": str(version)})
    assert reply.status_code == 200, reply.text


def test_missing_api_version_means_current_version(api):
    reply = api.get("/rest/server-profiles", headers={"X-API-Version": None})
    assert reply.status_code == 200
    assert {m["type"] for m in reply.json()["members"]} == {"ServerProfileV12"}


def test_strict_mode_refuses_a_missing_api_version(simulator, anonymous):
    reconfigure(simulator, strict_api_version_header=True)
    assert anonymous.get("/rest/version", headers={"X-API-Version": None}).status_code == 200
    reply = anonymous.post(
        "/rest/login-sessions", json=login_body(), headers={"X-API-Version": None}
    )
    assert_error(reply, 400, "MISSING_API_VERSION")
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200


@pytest.mark.parametrize(
    ("category", "version", "expected"),
    [
        ("server-profiles", 200, "ServerProfileV5"),
        ("server-profiles", 300, "ServerProfileV6"),
        ("server-profiles", 500, "ServerProfileV7"),
        ("server-profiles", 600, "ServerProfileV8"),
        ("server-profiles", 800, "ServerProfileV9"),
        ("server-profiles", 1000, "ServerProfileV10"),
        ("server-profiles", 1200, "ServerProfileV11"),
        ("server-profiles", 1800, "ServerProfileV12"),
        ("server-profiles", 2800, "ServerProfileV12"),
        ("server-profile-templates", 200, "ServerProfileTemplateV1"),
        ("server-profile-templates", 600, "ServerProfileTemplateV4"),
        ("server-profile-templates", 1600, "ServerProfileTemplateV8"),
        ("ethernet-networks", 200, "ethernet-networkV3"),
        ("ethernet-networks", 500, "ethernet-networkV300"),
        ("ethernet-networks", 600, "ethernet-networkV4"),
        ("uplink-sets", 300, "uplink-setV300"),
        ("uplink-sets", 1000, "uplink-setV5"),
        ("uplink-sets", 1800, "uplink-setV7"),
        ("logical-interconnect-groups", 800, "logical-interconnect-groupV5"),
        ("logical-interconnect-groups", 1400, "logical-interconnect-groupV8"),
        ("server-hardware", 120, "server-hardware-3"),
        ("server-hardware", 500, "server-hardware-7"),
        ("server-hardware", 1200, "server-hardware-10"),
        ("server-hardware", 2800, "server-hardware-12"),
        ("server-hardware-types", 600, "server-hardware-type-5"),
        ("server-hardware-types", 800, "server-hardware-type-9"),
        ("server-hardware-types", 2800, "server-hardware-type-10"),
        ("enclosures", 500, "EnclosureV400"),
        ("enclosures", 2800, "EnclosureV8"),
        ("enclosure-groups", 600, "EnclosureGroupV7"),
        ("interconnects", 600, "InterconnectV4"),
        ("interconnects", 2800, "InterconnectV6"),
        ("logical-interconnects", 1000, "logical-interconnectV6"),
        ("logical-interconnects", 2800, "logical-interconnectV8"),
        ("network-sets", 200, "network-set"),
        ("connection-templates", 2800, "connection-template"),
    ],
)
def test_type_strings_follow_the_requested_version(api, category, version, expected):
    headers = {"X-API-Version": str(version)}
    page = api.get(f"/rest/{category}", headers=headers).json()
    assert page["members"], f"no {category} in the inventory"
    assert {m["type"] for m in page["members"]} == {expected}
    single = api.get(page["members"][0]["uri"], headers=headers).json()
    assert single["type"] == expected


def test_collection_and_task_types(api):
    assert api.get("/rest/server-hardware").json()["type"] == "server-hardware-list-3"
    assert api.get("/rest/server-profiles").json()["type"] == "ServerProfileListV1"
    templates = api.get("/rest/server-profile-templates").json()
    assert templates["type"] == "ServerProfileTemplateListV1"
    server = api.members("server-hardware")[0]
    task = api.wait(
        api.put(server["uri"] + "/refreshState", json={"refreshState": "RefreshPending"})
    )
    assert task["type"] == "TaskResourceV2"


@pytest.mark.parametrize("version", [200, 300, 500])
def test_profile_connections_are_top_level_below_600(api, version):
    profile = api.members("server-profiles")[0]
    body = api.get(profile["uri"], headers={"X-API-Version": str(version)}).json()
    assert "connectionSettings" not in body
    assert body["connections"], "the seeded profile has connections"
    assert all(conn["deploymentStatus"] == "Deployed" for conn in body["connections"])


@pytest.mark.parametrize("version", [600, 800, 2800])
def test_profile_connections_are_under_connection_settings_from_600(api, version):
    profile = api.members("server-profiles")[0]
    body = api.get(profile["uri"], headers={"X-API-Version": str(version)}).json()
    assert "connections" not in body
    assert body["connectionSettings"]["connections"]


def test_both_connection_shapes_describe_the_same_connections(api):
    profile = api.members("server-profiles")[0]
    old = api.get(profile["uri"], headers={"X-API-Version": "500"}).json()["connections"]
    new = api.get(profile["uri"], headers={"X-API-Version": "600"}).json()
    new_connections = new["connectionSettings"]["connections"]
    strip = [{k: v for k, v in c.items() if k != "deploymentStatus"} for c in old]
    assert strip == new_connections


def test_profile_writes_accept_the_pre_600_shape(api):
    """An API-500 client reads top-level connections and PUTs them back the same way."""
    profile = api.members("server-profiles")[0]
    old = {"X-API-Version": "500"}
    body = api.get(profile["uri"], headers=old).json()
    assert body["type"] == "ServerProfileV7"
    body["connections"][0]["requestedMbps"] = 3000
    body["description"] = "edited at API 500"
    task = api.wait(api.put(profile["uri"], json=body, headers=old))
    assert task["taskState"] == "Completed", task
    after = api.get(profile["uri"]).json()
    assert after["description"] == "edited at API 500"
    connections = after["connectionSettings"]["connections"]
    assert len(connections) == len(body["connections"])
    assert int(connections[0]["requestedMbps"]) == 3000


def test_the_current_version_is_used_for_writes_without_type(api):
    """Modern SDKs send no ``type``; the simulator must accept such bodies."""
    reply = api.post(
        "/rest/ethernet-networks",
        json={
            "name": "no-type",
            "vlanId": 333,
            "ethernetNetworkType": "Tagged",
            "purpose": "General",
            "smartLink": False,
            "privateNetwork": False,
        },
    )
    task = api.wait(reply)
    assert task["taskState"] == "Completed"
    network = api.get(task["associatedResource"]["resourceUri"]).json()
    assert network["type"] == "ethernet-networkV4"


# -- login, re-use, logout ------------------------------------------------------------------------


def test_login_returns_a_session_id_that_authorizes(anonymous):
    reply = anonymous.post("/rest/login-sessions", json=login_body(authLoginDomain="LOCAL"))
    assert reply.status_code == 200
    token = reply.json()["sessionID"]
    assert isinstance(token, str) and len(token) >= 16
    assert anonymous.get("/rest/server-hardware", headers={"Auth": token}).status_code == 200


def test_login_without_domain_and_without_banner_ack(anonymous):
    body = login_body()
    del body["loginMsgAck"]
    assert anonymous.post("/rest/login-sessions", json=body).status_code == 200


def test_every_login_is_a_new_session(anonymous):
    first = anonymous.post("/rest/login-sessions", json=login_body()).json()["sessionID"]
    second = anonymous.post("/rest/login-sessions", json=login_body()).json()["sessionID"]
    assert first != second
    for token in (first, second):
        assert anonymous.get("/rest/logindomains", headers={"Auth": token}).status_code == 200


def test_session_reuse_with_put_returns_the_same_token(api):
    reply = api.put("/rest/login-sessions")
    assert reply.status_code == 200
    assert reply.json() == {"sessionID": api.token}


def test_session_reuse_with_an_unknown_token_is_401(anonymous):
    reply = anonymous.put("/rest/login-sessions", headers={"Auth": "not-a-session"})
    assert_error(reply, 401, "AUTHORIZATION")


def test_logout_is_204_and_ends_the_session(api):
    token = api.token
    reply = api.delete("/rest/login-sessions")
    assert reply.status_code == 204
    assert reply.content == b""
    assert_error(api.get("/rest/server-hardware"), 401, "AUTHORIZATION")
    assert_error(api.put("/rest/login-sessions"), 401, "AUTHORIZATION")
    assert_error(api.delete("/rest/login-sessions"), 401, "AUTHORIZATION")
    assert api.get("/rest/sessions", headers={"Session-ID": token}).status_code == 404


def test_logout_leaves_other_sessions_alone(api, anonymous):
    other = anonymous.post("/rest/login-sessions", json=login_body()).json()["sessionID"]
    assert api.delete("/rest/login-sessions").status_code == 204
    assert anonymous.get("/rest/server-hardware", headers={"Auth": other}).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"password": "wrong"},
        {"userName": "nobody"},
        {"userName": "administrator"},  # user names are compared exactly
    ],
)
def test_bad_credentials_are_401_authn_auth_fail(anonymous, credentials):
    reply = anonymous.post("/rest/login-sessions", json=login_body(**credentials))
    body = assert_error(reply, 401, "AUTHN_AUTH_FAIL")
    assert body["message"] == AUTH_FAIL_MESSAGE
    assert "sessionID" not in body


def test_bad_credentials_are_400_in_legacy_mode(simulator, anonymous):
    reconfigure(simulator, login_failure_status=400)
    reply = anonymous.post("/rest/login-sessions", json=login_body(password="wrong"))
    body = assert_error(reply, 400, "AUTHN_AUTH_FAIL")
    assert body["message"] == AUTH_FAIL_MESSAGE
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200


def test_configured_credentials(simulator, anonymous):
    reconfigure(simulator, username="ops", password="s3cret")
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 401
    good = login_body(userName="ops", password="s3cret")
    assert anonymous.post("/rest/login-sessions", json=good).status_code == 200


def test_login_failures_are_counted(anonymous):
    anonymous.post("/rest/login-sessions", json=login_body(password="wrong"))
    anonymous.post("/rest/login-sessions", json=login_body(password="wrong"))
    anonymous.post("/rest/login-sessions", json=login_body())
    stats = anonymous.sim("GET", "stats")
    assert stats["loginFailures"] == 2
    assert stats["logins"] == 1


def test_known_directory_domain_logs_in(anonymous):
    reply = anonymous.post("/rest/login-sessions", json=login_body(authLoginDomain="corp.example"))
    assert reply.status_code == 200
    token = reply.json()["sessionID"]
    session = anonymous.get("/rest/sessions", headers={"Session-ID": token}).json()
    assert session["loginDomain"] == "corp.example"
    assert session["username"] == "Administrator"


def test_unknown_login_domain_is_401_domain_not_found(anonymous):
    reply = anonymous.post("/rest/login-sessions", json=login_body(authLoginDomain="nowhere.test"))
    body = assert_error(reply, 401, "AUTHN_AUTH_FAIL_LOGINDOMAINNOTFOUND")
    assert "nowhere.test" in body["message"]


# -- Auth on every other call ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rest/server-hardware"),
        ("GET", "/rest/tasks"),
        ("GET", "/rest/logindomains"),
        ("GET", "/rest/ethernet-networks"),
        ("POST", "/rest/ethernet-networks"),
        ("POST", "/rest/server-profiles"),
    ],
)
def test_missing_auth_is_401_authorization(anonymous, method, path):
    reply = anonymous.request(method, path, json={})
    body = assert_error(reply, 401, "AUTHORIZATION")
    assert body["message"] == "Authorization error: User not authorized for this operation."
    assert body["details"] == "User not authorized for this operation."
    assert body["recommendedActions"] == [
        "Please verify your credentials and re-authenticate before attempting the operation again."
    ]


@pytest.mark.parametrize("token", ["", "garbage", "x" * 500])
def test_invalid_auth_is_401_authorization(anonymous, token):
    reply = anonymous.get("/rest/server-hardware", headers={"Auth": token})
    assert_error(reply, 401, "AUTHORIZATION")


@pytest.mark.parametrize("name", ["auth", "Auth", "AUTH"])
def test_auth_header_name_is_case_insensitive(api, name):
    del api.session.headers["Auth"]
    assert api.get("/rest/server-hardware", headers={name: api.token}).status_code == 200


def test_unauthorized_calls_do_not_reach_the_handler(api, anonymous):
    network = api.members("ethernet-networks")[0]
    reply = anonymous.request("DELETE", network["uri"])
    assert_error(reply, 401, "AUTHORIZATION")
    assert api.get(network["uri"]).status_code == 200


# -- /rest/sessions and idle timeout --------------------------------------------------------------


@pytest.mark.parametrize("header", ["Session-ID", "Session-Id", "session-id"])
def test_sessions_probe_with_session_id(api, anonymous, header):
    reply = anonymous.get("/rest/sessions", headers={header: api.token})
    assert reply.status_code == 200
    body = reply.json()
    assert body["username"] == "Administrator"
    assert body["sessionID"] != api.token  # never echoes the token
    # The Session model of the 1.0 REST API Reference (sessions resource).
    assert set(body) == {
        "loginDomain", "username", "clientHost", "serverHost", "userDefinedData", "sessionID",
        "loggingID", "roles",
    }  # fmt: skip
    assert body["loginDomain"] == "LOCAL" and body["clientHost"] == "127.0.0.1"


def test_sessions_probe_with_an_unknown_id_is_404(anonymous):
    reply = anonymous.get("/rest/sessions", headers={"Session-ID": "nope"})
    assert_error(reply, 404, "SESSION_NOT_FOUND")
    assert_error(anonymous.get("/rest/sessions"), 404, "SESSION_NOT_FOUND")


def test_idle_timeout_defaults_to_24_hours(api, anonymous):
    reply = anonymous.get("/rest/sessions/idle-timeout", headers={"Session-ID": api.token})
    assert reply.status_code == 200
    assert reply.json() == {"idleTimeout": 24 * 3600 * 1000}


def test_idle_timeout_can_be_shortened_per_session(api, anonymous):
    other = anonymous.post("/rest/login-sessions", json=login_body()).json()["sessionID"]
    reply = anonymous.post(
        "/rest/sessions/idle-timeout",
        json={"idleTimeout": 60_000},
        headers={"Session-ID": api.token},
    )
    assert reply.status_code == 200
    assert reply.json() == {"idleTimeout": 60_000}
    mine = anonymous.get("/rest/sessions/idle-timeout", headers={"Session-ID": api.token})
    theirs = anonymous.get("/rest/sessions/idle-timeout", headers={"Session-ID": other})
    assert mine.json() == {"idleTimeout": 60_000}
    assert theirs.json() == {"idleTimeout": 24 * 3600 * 1000}


@pytest.mark.parametrize("value", [0, -5, 24 * 3600 * 1000 + 1, "60000", 1.5, None, True])
def test_idle_timeout_must_be_a_positive_integer_up_to_24_hours(api, anonymous, value):
    reply = anonymous.post(
        "/rest/sessions/idle-timeout",
        json={"idleTimeout": value},
        headers={"Session-ID": api.token},
    )
    body = assert_error(reply, 400, "INVALID_PARAMETER")
    assert "idleTimeout" in body["message"]


def test_idle_timeout_of_an_unknown_session_is_404(anonymous):
    headers = {"Session-ID": "gone"}
    assert_error(
        anonymous.get("/rest/sessions/idle-timeout", headers=headers), 404, "SESSION_NOT_FOUND"
    )
    reply = anonymous.post(
        "/rest/sessions/idle-timeout", json={"idleTimeout": 1000}, headers=headers
    )
    assert_error(reply, 404, "SESSION_NOT_FOUND")


def test_idle_sessions_expire_with_the_clock(api, anonymous):
    real_time(api)
    advance(api, 24 * 3600 - 60)
    assert api.get("/rest/logindomains").status_code == 200  # used: its idle life restarts
    advance(api, 24 * 3600 - 60)
    assert api.get("/rest/logindomains").status_code == 200
    advance(api, 24 * 3600 + 1)
    assert_error(api.get("/rest/logindomains"), 401, "AUTHORIZATION")
    reply = anonymous.get("/rest/sessions", headers={"Session-ID": api.token})
    assert_error(reply, 404, "SESSION_NOT_FOUND")
    reply = anonymous.get("/rest/sessions/idle-timeout", headers={"Session-ID": api.token})
    assert reply.status_code == 404
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200


def test_a_short_idle_timeout_expires_the_session(api, anonymous):
    real_time(api)
    headers = {"Session-ID": api.token}
    anonymous.post("/rest/sessions/idle-timeout", json={"idleTimeout": 60_000}, headers=headers)
    advance(api, 45)
    assert api.get("/rest/server-hardware?count=1").status_code == 200
    advance(api, 45)  # 45 s since the last use
    assert api.get("/rest/server-hardware?count=1").status_code == 200
    advance(api, 61)
    assert_error(api.get("/rest/server-hardware?count=1"), 401, "AUTHORIZATION")
    assert anonymous.get("/rest/sessions", headers=headers).status_code == 404


def test_probing_the_session_does_not_extend_it(api, anonymous):
    real_time(api)
    headers = {"Session-ID": api.token}
    anonymous.post("/rest/sessions/idle-timeout", json={"idleTimeout": 60_000}, headers=headers)
    advance(api, 40)
    assert anonymous.get("/rest/sessions", headers=headers).status_code == 200
    assert anonymous.get("/rest/sessions/idle-timeout", headers=headers).status_code == 200
    advance(api, 40)  # 80 s since the last real use: probes did not count
    assert anonymous.get("/rest/sessions", headers=headers).status_code == 404
    assert_error(api.get("/rest/logindomains"), 401, "AUTHORIZATION")


def test_out_of_band_expiry_of_one_session(api, anonymous):
    other = anonymous.post("/rest/login-sessions", json=login_body()).json()["sessionID"]
    assert api.sim("POST", "actions/expire_sessions", json={"token": api.token}) == {"expired": 1}
    assert_error(api.get("/rest/server-hardware"), 401, "AUTHORIZATION")
    assert anonymous.get("/rest/server-hardware", headers={"Auth": other}).status_code == 200


# -- session limits -------------------------------------------------------------------------------


def test_total_session_limit_blocks_new_logins(simulator, anonymous):
    reconfigure(simulator, session_limit=3, session_limit_per_client=100)
    tokens = [
        anonymous.post("/rest/login-sessions", json=login_body()).json()["sessionID"]
        for _ in range(3)
    ]
    reply = anonymous.post("/rest/login-sessions", json=login_body())
    assert_error(reply, 403, "SESSION_LIMIT_EXCEEDED")
    # The sessions already open keep working.
    assert anonymous.get("/rest/logindomains", headers={"Auth": tokens[0]}).status_code == 200
    assert anonymous.delete("/rest/login-sessions", headers={"Auth": tokens[0]}).status_code == 204
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200
    assert_error(
        anonymous.post("/rest/login-sessions", json=login_body()), 403, "SESSION_LIMIT_EXCEEDED"
    )


def _can_use_second_loopback() -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.2", 0))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not _can_use_second_loopback(), reason="needs 127.0.0.2 (Linux loopback)")
def test_per_client_session_limit_only_blocks_that_client(simulator, anonymous):
    reconfigure(simulator, session_limit=100, session_limit_per_client=2)
    for _ in range(2):
        assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200
    assert_error(
        anonymous.post("/rest/login-sessions", json=login_body()), 403, "SESSION_LIMIT_EXCEEDED"
    )
    other = ApplianceClient(simulator)
    other.session.mount("https://", SourceAddressAdapter("127.0.0.2"))
    try:
        assert other.post("/rest/login-sessions", json=login_body()).status_code == 200
        assert other.post("/rest/login-sessions", json=login_body()).status_code == 200
        assert_error(
            other.post("/rest/login-sessions", json=login_body()), 403, "SESSION_LIMIT_EXCEEDED"
        )
    finally:
        other.close()
    assert anonymous.sim("GET", "stats")["activeSessions"] == 4


def test_expired_sessions_free_their_slots(simulator, anonymous):
    reconfigure(simulator, session_limit=2, session_limit_per_client=2)
    real_time(anonymous)
    for _ in range(2):
        assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 403
    advance(anonymous, 24 * 3600 + 1)
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200
    assert anonymous.sim("GET", "stats")["activeSessions"] == 1


def test_bad_credentials_are_refused_even_at_the_limit(simulator, anonymous):
    reconfigure(simulator, session_limit=1)
    assert anonymous.post("/rest/login-sessions", json=login_body()).status_code == 200
    reply = anonymous.post("/rest/login-sessions", json=login_body(password="wrong"))
    assert_error(reply, 401, "AUTHN_AUTH_FAIL")


# -- login domains --------------------------------------------------------------------------------


def test_logindomains_lists_the_directories(api):
    page = api.get("/rest/logindomains").json()
    assert page["total"] == 2
    assert {m["name"] for m in page["members"]} == {"LOCAL", "corp.example"}
    assert all(m["category"] == "logindomains" and m["eTag"] for m in page["members"])
    assert {m["type"] for m in page["members"]} == {"LoginDomainConfigVersion2Dto"}
    corp = next(m for m in page["members"] if m["name"] == "corp.example")
    assert (corp["loginDomain"], corp["authProtocol"], corp["top"]) == (
        "corp.example", "AD", "dc=corp,dc=example",
    )  # fmt: skip


def test_logindomains_needs_a_session(anonymous):
    assert_error(anonymous.get("/rest/logindomains"), 401, "AUTHORIZATION")


def test_logindomains_follow_the_configuration(simulator, anonymous):
    reconfigure(simulator, login_domains=["LOCAL", "lab.test"])
    reply = anonymous.post("/rest/login-sessions", json=login_body(authLoginDomain="lab.test"))
    assert reply.status_code == 200
    token = reply.json()["sessionID"]
    page = anonymous.get("/rest/logindomains", headers={"Auth": token}).json()
    assert {m["name"] for m in page["members"]} == {"LOCAL", "lab.test"}
    reply = anonymous.post("/rest/login-sessions", json=login_body(authLoginDomain="corp.example"))
    assert_error(reply, 401, "AUTHN_AUTH_FAIL_LOGINDOMAINNOTFOUND")


# -- eTags ----------------------------------------------------------------------------------------

# Written out here, not imported from routes.generic: the test states the contract's categories
# independently, so a category dropped from the routes fails it.
READABLE = (
    "server-hardware",
    "server-hardware-types",
    "enclosures",
    "enclosure-groups",
    "server-profile-templates",
    "server-profiles",
    "ethernet-networks",
    "network-sets",
    "connection-templates",
    "uplink-sets",
    "logical-interconnects",
    "logical-interconnect-groups",
    "interconnects",
    "fabrics",
)


# eTag form per category, as appliance bodies show them (see store.ETAG_FORMS for the sources).
ETAG_FORMS = {
    "server-hardware": r"\d{13}",
    "server-hardware-types": r"\d{13}",
    "enclosures": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
    "ethernet-networks": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "network-sets": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "interconnects": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "logical-interconnects": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "server-profiles": r"\d{13}/\d+",
    "server-profile-templates": r"\d{13}/\d+",
    "uplink-sets": r"\d{13}/\d+",
}


@pytest.mark.parametrize("category", sorted(ETAG_FORMS))
def test_etag_takes_the_form_an_appliance_shows_for_the_category(api, category):
    for member in api.members(category):
        assert re.fullmatch(ETAG_FORMS[category], member["eTag"]), (category, member["eTag"])
    if category == "enclosures":
        assert all(m["eTag"] == m["modified"] for m in api.members(category))


@pytest.mark.parametrize("category", ["server-hardware", "enclosures", "ethernet-networks"])
def test_every_change_gets_a_new_etag_even_within_a_millisecond(api, category):
    uri = api.members(category)[0]["uri"]
    seen = {api.get(uri).json()["eTag"]}
    for _ in range(5):
        seen.add(api.sim("POST", "actions/bump_etag", json={"uri": uri})["eTag"])
    assert len(seen) == 6
    assert api.get(uri).json()["eTag"] in seen


def test_collection_envelope_fields(api):
    networks = api.get("/rest/ethernet-networks").json()
    assert networks["type"] == "NetworkCollectionV3"
    # A real ethernet-networks page carries no eTag, created or modified.
    assert (networks["eTag"], networks["created"], networks["modified"]) == (None, None, None)
    servers = api.get("/rest/server-hardware").json()
    assert re.fullmatch(r"\d{13}", servers["eTag"])
    for page in (networks, servers):
        assert set(page) == {
            "type", "category", "uri", "start", "count", "total", "prevPageUri", "nextPageUri",
            "members", "eTag", "created", "modified",
        }  # fmt: skip


def test_answers_name_the_charset_like_an_appliance(api, anonymous):
    for reply in (
        anonymous.get("/rest/version"),
        api.get("/rest/server-hardware"),
        api.get(api.members("server-hardware")[0]["uri"]),
        anonymous.get("/rest/server-hardware"),
    ):
        assert reply.headers["Content-Type"] == "application/json;charset=UTF-8", reply.url


def test_every_resource_has_an_etag_and_the_etag_header(api):
    for category in READABLE:
        page = api.get(f"/rest/{category}", params={"count": -1}).json()
        assert page["members"], category
        for member in page["members"]:
            for key in ("uri", "category", "eTag", "created", "modified"):
                assert member.get(key), (category, key, member.get("uri"))
            reply = api.get(member["uri"])
            assert reply.status_code == 200
            assert reply.headers["ETag"] == f'"{member["eTag"]}"'
            assert reply.json()["eTag"] == member["eTag"]


@pytest.mark.parametrize("category", READABLE)
def test_every_resource_has_a_type(api, category):
    members = api.get(f"/rest/{category}", params={"count": -1}).json()["members"]
    assert members
    assert [m["uri"] for m in members if not m.get("type")] == []


def test_if_none_match_answers_304(api):
    server = api.members("server-hardware")[0]
    first = api.get(server["uri"])
    etag = first.headers["ETag"]
    for value in (etag, etag.strip('"')):
        reply = api.get(server["uri"], headers={"If-None-Match": value})
        assert reply.status_code == 304
        assert reply.content == b""
        assert reply.headers["ETag"] == etag


@pytest.mark.parametrize(
    "template", ['W/"{tag}"', '"other", "{tag}"', '"other",W/"{tag}"', "*"], ids=repr
)
def test_if_none_match_lists_weak_tags_and_star(api, template):
    server = api.members("server-hardware")[0]
    header = template.format(tag=server["eTag"])
    assert api.get(server["uri"], headers={"If-None-Match": header}).status_code == 304
    assert api.get(server["uri"], headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_none_match_with_an_old_etag_answers_200(api):
    network = api.members("ethernet-networks")[0]
    old = api.get(network["uri"]).headers["ETag"]
    api.sim("POST", "actions/bump_etag", json={"uri": network["uri"]})
    reply = api.get(network["uri"], headers={"If-None-Match": old})
    assert reply.status_code == 200
    assert reply.headers["ETag"] != old
    assert reply.headers["ETag"] == f'"{reply.json()["eTag"]}"'


def test_a_mutation_changes_etag_and_modified(api):
    network = api.get(api.members("ethernet-networks")[0]["uri"]).json()
    network["description"] = "changed"
    api.wait(api.put(network["uri"], json=network))
    after = api.get(network["uri"]).json()
    assert after["description"] == "changed"
    assert after["eTag"] != network["eTag"]
    assert after["modified"] >= network["modified"]
    assert after["created"] == network["created"]


def _network(api: ApplianceClient) -> dict[str, Any]:
    return api.get(api.members("ethernet-networks")[0]["uri"]).json()


def test_stale_body_etag_is_412(api):
    network = _network(api)
    api.sim("POST", "actions/bump_etag", json={"uri": network["uri"]})
    network["description"] = "lost update"
    body = assert_error(api.put(network["uri"], json=network), 412, "PRECONDITION_FAILED")
    assert network["eTag"] in body["details"]
    assert api.get(network["uri"]).json()["description"] != "lost update"


def test_stale_if_match_is_412_even_with_a_current_body_etag(api):
    network = _network(api)
    stale = f'"{network["eTag"]}"'
    api.sim("POST", "actions/bump_etag", json={"uri": network["uri"]})
    network = _network(api)
    reply = api.put(network["uri"], json=network, headers={"If-Match": stale})
    assert_error(reply, 412, "PRECONDITION_FAILED")


def test_current_if_match_header_is_accepted(api):
    network = _network(api)
    etag = api.get(network["uri"]).headers["ETag"]
    del network["eTag"]
    reply = api.put(network["uri"], json=network, headers={"If-Match": etag})
    assert api.wait(reply)["taskState"] == "Completed"


def test_if_match_star_bypasses_a_stale_etag(api):
    network = _network(api)
    api.sim("POST", "actions/bump_etag", json={"uri": network["uri"]})
    network["description"] = "forced"
    reply = api.put(network["uri"], json=network, headers={"If-Match": "*"})
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(network["uri"]).json()["description"] == "forced"


def test_no_etag_at_all_is_accepted(api):
    network = _network(api)
    api.sim("POST", "actions/bump_etag", json={"uri": network["uri"]})
    del network["eTag"]
    network["description"] = "no etag"
    reply = api.put(network["uri"], json=network)
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(network["uri"]).json()["description"] == "no etag"


@pytest.mark.parametrize(
    "category", ["server-profiles", "uplink-sets", "logical-interconnect-groups"]
)
def test_stale_etag_is_412_on_every_put(api, category):
    resource = api.get(api.members(category)[0]["uri"]).json()
    api.sim("POST", "actions/bump_etag", json={"uri": resource["uri"]})
    assert_error(api.put(resource["uri"], json=resource), 412, "PRECONDITION_FAILED")
    header = {"If-Match": f'"{resource["eTag"]}"'}
    fresh = api.get(resource["uri"]).json()
    assert_error(api.put(resource["uri"], json=fresh, headers=header), 412, "PRECONDITION_FAILED")
