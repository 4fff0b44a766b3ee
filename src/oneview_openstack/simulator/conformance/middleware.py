"""ASGI middleware: every OneView answer the simulator sends goes to a ``Conformance`` tally.

It passes each message on at once (the client never waits for the check) and checks the answer
after the last byte went out. ``/_sim`` (the simulator's own API) is not OneView and not checked.
"""

from __future__ import annotations

from typing import Any

from .recorder import Answer, Conformance


class ConformanceMiddleware:
    def __init__(self, app: Any, conformance: Conformance, state: Any, routes: Any) -> None:
        self.app = app
        self.conformance = conformance
        self.state = state
        # The router leaves the matched endpoint in the scope: it names the route template.
        self.templates = {route.endpoint: route.path for route in routes}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if not started:  # the connection was dropped on purpose (a fault): nothing was answered
            return
        self.conformance.record(self._answer(scope, started, b"".join(chunks)))

    def _answer(self, scope: dict[str, Any], started: dict[str, Any], body: bytes) -> Answer:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in started["headers"]}
        requested = {k: v for k, v in scope.get("headers", []) if k == b"x-api-version"}
        current = self.state.core.current_version
        try:
            version = int(requested[b"x-api-version"]) if requested else current
        except ValueError:
            version = current
        if not 1 <= version <= current:  # refused with 412: the error is an appliance's current one
            version = current
        return Answer(
            method=scope["method"],
            path=scope["path"],
            template=self.templates.get(scope.get("endpoint")),
            path_params=dict(scope.get("path_params") or {}),
            status=int(started["status"]),
            headers=headers,
            body=body,
            version=version,
        )
