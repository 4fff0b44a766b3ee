"""The session token goes to the appliance's origin only (review R3).

The simulator never redirects nor hands out foreign URIs, so two stub HTTP servers on 127.0.0.1
play the parts: a scripted appliance (which logs in like OneView and answers the route a test
scripts) and a foreign origin that records every request it receives, headers included. Every test
asserts that the foreign origin saw no request, and its fixture fails any test after which the
foreign origin holds a request carrying the token.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from oneview_openstack.client import (
    ClientSettings,
    ForeignOriginError,
    OneViewClient,
)
from oneview_openstack.client.origin import Origin, origin_of

TOKEN = "STUB-SESSION-TOKEN-3f1c9a"  # the value whose travels are watched
Answer = tuple[int, dict[str, str], Any]


class Stub(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records requests and answers from ``script``."""

    daemon_threads = True

    def __init__(self, name: str, script: Callable[[str, str], Answer | None]) -> None:
        self.name = name
        self.script = script
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(10)
        assert not self.thread.is_alive()

    def carrying_the_token(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, h in self.requests if any(TOKEN in v for v in h.values())]


class _Handler(BaseHTTPRequestHandler):
    server: Stub

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        headers = dict(self.headers.items())
        self.server.requests.append((self.command, self.path, headers))
        status, extra, body = self.server.script(self.command, self.path) or _appliance(
            self.command, self.path
        )
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **extra}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, *_args: Any) -> None:
        pass


def _appliance(method: str, path: str) -> Answer:
    """What OneView answers to what every client sends first: version, login, logout."""
    if path == "/rest/version":
        return 200, {}, {"currentVersion": 2800, "minimumVersion": 120}
    if path == "/rest/login-sessions":
        return (200, {}, {"sessionID": TOKEN}) if method == "POST" else (204, {}, None)
    # Whatever the foreign origin is asked, it answers as if it were the appliance: a client
    # that followed it would succeed, so only the origin check can make these tests pass.
    if path.startswith("/rest/tasks/"):
        return 200, {}, {"uri": path, "category": "tasks", "taskState": "Completed"}
    return 200, {}, {"uri": path, "members": [], "powerState": "On"}


@pytest.fixture
def foreign() -> Iterator[Stub]:
    stub = Stub("foreign", lambda _m, _p: None)
    yield stub
    stub.stop()
    assert stub.carrying_the_token() == [], "the session token reached another origin"


@pytest.fixture
def appliance() -> Iterator[Callable[[Callable[[str, str], Answer | None]], Stub]]:
    made: list[Stub] = []

    def make(script: Callable[[str, str], Answer | None]) -> Stub:
        made.append(Stub("appliance", script))
        return made[-1]

    yield make
    for stub in made:
        stub.stop()


@pytest.fixture
def connect() -> Iterator[Callable[[Stub], OneViewClient]]:
    made: list[OneViewClient] = []

    def make(stub: Stub) -> OneViewClient:
        settings = ClientSettings(
            manager_url=stub.url,
            username="Administrator",
            password="stub-password",
            allow_insecure_connections=True,  # plain http on loopback
            task_poll_interval=0.001,
            task_poll_max_interval=0.001,
            request_retries=0,
        )
        made.append(OneViewClient(settings))
        return made[-1]

    yield make
    for client in made:
        client.close()


def _refused(caught: pytest.ExceptionInfo[ForeignOriginError], foreign: Stub) -> str:
    error = caught.value
    text = str(error)
    assert error.origin == f"http://127.0.0.1:{foreign.server_address[1]}"
    assert error.origin in text and error.error_code == "FOREIGN_ORIGIN"
    assert TOKEN not in text and TOKEN not in repr(error.args)
    return text


# -- (a) a redirect to another origin ---------------------------------------------------------
def test_get_redirected_to_another_origin_is_refused(appliance, foreign, connect):
    stolen = f"{foreign.url}/rest/server-hardware/S1"
    stub = appliance(
        lambda m, p: (302, {"Location": stolen}, None) if p == "/rest/server-hardware/S1" else None
    )
    client = connect(stub)
    with pytest.raises(ForeignOriginError) as caught:
        client.server_hardware.get("S1")
    text = _refused(caught, foreign)
    assert "redirected GET /rest/server-hardware/S1" in text and "not followed" in text
    assert foreign.requests == [] and foreign.carrying_the_token() == []
    assert ("GET", "/rest/server-hardware/S1") in [(m, p) for m, p, _ in stub.requests]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_write_redirected_to_another_origin_is_refused(appliance, foreign, connect, status):
    moved = f"{foreign.url}/rest/server-hardware/S1/powerState"
    stub = appliance(lambda m, p: (status, {"Location": moved}, None) if m == "PUT" else None)
    with pytest.raises(ForeignOriginError) as caught:
        connect(stub).server_hardware.set_power_state("S1", "On")
    _refused(caught, foreign)
    assert foreign.requests == []


def test_same_origin_redirect_is_still_followed(appliance, foreign, connect):
    def script(method: str, path: str) -> Answer | None:
        if path == "/rest/server-hardware/S1":
            return 301, {"Location": "/rest/server-hardware/S2"}, None
        if path == "/rest/server-hardware/S2":
            return 200, {}, {"uri": path, "powerState": "Off"}
        return None

    stub = appliance(script)
    client = connect(stub)
    assert client.server_hardware.get("S1")["uri"] == "/rest/server-hardware/S2"
    followed = [h.get("Auth") for m, p, h in stub.requests if p == "/rest/server-hardware/S2"]
    assert followed == [TOKEN]  # the appliance itself still gets the token
    assert client.metrics.requests("GET /rest/server-hardware/{id}") == 2


