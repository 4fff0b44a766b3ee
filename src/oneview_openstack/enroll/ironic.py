"""The Ironic side of enrollment, through openstacksdk: what exists, create, move through states."""

from __future__ import annotations

import contextlib
from typing import Any

import tenacity
from openstack import connection as os_connection
from openstack import exceptions as os_exceptions

from .inventory import Candidate

# local_link_connection {"network_type": "unmanaged"} (rack servers) needs 1.90.
IRONIC_API_VERSION = "1.90"
TRAITS_ATTEMPTS = 5


def _transient(error: BaseException) -> bool:
    """A busy Ironic: node locked (409), or its database busy (5xx; sqlite says "database is
    locked" when several nodes are written at once)."""
    return isinstance(error, os_exceptions.HttpException) and (
        error.status_code == 409 or (error.status_code or 0) >= 500
    )


@tenacity.retry(
    retry=tenacity.retry_if_exception(_transient),
    stop=tenacity.stop_after_attempt(TRAITS_ATTEMPTS),
    wait=tenacity.wait_random_exponential(multiplier=0.1, max=2),
    reraise=True,
)
def set_traits(conn: os_connection.Connection, node: Any, traits: list[str]) -> None:
    """``PUT /v1/nodes/{id}/traits``: replaces the whole set, so a retry is harmless."""
    conn.baremetal.set_node_traits(node, traits)


def connect(*, ironic_url: str | None = None, cloud: str | None = None) -> os_connection.Connection:
    """A standalone (noauth) Ironic by URL, or a cloud from clouds.yaml / ``OS_*`` variables."""
    if ironic_url:
        return os_connection.Connection(
            auth_type="none",
            baremetal_endpoint_override=ironic_url.rstrip("/"),
            baremetal_api_version=IRONIC_API_VERSION,
        )
    import openstack

    return openstack.connect(cloud=cloud, baremetal_api_version=IRONIC_API_VERSION)


def enrolled_servers(conn: os_connection.Connection) -> dict[str, str]:
    """``{server_hardware_uri: node name or uuid}`` for every node that names a OneView server."""
    found: dict[str, str] = {}
    for node in conn.baremetal.nodes(details=True):
        uri = (node.driver_info or {}).get("server_hardware_uri")
        if uri:
            found[str(uri)] = node.name or node.id
    return found


def taken_names(conn: os_connection.Connection) -> set[str]:
    return {node.name for node in conn.baremetal.nodes() if node.name}


def create(conn: os_connection.Connection, candidate: Candidate) -> Any:
    """Create the node, its traits and its ports; a node whose traits or ports fail is deleted
    again (no half-nodes)."""
    node = conn.baremetal.create_node(**candidate.node)
    try:
        if candidate.traits:  # not a field of Ironic's node create
            set_traits(conn, node, candidate.traits)
        for port in candidate.ports:
            conn.baremetal.create_port(node_id=node.id, **port)
    except Exception:
        with contextlib.suppress(os_exceptions.SDKException):
            conn.baremetal.delete_node(node.id)
        raise
    return node


def advance(
    conn: os_connection.Connection, node: Any, *, inspect: bool, provide: bool, timeout: float
) -> Any:
    """enroll -> manageable [-> inspect] [-> available], each wait bounded by ``timeout``."""
    node = conn.baremetal.set_node_provision_state(node, "manage", wait=True, timeout=timeout)
    if inspect:
        node = conn.baremetal.set_node_provision_state(node, "inspect", wait=True, timeout=timeout)
    if provide:
        node = conn.baremetal.set_node_provision_state(node, "provide", wait=True, timeout=timeout)
    return node


def error_text(error: Exception) -> str:
    """One readable line from an SDK error (Ironic's faultstring when there is one)."""
    if isinstance(error, os_exceptions.HttpException):
        detail = error.details or error.message or str(error)
        return f"Ironic said HTTP {error.status_code}: {detail}".strip()
    return str(error).strip() or type(error).__name__
