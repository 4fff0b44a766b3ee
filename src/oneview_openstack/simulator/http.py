"""The one place where HTTP meets the state: body parsing, API version and session checks,
the task-fault hook, response rendering, and the mapper from typed errors to ErrorMessage."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from .errors import (
    ApplianceError,
    BadRequest,
    InternalError,
    PreconditionFailed,
    UnsupportedMediaType,
)
from .state import CallContext, SimulatorState
from .state.sessions import Session
from .tasks import Task

LOG = logging.getLogger("oneview_simulator")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_TYPES = ("application/json", "application/json-patch+json")
# What an appliance sends (its Java stack names the charset; oneview-golang's own requests send
# "application/json; charset=utf-8", ov/auth.go). Clients must parse both forms.
JSON = "application/json;charset=UTF-8"


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """What a route handler gets: the parsed request and the state to act on."""

    state: SimulatorState
    request: Request
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    version: int
    session: Session | None

    @property
    def uri(self) -> str:
        """The resource URI the path names ('/rest/<category>/<id>')."""
        return "/".join(self.path.split("/")[:4])

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def flag(self, name: str) -> bool:
        values = self.query.get(name)
        return values is not None and bool(values) and values[-1].lower() not in ("false", "0", "")

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


def resource_of(path: str) -> str:
    parts = path.split("/")
    return "/".join(parts[:4]) if len(parts) >= 4 and parts[1] == "rest" else path


def body_resources(body: Any) -> tuple[str, ...]:
    """The server a request body is about: faults aimed at a server match requests naming it."""
    if isinstance(body, dict) and isinstance(body.get("serverHardwareUri"), str):
        return (body["serverHardwareUri"],)
    return ()


def error_response(error: ApplianceError) -> Response:
    return Response(orjson.dumps(error.body()), status_code=error.status, media_type=JSON)


def parse_body(raw: bytes, content_type: str | None) -> Any:
    if not raw.strip():
        return None
    if not content_type or content_type.split(";")[0].strip().lower() not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"The content type {content_type!r} is not supported; send application/json.",
            recommended_actions=["Set the Content-Type header to application/json and resend."],
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadRequest(
            f"The request body is not valid JSON: {error}.",
            error_code="INVALID_JSON",
            recommended_actions=["Correct the JSON syntax of the request body and resend."],
        ) from error


def api_version(request: Request, state: SimulatorState) -> int:
    current = state.core.current_version
    raw = request.headers.get("x-api-version")
    if raw is None:
        if state.config.strict_api_version_header:
            raise BadRequest(
                "The X-API-Version header is required.",
                error_code="MISSING_API_VERSION",
                recommended_actions=[f"Send X-API-Version between 1 and {current}."],
            )
        return current
    try:
        version = int(raw.strip())
    except ValueError:
        version = -1
    if not 1 <= version <= current:
        raise PreconditionFailed(
            "The specified API version is not valid.",
            error_code="INVALID_API_VERSION",
            details=(
                f"The request contained an invalid X-API-Version header of {raw}. "
                f"Only values 1 through {current} are accepted."
            ),
            recommended_actions=[f"Send an X-API-Version between 1 and {current}."],
        )
    return version


def auth_token(request: Request) -> str | None:
    return request.headers.get("auth")


def render(result: Any, call: Call) -> Response:
    core = call.state.core
    if isinstance(result, Task):
        return Response(
            orjson.dumps(core.tasks.render(result, as_submitted=True)),
            status_code=202,
            media_type=JSON,
            headers={"Location": result.uri},
        )
    if isinstance(result, Reply):
        if result.body is None:
            return Response(status_code=result.status, headers=result.headers)
        content = result.body if isinstance(result.body, bytes) else orjson.dumps(result.body)
        return Response(content, status_code=result.status, media_type=JSON, headers=result.headers)
    if result is None:
        return Response(status_code=204)
    if isinstance(result, bytes):
        return Response(result, media_type=JSON)
    return Response(orjson.dumps(result), media_type=JSON)


Handler = Callable[[Call], Any]


def endpoint(
    handler: Handler, template: str, *, auth: bool = True, versioned: bool = True
) -> Callable[[Request], Any]:
    """Wrap a route handler: count it, check version and session, run it under the state lock."""

    async def run(request: Request) -> Response:
        state: SimulatorState = request.app.state.sim
        method = request.method
        path = request.url.path
        try:
            raw = await request.body() if method in BODY_METHODS else b""
            query: dict[str, list[str]] = {}
            for key, value in request.query_params.multi_items():
                query.setdefault(key, []).append(value)
            with state.lock:
                core = state.core
                category = request.path_params.get("category")
                route = template.replace("{category}", category) if category else template
                core.requests[(method, route)] += 1
                core.tick()
                version = api_version(request, state) if versioned else core.current_version
                session = state.sessions.authenticate(auth_token(request)) if auth else None
                # Only now the body: a caller without a session learns nothing from validation.
                body = parse_body(raw, request.headers.get("content-type"))
                resources = (resource_of(path), *body_resources(body))
                task_faults = (
                    core.faults.take("task", method, path, resources)
                    if method in BODY_METHODS
                    else []
                )
                core.context = CallContext(
                    method=method,
                    path=path,
                    resources=resources,
                    user=session.user if session else "Administrator",
                    task_faults=task_faults,
                )
                call = Call(
                    state=state,
                    request=request,
                    method=method,
                    path=path,
                    params=dict(request.path_params),
                    query=query,
                    body=body,
                    version=version,
                    session=session,
                )
                try:
                    return render(handler(call), call)
                finally:
                    core.context = CallContext()
        except ApplianceError as error:
            with state.lock:
                state.core.refusals[f"{error.status} {error.error_code}"] += 1
            return error_response(error)
        except Exception:
            LOG.exception("unexpected error serving %s %s", method, path)
            return error_response(
                InternalError(
                    "An unexpected error occurred in the appliance.",
                    recommended_actions=["Retry the operation; if it persists, collect the logs."],
                )
            )

    run.__name__ = getattr(handler, "__name__", "endpoint")
    return run
