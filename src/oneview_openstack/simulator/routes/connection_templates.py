"""Connection templates: the default template, and PUT (synchronous, 200 with the template).

oneview-golang's UpdateConnectionTemplate reads the PUT answer as the template itself, and
oneview-python's get_default reads ``/rest/connection-templates/defaultConnectionTemplate``.
"""

from __future__ import annotations

from typing import Any

from ..errors import not_found
from ..http import Call, Reply
from ..store import Resource

TEMPLATES = "/rest/connection-templates"


def _reply(call: Call, template: Resource) -> Reply:
    body = call.state.core.store.render_bytes(template, call.version)
    return Reply(200, body, {"ETag": f'"{template["eTag"]}"'})


def default(call: Call) -> Reply:
    template = call.state.connection_templates.find_default()
    if template is None:
        raise not_found(call.path)
    return _reply(call, template)


def update(call: Call) -> Reply:
    template = call.state.connection_templates.update(
        f"{TEMPLATES}/{call.params['id']}", call.body, call.header("if-match")
    )
    return _reply(call, template)


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("GET", f"{TEMPLATES}/defaultConnectionTemplate", default, {}),
    ("PUT", f"{TEMPLATES}/{{id}}", update, {}),
]
