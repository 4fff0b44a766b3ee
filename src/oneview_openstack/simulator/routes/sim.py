"""The simulator's own API under ``/_sim``: state, stats, clock, faults and out-of-band actions.

Not OneView: no session or API version needed, and these calls are not counted in the stats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import ApplianceError, BadRequest, invalid_field, not_found
from ..http import JSON, error_response, parse_body
from ..state import SimulatorState

SimHandler = Callable[[SimulatorState, Any, Request], Any]


def _number(body: dict[str, Any], name: str, default: Any = None) -> Any:
    value = body.get(name, default)
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise invalid_field(name, value, "a number")
    return value


def state_view(state: SimulatorState, _body: Any, request: Request) -> Any:
    categories = request.query_params.get("categories")
    return state.snapshot(categories.split(",") if categories else None)


def stats(state: SimulatorState, _body: Any, request: Request) -> Any:
    if request.method == "DELETE":
        state.reset_stats()
    return state.stats()


def edits(state: SimulatorState, _body: Any, request: Request) -> Any:
    if request.method == "DELETE":
        state.edits.clear()
    return {"edits": state.edits.render(request.query_params.get("uri"))}


def faults(state: SimulatorState, body: Any, request: Request) -> Any:
    registry = state.core.faults
    if request.method == "POST":
        armed = registry.arm_all(body) if isinstance(body, list) else [registry.arm(body)]
        return {"armed": [fault.describe() for fault in armed]}
    if request.method == "DELETE":
        fault_id = request.query_params.get("id")
        return {
            "cleared": registry.clear(int(fault_id) if fault_id and fault_id.isdigit() else None)
        }
    return {"faults": registry.describe(), "catalogue": registry.catalogue()}


def clock(state: SimulatorState, body: Any, request: Request) -> Any:
    core = state.core
    if request.method == "POST":
        body = body or {}
        if not isinstance(body, dict):
            raise invalid_field("(body)", body, "an object with advance and/or time_scale")
        advance, scale = _number(body, "advance"), _number(body, "time_scale")
        try:
            if scale is not None:
                core.clock.set_time_scale(float(scale))
            if advance is not None:
                core.clock.advance(float(advance))
        except ValueError as error:
            raise BadRequest(str(error), error_code="INVALID_PARAMETER") from error
        core.tick()
    return {"simulatedSeconds": core.clock.now(), "timeScale": core.clock.time_scale}


def reset(state: SimulatorState, body: Any, _request: Request) -> Any:
    body = body or {}
    seed, servers = body.get("seed"), body.get("servers")
    for name, value in (("seed", seed), ("servers", servers)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise invalid_field(name, value, "a non-negative integer")
    state.reset(seed, servers)
    return {"seed": state.config.seed, "servers": state.config.servers}


def action(state: SimulatorState, body: Any, request: Request) -> Any:
    """Out-of-band changes, now: ``POST /_sim/actions/<name>`` with a JSON body of arguments."""
    oob = state.oob
    body = body or {}
    if not isinstance(body, dict):
        raise invalid_field("(body)", body, "a JSON object of arguments")
    name = request.path_params["name"]
    uri = str(body.get("uri") or "")  # an empty URI is the store's 404, naming it
    handlers: dict[str, Callable[[], Any]] = {
        "expire_sessions": lambda: {"expired": oob.expire_sessions(body.get("token"))},
        "bump_etag": lambda: {"eTag": oob.bump_etag(uri)},
        "vanish": lambda: oob.vanish(uri),
        "power_lock": lambda: oob.power_lock(uri, float(_number(body, "seconds", 30))),
        "applying_profile": lambda: oob.applying_profile(uri, float(_number(body, "seconds", 60))),
        "take_server": lambda: {"profileUri": oob.take_server(uri, body.get("name"))["uri"]},
        "free_server": lambda: oob.free_server(uri),
        "set_power": lambda: oob.set_power(uri, body.get("powerState")),
        "set_api_version": lambda: oob.set_api_version(body.get("current_version")),
    }
    if name not in handlers:
        raise not_found(request.url.path)
    result = handlers[name]()
    return result if result is not None else {"done": name}


def boots(state: SimulatorState, _body: Any, request: Request) -> Any:
    """Every power-on and what it booted from, oldest first (``?uri=``, ``?since=<sequence>``)."""
    since = request.query_params.get("since") or "0"
    if not since.isdigit():
        raise invalid_field("since", since, "a non-negative integer (a boot's sequence)")
    return {"boots": state.boots.render(request.query_params.get("uri"), int(since))}


def conformance(_state: SimulatorState, _body: Any, request: Request) -> Any:
    """What the conformance check saw: counts per body, violations, routes with no schema."""
    checker = getattr(request.app.state, "conformance", None)
    if checker is None:
        raise BadRequest(
            "The conformance check is off on this simulator.",
            error_code="CONFORMANCE_CHECK_OFF",
            recommended_actions=[
                "Start the simulator with check_conformance = true (--check-conformance)."
            ],
        )
    if request.method == "DELETE":
        checker.clear()
    return checker.report()


def _server_uri(request: Request) -> str:
    return f"/rest/server-hardware/{request.path_params['id']}"


def os_power_off(state: SimulatorState, body: Any, request: Request) -> Any:
    """The server's OS shut it down (``{"restart": true}``: it rebooted); no OneView task."""
    body = body or {}
    restart = body.get("restart", False) if isinstance(body, dict) else body
    if not isinstance(restart, bool):
        raise invalid_field("restart", restart, "true or false")
    return state.oob.os_power_off(_server_uri(request), restart=restart)


def local_storage(state: SimulatorState, _body: Any, request: Request) -> Any:
    """``localStorageV2`` without a session: what the sandbox sizes a server's disk file by."""
    return state.hardware.local_storage(_server_uri(request))


def _wrap(handler: SimHandler) -> Callable[[Request], Any]:
    async def run(request: Request) -> Response:
        state: SimulatorState = request.app.state.sim
        try:
            raw = await request.body()
            body = parse_body(raw, request.headers.get("content-type") or "application/json")
            with state.lock:
                state.core.tick()
                result = handler(state, body, request)
            return Response(orjson.dumps(result, default=str), media_type=JSON)
        except ApplianceError as error:
            return error_response(error)

    return run


def routes() -> list[Route]:
    return [
        Route("/_sim/state", _wrap(state_view), methods=["GET"]),
        Route("/_sim/stats", _wrap(stats), methods=["GET", "DELETE"]),
        Route("/_sim/edits", _wrap(edits), methods=["GET", "DELETE"]),
        Route("/_sim/faults", _wrap(faults), methods=["GET", "POST", "DELETE"]),
        Route("/_sim/clock", _wrap(clock), methods=["GET", "POST"]),
        Route("/_sim/reset", _wrap(reset), methods=["POST"]),
        Route("/_sim/actions/{name}", _wrap(action), methods=["POST"]),
        Route("/_sim/boots", _wrap(boots), methods=["GET"]),
        Route("/_sim/conformance", _wrap(conformance), methods=["GET", "DELETE"]),
        Route("/_sim/server-hardware/{id}/os-power-off", _wrap(os_power_off), methods=["POST"]),
        Route("/_sim/server-hardware/{id}/local-storage", _wrap(local_storage), methods=["GET"]),
    ]
