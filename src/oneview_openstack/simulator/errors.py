"""Typed appliance errors; the app renders every one of them as OneView's ErrorMessage body.

Routes and the state layer raise these; exactly one mapper (``app.error_response``) turns them into
HTTP, so no path can answer with a traceback.
"""

from __future__ import annotations

from typing import Any

VERIFY_PARAMETERS = "Verify parameters and try again."


class ApplianceError(Exception):
    """A OneView ErrorMessage with its HTTP status."""

    status = 400
    error_code = "INVALID_REQUEST"

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        status: int | None = None,
        details: str = "",
        recommended_actions: list[str] | None = None,
        error_source: str | None = None,
        nested_errors: list[dict[str, Any]] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if error_code is not None:
            self.error_code = error_code
        if status is not None:
            self.status = status
        self.details = details
        self.recommended_actions = recommended_actions or [VERIFY_PARAMETERS]
        self.error_source = error_source
        self.nested_errors = nested_errors or []
        self.data = data or {}

    def body(self) -> dict[str, Any]:
        return {
            "errorCode": self.error_code,
            "message": self.message,
            "details": self.details,
            "recommendedActions": self.recommended_actions,
            "errorSource": self.error_source,
            "nestedErrors": self.nested_errors,
            "data": self.data,
        }


class BadRequest(ApplianceError):
    status = 400


class Unauthorized(ApplianceError):
    status = 401
    error_code = "AUTHORIZATION"


class Forbidden(ApplianceError):
    status = 403
    error_code = "ACTION_FORBIDDEN_BY_ROLE"


class NotFound(ApplianceError):
    status = 404
    error_code = "RESOURCE_NOT_FOUND"


class MethodNotAllowed(ApplianceError):
    status = 405
    error_code = "METHOD_NOT_ALLOWED"


class Conflict(ApplianceError):
    status = 409
    error_code = "CONFLICT"


class PreconditionFailed(ApplianceError):
    status = 412
    error_code = "PRECONDITION_FAILED"


class UnsupportedMediaType(ApplianceError):
    status = 415
    error_code = "UNSUPPORTED_MEDIA_TYPE"


class InternalError(ApplianceError):
    status = 500
    error_code = "INTERNAL_ERROR"


class ServiceUnavailable(ApplianceError):
    status = 503
    error_code = "SERVICE_UNAVAILABLE"


def not_found(uri: str) -> NotFound:
    """OneView's wording for a URI that does not exist."""
    return NotFound(
        f"The requested resource '{uri}' could not be found. "
        "Check the request URI, then resend the request.",
        recommended_actions=["Check the request URI, then resend the request."],
    )


def missing_reference(field: str, uri: str) -> BadRequest:
    """A body that points at a missing resource is a 400, not a 404 (contract §3)."""
    return BadRequest(
        f"The resource '{uri}' referenced by '{field}' could not be found.",
        error_code="RESOURCE_NOT_FOUND",
        details=f"{field}={uri}",
    )


def invalid_field(field: str, value: Any, expected: str) -> BadRequest:
    return BadRequest(
        f"The value {value!r} of '{field}' is not valid: expected {expected}.",
        error_code="INVALID_PARAMETER",
        details=f"{field}={value!r}",
    )
