"""Login sessions, session probes and login domains."""

from __future__ import annotations

from urllib.parse import quote

from .. import session_shapes
from ..http import Call, Reply
from ..state.sessions import session_limit_reached

NO_AUTH = {"auth": False}


def version(call: Call) -> dict[str, int]:
    return {
        "currentVersion": call.state.core.current_version,
        "minimumVersion": call.state.config.minimum_api_version,
    }


def login(call: Call) -> dict[str, str]:
    if call.request.scope.get("oneview_sim.session_limit"):
        raise session_limit_reached()
    client = call.request.client.host if call.request.client else "unknown"
    return call.state.sessions.login(call.body, client)


def reuse(call: Call) -> dict[str, str]:
    return call.state.sessions.reuse(call.header("auth"))


def logout(call: Call) -> Reply:
    call.state.sessions.logout(call.header("auth"))
    return Reply(204)


def _session_id(call: Call) -> str | None:
    return call.header("session-id") or call.header("auth")


def session(call: Call) -> dict:
    return call.state.sessions.describe(_session_id(call), call.request.url.hostname or "")


def get_idle_timeout(call: Call) -> dict[str, int]:
    return call.state.sessions.idle_timeout_ms(_session_id(call))


def set_idle_timeout(call: Call) -> dict[str, int]:
    return call.state.sessions.set_idle_timeout(_session_id(call), call.body)


def login_domains(call: Call) -> bytes:
    """The configured directories: the same list login checks ``authLoginDomain`` against."""
    store = call.state.core.store
    members = []
    for name in call.state.config.login_domains:
        uri = f"/rest/logindomains/{quote(name, safe='')}"
        domain = store.find(uri)
        if domain is None:
            domain = store.add({**session_shapes.login_domain(name, None), "uri": uri})
        members.append(domain)
    return call.state.collections.page(
        "logindomains", call.path, call.query, call.version, members=members
    )


ROUTES = [
    ("GET", "/rest/version", version, {"auth": False, "versioned": False}),
    ("POST", "/rest/login-sessions", login, NO_AUTH),
    ("PUT", "/rest/login-sessions", reuse, NO_AUTH),
    ("DELETE", "/rest/login-sessions", logout, NO_AUTH),
    ("GET", "/rest/sessions", session, NO_AUTH),
    ("GET", "/rest/sessions/idle-timeout", get_idle_timeout, NO_AUTH),
    ("POST", "/rest/sessions/idle-timeout", set_idle_timeout, NO_AUTH),
    ("GET", "/rest/logindomains", login_domains, {}),
]
