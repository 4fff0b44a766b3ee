"""One error hierarchy for everything that can go wrong talking to OneView.

Every error carries OneView's own ``errorCode``, message, details and recommended actions, plus
the request that failed, so ``str(error)`` is something an operator can act on. No error ever holds
a request header or body, which is how passwords and session tokens stay out of exception text.
"""

from __future__ import annotations

from typing import Any, TypeVar

E = TypeVar("E", bound="OneViewError")


class OneViewError(Exception):
    """Base class: ``str()`` reads ``METHOD URI: HTTP status errorCode: message ...``."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        details: str | None = None,
        recommended_actions: list[str] | None = None,
        nested_errors: list[Any] | None = None,
        status: int | None = None,
        method: str | None = None,
        uri: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.details = details or ""
        self.recommended_actions = list(recommended_actions or [])
        self.nested_errors = list(nested_errors or [])
        self.status = status
        self.method = method
        self.uri = uri

    @property
    def summary(self) -> str:
        """OneView's error without the request line: ``errorCode: message`` (for operators)."""
        text = self.message or str(self)
        return f"{self.error_code}: {text}" if self.error_code else text

    def reworded(self: E, message: str) -> E:
        """A new error of the same kind and fields with another message (raise it ``from`` self).

        Errors are never edited in place: ``args``, ``message`` and ``str()`` stay in step.
        """
        new = type(self).__new__(type(self), message)
        new.__dict__.update(self.__dict__)
        new.message = message
        return new

    def __str__(self) -> str:
        parts = []
        if self.method or self.uri:
            parts.append(f"{self.method or ''} {self.uri or ''}".strip() + ":")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code:
            parts.append(f"{self.error_code}:")
        parts.append(self.message.rstrip())
        if self.details and self.details not in self.message:
            parts.append(f"Details: {self.details.rstrip()}")
        if self.recommended_actions:
            parts.append("Recommended: " + " ".join(a.rstrip() for a in self.recommended_actions))
        return " ".join(parts)


class ConfigurationError(OneViewError):
    """The [oneview] options cannot work (missing URL or credentials, unreadable CA file)."""


class ClientClosed(OneViewError):
    """The client was closed (process shutdown); nothing more may be sent."""


class OneViewConnectionError(OneViewError):
    """No HTTP answer: refused, reset, timed out or a garbled response.

    ``sent`` is False when the connection was never established, so OneView cannot have acted.
    """

    def __init__(self, message: str, *, sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent


class TLSVerificationError(OneViewConnectionError):
    """The appliance's certificate did not verify against the configured CA."""


class ForeignOriginError(OneViewError):
    """A URI OneView handed out (redirect, task, next page) is on another origin: not followed.

    Requests, and so the session token, go only to ``manager_url``'s scheme, host and port.
    ``origin`` names the refused origin; the error never holds a header or a token.
    """

    def __init__(self, message: str, *, origin: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.origin = origin


class MalformedResponse(OneViewError):
    """OneView answered, but not in a shape this client can read (not JSON, wrong types...)."""


class ApiVersionError(OneViewError):
    """The appliance and this client share no usable API version."""


class HTTPError(OneViewError):
    """OneView answered with an error status and (usually) an ErrorMessage body."""


class BadRequest(HTTPError):
    """400: OneView refused the request's content (validation, filter, bad reference)."""


class AuthenticationError(HTTPError):
    """401 or a failed login: the credentials or the session are not accepted."""


class SessionLimitReached(AuthenticationError):
    """The appliance refuses new logins: its session limit is reached."""


class Forbidden(HTTPError):
    """403: the user lacks the privilege, or the attribute is read-only."""


class NotFound(HTTPError):
    """404: the URI does not exist (any more)."""


class Conflict(HTTPError):
    """409: the resource is in a state that forbids the change (busy, powered on...)."""


class PreconditionFailed(HTTPError):
    """412: the eTag sent is stale (or the X-API-Version is refused)."""


class ServerError(HTTPError):
    """5xx: the appliance failed; idempotent requests are retried."""


class ServiceUnavailable(ServerError):
    """503: overloaded or in maintenance."""


class TaskError(OneViewError):
    """Base class of task outcomes that are not a success."""

    def __init__(self, message: str, *, task: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.task = task if isinstance(task, dict) else {}
        self.task_uri = self.task.get("uri")
        self.task_name = self.task.get("name")
        self.task_state = self.task.get("taskState")
        self.resource_uri = _field(self.task.get("associatedResource"), "resourceUri")


class TaskFailed(TaskError):
    """The task ended Error, Killed, Terminated or Interrupted; carries OneView's taskErrors."""

    @classmethod
    def from_task(cls, task: dict[str, Any]) -> TaskFailed:
        errors = [e for e in _list(task.get("taskErrors")) if isinstance(e, dict)]
        first = errors[0] if errors else {}
        state = task.get("taskState")
        name = task.get("name") or "task"
        target = _field(task.get("associatedResource"), "resourceUri")
        what = f"OneView task '{name}' ({task.get('uri')})"
        if target:
            what += f" on {target}"
        reason = _text(first.get("message")) or _text(task.get("taskStatus")) or "no reason given"
        return cls(
            f"{what} ended {state}: {reason}",
            task=task,
            error_code=_text(first.get("errorCode")) or None,
            details=_text(first.get("details")),
            recommended_actions=[_text(a) for a in _list(first.get("recommendedActions"))],
            nested_errors=errors[1:] + _list(first.get("nestedErrors")),
        )

    @property
    def task_errors(self) -> list[dict[str, Any]]:
        return [e for e in _list(self.task.get("taskErrors")) if isinstance(e, dict)]


class TaskTimeout(TaskError):
    """The task did not end within max_polling_attempts polls or the overall timeout."""


_BY_STATUS: dict[int, type[HTTPError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    503: ServiceUnavailable,
}


def error_class(status: int, error_code: str | None) -> type[HTTPError]:
    """The class for an error status, refined by OneView's errorCode where that says more."""
    code = error_code or ""
    if code.startswith("SESSION_LIMIT") or code == "AUTHN_SESSION_CLIENT_LIMIT_CROSSED":
        return SessionLimitReached
    if code.startswith("AUTHN_"):
        return AuthenticationError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else HTTPError


def from_body(status: int, body: Any, method: str, uri: str, fallback_text: str = "") -> HTTPError:
    """Build the error for an HTTP answer from OneView's ErrorMessage body (or plain text)."""
    if not isinstance(body, dict):
        body = {}
    code = _text(body.get("errorCode")) or None
    message = (
        _text(body.get("message")) or fallback_text.strip()[:300] or f"HTTP {status} with no body"
    )
    return error_class(status, code)(
        message,
        error_code=code,
        details=_text(body.get("details")),
        recommended_actions=[_text(a) for a in _list(body.get("recommendedActions"))],
        nested_errors=_list(body.get("nestedErrors")),
        status=status,
        method=method,
        uri=uri,
    )


# Appliance answers are read defensively: a wrong type becomes text or nothing, never a crash.
def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, list | dict) and not value):
        return ""
    return str(value)


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _field(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