def test_redirect_to_another_port_or_scheme_of_the_same_host_is_refused(appliance, connect):
    for target in ("http://127.0.0.1:1/rest/x", "https://127.0.0.1/rest/x", "//localhost/x"):
        stub = appliance(
            lambda m, p, t=target: (302, {"Location": t}, None) if p == "/rest/x" else None
        )
        with pytest.raises(ForeignOriginError):
            connect(stub).request("GET", "/rest/x")


# -- (b) a task handed out on another origin --------------------------------------------------
def test_task_location_on_another_origin_is_refused(appliance, foreign, connect):
    task = f"{foreign.url}/rest/tasks/T1"
    stub = appliance(lambda m, p: (202, {"Location": task}, None) if m == "PUT" else None)
    with pytest.raises(ForeignOriginError) as caught:
        connect(stub).server_hardware.set_power_state("S1", "On")
    assert "/rest/tasks/T1" in _refused(caught, foreign)
    assert foreign.requests == []


def test_task_body_uri_on_another_origin_is_refused(appliance, foreign, connect):
    body = {"category": "tasks", "uri": f"{foreign.url}/rest/tasks/T2", "taskState": "Running"}
    stub = appliance(lambda m, p: (202, {}, body) if m == "PUT" else None)
    client = connect(stub)
    with pytest.raises(ForeignOriginError) as caught:
        client.server_hardware.set_power_state("S1", "On")
    _refused(caught, foreign)
    with pytest.raises(ForeignOriginError):
        client.tasks.wait(body["uri"])
    assert foreign.requests == []


def test_task_uri_on_the_appliance_origin_is_followed(appliance, foreign, connect):
    stub = appliance(lambda m, p: None)
    body = {"category": "tasks", "uri": f"{stub.url}/rest/tasks/T3", "taskState": "Running"}
    stub.script = lambda m, p: (202, {}, body) if m == "PUT" else None
    task = connect(stub).server_hardware.set_power_state("S1", "On")
    assert task["taskState"] == "Completed" and task["uri"] == "/rest/tasks/T3"
    assert foreign.requests == []


# -- (c) a next page on another origin --------------------------------------------------------
def test_next_page_on_another_origin_is_refused(appliance, foreign, connect):
    first = {"members": [{"uri": "/rest/ethernet-networks/N1"}]}
    first["nextPageUri"] = f"{foreign.url}/rest/ethernet-networks?start=1&count=1"
    stub = appliance(lambda m, p: (200, {}, first) if p.startswith("/rest/ethernet-net") else None)
    with pytest.raises(ForeignOriginError) as caught:
        connect(stub).ethernet_networks.list()
    _refused(caught, foreign)
    assert foreign.requests == []


def test_next_page_on_the_appliance_origin_is_followed(appliance, connect):
    stub = appliance(lambda m, p: None)
    pages = {
        "/rest/ethernet-networks?start=0&count=-1": {
            "members": [{"uri": "/rest/ethernet-networks/N1"}],
            "nextPageUri": f"{stub.url}/rest/ethernet-networks?start=1&count=1",
        },
        "/rest/ethernet-networks?start=1&count=1": {
            "members": [{"uri": "/rest/ethernet-networks/N2"}],
        },
    }
    stub.script = lambda m, p: (200, {}, pages[p]) if p in pages else None
    got = connect(stub).ethernet_networks.list()
    assert [n["uri"] for n in got] == ["/rest/ethernet-networks/N1", "/rest/ethernet-networks/N2"]


# -- the rule itself --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("/rest/tasks/T1", "/rest/tasks/T1"),
        ("rest/tasks/T1", "/rest/tasks/T1"),
        ("https://ov.example/rest/tasks/T1?x=1", "/rest/tasks/T1?x=1"),
        ("HTTPS://OV.EXAMPLE:443/rest/tasks/T1", "/rest/tasks/T1"),
    ],
)
def test_relative_and_same_origin_uris_are_paths_on_the_appliance(uri, path):
    assert Origin("https://ov.example").path_of(uri) == path


@pytest.mark.parametrize(
    ("uri", "origin"),
    [
        ("https://evil.example/rest/tasks/T1", "https://evil.example:443"),
        ("http://ov.example/rest/tasks/T1", "http://ov.example:80"),
        ("https://ov.example:8443/rest/tasks/T1", "https://ov.example:8443"),
        ("//evil.example/rest/tasks/T1", "https://evil.example:443"),
        ("https://ov.example@evil.example/rest", "https://evil.example:443"),
        ("https://ov.example.evil.example/rest", "https://ov.example.evil.example:443"),
    ],
)
def test_other_origins_are_refused_by_name(uri, origin):
    with pytest.raises(ForeignOriginError) as caught:
        Origin("https://ov.example").path_of(uri)
    assert caught.value.origin == origin and origin in str(caught.value)


def test_origin_of_normalises_case_and_default_ports():
    assert origin_of("HTTPS://OV.example/rest") == origin_of("https://ov.example:443") is not None
    assert origin_of("ftp://ov.example") is None
