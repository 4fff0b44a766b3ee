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

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import os_resource_classes  # type: ignore[import-untyped]
from openstack import connection as os_connection
from openstack.config import loader
from rich.console import Console
from rich.markup import escape

from ..enroll import inventory
from ..simulator.testing import Witness
from . import nova
from .processes import SandboxError
from .services import script

if TYPE_CHECKING:
    from .environment import Sandbox

IMAGE_NAME = "sandbox-disk"
TENANT_NETWORK = "nova-tenant"
ALT_SUFFIX = "-nova-alt"  # the second template's name: the enrolled one's plus this
# OneView's writes (what "OneView untouched" means): any request but a read.
WRITES = ("POST", "PUT", "PATCH", "DELETE")
DEPLOY_INTERFACE = "oneview-direct"
PROFILE_FROM = "a profile from template"  # the alt template's profiles say so
BUILD_EVENT = "compute__do_build_and_run_instance"  # one per attempt on a host
MOVING = ("cleaning", "clean wait", "deploying", "wait call-back", "deleting", "inspecting")
TAKER = "oneview-user-during-boot"  # the profile the OneView user assigns


@dataclass
class ServerView:
    """One Nova server as the report shows it: where it landed and what OneView holds for it."""

    name: str
    status: str
    node: str | None = None
    server_hardware: str | None = None
    profile: str | None = None
    template: str | None = None  # the profile's template, or its description (detached)
    connections: list[str] = field(default_factory=list)
    fault: str | None = None
    attempts: list[str] = field(default_factory=list)  # failed attempts' messages (events)
    builds: int = 0  # build attempts on a compute host (more than one: Nova rescheduled)


@dataclass
class NovaStep:
    title: str
    seconds: float
    oneview_requests: dict[str, int] = field(default_factory=dict)  # route -> count
    server: ServerView | None = None
    notes: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


@dataclass
class NovaResult:
    steps: list[NovaStep] = field(default_factory=list)
    flavors: dict[str, str] = field(default_factory=dict)  # name -> what it asks for
    error: str | None = None
    clean: bool = False  # no Ironic profile left in OneView after the deletes

    def step(self, title: str) -> NovaStep | None:
        return next((s for s in self.steps if s.title.startswith(title)), None)


# -- clients ----------------------------------------------------------------------------------
def cli_env(sandbox: Sandbox) -> dict[str, str]:
    """The environment an operator exports to point ``openstack`` at the sandbox."""
    assert sandbox.nova is not None
    return {"OS_CLIENT_CONFIG_FILE": str(sandbox.nova.clouds_yaml), "OS_CLOUD": "sandbox"}


def connect(sandbox: Sandbox) -> os_connection.Connection:
    """openstacksdk on the sandbox's clouds.yaml (compute, image, network, baremetal)."""
    assert sandbox.nova is not None
    config = loader.OpenStackConfig(
        config_files=[str(sandbox.nova.clouds_yaml)], load_envvars=False
    )
    return os_connection.Connection(config=config.get_one(cloud="sandbox"))


def openstack(sandbox: Sandbox, *argv: str, timeout: float = 120.0) -> str:
    """One ``openstack`` CLI command, as an operator types it; its output.

    :raises SandboxError: it failed (its output in the message).
    """
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [script("openstack"), *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **cli_env(sandbox)},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SandboxError(f"`openstack {' '.join(argv)}` took over {timeout:.0f} s") from error
    if done.returncode != 0:
        raise SandboxError(
            f"`openstack {' '.join(argv)}` failed (code {done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[-800:]}"
        )
    return done.stdout


def witness(sandbox: Sandbox) -> Witness:
    assert sandbox.simulator is not None
    return Witness.of(sandbox.simulator)


@contextmanager
def counted(seen: Witness, into: NovaStep) -> Iterator[None]:
    """Times the block and counts OneView's requests during it (``/_sim/stats`` by route)."""
    before = dict(seen.stats()["byRoute"])
    began = time.monotonic()
    try:
        yield
    finally:
        into.seconds = time.monotonic() - began
        after = seen.stats()["byRoute"]
        into.oneview_requests = {
            route: count - before.get(route, 0)
            for route, count in sorted(after.items())
            if count - before.get(route, 0)
        }


def writes(requests: dict[str, int]) -> dict[str, int]:
    return {route: n for route, n in requests.items() if route.split(" ", 1)[0] in WRITES}


# -- what an operator sets up once -----------------------------------------------------------
def flavor_name(resource_class: str) -> str:
    return f"bm-{resource_class}"


