"""Helpers for tests and benchmarks: a simulator on a free port over HTTPS, and a plain client.

``ApplianceClient`` is deliberately naive (requests, one session, no retries): it is how tests
speak raw OneView HTTP to the simulator, independent of the product's own client.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from .config import SimulatorConfig
from .server import SimulatorServer

DEFAULT_TEST_CONFIG: dict[str, Any] = {"time_scale": 0.0005}
# OneView's ErrorMessage: exactly these fields, on every error answer.
ERROR_KEYS = frozenset(
    {"errorCode", "message", "details", "recommendedActions", "errorSource", "nestedErrors", "data"}
)


@contextlib.contextmanager
def running_simulator(
    config: SimulatorConfig | None = None, *, https: bool = True, state_dir: Path | None = None
) -> Iterator[SimulatorServer]:
    """A simulator on 127.0.0.1 and a free port, HTTPS with its own CA, stopped on exit."""
    with contextlib.ExitStack() as stack:
        if state_dir is None:
            state_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ovsim-")))
        server = SimulatorServer(
            config or SimulatorConfig(**DEFAULT_TEST_CONFIG), state_dir=state_dir, https=https
        )
        stack.enter_context(server)
        yield server


def error_of(reply: requests.Response, status: int, code: str) -> dict[str, Any]:
    """Assert that a reply is OneView's ErrorMessage with this status and errorCode."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["errorCode"] == code, body
    assert body["message"]
    assert isinstance(body["recommendedActions"], list)
    return body


def named(api: ApplianceClient, category: str, name: str) -> dict[str, Any]:
    """The one member of a collection with this name."""
    (found,) = api.members(category, filter=f"\"name='{name}'\"")
    return found


