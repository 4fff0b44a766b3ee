"""From OneView's inventory to Ironic node and port bodies: pure functions, no I/O.

The node contract is the one the ``oneview`` hardware type reads (and the historical driver read):
``driver_info/server_hardware_uri``; ``properties/capabilities`` holding
``server_hardware_type_uri``, ``server_profile_template_uri`` and, for servers in an enclosure,
``enclosure_group_uri``. Ports carry the MAC OneView gives the template's connection and a
``local_link_connection`` naming the interconnect and its downlink. Every node gets a trait
``CUSTOM_OV_<TEMPLATE>`` per Ironic-ready template that fits its server, so a deploy template of
that name (``deploy.apply_server_profile_template``) can choose the template per deployment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import os_traits  # type: ignore[import-untyped]  # Ironic and placement use its rule

from ..client import views
from ..client.views import EthernetPort

DRIVER = "oneview"
RESOURCE_CLASS_PREFIX = "oneview-"
TRAIT_PREFIX = "OV_"
TRAIT_MAX_LENGTH = 255  # Ironic's traits column (and placement's)
# The deploy step of the ``oneview-*`` deploy interfaces that claims from a given template;
# above 100, so it runs out of band before ``deploy.deploy`` (the claim composes it).
TEMPLATE_STEP = "apply_server_profile_template"
TEMPLATE_STEP_PRIORITY = 150


@dataclass(frozen=True)
class TemplateCheck:
    """Whether a server profile template can back Ironic nodes, and why not."""

    template: dict[str, Any]
    problems: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def name(self) -> str:
        return str(self.template.get("name"))


@dataclass
class Candidate:
    """One server and what enrollment decided for it."""

    server: dict[str, Any]
    template: dict[str, Any] | None = None
    skip_reason: str | None = None
    node: dict[str, Any] = field(default_factory=dict)
    ports: list[dict[str, Any]] = field(default_factory=list)
    traits: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.server.get("name"))


def check_template(template: dict[str, Any]) -> TemplateCheck:
    """The checks the hardware type makes at deploy time, made early so nodes never fail late."""
    problems = []
    if not (template.get("boot") or {}).get("manageBoot"):
        problems.append("does not manage the boot order (boot.manageBoot is false)")
    if template.get("macType") != "Physical":
        problems.append(
            f"uses {template.get('macType')} MACs; Ironic ports need physical MACs known "
            "before a profile exists"
        )
    if not template.get("serverHardwareTypeUri"):
        problems.append("names no server hardware type")
    return TemplateCheck(template, tuple(problems))


def compatible(server: dict[str, Any], template: dict[str, Any]) -> bool:
    """Same hardware type; same enclosure group when the template names one."""
    if server.get("serverHardwareTypeUri") != template.get("serverHardwareTypeUri"):
        return False
    group = template.get("enclosureGroupUri")
    return not group or server.get("serverGroupUri") == group


def owner_problem(server: dict[str, Any]) -> str | None:
    """Why a server is not free for Ironic, or None."""
    if server.get("serverProfileUri"):
        return "in use by OneView (it carries a server profile)"
    if server.get("state") in ("ApplyingProfile", "RemovingProfile", "ProfileError"):
        return f"busy in OneView (state {server.get('state')})"
    return None


def natural(text: str) -> tuple[Any, ...]:
    """Sort key that puts ``bay 2`` before ``bay 10``."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


def slug(text: str) -> str:
    """``Encl1, bay 3`` -> ``encl1-bay-3``: a node name Ironic accepts (RFC 3986 unreserved)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "server"


def resource_class(template: dict[str, Any]) -> str:
    """One resource class per template (Nova flavors: ``resources:CUSTOM_ONEVIEW_...=1``)."""
    return (RESOURCE_CLASS_PREFIX + slug(str(template.get("name"))))[:80]


def template_trait(template: dict[str, Any]) -> str:
    """``CUSTOM_OV_<NAME>``: os-traits' normalisation (what Ironic and placement accept)."""
    return str(os_traits.normalize_name(TRAIT_PREFIX + str(template.get("name"))))[
        :TRAIT_MAX_LENGTH
    ]


@dataclass(frozen=True)
class TraitMap:
    """Trait -> the ready template it chooses; names that collide once normalised are left out
    (a trait must name one template), with the reason."""

    templates: dict[str, dict[str, Any]]
    problems: tuple[str, ...] = ()


def trait_map(checks: Iterable[TemplateCheck]) -> TraitMap:
    """One trait per Ironic-ready template; ``web 1`` and ``web-1`` would share one: neither."""
    claimed: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        if check.ready:
            claimed.setdefault(template_trait(check.template), []).append(check.template)
    problems = tuple(
        f"templates {', '.join(sorted(str(t.get('name')) for t in found))} all normalise to "
        f"trait {trait}; none of them gets a trait (rename one in OneView)"
        for trait, found in sorted(claimed.items())
        if len(found) > 1
    )
    chosen = {trait: found[0] for trait, found in claimed.items() if len(found) == 1}
    return TraitMap(chosen, problems)


def server_traits(server: dict[str, Any], traits: TraitMap) -> list[str]:
    """The traits of the templates that fit this server (same hardware type and group)."""
    return sorted(trait for trait, t in traits.templates.items() if compatible(server, t))


