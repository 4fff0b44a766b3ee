"""The server profile template a deployment claims from: resolved, then checked against the server.

A deploy template (chosen by a trait) may name another template than the node's default in the
``deploy.apply_server_profile_template`` step's ``template`` argument, by URI or by name. It is
checked before anything is sent to OneView: a profile from a template of another server hardware
type or enclosure group would be refused by OneView after the server was already powered off.
"""

from __future__ import annotations

import re
from typing import Any

from ironic.common import exception

from ..client import NotFound, OneViewError
from . import validation
from .view import View

ARGUMENT = "template"
_KIND = "server-profile-templates"
_URI = re.compile(rf"/rest/{_KIND}/[A-Za-z0-9][A-Za-z0-9._:-]*")


def _where(view: View, value: str) -> str:
    return f"Node {view.node.uuid}: deploy step argument {ARGUMENT}={value!r}"


def resolve(view: View, value: Any) -> dict[str, Any]:
    """The template ``value`` (a URI or a name) designates, read from OneView.

    :raises: InvalidParameterValue naming the value and what is accepted when it is not a
        string, not a template URI, or no template has it as URI or name.
    """
    if not isinstance(value, str) or not value.strip():
        raise exception.InvalidParameterValue(
            f"{_where(view, value)} is not a server profile template; expected its URI "
            f"(/rest/{_KIND}/<id>) or its name."
        )
    value = value.strip()
    templates = view.client.server_profile_templates
    try:
        if value.startswith("/rest/"):
            if not _URI.fullmatch(value):
                raise exception.InvalidParameterValue(
                    f"{_where(view, value)} is not a server profile template URI; expected "
                    f"/rest/{_KIND}/<id> or a template's name."
                )
            try:
                return templates.get(value)
            except NotFound:
                found = None
        else:
            found = templates.find_by_name(value)
    except OneViewError as error:
        raise exception.InvalidParameterValue(
            f"{_where(view, value)} could not be looked up in OneView: {error}"
        ) from error
    if found is None:
        raise exception.InvalidParameterValue(
            f"{_where(view, value)} names no server profile template in OneView; expected the "
            "URI or the name of an existing one (see the templates compatible with the node's "
            "server: the enrollment tool lists them)."
        )
    return found


def check(view: View, template: dict[str, Any]) -> None:
    """Refuse a template OneView could not apply to the node's server, or Ironic could not use.

    Compares with the server itself (its serverHardwareTypeUri and serverGroupUri), since that
    is what OneView checks; each refusal names the template's value and the server's. With
    ``[oneview] keep_profiles_linked_to_template`` its connections must not be ``Checked``.

    :raises: InvalidParameterValue naming both values.
    """
    server = view.server_hardware()
    server_uri = server.get("uri") or view.info.server_hardware_uri
    where = (
        f"Node {view.node.uuid}: server profile template {template.get('uri')} "
        f"({template.get('name')!r})"
    )
    template_type = template.get("serverHardwareTypeUri")
    server_type = server.get("serverHardwareTypeUri")
    if template_type != server_type:
        raise exception.InvalidParameterValue(
            f"{where} is for server hardware type {template_type!r}, but server hardware "
            f"{server_uri} is of type {server_type!r}; expected a template of type "
            f"{server_type!r}."
        )
    template_group = template.get("enclosureGroupUri")
    server_group = server.get("serverGroupUri")
    if template_group and template_group != server_group:
        raise exception.InvalidParameterValue(
            f"{where} is for enclosure group {template_group!r}, but server hardware "
            f"{server_uri} is in enclosure group {server_group!r}; expected a template of "
            f"enclosure group {server_group!r} (or none)."
        )
    if not (template.get("boot") or {}).get("manageBoot"):
        raise exception.InvalidParameterValue(
            f"{where} has boot.manageBoot false; expected true, so that Ironic can set the boot "
            "order."
        )
    if template.get("macType") != "Physical":
        raise exception.InvalidParameterValue(
            f"{where} has macType {template.get('macType')!r}; expected 'Physical', so that the "
            "Ironic ports' MACs are the server's own."
        )
    validation.check_linkable(view.node, template)


def chosen(view: View, value: Any) -> dict[str, Any]:
    """The template ``value`` designates, once it is known to fit the node's server.

    :raises: InvalidParameterValue (see :func:`resolve` and :func:`check`).
    """
    template = resolve(view, value)
    check(view, template)
    return template
