"""Bad input over real HTTPS: every refusal is OneView's ErrorMessage with the right status.

Malformed JSON, wrong types, unknown URIs and methods, unsupported media types, bad filters,
stale eTags and missing sessions. None of them may produce a 500 or leak a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from oneview_openstack.simulator.testing import ERROR_KEYS, ApplianceClient


def assert_error(reply: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """OneView's ErrorMessage, exactly its seven fields, with this status (and errorCode)."""
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    assert "Traceback" not in reply.text
    body = reply.json()
    assert set(body) == ERROR_KEYS
    assert isinstance(body["errorCode"], str) and body["errorCode"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], str)
    assert isinstance(body["recommendedActions"], list) and body["recommendedActions"]
    assert all(isinstance(action, str) for action in body["recommendedActions"])
    assert body["errorSource"] is None or isinstance(body["errorSource"], str)
    assert isinstance(body["nestedErrors"], list)
    assert isinstance(body["data"], dict)
    if code is not None:
        assert body["errorCode"] == code, body
    return body


def first(api: ApplianceClient, category: str, **where: Any) -> dict[str, Any]:
    for member in api.members(category):
        if all(member.get(key) == value for key, value in where.items()):
            return member
    raise AssertionError(f"no {category} with {where}")


# -- the mutating endpoints, with real ids --------------------------------------------------------

Path = Callable[[ApplianceClient], str]


def _server(api: ApplianceClient) -> str:
    return first(api, "server-hardware", powerState="Off", serverProfileUri=None)["uri"]


def _profile(api: ApplianceClient) -> str:
    return api.members("server-profiles")[0]["uri"]


def _network(api: ApplianceClient) -> str:
    return first(api, "ethernet-networks", name="Storage")["uri"]


def _uplink_set(api: ApplianceClient) -> str:
    return api.members("uplink-sets")[0]["uri"]


def _lig(api: ApplianceClient) -> str:
    return api.members("logical-interconnect-groups")[0]["uri"]


MUTATIONS: dict[str, tuple[str, Path]] = {
    "login": ("POST", lambda api: "/rest/login-sessions"),
    "idle-timeout": ("POST", lambda api: "/rest/sessions/idle-timeout"),
    "power": ("PUT", lambda api: _server(api) + "/powerState"),
    "refresh": ("PUT", lambda api: _server(api) + "/refreshState"),
    "patch-server": ("PATCH", _server),
    "create-profile": ("POST", lambda api: "/rest/server-profiles"),
    "update-profile": ("PUT", _profile),
    "patch-profile": ("PATCH", _profile),
    "create-network": ("POST", lambda api: "/rest/ethernet-networks"),
    "update-network": ("PUT", _network),
    "bulk-networks": ("POST", lambda api: "/rest/ethernet-networks/bulk"),
    "bulk-delete-networks": ("POST", lambda api: "/rest/ethernet-networks/bulk-delete"),
    "create-uplink-set": ("POST", lambda api: "/rest/uplink-sets"),
    "update-uplink-set": ("PUT", _uplink_set),
    "update-lig": ("PUT", _lig),
    "create-network-set": ("POST", lambda api: "/rest/network-sets"),
    "update-network-set": ("PUT", lambda api: api.members("network-sets")[0]["uri"]),
    "update-connection-template": (
        "PUT",
        lambda api: api.members("connection-templates")[0]["uri"],
    ),
}


def _send(api: ApplianceClient, name: str, **kwargs: Any) -> requests.Response:
    method, path = MUTATIONS[name]
    headers = kwargs.pop("headers", {})
    if name == "idle-timeout":
        headers["Session-ID"] = api.token
    return api.request(method, path(api), headers=headers, **kwargs)


