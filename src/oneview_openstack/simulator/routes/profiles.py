"""Server profiles and server profile templates."""

from __future__ import annotations

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


def update(call: Call) -> Task:
    return call.state.profiles.update(_profile_uri(call), call.body, call.header("if-match"))


def patch(call: Call) -> Task:
    return call.state.profiles.patch(_profile_uri(call), call.body)


def delete(call: Call) -> Task:
    return call.state.profiles.delete(_profile_uri(call), force=call.flag("force"))


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
