"""The OneView REST client: the only code in the product that speaks HTTP to OneView.

Build it with ``OneViewClient.from_conf(CONF)`` (after ``oneview_openstack.conf.register_opts``)
or ``OneViewClient(ClientSettings(...))``. Layout: ``transport`` (requests, TLS, retries),
``session`` (login), ``version`` (negotiation), ``connector`` (401/412 recovery), ``tasks``
(bounded waits), ``etag`` and ``coalesce`` (safe updates), ``resources`` (one module per family).
"""

from .errors import (
    ApiVersionError,
    AuthenticationError,
    BadRequest,
    ClientClosed,
    ConfigurationError,
    Conflict,
    Forbidden,
    ForeignOriginError,
    HTTPError,
    MalformedResponse,
    NotFound,
    OneViewConnectionError,
    OneViewError,
    PreconditionFailed,
    ServerError,
    ServiceUnavailable,
    SessionLimitReached,
    TaskError,
    TaskFailed,
    TaskTimeout,
    TLSVerificationError,
)
from .etag import UpdateResult
from .facade import OneViewClient
from .metrics import ClientMetrics
from .settings import HIGHEST_API_VERSION, MINIMUM_API_VERSION, ClientSettings

__all__ = [
    "HIGHEST_API_VERSION",
    "MINIMUM_API_VERSION",
    "ApiVersionError",
    "AuthenticationError",
    "BadRequest",
    "ClientClosed",
    "ClientMetrics",
    "ClientSettings",
    "ConfigurationError",
    "Conflict",
    "Forbidden",
    "ForeignOriginError",
    "HTTPError",
    "MalformedResponse",
    "NotFound",
    "OneViewClient",
    "OneViewConnectionError",
    "OneViewError",
    "PreconditionFailed",
    "ServerError",
    "ServiceUnavailable",
    "SessionLimitReached",
    "TLSVerificationError",
    "TaskError",
    "TaskFailed",
    "TaskTimeout",
    "UpdateResult",
]
