"""Login sessions: credentials, re-use, logout, idle expiry and the appliance's session limits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from .. import session_shapes
from ..errors import ApplianceError, BadRequest, Forbidden, NotFound, Unauthorized
from .core import Core

_AUTH_FAIL = (
    "Invalid username or password or directory. Enter correct credentials and try again. "
    "To obtain a username or password, contact your security administrator."
)


@dataclass
class Session:
    token: str
    user: str
    domain: str
    client: str
    created: float
    last_used: float
    idle_timeout: float
    expired: bool = False
    number: int = 0  # the n-th login since start: names the session in audits without its token


def unauthorized() -> Unauthorized:
    return Unauthorized(
        "Authorization error: User not authorized for this operation.",
        details="User not authorized for this operation.",
        recommended_actions=[
            "Please verify your credentials and re-authenticate before attempting the operation again."
        ],
    )


class Sessions:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._sessions: dict[str, Session] = {}
        self._logins = 0

    def _alive(self, session: Session | None) -> bool:
        if session is None or session.expired:
            return False
        if self._core.clock.now() - session.last_used > session.idle_timeout:
            session.expired = True
            return False
        return True

    def _prune(self) -> None:
        for token in [t for t, s in self._sessions.items() if not self._alive(s)]:
            del self._sessions[token]

    def active(self) -> list[Session]:
        self._prune()
        return list(self._sessions.values())

    def login(self, body: Any, client: str) -> dict[str, str]:
        config = self._core.config
        if not isinstance(body, dict):
            raise BadRequest(
                "The login request body must be a JSON object.", error_code="INVALID_JSON"
            )
        fields = {
            "userName": body.get("userName"),
            "password": body.get("password"),
            "authLoginDomain": body.get("authLoginDomain") or "LOCAL",
        }
        for name, value in fields.items():
            if not isinstance(value, str) or not value:
                raise BadRequest(
                    f"The login field '{name}' must be a non-empty string.",
                    error_code="INVALID_PARAMETER",
                )
        user, password, domain = (str(fields[k]) for k in fields)
        if domain not in config.login_domains:
            raise Unauthorized(
                f"The login domain '{domain}' was not found.",
                error_code="AUTHN_AUTH_FAIL_LOGINDOMAINNOTFOUND",
                recommended_actions=[
                    f"Use one of the login domains: {', '.join(config.login_domains)}."
                ],
            )
        if not (
            secrets.compare_digest(user, config.username)
            and secrets.compare_digest(password, config.password)
        ):
            self._core.counters["login_failures"] += 1
            raise ApplianceError(
                _AUTH_FAIL,
                error_code="AUTHN_AUTH_FAIL",
                status=config.login_failure_status,
                recommended_actions=["Enter correct credentials and try again."],
            )
        active = self.active()
        if len(active) >= config.session_limit or (
            sum(1 for s in active if s.client == client) >= config.session_limit_per_client
        ):
            raise session_limit_reached()
        now = self._core.clock.now()
        token = secrets.token_urlsafe(32)
        self._logins += 1
        self._sessions[token] = Session(
            token=token,
            user=user,
            domain=domain,
            client=client,
            created=now,
            last_used=now,
            idle_timeout=config.idle_timeout_seconds,
            number=self._logins,
        )
        self._core.counters["logins"] += 1
        return {"sessionID": token}

    def authenticate(self, token: str | None) -> Session:
        """The session behind an ``Auth`` token; each use extends its idle life."""
        session = self._sessions.get(token or "")
        if not self._alive(session):
            self._core.counters["unauthorized"] += 1
            raise unauthorized()
        assert session is not None
        session.last_used = self._core.clock.now()
        return session

    def reuse(self, token: str | None) -> dict[str, str]:
        session = self.authenticate(token)
        return {"sessionID": session.token}

    def logout(self, token: str | None) -> None:
        session = self.authenticate(token)
        del self._sessions[session.token]
        self._core.counters["logouts"] += 1

    def peek(self, token: str | None) -> Session:
        """``/rest/sessions``: 404 once the session is gone, and reading never extends it."""
        session = self._sessions.get(token or "")
        if not self._alive(session):
            raise NotFound(
                "The session was not found or has expired.", error_code="SESSION_NOT_FOUND"
            )
        assert session is not None
        return session

    def describe(self, token: str | None, server_host: str) -> dict[str, Any]:
        session = self.peek(token)
        return session_shapes.session(
            user=session.user,
            domain=session.domain,
            client_host=session.client,
            server_host=server_host,
            number=session.number,
        )

    def idle_timeout_ms(self, token: str | None) -> dict[str, int]:
        return {"idleTimeout": int(self.peek(token).idle_timeout * 1000)}

    def set_idle_timeout(self, token: str | None, body: Any) -> dict[str, int]:
        session = self.peek(token)
        value = body.get("idleTimeout") if isinstance(body, dict) else None
        limit_ms = int(self._core.config.idle_timeout_seconds * 1000)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= limit_ms:
            raise BadRequest(
                f"idleTimeout must be an integer number of milliseconds in 1..{limit_ms}, got {value!r}.",
                error_code="INVALID_PARAMETER",
            )
        session.idle_timeout = value / 1000
        session.last_used = self._core.clock.now()
        return {"idleTimeout": value}

    def expire(self, token: str | None = None) -> int:
        """Out of band: end one session (or all of them when ``token`` is None)."""
        targets = (
            [self._sessions[token]]
            if token in self._sessions
            else (list(self._sessions.values()) if token is None else [])
        )
        for session in targets:
            session.expired = True
        self._prune()
        return len(targets)


def session_limit_reached() -> Forbidden:
    return Forbidden(
        "The maximum number of concurrent sessions has been reached. New logins are blocked.",
        error_code="SESSION_LIMIT_EXCEEDED",
        recommended_actions=["Log out unused sessions, or wait for idle sessions to expire."],
    )
