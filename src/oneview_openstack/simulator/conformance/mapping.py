"""Which schema an answer is checked against, from its method, route template and status.

The rules (the plan's schema names):
- status >= 400: ``error``; 202: ``tasks`` (the task body); 204/304 and empty bodies: nothing;
- ``GET /rest/<category>``: ``collection`` for the envelope, each member by ``<category>``
  (``/rest/{category}`` takes the path's category; ``/rest/tasks`` members are ``tasks``);
- ``/rest/<category>/{id}`` (any method, a 200/201 body): ``<category>``;
- ``/rest/<category>/{id}/<segment>`` and ``/rest/<category>/<segment>``: ``<category>.<segment>``
  for GET; PUT/POST/PATCH answers there are the resource itself (``<category>``);
- the protocol's own paths are named by ``PROTOCOL_BODIES``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Paths that are one body, not a collection, even though they have no {id}.
PROTOCOL_BODIES: dict[tuple[str, str], str] = {
    ("GET", "/rest/version"): "version",
    ("POST", "/rest/login-sessions"): "login-sessions",
    ("PUT", "/rest/login-sessions"): "login-sessions",
    ("GET", "/rest/sessions"): "sessions",
    ("GET", "/rest/sessions/idle-timeout"): "sessions.idle-timeout",
    ("POST", "/rest/sessions/idle-timeout"): "sessions.idle-timeout",
}


@dataclass(frozen=True)
class Target:
    """What to check: ``body`` names the schema; ``members`` the members' schema (collections)."""

    body: str
    members: str | None = None
    category: str | None = None  # the collection's category (its envelope's type and category)


def target_for(
    method: str, template: str | None, path: str, status: int, path_params: dict[str, str]
) -> Target | None:
    """The schema(s) for one answer; None when there is nothing to check (no body expected)."""
    if status >= 400:
        return Target("error")
    if status == 202:
        return Target("tasks")
    if status in (204, 304) or status < 200:
        return None
    route = concrete(template or path, path_params)
    known = PROTOCOL_BODIES.get((method, template or path))
    if known:
        return Target(known)
    parts = route.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "rest":
        return Target(f"unmapped:{method} {template or path}")
    category = parts[1]
    rest = parts[2:]
    if not rest:
        if method == "GET":
            return Target("collection", members=category, category=category)
        return Target(category)
    has_id = rest[0].startswith("{")
    segments = rest[1:] if has_id else rest
    if not segments or method != "GET":
        return Target(category)
    return Target(f"{category}.{'.'.join(segments)}")


def concrete(template: str, path_params: dict[str, str]) -> str:
    """Fill only ``{category}`` in: the other parameters stay as template placeholders."""
    category = path_params.get("category")
    return template.replace("{category}", category) if category else template
