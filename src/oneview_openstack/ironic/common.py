"""The node contract: which fields a ``oneview`` node carries, parsed and checked with clear words.

Every message names the field, the value found and what is accepted, because an operator reads
it in ``baremetal node validate`` with nothing else to go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ironic.common import exception
from ironic.conf import CONF
from ironic.drivers import utils as drivers_utils

from .. import conf as ov_conf
from ..client import OneViewClient, OneViewError

ov_conf.register_opts(CONF, "ironic")

if TYPE_CHECKING:
    from ironic.objects.node import Node as _IronicNode

    class Node(_IronicNode):
        """Ironic's Node, with the fields this driver reads declared: oslo.versionedobjects
        makes them at run time, out of mypy's sight."""

        id: int
        uuid: str
        name: str | None
        driver_info: dict[str, Any]
        driver_internal_info: dict[str, Any]
        properties: dict[str, Any]
        instance_info: dict[str, Any]
        instance_uuid: str | None
        maintenance: bool
        maintenance_reason: str | None
        provision_state: str | None
else:
    from ironic.objects.node import Node

SERVER_HARDWARE_URI = "server_hardware_uri"
APPLIED_PROFILE_URI = "applied_server_profile_uri"
HARDWARE_TYPE_URI = "server_hardware_type_uri"
TEMPLATE_URI = "server_profile_template_uri"
ENCLOSURE_GROUP_URI = "enclosure_group_uri"

# Untranslated on purpose: the periodic tasks find the nodes they moved by this exact text.
MAINTENANCE_REASON = "node in use by OneView"
# driver_internal_info keys.
PENDING_BOOT_DEVICE = "oneview_pending_boot_device"
PENDING_BOOT_MODE = "oneview_pending_boot_mode"
PROFILE_BOOT_MODE = "oneview_profile_boot_mode"
ALLOCATION_ERROR = "oneview_error"
ALLOCATION_ERROR_TEXT = "server hardware allocation error"
CLAIMED_FOR = "oneview_claimed_for"
# Room E1 (issue 14): a deployment's steps composed into the claim's one profile.
COMPOSED_STEPS = "oneview_composed_steps"  # ["interface.step", ...] the claim applied
COMPOSED_ARGS = "oneview_composed_args"  # {"interface.step": args} they were applied with
CLAIM_TEMPLATE = "oneview_claim_template_uri"  # the template a deployment claimed from
# Room D1 (issue 14): an asynchronous profile edit a step started (profile_steps).
PROFILE_EDIT = "oneview_profile_edit"  # {"task_uri", "owner", "step", "started", "claimed",
#                                         "reboot", "power_on", "profile_uri"}
# Room E2 (issue 14): secure boot, deferred like the boot mode; template compliance.
PENDING_SECURE_BOOT = "oneview_pending_secure_boot"  # bool, written before the next power-on
PROFILE_SECURE_BOOT = "oneview_profile_secure_boot"  # {"profile": uri, "state": bool | None}

REQUIRED_PROPERTIES = {
    SERVER_HARDWARE_URI: "URI of the node's OneView server hardware, e.g. "
    "/rest/server-hardware/<id>. Required.",
}
CAPABILITY_PROPERTIES = {
    HARDWARE_TYPE_URI: "(in properties/capabilities) URI of the server hardware type; must "
    "match the server's. Required.",
    TEMPLATE_URI: "(in properties/capabilities) URI of the server profile template the driver "
    "applies while Ironic uses the server. Required.",
    ENCLOSURE_GROUP_URI: "(in properties/capabilities) URI of the enclosure group; must match "
    "the server's when given. Optional.",
}
OPTIONAL_PROPERTIES = {
    APPLIED_PROFILE_URI: "URI of the server profile the driver applied; written by the "
    "driver, do not set it by hand.",
}
COMMON_PROPERTIES = {**REQUIRED_PROPERTIES, **CAPABILITY_PROPERTIES, **OPTIONAL_PROPERTIES}

_URI_KINDS = {
    SERVER_HARDWARE_URI: "server-hardware",
    APPLIED_PROFILE_URI: "server-profiles",
    HARDWARE_TYPE_URI: "server-hardware-types",
    TEMPLATE_URI: "server-profile-templates",
    ENCLOSURE_GROUP_URI: "enclosure-groups",
}
_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]*"


