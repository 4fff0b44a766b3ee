"""Server profiles and server profile templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..http import Call
from ..tasks import Task


def _profile_uri(call: Call) -> str:
    return f"/rest/server-profiles/{call.params['id']}"


def new_profile(call: Call) -> dict[str, Any]:
    body = call.state.profiles.new_profile(f"/rest/server-profile-templates/{call.params['id']}")
    return call.state.core.store.render(body, call.version)


def create(call: Call) -> Task:
    return call.state.profiles.create(call.body)


def _audited(call: Call, write: Callable[[str], Task]) -> Task:
    """A write to one profile, kept in the edit history (``GET /_sim/edits``)."""
    uri = _profile_uri(call)
    body_etag = call.body.get("eTag") if isinstance(call.body, dict) else None
    return call.state.edits.record(
        uri,
        call.method,
        call.session.number if call.session is not None else None,
        call.header("if-match") or body_etag,
        lambda: write(uri),
    )


def update(call: Call) -> Task:
    profiles = call.state.profiles
    return _audited(call, lambda uri: profiles.update(uri, call.body, call.header("if-match")))


def patch(call: Call) -> Task:
    return _audited(call, lambda uri: call.state.profiles.patch(uri, call.body))


def delete(call: Call) -> Task:
    force = call.flag("force")
    return _audited(call, lambda uri: call.state.profiles.delete(uri, force=force))


def compliance_preview(call: Call) -> dict[str, Any]:
    return call.state.profiles.templates.preview(_profile_uri(call))


def create_template(call: Call) -> Task:
    return call.state.profiles.templates.create(call.body)


def update_template(call: Call) -> Task:
    uri = f"/rest/server-profile-templates/{call.params['id']}"
    return call.state.profiles.templates.update(uri, call.body, call.header("if-match"))


def delete_matching(call: Call) -> Task:
    state = call.state
    if not call.query.get("filter"):
        from ..errors import BadRequest

        raise BadRequest(
            "Deleting server profiles in bulk needs a filter.", error_code="INVALID_FILTER"
        )
    members = state.collections.select(state.core.store.members("server-profiles"), call.query)
    return state.profiles.delete_matching(members)


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("GET", "/rest/server-profile-templates/{id}/new-profile", new_profile, {}),
    ("POST", "/rest/server-profile-templates", create_template, {}),
    ("PUT", "/rest/server-profile-templates/{id}", update_template, {}),
    ("GET", "/rest/server-profiles/{id}/compliance-preview", compliance_preview, {}),
    ("POST", "/rest/server-profiles", create, {}),
    ("DELETE", "/rest/server-profiles", delete_matching, {}),
    ("PUT", "/rest/server-profiles/{id}", update, {}),
    ("PATCH", "/rest/server-profiles/{id}", patch, {}),
    ("DELETE", "/rest/server-profiles/{id}", delete, {}),
]
