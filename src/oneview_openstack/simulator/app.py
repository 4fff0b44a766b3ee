"""The ASGI application: routes over the state, the fault gate, and one error mapper."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .config import SimulatorConfig
from .conformance import Conformance, SchemaSet, default_schemas
from .conformance.middleware import ConformanceMiddleware
from .errors import ApplianceError, InternalError, MethodNotAllowed, not_found
from .gate import FaultGate
from .http import error_response
from .routes import build_routes
from .state import SimulatorState

LOG = logging.getLogger("oneview_simulator")


async def _http_exception(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    error: ApplianceError
    if status == 404:
        error = not_found(request.url.path)
    elif status == 405:
        error = MethodNotAllowed(
            f"The method {request.method} is not supported on {request.url.path}."
        )
    else:
        error = ApplianceError(str(getattr(exc, "detail", "")) or "Bad request.", status=status)
    return error_response(error)


async def _unexpected(request: Request, exc: Exception) -> Response:
    LOG.error("unexpected error serving %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(InternalError("An unexpected error occurred in the appliance."))


class TrailingSlash:
    """``/rest/server-hardware/`` is served as ``/rest/server-hardware``, as appliances do
    (python-oneviewclient asks so), instead of Starlette's redirect."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/rest/") and path.endswith("/"):
            raw = scope.get("raw_path") or path.encode()
            scope = {**scope, "path": path.rstrip("/"), "raw_path": raw.rstrip(b"/")}
        await self.app(scope, receive, send)


def create_app(config: SimulatorConfig | None = None, state: SimulatorState | None = None) -> Any:
    """An ASGI app serving one appliance; pass ``state`` to share it with a test."""
    state = state or SimulatorState(config or SimulatorConfig())
    app = Starlette(
        routes=build_routes(),
        exception_handlers={HTTPException: _http_exception, Exception: _unexpected},
    )
    app.state.sim = state
    gate = FaultGate(app, state)
    gate.state = state
    if not state.config.check_conformance:
        return TrailingSlash(gate)
    directory = state.config.conformance_schemas
    app.state.conformance = Conformance(SchemaSet(directory) if directory else default_schemas())
    # Outside the gate: the errors a fault injects are answers too.
    checked = ConformanceMiddleware(gate, app.state.conformance, state, app.routes)
    checked.state = state
    return TrailingSlash(checked)