@pytest.mark.parametrize("name", list(MUTATIONS))
@pytest.mark.parametrize(
    "raw",
    [b"{", b"{'single': 'quotes'}", b'{"a": 1,}', b"[1, 2", b"NaN", b"\xff\xfe", b'{"a": 1} x'],
    ids=["open", "single-quotes", "trailing-comma", "open-list", "nan", "not-utf8", "trailing"],
)
def test_malformed_json_is_400_invalid_json(api, name, raw):
    reply = _send(api, name, data=raw, headers={"Content-Type": "application/json"})
    body = assert_error(reply, 400, "INVALID_JSON")
    assert "JSON" in body["message"]


#: JSON bodies of the wrong shape: each must be a 4xx ErrorMessage (or accepted), never a 500.
WRONG_SHAPES: list[Any] = [
    None,
    [],
    [1, 2],
    "text",
    17,
    True,
    {},
    {"name": 5},
    {"name": ["x"], "vlanId": "ten", "powerState": 1, "userName": {}, "password": []},
    {"uplinkSets": "none", "networkUris": "x", "connectionSettings": []},
    {"serverHardwareUri": 5, "serverHardwareTypeUri": [], "boot": "PXE", "bootMode": 3},
    {"eTag": {"nested": True}},
    [{"op": "replace"}],
    [{"op": "replace", "path": 5, "value": None}],
    [None],
    {"idleTimeout": "soon", "refreshState": 1, "vlanIdRange": 5, "namePrefix": None},
    {"connections": [None, 5, {"networkUri": 7}]},
    {"connectionSettings": {"connections": "none"}},
    {"boot": {"order": "PXE", "manageBoot": "yes"}, "bootMode": {"mode": 5}},
    {"logicalInterconnectUri": 5, "ethernetNetworkType": [], "networkUris": [5]},
    {"networkUris": [None], "nativeNetworkUri": 5, "networkSetType": [], "networkSetUris": "x"},
    {"bandwidth": [], "connectionTemplateUri": 5, "initialScopeUris": "x"},
    {"bandwidth": {"typicalBandwidth": None, "maximumBandwidth": True}},
    {"name": "x", "vlanId": 5, "networkSetUris": [5], "bandwidth": {"typicalBandwidth": 1}},
    {"connectionSettings": {"connections": [{"lagName": [], "requestedMbps": {}}]}},
]


