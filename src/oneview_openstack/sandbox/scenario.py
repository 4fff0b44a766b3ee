"""The sandbox's scenario: a tenant network, two deployments onto it, undeploy with cleaning,
delete it.

The first node deploys with ``oneview-direct``: a real ironic-python-agent (``agents``) writes
the sandbox's disk image (``images``) to the server's disk file, and the server boots it from
its disk. The second deploys with ``oneview-ramdisk`` and is VLAN-aware: its VIF is a trunk with
two subports. Undeploy cleans both (a metadata erase through the agent) before their profiles
are released; the scenario turns cleaning on for its two nodes whatever the sandbox's default,
and gives them back their deploy interface and cleaning setting at the end.

The scenario creates and deletes only its own resources: the networks Ironic is configured with
(provisioning, cleaning, inspection) belong to the sandbox and outlive the scenario, so the APIs
stay usable for a user's own deployments afterwards. Every step goes through the public APIs
(openstacksdk for Ironic and Neutron); OneView is only read, through the product's client, to
show what the drivers did. Every wait is bounded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..enroll.inventory import natural
from . import images
from .configs import PHYSNET, TENANT_NETWORK
from .environment import Sandbox

# The scenario's own networks (the sandbox makes the ones Ironic is configured with): the
# tenant network, and the two networks of the second node's trunk subports.
SUBPORT_NETWORKS = ("subport-a", "subport-b")
NETWORKS = (
    (TENANT_NETWORK, 150, "10.150.0.0/24"),
    (SUBPORT_NETWORKS[0], 151, "10.151.0.0/24"),
    (SUBPORT_NETWORKS[1], 152, "10.152.0.0/24"),
)
TRUNK_SET_PREFIX = "Neutron trunk ["
DIRECT_DEPLOY = "oneview-direct"
RAMDISK_DEPLOY = "oneview-ramdisk"


@dataclass
class OneViewView:
    """What OneView holds that the drivers may change."""

    profiles: list[dict[str, Any]]
    networks: dict[str, Any]  # name -> VLAN
    uplink_sets: dict[str, list[str]]  # name -> network names
    # name -> member network names, the native one first (trunks are network sets)
    network_sets: dict[str, list[str]] = field(default_factory=dict)

    def neutron_networks(self) -> list[str]:
        return sorted(n for n in self.networks if n.startswith("Neutron ["))


@dataclass
class Step:
    title: str
    seconds: float
    oneview: OneViewView | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ScenarioResult:
    steps: list[Step] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    ports: list[dict[str, Any]] = field(default_factory=list)
    baseline: OneViewView | None = None
    error: str | None = None
    network_names: dict[str, str] = field(default_factory=dict)  # "Neutron [<id>]" -> name
    trunk: dict[str, Any] = field(default_factory=dict)  # the trunk as Neutron shows it
    # The direct deployment's disk: what the image wrote and what cleaning left of it.
    disk: dict[str, Any] = field(default_factory=dict)

    def label(self, value: str) -> str:
        """``Neutron [<uuid>]`` -> ``Neutron [<uuid>] ('tenant')``, for the report."""
        name = self.network_names.get(value)
        return f"{value} ('{name}')" if name else value

    @property
    def clean(self) -> bool:
        final = self.steps[-1].oneview if self.steps else None
        return bool(final and self.baseline and same(final, self.baseline))


def same(one: OneViewView, other: OneViewView) -> bool:
    names = {p["name"] for p in one.profiles} == {p["name"] for p in other.profiles}
    return (
        names
        and one.networks == other.networks
        and one.uplink_sets == other.uplink_sets
        and one.network_sets == other.network_sets
    )


def look(sandbox: Sandbox) -> OneViewView:
    client = sandbox.oneview
    assert client is not None
    networks = client.ethernet_networks.list()
    sets = client.network_sets.list()
    name_of = {n["uri"]: n["name"] for n in [*networks, *sets]}
    servers = {s["uri"]: s.get("name") for s in client.server_hardware.list()}
    profiles = []
    for profile in client.server_profiles.list():
        settings = profile.get("connectionSettings") or {}
        connections = settings.get("connections") or profile.get("connections") or []
        profiles.append(
            {
                "name": profile.get("name"),
                "server": servers.get(profile.get("serverHardwareUri"), "-"),
                "state": profile.get("state"),
                "connections": [
                    {
                        "name": c.get("name"),
                        "portId": c.get("portId"),
                        "network": name_of.get(c.get("networkUri"), c.get("networkUri")),
                        "mac": c.get("mac"),
                        "boot": (c.get("boot") or {}).get("priority"),
                    }
                    for c in connections
                ],
            }
        )
    return OneViewView(
        profiles=sorted(profiles, key=lambda p: str(p["name"])),
        networks={n["name"]: n.get("vlanId") for n in networks},
        uplink_sets={
            u["name"]: sorted(name_of.get(uri, uri) for uri in u.get("networkUris") or [])
            for u in client.uplink_sets.list()
        },
        network_sets={
            s["name"]: _members(s, name_of) for s in sets if s["name"].startswith(TRUNK_SET_PREFIX)
        },
    )


def _members(network_set: dict[str, Any], name_of: dict[str, str]) -> list[str]:
    native = network_set.get("nativeNetworkUri")
    names = sorted(name_of.get(u, u) for u in network_set.get("networkUris") or [] if u != native)
    return [name_of.get(native, native), *names] if native else names


Observer = Callable[[str], None]


def _timed(
    result: ScenarioResult,
    sandbox: Sandbox,
    title: str,
    action: Callable[[], Any],
    observe: Observer | None = None,
) -> Any:
    started = time.monotonic()
    value = action()
    result.steps.append(Step(title, time.monotonic() - started, look(sandbox)))
    if observe is not None:
        observe(title)
    return value


def pick_nodes(sandbox: Sandbox, count: int = 2) -> list[Any]:
    conn = sandbox.conn
    assert conn is not None
    available = [n for n in conn.baremetal.nodes(details=True) if n.provision_state == "available"]
    if len(available) < count:
        raise RuntimeError(f"only {len(available)} available nodes; the scenario needs {count}")
    return sorted(available, key=lambda n: natural(str(n.name)))[:count]


def create_networks(sandbox: Sandbox) -> dict[str, Any]:
    network = sandbox.conn.network  # type: ignore[union-attr]
    made = {}
    for name, vlan, cidr in NETWORKS:
        net = network.create_network(
            name=name,
            provider_network_type="vlan",
            provider_physical_network=PHYSNET,
            provider_segmentation_id=vlan,
        )
        network.create_subnet(network_id=net.id, ip_version=4, cidr=cidr, name=f"{name}-subnet")
        made[name] = net
    return made


def deploy(
    sandbox: Sandbox,
    nodes: list[Any],
    tenant: Any,
    timeout: float,
    *,
    subport_networks: list[Any] | None = None,
) -> list[Any]:
    """Deploy ``nodes``, a VIF on ``tenant`` each; with ``subport_networks``, the last node's
    VIF is the parent of a trunk with a subport on each of them. Returns the VIFs."""
    conn = sandbox.conn
    assert conn is not None
    vifs = []
    for node in nodes:
        vif = conn.network.create_port(network_id=tenant.id, name=f"{node.name}-vif")
        vifs.append(vif)
    if subport_networks:
        make_trunk(sandbox, nodes[-1], vifs[-1], subport_networks)
    for node, vif in zip(nodes, vifs, strict=True):
        conn.baremetal.attach_vif_to_node(node, vif.id)
        conn.baremetal.update_node(
            node, instance_info=instance_info(sandbox, conn.baremetal.get_node(node.id))
        )
    for node in nodes:
        conn.baremetal.set_node_provision_state(node, "active")
    wait_nodes(sandbox, nodes, "active", timeout)
    return vifs


def make_trunk(sandbox: Sandbox, node: Any, parent: Any, networks: list[Any]) -> Any:
    """A trunk on ``parent``: a subport on each network, tagged with the network's own VLAN
    (a OneView network set cannot translate VLANs)."""
    conn = sandbox.conn
    assert conn is not None
    subports = []
    for network in networks:
        port = conn.network.create_port(network_id=network.id, name=f"{node.name}-{network.name}")
        subports.append(
            {
                "port_id": port.id,
                "segmentation_type": "vlan",
                "segmentation_id": network.provider_segmentation_id,
            }
        )
    return conn.network.create_trunk(
        name=f"{node.name}-trunk", port_id=parent.id, sub_ports=subports
    )


def trunk_ports(sandbox: Sandbox, parent_id: str) -> list[Any]:
    """The subports of the trunk whose parent is ``parent_id`` (none without a trunk)."""
    network = sandbox.conn.network  # type: ignore[union-attr]
    ids = [s["port_id"] for t in network.trunks(port_id=parent_id) for s in t.sub_ports]
    return [network.get_port(port_id) for port_id in ids]


def trunk_view(sandbox: Sandbox, parent_id: str) -> dict[str, Any]:
    network = sandbox.conn.network  # type: ignore[union-attr]
    for trunk in network.trunks(port_id=parent_id):
        return {"id": trunk.id, "name": trunk.name, "status": trunk.status,
                "sub_ports": list(trunk.sub_ports)}  # fmt: skip
    return {}


def instance_info(sandbox: Sandbox, node: Any = None) -> dict[str, Any]:
    """What ``node`` deploys, by its deploy interface (without a node: a ramdisk deployment).

    ``oneview-direct``: the sandbox's whole-disk image (a ``file://`` URL with its sha256; Ironic
    caches it and the agent downloads it over ``[deploy] http_url``). ``oneview-ramdisk``: a
    kernel and ramdisk in the state folder that nothing boots.
    """
    if node is not None and node.deploy_interface == DIRECT_DEPLOY:
        assert sandbox.image is not None
        return {**sandbox.image.instance_info(), "display_name": "sandbox"}
    return {
        "kernel": sandbox.image_url("vmlinuz"),
        "ramdisk": sandbox.image_url("initrd.img"),
        "display_name": "sandbox",
    }


def prepare_nodes(sandbox: Sandbox, nodes: list[Any]) -> list[Any]:
    """The first node deploys directly, the second from a ramdisk; both clean at undeploy."""
    conn = sandbox.conn
    assert conn is not None
    kinds = [DIRECT_DEPLOY, RAMDISK_DEPLOY]
    return [
        conn.baremetal.update_node(node, deploy_interface=kind, is_automated_clean_enabled=True)
        for node, kind in zip(nodes, kinds, strict=False)
    ]


def restore_nodes(sandbox: Sandbox, nodes: list[Any]) -> None:
    """Back to the enrollment's deploy interface and the sandbox's cleaning default."""
    conn = sandbox.conn
    assert conn is not None
    for node in nodes:
        conn.baremetal.patch_node(
            node,
            [
                {"op": "replace", "path": "/deploy_interface",
                 "value": sandbox.options.deploy_interface},
                # Ironic's PATCH cannot "remove" it (HTTP 500); null is "the [conductor] default".
                {"op": "replace", "path": "/automated_clean", "value": None},
            ],
        )  # fmt: skip


def disk_view(sandbox: Sandbox, node: Any) -> dict[str, Any]:
    """The node's server disk file: whether it holds the image and a partition table."""
    if sandbox.agents is None or sandbox.oneview is None or sandbox.image is None:
        return {}
    uri = str((node.driver_info or {}).get("server_hardware_uri"))
    name = str(sandbox.oneview.server_hardware.get(uri).get("name"))
    path = sandbox.agents.disk(name)
    table = images.read_partition_table(path)
    return {
        "server": name,
        "path": str(path),
        "image": images.holds_image(path, sandbox.image),
        "partition_table": table.gpt_header,
        "partitions": list(table.partitions),
    }


