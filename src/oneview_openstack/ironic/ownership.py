"""Who owns a server: Ironic, nobody, or a OneView user (whom Ironic must never disturb).

The rule of the design: the server's ``serverProfileUri`` equal to the node's
``applied_server_profile_uri`` means Ironic; empty means free; anything else is a OneView user's.
"""

from __future__ import annotations

import enum
from typing import Any

from ironic.common import exception

from . import common
from .common import Node


class Owner(enum.Enum):
    FREE = "free"
    IRONIC = "ironic"
    ONEVIEW = "oneview"


def owner(server: dict[str, Any], applied_profile_uri: str | None) -> Owner:
    """Pure: the ownership rule applied to a server body and the node's applied profile URI."""
    current = server.get("serverProfileUri") or None
    if current is None:
        return Owner.FREE
    if applied_profile_uri and current == applied_profile_uri:
        return Owner.IRONIC
    return Owner.ONEVIEW


def in_use_message(node: Node, server: dict[str, Any]) -> str:
    return (
        f"Node {node.uuid} is in use by OneView: server hardware {server.get('uri')} carries "
        f"server profile {server.get('serverProfileUri')}, which is not the node's "
        f"driver_info/{common.APPLIED_PROFILE_URI} "
        f"({(node.driver_info or {}).get(common.APPLIED_PROFILE_URI)!r}). Ironic will not touch "
        "it until a OneView user removes that profile."
    )


def refuse_if_oneview_owned(
    node: Node, server: dict[str, Any], error: type[Exception] = exception.InvalidParameterValue
) -> None:
    """Raise ``error`` (an Ironic exception, given the whole message) if a OneView user owns it."""
    applied = (node.driver_info or {}).get(common.APPLIED_PROFILE_URI)
    if owner(server, applied) is Owner.ONEVIEW:
        raise error(in_use_message(node, server))