def deploy_template(trait: str, template: dict[str, Any]) -> dict[str, Any]:
    """The Ironic deploy template (``POST /v1/deploy_templates``) choosing ``template``."""
    step = {
        "interface": "deploy",
        "step": TEMPLATE_STEP,
        "args": {"template": template.get("uri")},
        "priority": TEMPLATE_STEP_PRIORITY,
    }
    return {"name": trait, "steps": [step]}


def capabilities(server: dict[str, Any], template: dict[str, Any]) -> str:
    caps = {
        "server_hardware_type_uri": server.get("serverHardwareTypeUri"),
        "server_profile_template_uri": template.get("uri"),
        "enclosure_group_uri": server.get("serverGroupUri"),
    }
    mode = str((template.get("bootMode") or {}).get("mode") or "")
    if (template.get("bootMode") or {}).get("manageMode") and mode:
        caps["boot_mode"] = "uefi" if mode.upper().startswith("UEFI") else "bios"
    return ",".join(f"{key}:{value}" for key, value in caps.items() if value)


def node_body(
    server: dict[str, Any],
    template: dict[str, Any],
    *,
    interfaces: dict[str, str] | None = None,
    driver_info: dict[str, Any] | None = None,
    local_gb: int | None = None,
    driver: str = DRIVER,
) -> dict[str, Any]:
    """The ``POST /v1/nodes`` body for one server (no secrets: OneView creds live in config)."""
    cores = int(server.get("processorCoreCount") or 0)
    sockets = int(server.get("processorCount") or 0)
    properties: dict[str, Any] = {"capabilities": capabilities(server, template)}
    arch = views.cpu_arch(server)  # the rule inspection uses; unknown: left for inspection
    if arch:
        properties["cpu_arch"] = arch
    if cores and sockets:
        properties["cpus"] = cores * sockets
    if server.get("memoryMb"):
        properties["memory_mb"] = int(server["memoryMb"])
    if local_gb is not None:
        properties["local_gb"] = local_gb
    body: dict[str, Any] = {
        "name": slug(str(server.get("name") or server.get("uuid"))),
        "driver": driver,
        "driver_info": {"server_hardware_uri": server["uri"], **(driver_info or {})},
        "properties": properties,
        "resource_class": resource_class(template),
        "extra": {"oneview_server_name": server.get("name")},
    }
    body.update({f"{kind}_interface": name for kind, name in (interfaces or {}).items()})
    return body


def boot_port_id(template: dict[str, Any]) -> str | None:
    """The portId of the template's primary boot connection (where the server PXE-boots)."""
    connections = (template.get("connectionSettings") or {}).get("connections") or template.get(
        "connections"
    )
    for connection in connections or []:
        if (connection.get("boot") or {}).get("priority") == "Primary":
            return connection.get("portId")
    return None


def local_link(port: EthernetPort, interconnects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Ironic's ``local_link_connection``, the same form the ``oneview`` inspect interface writes
    (see :func:`oneview_openstack.client.views.local_link`)."""
    interconnect = interconnects.get(port.interconnect_uri or "") or {}
    return views.local_link(port, interconnect.get("interconnectMAC"))


def port_bodies(
    server: dict[str, Any],
    template: dict[str, Any],
    interconnects: dict[str, dict[str, Any]],
    *,
    physical_network: str | None = None,
    all_ports: bool = False,
) -> list[dict[str, Any]]:
    """Ironic ports (without ``node_uuid``): the boot port, or every Ethernet port."""
    found = views.ethernet_ports(server)
    if not found:
        return []
    boot = boot_port_id(template)
    boot_port = next((p for p in found if p.port_id == boot), found[0])
    chosen = found if all_ports else (boot_port,)
    bodies = []
    for port in chosen:
        body: dict[str, Any] = {
            "address": port.mac,
            "pxe_enabled": port is boot_port,
            "local_link_connection": local_link(port, interconnects),
            "extra": {"oneview_port_id": port.port_id},
        }
        if physical_network:
            body["physical_network"] = physical_network
        bodies.append(body)
    return bodies


def plan(
    servers: list[dict[str, Any]],
    templates: list[TemplateCheck],
    enrolled: dict[str, str],
) -> list[Candidate]:
    """Decide per server: which template backs it, or why it is skipped.

    ``enrolled`` maps server hardware URIs to the names of existing Ironic nodes. Each server goes
    to the first ready template it is compatible with (templates in the order the operator gave).
    """
    candidates = []
    for server in sorted(servers, key=lambda s: natural(str(s.get("name")))):
        candidate = Candidate(server)
        matching = [t for t in templates if compatible(server, t.template)]
        node = enrolled.get(str(server.get("uri")))
        if node is not None:
            candidate.skip_reason = f"already enrolled as node {node}"
        elif not matching:
            candidate.skip_reason = "no selected template fits this server"
        elif not any(t.ready for t in matching):
            candidate.skip_reason = f"template {matching[0].name} {matching[0].problems[0]}"
        else:
            candidate.template = next(t.template for t in matching if t.ready)
            candidate.skip_reason = owner_problem(server)
        candidates.append(candidate)
    return candidates