class OneViewDriverError(exception.DriverOperationError):
    """A OneView failure at run time, carrying OneView's own errorCode and message."""

    _msg_fmt = "OneView: %(error)s"


@dataclass(frozen=True)
class NodeInfo:
    """The OneView facts of one node, taken from driver_info and properties/capabilities."""

    server_hardware_uri: str
    server_hardware_type_uri: str
    server_profile_template_uri: str
    enclosure_group_uri: str | None
    applied_server_profile_uri: str | None


def capabilities(node: Node) -> dict[str, str]:
    """``properties/capabilities`` parsed by Ironic's own helper, or a clear InvalidParameterValue.

    :raises: InvalidParameterValue naming the node, the value and the expected form.
    """
    raw = (node.properties or {}).get("capabilities")
    try:
        parsed = drivers_utils.capabilities_to_dict(raw)
    except exception.InvalidParameterValue as error:
        kind = "" if isinstance(raw, str) else f" is a {type(raw).__name__}, and"
        raise exception.InvalidParameterValue(
            f"Node {node.uuid}: properties/capabilities {raw!r}{kind} does not parse ({error}); "
            "expected a 'key:value,key:value' string."
        ) from error
    return {key.strip(): value.strip() for key, value in parsed.items()}


def check_uri(node: Node, where: str, name: str, value: Any) -> str:
    """``value`` if it is a URI of the kind ``name`` needs, else a precise InvalidParameterValue."""
    kind = _URI_KINDS[name]
    if not isinstance(value, str) or not re.fullmatch(rf"/rest/{kind}/{_ID}", value):
        raise exception.InvalidParameterValue(
            f"Node {node.uuid}: {where}/{name} {value!r} is not a OneView {kind} URI; "
            f"expected /rest/{kind}/<id>."
        )
    return value


def parse_driver_info(node: Node) -> NodeInfo:
    """The node's contract, or Missing/InvalidParameterValue naming every missing field."""
    driver_info = node.driver_info or {}
    found = capabilities(node)
    missing = (
        [f"driver_info/{SERVER_HARDWARE_URI}"] if not driver_info.get(SERVER_HARDWARE_URI) else []
    )
    missing += [
        f"properties/capabilities/{name}"
        for name in (HARDWARE_TYPE_URI, TEMPLATE_URI)
        if not found.get(name)
    ]
    if missing:
        raise exception.MissingParameterValue(
            f"Node {node.uuid} lacks the OneView fields {', '.join(missing)}; expected "
            "driver_info/server_hardware_uri=/rest/server-hardware/<id> and the capabilities "
            "server_hardware_type_uri:/rest/server-hardware-types/<id> and "
            "server_profile_template_uri:/rest/server-profile-templates/<id>."
        )
    enclosure_group = found.get(ENCLOSURE_GROUP_URI) or None
    applied = driver_info.get(APPLIED_PROFILE_URI) or None
    return NodeInfo(
        server_hardware_uri=check_uri(
            node, "driver_info", SERVER_HARDWARE_URI, driver_info[SERVER_HARDWARE_URI]
        ),
        server_hardware_type_uri=check_uri(
            node, "properties/capabilities", HARDWARE_TYPE_URI, found[HARDWARE_TYPE_URI]
        ),
        server_profile_template_uri=check_uri(
            node, "properties/capabilities", TEMPLATE_URI, found[TEMPLATE_URI]
        ),
        enclosure_group_uri=check_uri(
            node, "properties/capabilities", ENCLOSURE_GROUP_URI, enclosure_group
        )
        if enclosure_group
        else None,
        applied_server_profile_uri=check_uri(node, "driver_info", APPLIED_PROFILE_URI, applied)
        if applied
        else None,
    )


def get_client() -> OneViewClient:
    """The process's shared client (one login for every node and thread)."""
    try:
        return OneViewClient.from_conf(CONF)
    except OneViewError as error:
        raise OneViewDriverError(error=str(error)) from error


def driver_error(error: OneViewError, doing: str) -> OneViewDriverError:
    """An Ironic error that says what we were doing and what OneView answered."""
    return OneViewDriverError(error=f"{doing} failed: {error}")