@pytest.mark.parametrize("name", list(MUTATIONS))
@pytest.mark.parametrize("shape", range(len(WRONG_SHAPES)))
def test_wrong_shapes_never_cause_a_500(api, name, shape):
    body = WRONG_SHAPES[shape]
    reply = _send(api, name, json=body)
    assert reply.status_code < 500, reply.text
    assert reply.status_code != 401, reply.text
    if reply.status_code >= 400:
        assert_error(reply, reply.status_code)
    else:
        assert reply.status_code in (200, 202), reply.text


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("login", {"userName": 5, "password": "x"}, "userName"),
        ("login", {"userName": "Administrator", "password": None}, "password"),
        ("login", {"userName": "a", "password": "b", "authLoginDomain": 7}, "authLoginDomain"),
        ("idle-timeout", {"idleTimeout": "60000"}, "idleTimeout"),
        ("refresh", {"refreshState": "Now"}, "refreshState"),
        ("patch-server", [{"op": "replace", "path": "/uidState", "value": 3}], "/uidState"),
        ("patch-server", [{"op": "remove", "path": "/uidState"}], "op"),
        ("create-network", {"name": "", "vlanId": 5}, "name"),
        ("create-network", {"name": "n", "vlanId": 5, "purpose": "Fun"}, "purpose"),
        ("create-network", {"name": "n", "vlanId": 5, "smartLink": "yes"}, "smartLink"),
        ("create-network", {"name": "n", "ethernetNetworkType": "Wavy"}, "ethernetNetworkType"),
        ("bulk-networks", {"namePrefix": "b", "vlanIdRange": "1-x"}, "vlanIdRange"),
        ("bulk-delete-networks", {"networkUris": "all"}, "networkUris"),
        ("create-profile", {"name": 5}, "name"),
    ],
)
def test_wrong_field_types_are_400_naming_the_field(api, name, body, field):
    reply = _send(api, name, json=body)
    error = assert_error(reply, 400)
    assert field in error["message"] + error["details"], error


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"powerState": "Sideways"}, "INVALID_POWER_CONTROL_REQUEST"),
        ({"powerState": 1}, "INVALID_POWER_CONTROL_REQUEST"),
        ({"powerState": "On", "powerControl": "Kick"}, "INVALID_POWER_CONTROL_REQUEST"),
        ({"powerState": "Off", "powerControl": "ColdBoot"}, "INVALID_POWER_CONTROL_REQUEST"),
        (
            {"powerState": "On", "powerControl": "ColdBoot"},
            "INVALID_POWER_CONTROL_REQUEST_POWER_COLDBOOT_OFF",
        ),
        (
            {"powerState": "On", "powerControl": "Reset"},
            "INVALID_POWER_CONTROL_REQUEST_POWER_RESET_OFF",
        ),
    ],
)
def test_bad_power_requests_are_400(api, body, code):
    assert_error(_send(api, "power", json=body), 400, code)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"vlanId": 0}, "CRM_VALUE_OUT_OF_RANGE"),
        ({"vlanId": 4095}, "CRM_VALUE_OUT_OF_RANGE"),
        ({"vlanId": "10"}, "CRM_VALUE_OUT_OF_RANGE"),
        ({"vlanId": None}, "CRM_MISSING_VLAN_ID_IN_NETWORK"),
        ({"name": "Storage"}, "CRM_DUPLICATE_NETWORK_NAME"),
    ],
)
def test_bad_network_values_are_400_crm_codes(api, body, code):
    network = {"name": "fresh", "vlanId": 42, "ethernetNetworkType": "Tagged", **body}
    if network["vlanId"] is None:
        del network["vlanId"]
    assert_error(api.post("/rest/ethernet-networks", json=network), 400, code)


@pytest.mark.parametrize(
    "port_id",
    [
        5,
        1.5,
        True,
        [None],
        ["Mezz 3:1-a"],
        {"a": 1},
        [],
        {},
    ],
    ids=repr,
)
@pytest.mark.parametrize("action", ["create", "update"])
def test_a_connection_port_id_of_the_wrong_type_is_400(api, action, port_id):
    if action == "create":
        server = first(api, "server-hardware", powerState="Off", serverProfileUri=None)
        template = next(
            t for t in api.members("server-profile-templates") if t["name"].startswith("ironic-EG")
        )
        body = api.get(template["uri"] + "/new-profile").json()
        body.update(name="typed", serverHardwareUri=server["uri"])
        method, uri = "POST", "/rest/server-profiles"
    else:
        body = api.get(_profile(api)).json()
        method, uri = "PUT", body["uri"]
    body["connectionSettings"]["connections"][0]["portId"] = port_id
    error = assert_error(api.request(method, uri, json=body), 400)
    assert "portId" in error["message"] + error["details"]


def test_a_body_uri_to_a_missing_resource_is_400_not_404(api):
    body = {
        "name": "orphan",
        "serverHardwareUri": "/rest/server-hardware/00000000-0000-0000-0000-000000000000",
    }
    error = assert_error(api.post("/rest/server-profiles", json=body), 400, "RESOURCE_NOT_FOUND")
    assert "serverHardwareUri" in error["message"]