class ApplianceClient:
    """Raw HTTP to the simulator: ``get/put/post/delete`` return the ``requests`` response."""

    def __init__(self, server: SimulatorServer, api_version: int | None = 2800) -> None:
        self.base = server.url
        self._config = server.state.config
        self.session = requests.Session()
        # requests lets REQUESTS_CA_BUNDLE override a session's verify; tests must use our CA.
        self.session.trust_env = False
        self.session.verify = str(server.ca_file) if server.ca_file else True
        if api_version is not None:
            self.session.headers["X-API-Version"] = str(api_version)
        self.token: str | None = None

    def login(self, username: str | None = None, password: str | None = None) -> str:
        """Log in with the simulator's configured credentials unless others are given."""
        body = {
            "userName": username or self._config.username,
            "password": password or self._config.password,
            "loginMsgAck": True,
        }
        reply = self.post("/rest/login-sessions", json=body)
        reply.raise_for_status()
        self.token = reply.json()["sessionID"]
        self.session.headers["Auth"] = self.token
        return self.token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        return self.session.request(method, url, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def members(self, category: str, **params: Any) -> list[dict[str, Any]]:
        """Every member of a collection, following nextPageUri."""
        found: list[dict[str, Any]] = []
        page = self.get(f"/rest/{category}", params=params)
        page.raise_for_status()
        body = page.json()
        found.extend(body["members"])
        while body.get("nextPageUri"):
            body = self.get(body["nextPageUri"]).json()
            found.extend(body["members"])
        return found

    def wait(self, task_reply: requests.Response, timeout: float = 10.0) -> dict[str, Any]:
        """Poll a 202's task until it ends (real seconds; the simulator runs scaled)."""
        assert task_reply.status_code == 202, task_reply.text
        location = task_reply.headers["Location"]
        deadline = time.monotonic() + timeout
        while True:
            task = self.get(location).json()
            if task["taskState"] in (
                "Completed",
                "Error",
                "Warning",
                "Killed",
                "Terminated",
                "Interrupted",
            ):
                return task
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {location} still {task['taskState']} after {timeout} s")
            time.sleep(0.005)

    def sim(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the simulator's own ``/_sim`` API and return its JSON (raising on errors)."""
        reply = self.request(method, f"/_sim/{path}", **kwargs)
        reply.raise_for_status()
        return reply.json()

    def close(self) -> None:
        self.session.close()


def wait_until(
    condition: Any, *, timeout: float = 10.0, interval: float = 0.005, what: str = ""
) -> Any:
    """Poll ``condition()`` until it returns something truthy, and return that.

    The one way tests wait for another thread or process: never a bare sleep standing in for
    synchronisation. Raises ``AssertionError`` naming ``what`` (or the condition) on timeout; the
    timeout is a hang guard, not a speed assertion.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            name = what or getattr(condition, "__name__", repr(condition))
            raise AssertionError(f"timed out after {timeout} s waiting for {name}")
        time.sleep(interval)


def interleaved_edits(edits: list[dict[str, Any]]) -> list[str]:
    """Each place where two edits of one server profile interleaved, as a sentence.

    Over the writes that changed a profile (``changed``; synchronous refusals and tasks that
    failed at once change nothing), per profile, in arrival order, an edit interleaved when:

    * it arrived before the previous edit's task had ended (two changes in flight at once);
    * it is a PUT (a whole-body replacement) that carried no eTag, or ``*``: nothing tied it to
      the body it was computed from;
    * it is a PUT based on another eTag than the one the profile had when it arrived: it was
      computed from an older body, so the change in between may be lost. That eTag is the one
      the previous edit's task left, unless OneView changed the profile itself since (an
      out-of-band change, a template's compliance): a writer that re-read after such a change
      did nothing wrong.

    Empty: every change of every profile was computed from the profile as it then was and ran
    alone. Refused writes (412, 409) are in the record and in ``/_sim/stats`` refusals. An
    appliance that refuses stale and overlapping writes (the simulator does, as OneView) leaves
    only the eTag-less PUTs to find; the other two rules judge the appliance itself.
    """
    problems: list[str] = []
    previous: dict[str, dict[str, Any]] = {}
    for edit in sorted(edits, key=lambda e: e["seq"]):
        if not edit["changed"]:
            continue
        what = f"{edit['method']} {edit['uri']} (write {edit['seq']}, session {edit['session']})"
        last = previous.get(edit["uri"])
        if last is not None and (last["ended"] is None or edit["arrived"] < last["ended"]):
            problems.append(f"{what} arrived while write {last['seq']}'s task still ran")
        if edit["method"] == "PUT":
            if edit["sentETag"] in (None, "*"):
                problems.append(f"{what} carried no eTag ({edit['sentETag']!r})")
            elif edit["sentETag"] != edit["eTagBefore"]:
                left = f" (write {last['seq']} left {last['eTagAfter']})" if last else ""
                problems.append(
                    f"{what} was based on eTag {edit['sentETag']}, not on {edit['eTagBefore']} "
                    f"the profile had when it arrived{left}"
                )
        previous[edit["uri"]] = edit
    return problems


class Witness:
    """The simulator seen directly, independent of the product's client: its ``/_sim`` API
    (state, stats, faults, out-of-band actions) with plain requests and the simulator's CA.

    One class for every suite (client, Ironic, e2e, soak, multi-process, crash).
    """

    STATE_CATEGORIES = ("server-profiles", "uplink-sets", "ethernet-networks", "server-hardware")

    def __init__(self, url: str, ca_file: str | Path | None, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(ca_file) if ca_file else True

    @classmethod
    def of(cls, server: Any) -> Witness:
        """For a ``SimulatorServer`` or the sandbox's simulator (anything with url, ca_file)."""
        return cls(server.url, server.ca_file)

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """Any unauthenticated call by path from the root (``_sim/stats``, ``rest/version``)."""
        reply = self.http.request(
            method,
            f"{self.url}/{path.lstrip('/')}",
            json=body,
            params=params or None,
            timeout=self.timeout,
        )
        reply.raise_for_status()
        return reply.json()

    def sim(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """``/_sim/<path>``: ``sim("DELETE", "faults")``, ``sim("POST", "actions/vanish", {...})``."""
        return self(method, f"_sim/{path}", body, **params)

    def state(self, *categories: str) -> dict[str, Any]:
        wanted = categories or self.STATE_CATEGORIES
        return self.sim("GET", "state", categories=",".join(wanted))

    def stats(self) -> dict[str, Any]:
        return self.sim("GET", "stats")

    def route(self, key: str) -> int:
        """Requests served for one route, e.g. ``"PUT /rest/server-hardware/{id}/powerState"``."""
        return int(self.stats()["byRoute"].get(key, 0))

    def arm(self, kind: str, **spec: Any) -> dict[str, Any]:
        return self.sim("POST", "faults", {"kind": kind, **spec})["armed"][0]

    def action(self, name: str, **body: Any) -> Any:
        return self.sim("POST", f"actions/{name}", body)

    def edits(self, uri: str | None = None) -> list[dict[str, Any]]:
        """The profile writes since the last stats reset (``GET /_sim/edits``), oldest first."""
        found: list[dict[str, Any]] = self.sim("GET", "edits", **({"uri": uri} if uri else {}))[
            "edits"
        ]
        return found

    def boots(self, server_uri: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Every power-on (``GET /_sim/boots``): serverUri, serverName, device ("Network",
        "HardDisk", "CD", ... or "Unmanaged"), source, at, sequence; oldest first."""
        params: dict[str, Any] = {"since": since} if since else {}
        if server_uri:
            params["uri"] = server_uri
        found: list[dict[str, Any]] = self.sim("GET", "boots", **params)["boots"]
        return found

    def os_power_off(self, server_uri: str, *, restart: bool = False) -> dict[str, Any]:
        """The server's OS runs ``poweroff`` (``restart``: ``reboot``); no OneView task."""
        server_id = server_uri.rstrip("/").rsplit("/", 1)[-1]
        result: dict[str, Any] = self.sim(
            "POST", f"server-hardware/{server_id}/os-power-off", {"restart": restart}
        )
        return result

    def profiles_on(self, server_uri: str) -> list[dict[str, Any]]:
        return [
            p
            for p in self.state("server-profiles")["server-profiles"]
            if p.get("serverHardwareUri") == server_uri
        ]
