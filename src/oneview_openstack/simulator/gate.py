"""Request-stage faults, applied before routing: latency, HTTP errors, broken connections and
out-of-band changes that must land just before the request is served.

It is raw ASGI so that it can drop a connection without sending any response at all.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from typing import Any

import orjson

from .errors import ApplianceError, ServiceUnavailable
from .faults import Fault
from .http import BODY_METHODS, JSON, body_resources, resource_of
from .state import SimulatorState

TRANSPORT_KEY = "oneview_sim.transport"


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class FaultGate:
    def __init__(self, app: Any, state: SimulatorState) -> None:
        self.app = app
        self.state = state
        self._jitter = random.Random(state.config.seed)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        resource = resource_of(path)
        resources: tuple[str, ...] = (resource,)
        if method in BODY_METHODS:
            raw, receive = await _buffered(receive)
            resources += body_resources(_json_or_none(raw))
        with self.state.lock:
            self.state.core.tick()
            registry = self.state.core.faults
            fired = []
            for fault in registry.take("request", method, path, resources):
                if self._apply_to_state(fault, scope, resource):
                    fired.append(fault)
                else:  # nothing to act on here: keep it armed for a request that has
                    registry.refund(fault)
        for fault in fired:
            if fault.kind == "latency":
                delay = float(fault.params.get("seconds", 0))
                delay += self._jitter.uniform(0, float(fault.params.get("jitter", 0)))
                await asyncio.sleep(delay)
            elif fault.kind in ("reset", "bad_status_line"):
                await self._break_connection(scope, fault.kind)
                return
            elif fault.kind == "http_error":
                await self._send_error(send, self._http_error(fault))
                return
            elif fault.kind == "lost_answer":
                await self.app(scope, receive, _discard)  # served: counted, applied, task started
                await self._break_connection(scope, "reset")
                return
        await self.app(scope, receive, send)

    def _apply_to_state(self, fault: Fault, scope: dict[str, Any], resource: str) -> bool:
        """Make a state fault's change; False when this request gives it nothing to act on."""
        oob = self.state.oob
        target = fault.resource or resource
        params = fault.params
        try:
            if fault.kind == "session_expired":
                return oob.expire_sessions(_header(scope, b"auth") or "") > 0
            if fault.kind == "session_limit":
                if scope["method"] != "POST" or scope["path"].rstrip("/") != "/rest/login-sessions":
                    return False
                scope["oneview_sim.session_limit"] = True
            elif fault.kind == "etag_conflict":
                oob.bump_etag(target)
            elif fault.kind == "vanish":
                oob.vanish(target)
            elif fault.kind == "power_lock":
                oob.power_lock(target, float(params.get("seconds", 30)))
            elif fault.kind == "applying_profile":
                oob.applying_profile(target, float(params.get("seconds", 60)))
            elif fault.kind == "server_taken":
                oob.take_server(target, params.get("name"))
            elif fault.kind == "api_version":
                oob.set_api_version(int(params["current_version"]))
        except ApplianceError:
            # The target is not there (already gone, or not a server): the fault has no effect.
            return False
        return True

    @staticmethod
    def _http_error(fault: Fault) -> ApplianceError:
        status = int(fault.params.get("status", 500))
        codes = {
            500: "INTERNAL_ERROR",
            503: "SERVICE_UNAVAILABLE",
            408: "REQUEST_TIMEOUT",
            409: "CONFLICT",
            502: "BAD_GATEWAY",
            504: "GATEWAY_TIMEOUT",
        }
        return ServiceUnavailable(
            fault.params.get("message", f"The appliance answered {status} (injected fault)."),
            error_code=fault.params.get("error_code", codes.get(status, "INJECTED_ERROR")),
            status=status,
            recommended_actions=["Retry the operation later."],
        )

    @staticmethod
    async def _send_error(send: Any, error: ApplianceError) -> None:
        body = orjson.dumps(error.body())
        await send(
            {
                "type": "http.response.start",
                "status": error.status,
                "headers": [
                    (b"content-type", JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _break_connection(scope: dict[str, Any], kind: str) -> None:
        transport = (scope.get("extensions") or {}).get(TRANSPORT_KEY)
        if transport is None:  # served without our protocol class: nothing to break
            return
        if kind == "bad_status_line":
            transport.write(b"HTTP/1.1 FOO Garbled status line\r\n\r\n")
            transport.close()
        else:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        for _ in range(3):  # let the server notice the disconnect before we return
            await asyncio.sleep(0)


async def _discard(_message: dict[str, Any]) -> None:
    """A ``send`` that loses the answer: what a client sees when a link drops after the work."""


async def _buffered(receive: Any) -> tuple[bytes, Any]:
    """Read the whole request body; return it and a ``receive`` that replays it to the app."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: nothing to replay
            return b"", receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> dict[str, Any]:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


def _json_or_none(raw: bytes) -> Any:
    try:
        return orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        return None  # the app answers the bad body itself
