"""Field counts per schema and API version: what the schema documents, what the simulator serves.

"Fields" are distinct paths (``portMap.deviceSlots[].physicalPorts[].mac``; array members
collapse to ``[]``), the measure of /work/notes/count_fields.py, so the numbers compare with
the issue's "before" counts. Served paths come from walking an in-process simulator (the same
walk as tests/simulator/test_conformance.py), every member of every collection included.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..config import SimulatorConfig
from ..routes import build_routes
from ..routes.generic import READABLE
from ..state import SimulatorState
from .mapping import target_for
from .schemas import SchemaSet
from .walk import get_routes, walk

Counts = dict[str, dict[int, dict[str, dict[str, int]]]]


def body_paths(value: Any, prefix: str = "", out: set[str] | None = None) -> set[str]:
    """Every field path of a JSON body."""
    out = set() if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            body_paths(item, path, out)
    elif isinstance(value, list):
        for item in value:
            body_paths(item, f"{prefix}[]", out)
    return out


def schema_paths(
    schema: Any, prefix: str = "", out: set[str] | None = None, depth: int = 0
) -> set[str]:
    """Every field path an (inlined) schema declares, through arrays and alternatives."""
    out = set() if out is None else out
    if not isinstance(schema, dict) or depth > 40:
        return out
    for key, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}.{key}" if prefix else key
        out.add(path)
        schema_paths(sub, path, out, depth + 1)
    for keyword in ("items", "additionalProperties"):
        sub = schema.get(keyword)
        if isinstance(sub, dict) and keyword == "items":
            schema_paths(sub, f"{prefix}[]", out, depth + 1)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(keyword) or []:
            schema_paths(sub, prefix, out, depth + 1)
    for sub in schema.get("prefixItems") or []:
        schema_paths(sub, f"{prefix}[]", out, depth + 1)
    return out


def _top(paths: set[str]) -> int:
    return sum(1 for p in paths if "." not in p and "[" not in p)


class InProcessClient:
    """The walker's client on the ASGI app itself: no sockets, no TLS."""

    def __init__(self, app: Any, state: SimulatorState, version: int) -> None:
        self.app, self.state, self.version = app, state, version
        self.token: str | None = None
        self.bodies: list[
            tuple[str, str, int, Any]
        ] = []  # method, template-less path, status, body

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, raw = asyncio.run(self._send(method, path, body))
        parsed = orjson.loads(raw) if raw else None
        self.bodies.append((method, path, status, parsed))
        return status, parsed

    def login(self) -> int:
        config = self.state.config
        body = {"userName": config.username, "password": config.password}
        status, answer = self.call("POST", "/rest/login-sessions", body)
        self.token = answer["sessionID"]
        return status

    def settle(self) -> None:
        with self.state.lock:
            self.state.core.clock.advance(10_000)
            self.state.core.tick()

    async def _send(self, method: str, path: str, body: Any) -> tuple[int, bytes]:
        url = urlsplit(path)
        headers = [
            (b"x-api-version", str(self.version).encode()),
            (b"content-type", b"application/json"),
        ]
        if self.token:
            headers.append((b"auth", self.token.encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "https",
            "path": url.path,
            "raw_path": url.path.encode(),
            "query_string": url.query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 443),
        }
        payload = orjson.dumps(body) if body is not None else b""
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def served_paths(versions: list[int], servers: int = 16) -> dict[tuple[str, int], set[str]]:
    """(schema name, version) -> every field path the simulator served on the walk."""
    from ..app import create_app  # the app imports the checker: import it only when walking

    state = SimulatorState(SimulatorConfig(time_scale=0.0005, servers=servers))
    app = create_app(state=state)
    routes = build_routes()
    templates = get_routes(routes)
    matchers = [(route, route.path) for route in routes]
    served: dict[tuple[str, int], set[str]] = defaultdict(set)
    for version in versions:
        with state.lock:
            state.reset()
        client = InProcessClient(app, state, version)
        walk(client, templates, READABLE, str(version))
        for method, path, status, body in client.bodies:
            template, params = _match(matchers, method, path)
            target = target_for(method, template, path, status, params)
            if target is None or body is None:
                continue
            envelope = body
            if target.members and isinstance(body, dict):
                envelope = {**body, "members": []}
            body_paths(envelope, "", served[(target.body, version)])
            if target.members and isinstance(body, dict):
                for member in body.get("members") or []:
                    body_paths(member, "", served[(target.members, version)])
    return served


def _match(
    matchers: list[tuple[Any, str]], method: str, path: str
) -> tuple[str | None, dict[str, str]]:
    from starlette.routing import Match

    scope = {"type": "http", "method": method, "path": urlsplit(path).path}
    for route, template in matchers:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return template, child.get("path_params", {})
    return None, {}


def counts(versions: list[int], schemas: SchemaSet | None = None) -> Counts:
    """name -> version -> {"documented": {top, all}, "served": {top, all, undocumented}}."""
    schemas = schemas or SchemaSet()
    served = served_paths(versions)
    names = sorted({name for name, _v in served} | set(schemas.names()))
    result: Counts = {}
    for name in names:
        for version in versions:
            documented: set[str] = set()
            if schemas.has(name):
                documented = schema_paths(schemas.for_version(version)[0][name])
            got = served.get((name, version), set())
            result.setdefault(name, {})[version] = {
                "documented": {"top": _top(documented), "all": len(documented)},
                "served": {
                    "top": _top(got),
                    "all": len(got),
                    "undocumented": len(got - documented),
                },
            }
    return result