# -- unknown URIs and methods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/rest/no-such-category",
        "/rest/no-such-category/123",
        "/rest/server-hardware/00000000-0000-0000-0000-000000000000",
        "/rest/server-profiles/not-a-uuid",
        "/rest/tasks/00000000-0000-4000-A000-000000000000",
        "/rest/server-hardware/00000000-0000-0000-0000-000000000000/remoteConsoleUrl",
        "/rest/ethernet-networks/x/associatedProfiles",
        "/rest/server-profile-templates/x/new-profile",
        "/rest/a/b/c/d/e",
        "/rest",
        "/rest/",
        "/",
        "/nothing/here",
        "/rest/server-hardware/%00",
        "/rest/login-sessions/extra",
        "/rest/logindomains/LOCAL/x",
    ],
)
def test_unknown_uris_are_404_resource_not_found(api, path):
    body = assert_error(api.get(path), 404, "RESOURCE_NOT_FOUND")
    assert "could not be found" in body["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/rest/server-hardware/00000000-0000-0000-0000-000000000000/powerState"),
        ("DELETE", "/rest/server-profiles/00000000-0000-0000-0000-000000000000"),
        ("PUT", "/rest/ethernet-networks/00000000-0000-0000-0000-000000000000"),
        ("DELETE", "/rest/uplink-sets/00000000-0000-0000-0000-000000000000"),
        ("PUT", "/rest/logical-interconnect-groups/00000000-0000-0000-0000-000000000000"),
        ("PATCH", "/rest/server-hardware/00000000-0000-0000-0000-000000000000"),
    ],
)
def test_mutating_an_unknown_resource_is_404(api, method, path):
    body = {"powerState": "On"} if path.endswith("powerState") else {}
    if method == "PATCH":
        body = [{"op": "replace", "path": "/uidState", "value": "On"}]
    assert_error(api.request(method, path, json=body), 404, "RESOURCE_NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/rest/server-hardware"),
        ("POST", "/rest/server-hardware-types"),
        ("PUT", "/rest/server-hardware"),
        ("POST", "/rest/tasks"),
        ("DELETE", "/rest/tasks"),
        ("PATCH", "/rest/version"),
        ("POST", "/rest/version"),
        ("PATCH", "/rest/login-sessions"),
        ("DELETE", "/rest/logindomains"),
        ("OPTIONS", "/rest/server-hardware"),
        ("TRACE", "/rest/server-profiles"),
    ],
)
def test_unsupported_methods_are_405(api, method, path):
    body = assert_error(api.request(method, path), 405, "METHOD_NOT_ALLOWED")
    assert method in body["message"]


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
def test_unsupported_methods_on_a_resource_are_405(api, method):
    server = api.members("server-hardware")[0]["uri"]
    path = server if method != "PATCH" else api.members("server-hardware-types")[0]["uri"]
    assert_error(api.request(method, path, json={}), 405, "METHOD_NOT_ALLOWED")


# -- content types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data"],
)
@pytest.mark.parametrize("name", ["login", "create-network", "power", "update-profile"])
def test_unsupported_content_type_is_415(api, name, content_type):
    reply = _send(api, name, data=b'{"name": "x"}', headers={"Content-Type": content_type})
    body = assert_error(reply, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in body["recommendedActions"][0]


def test_a_body_without_content_type_is_415(api):
    network = api.get(_network(api)).json()
    reply = api.put(network["uri"], data=b'{"name": "x"}', headers={"Content-Type": None})
    assert_error(reply, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"],
)
def test_json_content_types_are_accepted(anonymous, content_type):
    raw = b'{"userName": "Administrator", "password": "oneview-sim"}'
    reply = anonymous.post("/rest/login-sessions", data=raw, headers={"Content-Type": content_type})
    assert reply.status_code == 200, reply.text


def test_json_patch_content_type_is_accepted_for_patch(api):
    profile = api.members("server-profiles")[0]
    server = profile["serverHardwareUri"]
    reply = api.patch(
        server,
        data=b'[{"op": "replace", "path": "/uidState", "value": "Blink"}]',
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(server).json()["uidState"] == "Blink"


def test_an_empty_body_needs_no_content_type(api):
    """hpeOneView's session re-use is a PUT with no body at all."""
    reply = api.put("/rest/login-sessions", headers={"Content-Type": None})
    assert reply.status_code == 200


# -- query parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"filter": '"name=\'unterminated"'}, "INVALID_FILTER"),
        ({"filter": "\"=== 'x'\""}, "INVALID_FILTER"),
        ({"filter": '"name IS maybe"'}, "INVALID_FILTER"),
        ({"filter": "\"name='a' OR\""}, "INVALID_FILTER"),
        ({"filter": "\"name IN 'a'\""}, "INVALID_FILTER"),
        ({"filter": "\"name eq 'a')\""}, "INVALID_FILTER"),
        ({"filter": "\"name ~ 'a'\""}, "INVALID_FILTER"),
        ({"filter": "(" * 5000}, "INVALID_FILTER"),
        ({"query": "NOT"}, "INVALID_FILTER"),
        ({"sort": "name:up"}, "INVALID_FILTER"),
        ({"sort": "na me"}, "INVALID_FILTER"),
        ({"start": "-3"}, "INVALID_PARAMETER"),
        ({"count": "all"}, "INVALID_PARAMETER"),
        ({"count": "99999999999999999999999"}, None),
    ],
)
def test_bad_query_parameters_are_400(api, params, code):
    for category in ("server-hardware", "server-profiles", "tasks"):
        reply = api.get(f"/rest/{category}", params=params)
        if code is None:  # a huge count is capped, not an error
            assert reply.status_code == 200, reply.text
        else:
            assert_error(reply, 400, code)