def undeploy(sandbox: Sandbox, nodes: list[Any], timeout: float) -> None:
    conn = sandbox.conn
    assert conn is not None
    for node in nodes:
        conn.baremetal.set_node_provision_state(node, "deleted")
    wait_nodes(sandbox, nodes, "available", timeout)


def wait_nodes(sandbox: Sandbox, nodes: list[Any], state: str, timeout: float) -> None:
    """Bounded wait; a node that fails raises with Ironic's last_error."""
    conn = sandbox.conn
    assert conn is not None
    conn.baremetal.wait_for_nodes_provision_state(
        [n.id for n in nodes], state, timeout=timeout, abort_on_failed_state=True
    )


def detach_vif(conn: Any, node: Any, vif_id: str) -> None:
    """Detach a VIF if it is still attached (Ironic detaches them on undeploy; detaching one
    that is not attached records an ERROR in the node's history)."""
    if vif_id in conn.baremetal.list_node_vifs(node):
        conn.baremetal.detach_vif_from_node(node, vif_id)


def delete_networks(sandbox: Sandbox, vifs: list[Any], networks: dict[str, Any]) -> None:
    """Delete the scenario's ports (also any a failed step left on its networks), then them.

    Only ``networks`` (what ``create_networks`` made): never one Ironic is configured with.
    """
    network = sandbox.conn.network  # type: ignore[union-attr]
    ironic_uses = {n.id for n in sandbox.ironic_networks.values()}
    ours = [net for net in networks.values() if net.id not in ironic_uses]
    ports = [*vifs, *(p for net in ours for p in network.ports(network_id=net.id))]
    for port in ports:  # a trunk first: Neutron keeps a trunk's parent port
        for trunk in network.trunks(port_id=port.id):
            network.delete_trunk(trunk, ignore_missing=True)
    for port in ports:
        network.delete_port(port.id, ignore_missing=True)
    for net in ours:
        network.delete_network(net.id, ignore_missing=True)


