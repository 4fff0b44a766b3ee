"""``validate``: the node contract, then its consistency with OneView (two cached reads).

Checks the server's hardware type and enclosure group against the node's capabilities, the
template against the server (same hardware type and enclosure group, manages boot, physical MACs,
the upstream driver's bug 1627818), with ``[oneview] keep_profiles_linked_to_template`` the
template's connection compliance, and the Ironic ports' MACs against the server's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager

from ..client import NotFound, views
from . import common
from .common import Node
from .view import View, view_of


def server_macs(server: dict[str, Any]) -> list[str]:
    """The MAC of each physical Ethernet port (FlexNIC ``a``'s with FlexNICs), lower-case."""
    return [port.mac for port in views.ethernet_ports(server)]


def _read(
    view: View, what: str, field: str, value: str, reader: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    try:
        return reader()
    except common.OneViewDriverError as error:
        if isinstance(error.__cause__, NotFound):
            raise exception.InvalidParameterValue(
                f"Node {view.node.uuid}: {field} {value!r} does not exist in OneView; expected "
                f"the URI of an existing {what}."
            ) from error
        raise exception.InvalidParameterValue(
            f"Node {view.node.uuid}: could not check {field} {value!r} against OneView: {error}"
        ) from error


def validate(task: TaskManager) -> View:
    """Raise Missing/InvalidParameterValue naming field, value and expectation; else the view."""
    view = view_of(task)
    info = view.info  # the contract: presence and URI kinds
    node = task.node
    server = _read(
        view,
        "server hardware",
        "driver_info/server_hardware_uri",
        info.server_hardware_uri,
        view.server_hardware,
    )
    server_type = server.get("serverHardwareTypeUri")
    server_group = server.get("serverGroupUri")
    if server_type != info.server_hardware_type_uri:
        raise exception.InvalidParameterValue(
            f"Node {node.uuid}: properties/capabilities/server_hardware_type_uri "
            f"{info.server_hardware_type_uri!r} is inconsistent with server hardware "
            f"{info.server_hardware_uri}; expected its serverHardwareTypeUri {server_type!r}."
        )
    if info.enclosure_group_uri and info.enclosure_group_uri != server_group:
        raise exception.InvalidParameterValue(
            f"Node {node.uuid}: properties/capabilities/enclosure_group_uri "
            f"{info.enclosure_group_uri!r} is inconsistent with server hardware "
            f"{info.server_hardware_uri}; expected its serverGroupUri {server_group!r}."
        )
    template = _read(
        view,
        "server profile template",
        "properties/capabilities/server_profile_template_uri",
        info.server_profile_template_uri,
        view.template,
    )
    _check_template(node, info, template, server_type, server_group)
    check_linkable(node, template)
    _check_ports(task, info, server)
    return view


def _check_template(
    node: Node,
    info: common.NodeInfo,
    template: dict[str, Any],
    server_type: str | None,
    group: str | None,
) -> None:
    where = (
        f"Node {node.uuid}: server profile template {info.server_profile_template_uri} "
        f"({template.get('name')!r})"
    )
    if template.get("serverHardwareTypeUri") != server_type:
        raise exception.InvalidParameterValue(
            f"{where} is for server hardware type {template.get('serverHardwareTypeUri')!r}; "
            f"expected the type of server hardware {info.server_hardware_uri}, {server_type!r}."
        )
    template_group = template.get("enclosureGroupUri")
    if template_group and template_group != group:
        raise exception.InvalidParameterValue(
            f"{where} has enclosureGroupUri {template_group!r}; expected the serverGroupUri of "
            f"server hardware {info.server_hardware_uri}, {group!r}."
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


# connectionSettings.complianceControl values under which an update from the template leaves
# the connections Neutron edited alone (Checked: they must equal the template's).
LINKABLE_CONNECTION_COMPLIANCE = ("Unchecked", "CheckedMinimum")


def connection_compliance_problem(template: dict[str, Any]) -> str | None:
    """Why an update from ``template`` would undo Neutron's connections, or None.

    An update from the template rewrites every ``Checked`` section of a linked profile: its
    connections would go back to the template's, undoing the networks Neutron put on them. A
    template without the field (before API 1000) has none to report.
    """
    control = (template.get("connectionSettings") or {}).get("complianceControl")
    if control is None or control in LINKABLE_CONNECTION_COMPLIANCE:
        return None
    return (
        f"server profile template {template.get('uri')} ({template.get('name')!r}) has "
        f"connectionSettings.complianceControl {control!r}; expected one of "
        f"{', '.join(LINKABLE_CONNECTION_COMPLIANCE)}, because an update from the template "
        "would undo the connections Neutron made"
    )


def check_linkable(node: Node, template: dict[str, Any]) -> None:
    """With ``[oneview] keep_profiles_linked_to_template``, refuse a template whose connections
    are compliance-``Checked`` (see :func:`connection_compliance_problem`).

    :raises: InvalidParameterValue naming the template, the value and the accepted ones.
    """
    if not common.CONF.oneview.keep_profiles_linked_to_template:
        return
    problem = connection_compliance_problem(template)
    if problem is not None:
        raise exception.InvalidParameterValue(
            f"Node {node.uuid}: with [oneview] keep_profiles_linked_to_template = true, "
            f"{problem} (or set keep_profiles_linked_to_template = false)."
        )


def _check_ports(task: TaskManager, info: common.NodeInfo, server: dict[str, Any]) -> None:
    ports = [mac for p in task.ports or [] if (mac := views.normalise_mac(p.address))]
    if not ports:
        return
    macs = server_macs(server)
    if macs and not set(ports) & set(macs):
        raise exception.InvalidParameterValue(
            f"Node {task.node.uuid}: no Ironic port MAC ({', '.join(sorted(ports))}) belongs to "
            f"server hardware {info.server_hardware_uri}; expected one of {', '.join(macs)}."
        )
