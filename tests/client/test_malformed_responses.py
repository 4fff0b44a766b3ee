"""Malformed appliance answers end in the client's own errors, never in a Python crash.

A ``requests`` adapter mounted on the client's own session plays the appliance: ``/rest/version``
and the login answer normally unless a case targets them, and one route answers whatever
hypothesis draws (empty bodies, HTML error pages, text, JSON arrays and scalars, objects with
missing or wrongly typed fields, task bodies without ``taskState``, looping ``nextPageUri``s).
Whatever comes back, the client either returns a value of the documented type or raises a
``OneViewError``; a KeyError, TypeError, ValueError or AttributeError is a bug.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from oneview_openstack.client import (
    ClientSettings,
    MalformedResponse,
    OneViewClient,
    OneViewError,
    TaskFailed,
)

URL = "https://oneview.invalid"
VERSION = {"currentVersion": 2800, "minimumVersion": 120, "type": "ApiVersion"}
SH = "/rest/server-hardware"
TASK = "/rest/tasks/T1"
Answer = tuple[int, dict[str, str], bytes]


class Appliance(BaseAdapter):
    """A scripted appliance: ``answer(method, path)`` returns (status, headers, body bytes)."""

    def __init__(self, answer: Callable[[str, str], Answer | None]) -> None:
        super().__init__()
        self.answer = answer
        self.sent: list[tuple[str, str]] = []

    def send(self, request: requests.PreparedRequest, **_kwargs: Any) -> requests.Response:
        path = request.path_url.split("?", 1)[0]
        self.sent.append((request.method or "", path))
        got = self.answer(request.method or "", request.path_url)
        if got is None:
            got = self.normal(request.method or "", path)
        status, headers, content = got
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = content
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    @staticmethod
    def normal(method: str, path: str) -> Answer:
        if path == "/rest/version":
            return ok(VERSION)
        if path == "/rest/login-sessions":
            return ok({"sessionID": "token-1"}) if method == "POST" else (204, {}, b"")
        return 404, JSON, json.dumps({"errorCode": "RESOURCE_NOT_FOUND", "message": "no"}).encode()

    def close(self) -> None:
        pass


JSON = {"Content-Type": "application/json"}


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {**JSON, **(headers or {})}, json.dumps(body).encode()


def make_client(answer: Callable[[str, str], Answer | None], **changes: Any) -> OneViewClient:
    options: dict[str, Any] = {
        "manager_url": URL,
        "username": "Administrator",
        "password": "secret-password",
        "request_retries": 1,
        "retry_wait": 0.0001,
        "retry_max_wait": 0.0001,
        "task_poll_interval": 0.0001,
        "task_poll_max_interval": 0.0001,
        "max_polling_attempts": 3,
        "task_timeout": 5.0,
        **changes,
    }
    client = OneViewClient(ClientSettings(**options))
    client.connector.transport._session.mount("https://", Appliance(answer))
    return client


# -- what a broken appliance (or whatever stands at its address) may answer --------------------
scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8)
scalars |= st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "uri",
    "name",
    "members",
    "nextPageUri",
    "total",
    "start",
    "count",
    "taskState",
    "taskErrors",
    "associatedResource",
    "errorCode",
    "message",
    "details",
    "recommendedActions",
    "nestedErrors",
    "sessionID",
    "currentVersion",
    "minimumVersion",
    "powerState",
    "eTag",
    "category",
]
known_keys = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)
json_bodies = st.one_of(
    json_values,
    known_keys,
    st.lists(known_keys, max_size=3),
    st.builds(lambda d: {**d, "taskState": "Running"}, known_keys),
    st.builds(lambda d: {**d, "category": "tasks", "uri": TASK}, known_keys),
    st.builds(
        lambda m, d: {**d, "members": m}, st.lists(known_keys | json_values, max_size=3), known_keys
    ),
)
raw_bodies = st.one_of(
    st.builds(lambda b: (JSON, json.dumps(b).encode()), json_bodies),
    st.just(({}, b"")),
    st.just((JSON, b"")),
    st.just(({"Content-Type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1></body></html>")),
    st.just(({"Content-Type": "text/html"}, b"<!DOCTYPE html><title>Maintenance</title>")),
    st.just(({"Content-Type": "text/plain"}, b"Service Temporarily Unavailable")),
    st.just((JSON, b'{"truncated": ')),
    st.just((JSON, b"NaN")),
    st.binary(max_size=16).map(lambda b: (JSON, b)),
)
statuses = st.sampled_from([200, 200, 200, 201, 202, 204, 400, 401, 404, 409, 412, 500, 503])
answers = st.tuples(statuses, raw_bodies).map(lambda a: (a[0], a[1][0], a[1][1]))


def _operations(client: OneViewClient) -> dict[str, Callable[[], Any]]:
    return {
        "version": lambda: client.api_version,
        "login": lambda: client.enclosure_groups.list(),
        "get": lambda: client.server_hardware.get("S1"),
        "list": lambda: client.server_hardware.list(),
        "page": lambda: client.server_hardware.page(),
        "power": lambda: client.server_hardware.set_power_state("S1", "On"),
        "task": lambda: client.waiter.wait(TASK),
        "update": lambda: client.uplink_sets.add_networks("U1", ["/rest/ethernet-networks/N1"]),
    }


TARGET = {
    "version": ("GET", "/rest/version"),
    "login": ("POST", "/rest/login-sessions"),
    "get": ("GET", f"{SH}/S1"),
    "list": ("GET", SH),
    "page": ("GET", SH),
    "power": ("PUT", f"{SH}/S1/powerState"),
    "task": ("GET", TASK),
    "update": ("GET", "/rest/uplink-sets/U1"),
}
CRASHES = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _run(operation: str, answer: Answer) -> None:
    method, target = TARGET[operation]

    def script(got_method: str, path_url: str) -> Answer | None:
        path = path_url.split("?", 1)[0]
        if (got_method, path) == (method, target):
            return answer
        if operation == "power" and path == TASK:
            return ok({"uri": TASK, "category": "tasks", "taskState": "Running"})
        return None

    client = make_client(script)
    try:
        result = _operations(client)[operation]()
    except OneViewError:
        return
    except CRASHES as error:  # pragma: no cover - the failure hypothesis reports
        pytest.fail(f"{operation} on {answer!r} crashed with {type(error).__name__}: {error}")
    finally:
        client.close()
    expected = {"version": int, "login": list, "list": list, "page": object}
    assert isinstance(result, expected.get(operation, dict)), (operation, result)


@pytest.mark.parametrize("operation", sorted(TARGET))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=answers)
def test_malformed_answers_raise_client_errors(operation: str, answer: Answer) -> None:
    _run(operation, answer)


# -- named cases, so the common malformations are always covered --------------------------------
HTML = ({"Content-Type": "text/html"}, b"<html><h1>502 Bad Gateway</h1></html>")


@pytest.mark.parametrize("operation", ["version", "login", "get", "list", "task"])
def test_html_page_with_200_is_a_malformed_response(operation):
    method, target = TARGET[operation]
    client = make_client(
        lambda m, p: (200, *HTML) if (m, p.split("?")[0]) == (method, target) else None
    )
    with pytest.raises(OneViewError) as caught:
        _operations(client)[operation]()
    text = str(caught.value)
    assert "text/html" in text or "currentVersion" in text
    assert "secret-password" not in text and "Bad Gateway" not in text


def test_json_array_where_an_object_is_expected():
    client = make_client(lambda m, p: ok([{"uri": f"{SH}/S1"}]) if p == f"{SH}/S1" else None)
    with pytest.raises(MalformedResponse, match="expected a JSON object, got a JSON array"):
        client.server_hardware.get("S1")


def test_html_error_page_with_an_error_status_keeps_the_status():
    client = make_client(lambda m, p: (503, *HTML) if p == f"{SH}/S1" else None)
    with pytest.raises(OneViewError) as caught:
        client.server_hardware.get("S1")
    assert caught.value.status == 503 and "502 Bad Gateway" in caught.value.message


def test_login_answer_without_session_id():
    client = make_client(lambda m, p: ok({"session": "x"}) if m == "POST" else None)
    with pytest.raises(OneViewError, match="sent no sessionID"):
        client.enclosure_groups.list()


def test_task_without_task_state_is_malformed_not_a_timeout():
    client = make_client(lambda m, p: ok({"uri": TASK, "name": "Power on"}) if p == TASK else None)
    with pytest.raises(MalformedResponse, match="no taskState"):
        client.waiter.wait(TASK)


def test_failed_task_with_odd_error_fields_still_reads():
    task = {
        "uri": TASK,
        "taskState": "Error",
        "taskErrors": [{"message": 42, "recommendedActions": "Reseat the blade."}, "junk"],
        "associatedResource": "not-an-object",
    }
    client = make_client(lambda m, p: ok(task) if p == TASK else None)
    with pytest.raises(TaskFailed) as caught:
        client.waiter.wait(TASK)
    assert "ended Error: 42" in str(caught.value)
    assert caught.value.recommended_actions == ["Reseat the blade."]


def test_next_page_uri_loop_raises_naming_the_repeated_uri():
    pages = {SH: {"members": [{"uri": "a"}], "nextPageUri": f"{SH}?start=1"}}
    pages[f"{SH}?start=1"] = {"members": [{"uri": "b"}], "nextPageUri": f"{SH}?start=1"}

    def script(method: str, path_url: str) -> Answer | None:
        key = SH if path_url.startswith(SH) and "start=1" not in path_url else path_url
        return ok(pages[key]) if key in pages else None

    client = make_client(script)
    with pytest.raises(MalformedResponse) as caught:
        client.server_hardware.list()  # never a partial inventory of ["a", "b"]
    assert f"nextPageUri '{SH}?start=1' was already followed" in str(caught.value)
    assert caught.value.error_code == "MALFORMED_RESPONSE"


def test_endless_distinct_next_pages_are_bounded(monkeypatch):
    from oneview_openstack.client import connector

    monkeypatch.setattr(connector, "MAX_PAGES", 50)

    def script(method: str, path_url: str) -> Answer | None:
        if not path_url.startswith(SH):
            return None
        page = int(path_url.rsplit("page=", 1)[1]) if "page=" in path_url else 0
        return ok({"members": [], "nextPageUri": f"{SH}?page={page + 1}"})

    client = make_client(script)
    with pytest.raises(MalformedResponse, match="more than 50 pages"):
        client.server_hardware.list()


def test_collection_without_members_is_empty():
    client = make_client(lambda m, p: ok({"total": 0}) if p.startswith(SH) else None)
    assert client.server_hardware.list() == []
