"""The sandbox's stand-in for Keystone in front of the Nova API (Nova 34 has no noauth2 any more).

Nova removed ``[api] auth_strategy = noauth2``; its paste pipeline now always runs keystonemiddleware.
The sandbox has no Keystone, so its ``api-paste.ini`` puts this filter where ``authtoken`` was. It
does what noauth2 did: the token ``user:project`` names the caller, the user ``admin`` gets the
admin role (and ``service``, so other services may send external events), and a request without a
token is refused. It trusts the caller completely: the Nova API it guards listens on 127.0.0.1 only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]

ADMIN_ROLES = ("admin", "member", "reader", "service")
MEMBER_ROLES = ("member", "reader")
# The headers keystonemiddleware would have set, which nova's NovaKeystoneContext reads.
IDENTITY_HEADERS = ("HTTP_X_USER_ID", "HTTP_X_USER", "HTTP_X_PROJECT_ID", "HTTP_X_TENANT_ID",
                    "HTTP_X_ROLES", "HTTP_X_IDENTITY_STATUS")  # fmt: skip


def identity(token: str) -> dict[str, str]:
    """The identity headers for ``user:project`` (project defaults to the user)."""
    user, _sep, project = token.partition(":")
    project = project or user
    roles = ADMIN_ROLES if user == "admin" else MEMBER_ROLES
    return {
        "HTTP_X_USER_ID": user,
        "HTTP_X_USER": user,
        "HTTP_X_PROJECT_ID": project,
        "HTTP_X_TENANT_ID": project,
        "HTTP_X_ROLES": ",".join(roles),
        "HTTP_X_IDENTITY_STATUS": "Confirmed",
    }


class NoAuth:
    """WSGI filter: identity headers from the token; 401 without one. Caller headers are replaced,
    never merged, so a request cannot smuggle roles past it."""

    def __init__(self, app: App) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        token = str(environ.get("HTTP_X_AUTH_TOKEN") or "").strip()
        if not token:
            body = b'{"error": {"code": 401, "message": "X-Auth-Token user:project required"}}'
            start_response(
                "401 Unauthorized",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        for header in IDENTITY_HEADERS:
            environ.pop(header, None)
        environ.update(identity(token))
        return self.app(environ, start_response)


def filter_factory(_global_conf: Mapping[str, Any], **_local_conf: Any) -> Callable[[App], NoAuth]:
    """paste.deploy's entry (``paste.filter_factory = oneview_openstack.sandbox.nova_noauth:...``)."""
    return NoAuth