def custom_resource_class(resource_class: str) -> str:
    """Ironic's ``oneview-ironic-eg-1`` is placement's ``CUSTOM_ONEVIEW_IRONIC_EG_1``."""
    return str(os_resource_classes.normalize_name(resource_class))


def flavor_properties(resource_class: str, trait: str | None = None) -> dict[str, str]:
    """One whole node of the class; nothing of the standard classes (Ironic reports none)."""
    properties = {
        f"resources:{custom_resource_class(resource_class)}": "1",
        "resources:VCPU": "0",
        "resources:MEMORY_MB": "0",
        "resources:DISK_GB": "0",
    }
    if trait:
        properties[f"trait:{trait}"] = "required"
    return properties


def create_flavor(conn: os_connection.Connection, name: str, properties: dict[str, str]) -> None:
    flavor = conn.compute.create_flavor(name=name, ram=1, vcpus=1, disk=0, is_public=True)
    conn.compute.create_flavor_extra_specs(flavor, properties)


def alt_template(sandbox: Sandbox, enrolled_uri: str) -> dict[str, Any]:
    """A second OneView template for the same servers (an operator's "large" variant), made
    through OneView's API as an operator would: the enrolled one with another name."""
    assert sandbox.oneview is not None
    client = sandbox.oneview
    source = client.request("GET", enrolled_uri)
    name = f"{source['name']}{ALT_SUFFIX}"
    query = f"name='{name}'"
    existing = client.request("GET", "/rest/server-profile-templates", params={"filter": query})
    for member in (existing or {}).get("members", []):
        return dict(member)
    body = {
        key: value
        for key, value in source.items()
        if key not in ("uri", "eTag", "created", "modified", "uuid", "id", "status", "state")
    }
    body.update(
        name=name,
        description="Nova trait flavor's template (sandbox)",
        serverProfileDescription=f"{PROFILE_FROM} {name}",
    )
    client.request("POST", "/rest/server-profile-templates", json=body)
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:  # the create is a task; the template shows once it runs
        found = client.request("GET", "/rest/server-profile-templates", params={"filter": query})
        members = (found or {}).get("members", [])
        if members:
            return dict(members[0])
        time.sleep(0.2)
    raise SandboxError(f"OneView did not create server profile template {name!r} within 60 s")


def prepare(
    sandbox: Sandbox, conn: os_connection.Connection, result: NovaResult, timeout: float
) -> dict[str, Any]:
    """Flavors, the trait's template and deploy template, the image, a tenant network.

    Returns what the scenario uses: ``flavor``, ``trait_flavor``, ``image``, ``network``,
    ``trait``, ``trait_node``, ``alt_template``, ``nodes``.
    """
    assert sandbox.image is not None
    nodes = [n for n in settled_nodes(conn, timeout) if n.provision_state == "available"]
    if len(nodes) < 3:
        raise SandboxError(f"the Nova scenario needs 3 available nodes; Ironic has {len(nodes)}")
    # Nova's images are whole-disk images an agent writes: a direct deploy.
    for node in nodes:
        if node.deploy_interface != DEPLOY_INTERFACE:
            conn.baremetal.update_node(node, deploy_interface=DEPLOY_INTERFACE)
    classes = sorted({str(n.resource_class) for n in nodes if n.resource_class})
    for resource_class in classes:
        properties = flavor_properties(resource_class)
        create_flavor(conn, flavor_name(resource_class), properties)
        result.flavors[flavor_name(resource_class)] = ", ".join(
            f"{k}={v}" for k, v in properties.items()
        )
    main_class = str(nodes[0].resource_class)
    enrolled_uri = str(inventory_caps(nodes[0]).get("server_profile_template_uri"))
    template = alt_template(sandbox, enrolled_uri)
    trait = inventory.template_trait(template)
    conn.baremetal.create_deploy_template(**inventory.deploy_template(trait, template))
    # One node may take the trait's template: the NoValidHost path needs it busy.
    trait_node = nodes[-1]
    conn.baremetal.add_node_trait(trait_node, trait)
    trait_flavor = flavor_name(main_class) + ALT_SUFFIX
    properties = flavor_properties(main_class, trait)
    create_flavor(conn, trait_flavor, properties)
    result.flavors[trait_flavor] = ", ".join(f"{k}={v}" for k, v in properties.items())
    image = conn.image.create_image(
        name=IMAGE_NAME,
        filename=str(sandbox.image.path),
        disk_format="raw",
        container_format="bare",
        visibility="public",
        wait=True,
    )
    network = sandbox.conn.network.create_network(name=TENANT_NETWORK)  # type: ignore[union-attr]
    sandbox.conn.network.create_subnet(  # type: ignore[union-attr]
        network_id=network.id, ip_version=4, cidr="10.77.0.0/24", name=TENANT_NETWORK
    )
    return {
        "flavor": flavor_name(main_class),
        "trait_flavor": trait_flavor,
        "image": image,
        "network": network,
        "trait": trait,
        "trait_node": trait_node,
        "alt_template": template,
        "nodes": nodes,
    }