def wait_subports(sandbox: Sandbox, parent_id: str, status: str, timeout: float) -> list[Any]:
    """The trunk's subports once every one is ``status`` (the driver sets them after the set
    carries them); bounded."""
    deadline = time.monotonic() + timeout
    while True:
        subports = trunk_ports(sandbox, parent_id)
        if subports and all(p.status == status for p in subports):
            return subports
        if time.monotonic() > deadline:
            states = {p.name: p.status for p in subports}
            raise RuntimeError(f"trunk subports not {status} after {timeout:.0f} s: {states}")
        time.sleep(0.5)


def node_rows(sandbox: Sandbox, nodes: list[Any], stage: str) -> list[dict[str, Any]]:
    conn = sandbox.conn
    assert conn is not None
    rows = []
    for node in nodes:
        fresh = conn.baremetal.get_node(node.id)
        rows.append(
            {
                "stage": stage,
                "name": fresh.name,
                "uuid": fresh.id,
                "server": (fresh.driver_info or {}).get("server_hardware_uri"),
                "deploy_interface": fresh.deploy_interface,
                "provision_state": fresh.provision_state,
                "power_state": fresh.power_state,
                "profile": (fresh.driver_info or {}).get("applied_server_profile_uri"),
                "last_error": fresh.last_error,
            }
        )
    return rows