def test_bad_filter_on_bulk_profile_delete_is_400(api):
    reply = api.delete("/rest/server-profiles", params={"filter": '"name="'})
    assert_error(reply, 400, "INVALID_FILTER")
    reply = api.delete("/rest/server-profiles")
    assert_error(reply, 400, "INVALID_FILTER")
    assert api.get("/rest/server-profiles").json()["total"] == 1


# -- eTags ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["update-profile", "update-network", "update-uplink-set", "update-lig"]
)
def test_stale_etag_is_412_and_missing_etag_is_accepted(api, name):
    uri = MUTATIONS[name][1](api)
    resource = api.get(uri).json()
    stale = dict(resource)
    api.sim("POST", "actions/bump_etag", json={"uri": uri})
    body = assert_error(api.put(uri, json=stale), 412, "PRECONDITION_FAILED")
    assert stale["eTag"] in body["details"]
    assert_error(api.put(uri, json=resource, headers={"If-Match": "bogus"}), 412)
    del resource["eTag"]
    reply = api.put(uri, json=resource)
    assert reply.status_code == 202, reply.text
    assert api.wait(reply)["taskState"] == "Completed"


@pytest.mark.parametrize("etag", [5, 1.5, True, ["x"], {"a": 1}])
def test_an_etag_of_the_wrong_type_is_a_precondition_failure(api, etag):
    network = api.get(_network(api)).json()
    network["eTag"] = etag
    reply = api.put(network["uri"], json=network)
    assert reply.status_code in (400, 412), reply.text
    assert_error(reply, reply.status_code)


# -- sessions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in MUTATIONS if n not in ("login", "idle-timeout")])
def test_missing_auth_is_401_before_any_validation(anonymous, api, name):
    method, path = MUTATIONS[name]
    reply = anonymous.request(method, path(api), data=b"{broken")
    assert_error(reply, 401, "AUTHORIZATION")


def test_garbage_headers_do_not_break_anything(api):
    headers = {
        "Auth": api.token,
        "X-API-Version": "2800",
        "If-None-Match": 'W/"not-an-etag"',
        "Accept": "text/html",
        "Accept-Language": "xx",
    }
    server = api.members("server-hardware")[0]["uri"]
    reply = api.get(server, headers=headers)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/rest/server-hardware", "/rest/login-sessions"])
def test_a_huge_body_is_handled(api, path):
    raw = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    reply = api.post(path, data=raw, headers={"Content-Type": "application/json"})
    assert reply.status_code in (400, 401, 405, 413), reply.text[:200]
    assert_error(reply, reply.status_code)


def test_deeply_nested_json_is_400_not_500(api):
    raw = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    reply = api.post(
        "/rest/ethernet-networks", data=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(reply, 400)
