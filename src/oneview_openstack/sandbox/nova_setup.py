"""What an operator sets up once before tenants ask Nova for OneView servers: a flavor per
enrolled resource class, a second OneView template with its deploy template and trait, a flavor
asking for that trait, the sandbox's disk image in Glance and a tenant network; then waits until
Placement can schedule onto every node."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import os_resource_classes  # type: ignore[import-untyped]
from openstack import connection as os_connection

from ..enroll import inventory
from .nova_results import NovaResult
from .processes import SandboxError

if TYPE_CHECKING:
    from .environment import Sandbox

IMAGE_NAME = "sandbox-disk"
TENANT_NETWORK = "nova-tenant"
ALT_SUFFIX = "-nova-alt"  # the second template's name: the enrolled one's plus this
DEPLOY_INTERFACE = "oneview-direct"
PROFILE_FROM = "a profile from template"  # the alt template's profiles say so
MOVING = ("cleaning", "clean wait", "deploying", "wait call-back", "deleting", "inspecting")


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
    # The scenario's servers all come from the first node's class (the blades): other classes
    # (the DL360 rack's) get their flavor but no server.
    main_nodes = [n for n in nodes if str(n.resource_class) == main_class]
    if len(main_nodes) < 3:
        raise SandboxError(
            f"the Nova scenario needs 3 available nodes of resource class {main_class}; "
            f"Ironic has {len(main_nodes)}"
        )
    enrolled_uri = str(inventory_caps(nodes[0]).get("server_profile_template_uri"))
    template = alt_template(sandbox, enrolled_uri)
    trait = inventory.template_trait(template)
    conn.baremetal.create_deploy_template(**inventory.deploy_template(trait, template))
    # One node of that class may take the trait's template: the NoValidHost path needs it busy.
    trait_node = main_nodes[-1]
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