def port_rows(sandbox: Sandbox, vifs: list[Any], stage: str) -> list[dict[str, Any]]:
    network = sandbox.conn.network  # type: ignore[union-attr]
    rows = []
    for vif in vifs:
        port = network.get_port(vif.id)
        rows.append(
            {
                "stage": stage,
                "name": port.name,
                "mac": port.mac_address,
                "status": port.status,
                "vif_type": port.binding_vif_type,
                "host": port.binding_host_id,
            }
        )
    return rows


def _names(names: Any) -> str:
    quoted = [f"'{name}'" for name in names]
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def run(
    sandbox: Sandbox, *, timeout: float = 300.0, observe: Observer | None = None
) -> ScenarioResult:
    """Run the scenario; a failure is recorded (with the state OneView was left in), not raised.

    ``observe`` is called with each step's title right after the step (tests look at OneView
    through their own eyes there).
    """
    result = ScenarioResult(baseline=look(sandbox))
    vifs: list[Any] = []
    networks: dict[str, Any] = {}
    nodes: list[Any] = []
    try:
        networks = _timed(
            result,
            sandbox,
            f"Created the Neutron VLAN networks {_names(n for n, _v, _c in NETWORKS)}",
            lambda: create_networks(sandbox),
            observe,
        )
        result.network_names = {f"Neutron [{n.id}]": name for name, n in networks.items()}
        nodes = prepare_nodes(sandbox, pick_nodes(sandbox))
        vifs = _timed(
            result,
            sandbox,
            f"Deployed {nodes[0].name} with {DIRECT_DEPLOY} (the sandbox image written by "
            f"ironic-python-agent) onto '{TENANT_NETWORK}', and {nodes[1].name} with "
            f"{RAMDISK_DEPLOY} and a trunk: its VIF on '{TENANT_NETWORK}', subports on "
            f"'{SUBPORT_NETWORKS[0]}' and '{SUBPORT_NETWORKS[1]}'",
            lambda: deploy(
                sandbox,
                nodes,
                networks[TENANT_NETWORK],
                timeout,
                subport_networks=[networks[name] for name in SUBPORT_NETWORKS],
            ),
            observe,
        )
        subports = wait_subports(sandbox, vifs[-1].id, "ACTIVE", timeout)
        result.trunk = trunk_view(sandbox, vifs[-1].id)
        result.network_names[f"Neutron trunk [{result.trunk['id']}]"] = f"trunk of {nodes[-1].name}"
        vifs += subports
        result.nodes = node_rows(sandbox, nodes, "deployed")
        result.ports = port_rows(sandbox, vifs, "deployed")
        deployed_disk = disk_view(sandbox, nodes[0])
        if deployed_disk:
            result.disk["deployed"] = deployed_disk
            result.steps[-1].notes.append(_disk_note(deployed_disk, "deployed"))
        _timed(
            result,
            sandbox,
            "Undeployed both nodes, cleaning them (a metadata erase through the agent) before "
            "their profiles were released",
            lambda: undeploy(sandbox, nodes, timeout),
            observe,
        )
        cleaned_disk = disk_view(sandbox, nodes[0])
        if cleaned_disk:
            result.disk["cleaned"] = cleaned_disk
            result.steps[-1].notes.append(_disk_note(cleaned_disk, "cleaned"))
        result.nodes += node_rows(sandbox, nodes, "released")
        result.ports += port_rows(sandbox, vifs, "released")
        _timed(
            result,
            sandbox,
            f"Deleted the trunk, the Neutron ports and the networks "
            f"{_names(n for n, _v, _c in NETWORKS)}",
            lambda: delete_networks(sandbox, vifs, networks),
            observe,
        )
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
        if nodes:
            result.nodes += node_rows(sandbox, nodes, "after the error")
        result.steps.append(Step("Scenario stopped by an error", 0.0, look(sandbox)))
    finally:
        try:
            restore_nodes(sandbox, nodes)
        except Exception as error:  # a node left failed keeps what the scenario set
            result.error = result.error or f"restoring the nodes: {type(error).__name__}: {error}"
    return result


def _disk_note(disk: dict[str, Any], stage: str) -> str:
    where = f"{disk['server']}'s disk ({disk['path']})"
    if stage == "deployed":
        found = "holds the sandbox image" if disk["image"] else "does NOT hold the sandbox image"
        return f"{where} {found}; GPT partitions {', '.join(disk['partitions']) or 'none'}"
    if disk["partition_table"]:
        return f"{where} still has a partition table after cleaning"
    return f"{where}: cleaning erased the partition table"
