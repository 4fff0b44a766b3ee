"""Nova servers in the scenario: create, wait, delete, a OneView user taking one during its
boot, and where each landed (node, OneView server, profile, connections, failed attempts)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from openstack import connection as os_connection

from ..simulator.testing import Witness
from .nova_results import ServerView
from .processes import SandboxError

if TYPE_CHECKING:
    from .environment import Sandbox

BUILD_EVENT = "compute__do_build_and_run_instance"  # one per attempt on a host
TAKER = "oneview-user-during-boot"  # the profile the OneView user assigns


def view(sandbox: Sandbox, conn: os_connection.Connection, server: Any) -> ServerView:
    """Where a server landed: its node, the OneView server and profile, the profile's connections."""
    server = conn.compute.get_server(server.id)
    shown = ServerView(str(server.name), str(server.status))
    fault = getattr(server, "fault", None)
    if fault:
        shown.fault = str(fault.get("message"))
    shown.attempts, shown.builds = failed_attempts(conn, server.id)
    nodes = list(conn.baremetal.nodes(instance_id=server.id, details=True))
    if not nodes:
        return shown
    node = nodes[0]
    shown.node = str(node.name)
    hardware_uri = (node.driver_info or {}).get("server_hardware_uri")
    profile_uri = (node.driver_info or {}).get("applied_server_profile_uri")
    assert sandbox.oneview is not None
    if hardware_uri:
        shown.server_hardware = str(sandbox.oneview.request("GET", hardware_uri).get("name"))
    if profile_uri:
        profile = sandbox.oneview.request("GET", profile_uri)
        shown.profile = str(profile.get("name"))
        template_uri = profile.get("serverProfileTemplateUri")
        if template_uri:
            shown.template = str(sandbox.oneview.request("GET", template_uri).get("name"))
        else:  # Ironic detaches its profiles; the description is the template's
            shown.template = f"(detached) {profile.get('description') or ''}".strip()
        for connection in (profile.get("connectionSettings") or {}).get("connections", []):
            network = connection.get("networkUri") or "-"
            if network.startswith("/rest/"):
                network = str(sandbox.oneview.request("GET", network).get("name") or network)
            network = neutron_label(conn, network)
            shown.connections.append(
                f"{connection.get('portId')} {connection.get('mac') or ''} → {network}".strip()
            )
    return shown


def neutron_label(conn: os_connection.Connection, oneview_name: str) -> str:
    """``Neutron [<uuid>]`` -> ``Neutron [<uuid>] (nova-tenant)``: the network's Neutron name."""
    if not (oneview_name.startswith("Neutron [") and oneview_name.endswith("]")):
        return oneview_name
    network = conn.network.find_network(oneview_name[len("Neutron [") : -1])
    return f"{oneview_name} ({network.name})" if network is not None else oneview_name


def failed_attempts(conn: os_connection.Connection, server_id: str) -> tuple[list[str], int]:
    """The messages of the server's failed steps and how many builds a compute host ran
    (instance action events, 2.84+; a rescheduled build's attempt ends without an error)."""
    messages, builds = [], 0
    for action in conn.compute.server_actions(server_id):
        detail = conn.compute.get_server_action(action.request_id, server_id)
        for event in detail.events or []:
            fields = event if isinstance(event, dict) else event.to_dict()
            builds += fields.get("event") == BUILD_EVENT
            if fields.get("result") == "Error" and fields.get("details"):
                messages.append(str(fields["details"]))
    return messages, builds


def wait_server(conn: os_connection.Connection, server: Any, status: str, timeout: float) -> Any:
    """Until the server has ``status`` (ERROR ends the wait too, with the server as it is)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = conn.compute.get_server(server.id)
        if found.status == status or found.status == "ERROR":
            return found
        time.sleep(0.5)
    raise SandboxError(f"server {server.name} was not {status} within {timeout:.0f} s")


def wait_gone(conn: os_connection.Connection, server: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if conn.compute.find_server(server.id) is None:
            return
        time.sleep(0.5)
    raise SandboxError(f"server {server.name} was not deleted within {timeout:.0f} s")


def create(conn: os_connection.Connection, name: str, flavor: str, setup: dict[str, Any]) -> Any:
    return conn.compute.create_server(
        name=name,
        flavor_id=conn.compute.find_flavor(flavor, ignore_missing=False).id,
        image_id=setup["image"].id,
        networks=[{"uuid": setup["network"].id}],
    )


def node_of(conn: os_connection.Connection, server_id: str) -> Any | None:
    nodes = list(conn.baremetal.nodes(instance_id=server_id, details=True))
    return nodes[0] if nodes else None


def take_during_boot(
    sandbox: Sandbox, conn: os_connection.Connection, seen: Witness, server: Any, timeout: float
) -> str:
    """Once the node holds its profile and has powered on into its deploy ramdisk, a OneView
    user takes the server (assigns a profile of their own).

    Returns the name of the node that was taken.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        node = node_of(conn, server.id)
        info = (node.driver_info or {}) if node is not None else {}
        booting = node is not None and node.provision_state in ("deploying", "wait call-back")
        if (
            booting
            and node is not None
            and node.power_state == "power on"
            and info.get("applied_server_profile_uri")
        ):
            seen.sim(
                "POST", "actions/take_server", {"uri": info["server_hardware_uri"], "name": TAKER}
            )
            return str(node.name)
        time.sleep(0.2)
    raise SandboxError(
        f"server {server.name}'s node never held a profile while deploying within {timeout:.0f} s"
    )


def ironic_profiles(seen: Witness, sandbox: Sandbox) -> list[str]:
    """Profiles Ironic still holds in OneView (the ones a node's driver_info names)."""
    assert sandbox.conn is not None
    held = {
        (n.driver_info or {}).get("applied_server_profile_uri")
        for n in sandbox.conn.baremetal.nodes(details=True)
    }
    profiles = seen.state("server-profiles")["server-profiles"]
    return [str(p.get("name")) for p in profiles if p.get("uri") in held]
