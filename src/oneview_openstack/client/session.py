"""One OneView login per client, shared by every thread, renewed single-flight on 401.

Earlier drivers logged in for almost every call and filled the appliance's session table. Here the
token is created lazily on first use, replaced only when OneView rejects it, and deleted on close.
When eight threads meet an expired token at once, the first renews it and the other seven reuse
the new token: one login, not eight.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from oslo_log import log as logging

from .errors import AuthenticationError, OneViewError
from .metrics import ClientMetrics
from .settings import ClientSettings
from .transport import Transport, json_body

LOG = logging.getLogger(__name__)
LOGIN_PATH = "/rest/login-sessions"


class LoginSession:
    def __init__(
        self,
        transport: Transport,
        settings: ClientSettings,
        metrics: ClientMetrics,
        api_version: Callable[[], int],
    ) -> None:
        self._transport = transport
        self._settings = settings
        self._metrics = metrics
        self._api_version = api_version
        self._lock = threading.Lock()
        self._token: str | None = None

    def __repr__(self) -> str:  # never show the token
        state = "logged in" if self._token else "logged out"
        return f"<LoginSession {self._settings.username}@{self._settings.base_url} {state}>"

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    def token(self) -> str:
        """The current token, logging in first if there is none."""
        token = self._token
        if token is not None:
            return token
        with self._lock:
            if self._token is None:
                self._token = self._login()
            return self._token

    def renew(self, stale: str | None) -> str:
        """Replace ``stale`` after a 401, unless another thread already did."""
        with self._lock:
            if self._token is not None and self._token != stale:
                return self._token
            self._token = None
            LOG.info(
                "OneView session at %s expired or was revoked; logging in again",
                self._settings.base_url,
            )
            self._token = self._login()
            self._metrics.count("relogins")
            return self._token

    def _login(self) -> str:
        settings = self._settings
        body: dict[str, object] = {
            "userName": settings.username,
            "password": settings.password,
            "loginMsgAck": True,
        }
        if settings.login_domain:
            body["authLoginDomain"] = settings.login_domain
        try:
            # A login that may have reached OneView can be repeated: at worst one idle session.
            reply = self._transport.send(
                "POST", LOGIN_PATH, json=body, api_version=self._api_version(), retry=True
            )
        except AuthenticationError as error:
            raise error.reworded(
                f"Login to OneView at {settings.base_url} as '{settings.username}' failed: "
                f"{error.message}"
            ) from error
        body = json_body(reply, "POST", LOGIN_PATH)
        token = body.get("sessionID") if isinstance(body, dict) else None
        if not token or not isinstance(token, str):
            raise AuthenticationError(
                f"OneView at {settings.base_url} accepted the login but sent no sessionID.",
                method="POST",
                uri=LOGIN_PATH,
            )
        self._metrics.count("logins")
        LOG.debug("Logged in to OneView at %s as %s", settings.base_url, settings.username)
        return str(token)

    def logout(self) -> None:
        """Delete the session on the appliance (best effort) and forget the token."""
        with self._lock:
            token, self._token = self._token, None
        if token is None:
            return
        try:
            self._transport.send(
                "DELETE", LOGIN_PATH, token=token, api_version=self._api_version(), retry=False
            )
            self._metrics.count("logouts")
            LOG.debug("Logged out of OneView at %s", self._settings.base_url)
        except OneViewError as error:
            LOG.info(
                "Logout from OneView at %s failed (ignored): %s", self._settings.base_url, error
            )
