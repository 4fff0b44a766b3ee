"""The front-door scenario: OneView servers through Nova, as a tenant asks for them.

After enrollment it sets up what an operator sets up once (a flavor per enrolled resource class,
a second OneView template with its deploy template and trait, a flavor asking for that trait,
the sandbox's disk image in Glance), then runs ``openstack server create`` → ACTIVE on a OneView
server (its profile and connection shown), a server on the trait's template, the two bad paths
(no node of a flavor free: NoValidHost with OneView untouched; a OneView user takes the server
during the boot: the attempt fails with our message and Nova reschedules), and
``openstack server delete`` of each → the servers given back to OneView.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openstack import connection as os_connection

from ..simulator.testing import Witness
from . import nova
from .nova_clients import connect, counted, openstack, witness, writes
from .nova_results import NovaResult, NovaStep, ServerView
from .nova_servers import create, ironic_profiles, take_during_boot, view, wait_gone, wait_server
from .nova_setup import IMAGE_NAME, TENANT_NETWORK, prepare, wait_schedulable
from .processes import SandboxError

if TYPE_CHECKING:
    from .environment import Sandbox


def run(sandbox: Sandbox, *, timeout: float = 300.0) -> NovaResult:
    """The whole front-door scenario; a failure ends it with ``error`` set (servers deleted)."""
    result = NovaResult()
    conn = connect(sandbox)
    seen = witness(sandbox)
    servers: list[Any] = []
    try:
        _run(sandbox, conn, seen, result, servers, timeout)
    except SandboxError as error:
        result.error = str(error)
    finally:
        for server in servers:
            try:
                conn.compute.delete_server(server.id, ignore_missing=True)
                wait_gone(conn, server, timeout)
            except Exception as error:
                result.error = result.error or f"deleting {server.name}: {error}"
        result.clean = not ironic_profiles(seen, sandbox)
        seen.http.close()
        conn.close()
    return result


def _run(
    sandbox: Sandbox,
    conn: os_connection.Connection,
    seen: Witness,
    result: NovaResult,
    servers: list[Any],
    timeout: float,
) -> None:
    setup_step = NovaStep("Flavors per resource class, the trait's template, the image", 0.0)
    with counted(seen, setup_step):
        setup = prepare(sandbox, conn, result, timeout)
        wait_schedulable(conn, setup["nodes"], setup["trait"], timeout)
        assert sandbox.nova is not None
        nova.discover_hosts(sandbox.nova)
    setup_step.notes.append(
        f"OneView template {setup['alt_template']['name']} chosen by trait {setup['trait']} "
        f"(deploy template {setup['trait']}; node {setup['trait_node'].name} carries it)"
    )
    result.steps.append(setup_step)

    # 1. The trait flavor: its only node, the other template.
    second = NovaStep("a server of the trait flavor → ACTIVE on the other template", 0.0)
    with counted(seen, second):
        server = create(conn, "nova-trait", setup["trait_flavor"], setup)
        servers.append(server)
        server = wait_server(conn, server, "ACTIVE", timeout)
    second.server = view(sandbox, conn, server)
    result.steps.append(second)
    _expect(second.server, "ACTIVE")

    # 2. The front door, as an operator types it (the trait node is busy: another node).
    first = NovaStep("openstack server create → ACTIVE", 0.0)
    command = [
        "server", "create", "--flavor", setup["flavor"], "--image", IMAGE_NAME,
        "--network", TENANT_NETWORK, "-f", "value", "-c", "id", "nova-1",
    ]  # fmt: skip
    first.commands.append("openstack " + " ".join(command))
    with counted(seen, first):
        server_id = openstack(sandbox, *command).strip()
        server = conn.compute.get_server(server_id)
        servers.append(server)
        server = wait_server(conn, server, "ACTIVE", timeout)
    first.server = view(sandbox, conn, server)
    result.steps.append(first)
    _expect(first.server, "ACTIVE")

    # 3. No node of the flavor free: NoValidHost, OneView untouched.
    third = NovaStep("the trait flavor again, its only node taken → NoValidHost", 0.0)
    with counted(seen, third):
        server = create(conn, "nova-novalidhost", setup["trait_flavor"], setup)
        servers.append(server)
        server = wait_server(conn, server, "ACTIVE", timeout)
    third.server = view(sandbox, conn, server)
    third.notes.append(f"OneView writes during it: {writes(third.oneview_requests) or 'none'}")
    result.steps.append(third)
    _expect(third.server, "ERROR")

    # 4. A OneView user takes the server while it boots: the attempt fails, Nova reschedules.
    fourth = NovaStep("a OneView user takes the server during the boot → rescheduled", 0.0)
    with counted(seen, fourth):
        server = create(conn, "nova-taken", setup["flavor"], setup)
        servers.append(server)
        taken = take_during_boot(sandbox, conn, seen, server, timeout)
        server = wait_server(conn, server, "ACTIVE", timeout)
    fourth.server = view(sandbox, conn, server)
    fourth.notes.append(f"node {taken} taken by a OneView user during its boot")
    result.steps.append(fourth)

    # 5. The front door's other half: one server at a time (on sqlite, Nova's API and
    # conductor deleting several at once can hit "database is locked"; --db mariadb need not).
    fifth = NovaStep("openstack server delete → the servers given back to OneView", 0.0)
    with counted(seen, fifth):
        while servers:
            server = servers[0]
            fifth.commands.append(f"openstack server delete --wait {server.name}")
            openstack(sandbox, "server", "delete", "--wait", server.id, timeout=timeout)
            servers.pop(0)
    left = ironic_profiles(seen, sandbox)
    fifth.notes.append(f"Ironic profiles left in OneView: {left or 'none'}")
    result.steps.append(fifth)


def _expect(server: ServerView, status: str) -> None:
    if server.status != status:
        raise SandboxError(
            f"server {server.name} is {server.status}, not {status}: {server.fault or 'no fault'}"
        )
