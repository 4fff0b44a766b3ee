"""The sandbox's stand-in for Keystone in front of the Nova API: what it lets through, and how."""

from __future__ import annotations

from typing import Any

from oneview_openstack.sandbox import nova_configs
from oneview_openstack.sandbox.nova_noauth import NoAuth, filter_factory


class Recorder:
    """The WSGI app behind the filter: keeps the environ it was called with."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.environ = dict(environ)
        start_response("200 OK", [])
        return [b"ok"]


def call(environ: dict[str, Any]) -> tuple[Recorder, list[str], bytes]:
    app = Recorder()
    statuses: list[str] = []
    body = b"".join(
        filter_factory({})(app)(environ, lambda status, _headers: statuses.append(status))
    )
    return app, statuses, body


def test_admin_token_names_an_admin_of_its_project() -> None:
    app, statuses, _body = call({"HTTP_X_AUTH_TOKEN": nova_configs.TOKEN})
    assert statuses == ["200 OK"]
    assert app.environ is not None
    assert app.environ["HTTP_X_USER_ID"] == "admin"
    assert app.environ["HTTP_X_PROJECT_ID"] == "admin"
    assert set(app.environ["HTTP_X_ROLES"].split(",")) == {"admin", "member", "reader", "service"}


def test_another_user_is_a_member_of_the_project_it_names() -> None:
    app, _statuses, _body = call({"HTTP_X_AUTH_TOKEN": "alice:demo"})
    assert app.environ is not None
    assert (app.environ["HTTP_X_USER_ID"], app.environ["HTTP_X_PROJECT_ID"]) == ("alice", "demo")
    assert app.environ["HTTP_X_ROLES"] == "member,reader"


def test_a_request_cannot_smuggle_roles_past_it() -> None:
    app, _statuses, _body = call({"HTTP_X_AUTH_TOKEN": "alice", "HTTP_X_ROLES": "admin"})
    assert app.environ is not None
    assert app.environ["HTTP_X_ROLES"] == "member,reader"
    assert app.environ["HTTP_X_PROJECT_ID"] == "alice"


def test_no_token_is_refused_before_nova() -> None:
    app, statuses, body = call({})
    assert statuses == ["401 Unauthorized"]
    assert b"X-Auth-Token" in body
    assert app.environ is None


def test_the_filter_wraps_the_app_it_is_given() -> None:
    app = Recorder()
    wrapped = filter_factory({})(app)
    assert isinstance(wrapped, NoAuth)
    assert wrapped.app is app
