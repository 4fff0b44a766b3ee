"""A VLAN-aware bare-metal node: a Neutron trunk deployed through the real Ironic and Neutron.

The trunk (a parent and two subports) becomes one OneView network set that the parent's profile
connection points at. Subports added and removed while the node is ACTIVE change the set only:
the simulator's ``/_sim/stats`` must count no profile write and no power change. OneView is read
through ``/_sim/state``, never the product's client.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from openstack import exceptions as os_exc

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import wait_until

from .conftest import Witness

TIMEOUT = 180.0
PARENT_VLAN, FIRST_VLAN, SECOND_VLAN, LATER_VLAN = 170, 171, 172, 173
PROFILE_WRITES = ("PUT /rest/server-profiles/{id}", "PATCH /rest/server-profiles/{id}")
POWER_WRITES = ("PUT /rest/server-hardware/{id}/powerState",)
SET_WRITES = ("PUT /rest/network-sets/{id}",)


def set_name(trunk_id: str) -> str:
    return f"Neutron trunk [{trunk_id}]"


def writes(witness: Witness, routes: tuple[str, ...]) -> int:
    by_route = witness.stats()["byRoute"]
    return sum(int(by_route.get(route, 0)) for route in routes)


def oneview_network(witness: Witness, network_id: str) -> str:
    (uri,) = [
        n["uri"]
        for n in witness.state("ethernet-networks")["ethernet-networks"]
        if n["name"] == f"Neutron [{network_id}]"
    ]
    return str(uri)


def network_sets(witness: Witness) -> list[dict[str, Any]]:
    return list(witness.sim("GET", "state", categories="network-sets")["network-sets"])


def the_set(witness: Witness, trunk_id: str) -> dict[str, Any] | None:
    found = [s for s in network_sets(witness) if s["name"] == set_name(trunk_id)]
    assert len(found) <= 1, found
    return found[0] if found else None


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    return list((profile.get("connectionSettings") or {}).get("connections") or [])


@dataclass
class Trunked:
    """Networks (parent + three subport networks), their ports and the trunk; removed after."""

    sandbox: Sandbox
    conn: Any
    networks: dict[int, Any] = field(default_factory=dict)  # VLAN -> network
    ports: dict[int, Any] = field(default_factory=dict)  # VLAN -> port on that network
    trunk: Any = None

    def make(self) -> None:
        for vlan in (PARENT_VLAN, FIRST_VLAN, SECOND_VLAN, LATER_VLAN):
            net = self.conn.network.create_network(
                name=f"trunk-net-{vlan}",
                provider_network_type="vlan",
                provider_physical_network=PHYSNET,
                provider_segmentation_id=vlan,
            )
            self.networks[vlan] = net
            self.conn.network.create_subnet(
                network_id=net.id, ip_version=4, cidr=f"10.{vlan}.0.0/24"
            )
            self.ports[vlan] = self.conn.network.create_port(
                network_id=net.id, name=f"trunk-port-{vlan}"
            )
        self.trunk = self.conn.network.create_trunk(
            name="e2e-trunk",
            port_id=self.ports[PARENT_VLAN].id,
            sub_ports=[self.subport(FIRST_VLAN), self.subport(SECOND_VLAN)],
        )

    def subport(self, vlan: int, segmentation_id: int | None = None) -> dict[str, Any]:
        return {
            "port_id": self.ports[vlan].id,
            "segmentation_type": "vlan",
            "segmentation_id": vlan if segmentation_id is None else segmentation_id,
        }

    def remove(self) -> None:
        network = self.conn.network
        if self.trunk is not None:
            network.delete_trunk(self.trunk, ignore_missing=True)
        for port in self.ports.values():
            network.delete_port(port.id, ignore_missing=True)
        for net in self.networks.values():
            network.delete_network(net.id, ignore_missing=True)


@pytest.fixture
def trunked(sandbox: Sandbox) -> Iterator[Trunked]:
    assert sandbox.conn is not None
    made = Trunked(sandbox, sandbox.conn)
    try:
        made.make()
        yield made
    finally:
        made.remove()


def port_status(conn: Any, port_id: str, status: str) -> Any:
    return wait_until(
        lambda: (p := conn.network.get_port(port_id)).status == status and p,
        timeout=TIMEOUT,
        what=f"port {port_id} {status}",
    )


def members_become(witness: Witness, trunk_id: str, wanted: set[str]) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        found = the_set(witness, trunk_id)
        return found if found and set(found["networkUris"]) == wanted else None

    return wait_until(settled, timeout=TIMEOUT, what=f"network set of trunk {trunk_id} = {wanted}")


@pytest.mark.timeout(600)
def test_a_trunk_is_a_network_set_and_its_subports_change_while_the_node_runs(
    sandbox: Sandbox, witness: Witness, trunked: Trunked
) -> None:
    conn, trunk = trunked.conn, trunked.trunk
    (node,) = scenario.pick_nodes(sandbox, 1)
    server_uri = node.driver_info["server_hardware_uri"]
    parent = trunked.ports[PARENT_VLAN]
    uri = {vlan: oneview_network(witness, net.id) for vlan, net in trunked.networks.items()}

    try:
        # Deploy with the parent as the node's VIF: the parent's connection points at the set.
        conn.baremetal.attach_vif_to_node(node, parent.id)
        conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
        conn.baremetal.set_node_provision_state(node, "active")
        scenario.wait_nodes(sandbox, [node], "active", TIMEOUT)
        bound = port_status(conn, parent.id, "ACTIVE")
        for vlan in (FIRST_VLAN, SECOND_VLAN):
            port_status(conn, trunked.ports[vlan].id, "ACTIVE")
        assert conn.network.get_trunk(trunk.id).status == "ACTIVE"
        carried = members_become(
            witness, trunk.id, {uri[PARENT_VLAN], uri[FIRST_VLAN], uri[SECOND_VLAN]}
        )
        assert carried["nativeNetworkUri"] == uri[PARENT_VLAN]
        (profile,) = witness.profiles_on(server_uri)
        wired = [c for c in connections(profile) if c.get("mac", "").lower() == bound.mac_address]
        assert [c["networkUri"] for c in wired] == [carried["uri"]]

        # While ACTIVE: add a subport, then remove one. Only the set changes.
        profile_writes = writes(witness, PROFILE_WRITES)
        power_writes = writes(witness, POWER_WRITES)
        set_writes = writes(witness, SET_WRITES)
        power_state = profile_power(witness, server_uri)
        conn.network.add_trunk_subports(trunk, [trunked.subport(LATER_VLAN)])
        port_status(conn, trunked.ports[LATER_VLAN].id, "ACTIVE")
        members_become(
            witness,
            trunk.id,
            {uri[PARENT_VLAN], uri[FIRST_VLAN], uri[SECOND_VLAN], uri[LATER_VLAN]},
        )
        conn.network.delete_trunk_subports(trunk, [{"port_id": trunked.ports[FIRST_VLAN].id}])
        members_become(witness, trunk.id, {uri[PARENT_VLAN], uri[SECOND_VLAN], uri[LATER_VLAN]})
        port_status(conn, trunked.ports[FIRST_VLAN].id, "DOWN")
        assert writes(witness, PROFILE_WRITES) == profile_writes
        assert writes(witness, POWER_WRITES) == power_writes
        assert writes(witness, SET_WRITES) >= set_writes + 2
        assert profile_power(witness, server_uri) == power_state == "On"
        assert conn.network.get_trunk(trunk.id).status == "ACTIVE"
        (profile,) = witness.profiles_on(server_uri)
        wired = [c for c in connections(profile) if c.get("mac", "").lower() == bound.mac_address]
        assert [c["networkUri"] for c in wired] == [carried["uri"]]

        # A subport whose segmentation id is not its network's VLAN: refused, nothing changes.
        with pytest.raises(os_exc.BadRequestException, match="inherit"):
            conn.network.add_trunk_subports(
                trunk, [trunked.subport(FIRST_VLAN, segmentation_id=FIRST_VLAN + 20)]
            )
        assert set(the_set(witness, trunk.id)["networkUris"]) == {  # type: ignore[index]
            uri[PARENT_VLAN],
            uri[SECOND_VLAN],
            uri[LATER_VLAN],
        }

        # Faults on the set's write. A stale eTag (someone changed the set meanwhile): re-read
        # and written again, the subport carried. A write whose task fails: the trunk goes to
        # ERROR, the reason is logged, the set keeps what it carried (nothing half-removed).
        stale = refusals(witness, "412 PRECONDITION_FAILED")
        witness.arm("etag_conflict", method="PUT", path="/rest/network-sets/*")
        conn.network.add_trunk_subports(trunk, [trunked.subport(FIRST_VLAN)])
        members_become(witness, trunk.id, set(uri.values()))
        port_status(conn, trunked.ports[FIRST_VLAN].id, "ACTIVE")
        assert refusals(witness, "412 PRECONDITION_FAILED") == stale + 1
        witness.arm(
            "task_error",
            method="PUT",
            path="/rest/network-sets/*",
            params={"error_code": "E2E_SET_WRITE_FAILED", "message": "Injected set failure."},
        )
        conn.network.delete_trunk_subports(trunk, [{"port_id": trunked.ports[LATER_VLAN].id}])
        wait_until(
            lambda: conn.network.get_trunk(trunk.id).status == "ERROR",
            timeout=TIMEOUT,
            what="the trunk in ERROR after the failed set write",
        )
        assert set(the_set(witness, trunk.id)["networkUris"]) == set(uri.values())  # type: ignore[index]
        log = (sandbox.state_dir / "neutron.log").read_text()
        assert [
            line for line in log.splitlines() if trunk.id in line and "E2E_SET_WRITE_FAILED" in line
        ]
        assert writes(witness, PROFILE_WRITES) == profile_writes
        assert writes(witness, POWER_WRITES) == power_writes

        # Undeploy: the profile goes, and with the parent unwired the set goes too.
        conn.baremetal.set_node_provision_state(node, "deleted")
        scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
        assert witness.profiles_on(server_uri) == []
        wait_until(
            lambda: the_set(witness, trunk.id) is None,
            timeout=TIMEOUT,
            what="the trunk's network set deleted",
        )
    finally:
        witness.sim("DELETE", "faults")
        if conn.baremetal.get_node(node.id).provision_state != "available":
            conn.baremetal.set_node_provision_state(node, "deleted")
            scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
        scenario.detach_vif(conn, node, parent.id)


def refusals(witness: Witness, key: str) -> int:
    return int(witness.stats()["refusals"].get(key, 0))


def profile_power(witness: Witness, server_uri: str) -> str:
    (server,) = [
        s for s in witness.state("server-hardware")["server-hardware"] if s["uri"] == server_uri
    ]
    return str(server["powerState"])