def settled_nodes(conn: os_connection.Connection, timeout: float) -> list[Any]:
    """Every node once none is on its way somewhere (the sandbox's own scenario may still be
    cleaning its nodes); the Nova scenario then takes the available ones."""
    deadline = time.monotonic() + timeout
    while True:
        nodes = list(conn.baremetal.nodes(details=True))
        moving = [n.name for n in nodes if n.target_provision_state or n.provision_state in MOVING]
        if not moving:
            return nodes
        if time.monotonic() > deadline:
            raise SandboxError(f"nodes {moving} did not settle within {timeout:.0f} s")
        time.sleep(1.0)


def inventory_caps(node: Any) -> dict[str, str]:
    """A node's ``properties/capabilities`` (``key:value,...``) as a dict."""
    raw = str((node.properties or {}).get("capabilities") or "")
    return dict(item.split(":", 1) for item in raw.split(",") if ":" in item)


def wait_schedulable(
    conn: os_connection.Connection, nodes: list[Any], trait: str, timeout: float
) -> None:
    """Until Placement has every node's inventory and the trait node's trait (nova-compute
    reports them every ``update_resources_interval``)."""
    wanted = {str(n.id) for n in nodes}
    placement = conn.placement
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        providers = {str(p.id): p for p in placement.resource_providers()}
        ready = {
            uuid
            for uuid in wanted & set(providers)
            if any(
                str(rc).startswith("CUSTOM_")
                for rc in (
                    placement.get(f"/resource_providers/{uuid}/inventories", microversion="1.6")
                    .json()
                    .get("inventories")
                    or {}
                )
            )
        }
        if ready == wanted:
            trait_node = str(nodes[-1].id)
            traits = (
                placement.get(f"/resource_providers/{trait_node}/traits", microversion="1.6")
                .json()
                .get("traits", [])
            )
            if trait in traits:
                return
        time.sleep(1.0)
    raise SandboxError(
        f"Placement did not list all {len(wanted)} nodes with their resource class and {trait} within {timeout:.0f} s; see nova/nova-compute.out"
    )


# -- servers ---------------------------------------------------------------------------------
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


# -- report -----------------------------------------------------------------------------------
def show(console: Console, result: NovaResult) -> None:
    console.rule("Nova scenario")
    for name, asks in result.flavors.items():
        console.print(f"flavor [bold]{escape(name)}[/]: {escape(asks)}", highlight=False)
    for number, step in enumerate(result.steps, 1):
        total = sum(step.oneview_requests.values())
        console.print(
            f"[bold]{number}. {escape(step.title)}[/] ({step.seconds:.1f} s, {total} OneView requests)"
        )
        for command in step.commands:
            console.print(f"   $ {escape(command)}", highlight=False)
        if step.server is not None:
            s = step.server
            console.print(
                f"   {escape(s.name)}: {s.status} on node {s.node or '-'} (OneView server "
                f"{escape(s.server_hardware or '-')}, profile {escape(s.profile or '-')} from "
                f"template {escape(s.template or '-')})",
                highlight=False,
            )
            for line in s.connections:
                console.print(f"     connection {escape(line)}", highlight=False)
            if s.fault:
                console.print(f"   fault: {escape(s.fault)}", highlight=False)
            for attempt in s.attempts:
                console.print(f"   failed: {escape(attempt[:300])}", highlight=False)
            if s.builds > 1:
                console.print(f"   built {s.builds} times (Nova rescheduled)", highlight=False)
        if step.oneview_requests:
            console.print(
                "   OneView: " + ", ".join(f"{r}: {n}" for r, n in step.oneview_requests.items()),
                highlight=False,
            )
        for note in step.notes:
            console.print(f"   {escape(note)}", highlight=False)
    if result.error:
        console.print(f"[bold red]Nova scenario failed:[/] {escape(result.error)}")
    console.print(
        "OneView ended clean (no Ironic profile left)."
        if result.clean
        else "[red]Ironic profiles left in OneView[/]"
    )
