"""QoS and VLAN transparency through the real Neutron API (and Ironic for the port's share).

A network's ``bandwidth_limit`` (egress) is its OneView network's connection template maximum;
a port's ``minimum_bandwidth`` (egress) is its profile connection's ``requestedMbps``; what
OneView cannot express is a 400 that says why. A flat network on the Tunnel uplink set's physnet
is VLAN transparent. OneView is read through ``/_sim/state``, never the product's client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openstack import exceptions as os_exc

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET, TUNNEL_PHYSNET
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import wait_until

from .conftest import Witness

TIMEOUT = 180.0
QOS_VLAN = 185
TEMPLATE_WRITE = "/rest/connection-templates/*"


def oneview_network(witness: Witness, network_id: str) -> dict[str, Any] | None:
    found = [
        n
        for n in witness.state("ethernet-networks")["ethernet-networks"]
        if n["name"] == f"Neutron [{network_id}]"
    ]
    return found[0] if found else None


def maximum_mbps(witness: Witness, template_uri: str) -> int:
    state = witness.sim("GET", "state", categories="connection-templates")
    (template,) = [t for t in state["connection-templates"] if t["uri"] == template_uri]
    return int(template["bandwidth"]["maximumBandwidth"])


def limit_becomes(witness: Witness, template_uri: str, mbps: int) -> None:
    wait_until(
        lambda: maximum_mbps(witness, template_uri) == mbps,
        timeout=TIMEOUT,
        what=f"template {template_uri} maximumBandwidth {mbps}",
    )


@pytest.fixture
def qos_network(sandbox: Sandbox) -> Iterator[Any]:
    conn = sandbox.conn
    assert conn is not None
    net = conn.network.create_network(
        name="qos-net",
        provider_network_type="vlan",
        provider_physical_network=PHYSNET,
        provider_segmentation_id=QOS_VLAN,
    )
    policies: list[Any] = []
    try:
        conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.185.0.0/24")
        yield net, policies
    finally:
        scenario.delete_networks(sandbox, [], {"qos-net": net})
        for policy in policies:
            conn.network.delete_qos_policy(policy, ignore_missing=True)


@pytest.mark.timeout(600)
def test_qos_limits_reach_the_template_and_the_connection(
    sandbox: Sandbox, witness: Witness, qos_network: tuple[Any, list[Any]]
) -> None:
    conn = sandbox.conn
    assert conn is not None
    net, policies = qos_network
    network = oneview_network(witness, net.id)
    assert network is not None
    template_uri = network["connectionTemplateUri"]

    # bandwidth_limit on the network's policy: the template's maximum (kbps -> Mbps).
    limit = conn.network.create_qos_policy(name="e2e-limit")
    policies.append(limit)
    rule = conn.network.create_qos_bandwidth_limit_rule(
        limit, max_kbps=3_000_000, max_burst_kbps=0, direction="egress"
    )
    conn.network.update_network(net, qos_policy_id=limit.id)
    limit_becomes(witness, template_uri, 3000)

    # Faults on the template write: a stale eTag is re-read and written again; a refused write
    # leaves the template as it was and the reason in neutron.log.
    stale = int(witness.stats()["refusals"].get("412 PRECONDITION_FAILED", 0))
    witness.arm("etag_conflict", method="PUT", path=TEMPLATE_WRITE)
    conn.network.update_qos_bandwidth_limit_rule(rule, limit, max_kbps=2_000_000)
    limit_becomes(witness, template_uri, 2000)
    assert int(witness.stats()["refusals"].get("412 PRECONDITION_FAILED", 0)) == stale + 1
    witness.arm(
        "http_error",
        method="PUT",
        path=TEMPLATE_WRITE,
        times=None,
        params={"status": 400, "error_code": "E2E_TEMPLATE_REFUSED", "message": "Injected."},
    )
    try:
        conn.network.update_qos_bandwidth_limit_rule(rule, limit, max_kbps=1_000_000)
        wait_until(
            lambda: "E2E_TEMPLATE_REFUSED" in (sandbox.state_dir / "neutron.log").read_text(),
            timeout=TIMEOUT,
            what="the refused template write in neutron.log",
        )
        assert maximum_mbps(witness, template_uri) == 2000
    finally:
        witness.sim("DELETE", "faults")

    # minimum_bandwidth on the port's policy: requestedMbps of its connection once deployed.
    share = conn.network.create_qos_policy(name="e2e-share")
    policies.append(share)
    conn.network.create_qos_minimum_bandwidth_rule(share, min_kbps=1_000_000, direction="egress")
    # Created bare-metal: the QoS plugin checks a port's rules against the drivers of its vnic
    # type, and only ours (baremetal) takes minimum_bandwidth (a "normal" port gets a 409).
    vif = conn.network.create_port(
        network_id=net.id, name="qos-vif", qos_policy_id=share.id, binding_vnic_type="baremetal"
    )
    (node,) = scenario.pick_nodes(sandbox, 1)
    try:
        conn.baremetal.attach_vif_to_node(node, vif.id)
        conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
        conn.baremetal.set_node_provision_state(node, "active")
        scenario.wait_nodes(sandbox, [node], "active", TIMEOUT)
        port = wait_until(
            lambda: (p := conn.network.get_port(vif.id)).status == "ACTIVE" and p,
            timeout=TIMEOUT,
            what="the QoS port ACTIVE",
        )
        (profile,) = witness.profiles_on(node.driver_info["server_hardware_uri"])
        wired = [
            c
            for c in (profile.get("connectionSettings") or {}).get("connections") or []
            if c.get("mac", "").lower() == port.mac_address
        ]
        assert [(c["networkUri"], int(c["requestedMbps"])) for c in wired] == [
            (network["uri"], 1000)
        ]
        # What OneView cannot do is refused, with the reason.
        with pytest.raises(os_exc.BadRequestException, match="egress"):
            conn.network.create_qos_minimum_bandwidth_rule(
                share, min_kbps=500_000, direction="ingress"
            )
        with pytest.raises(os_exc.BadRequestException, match="per network"):
            conn.network.create_qos_bandwidth_limit_rule(share, max_kbps=1_000_000)
    finally:
        if conn.baremetal.get_node(node.id).provision_state != "available":
            conn.baremetal.set_node_provision_state(node, "deleted")
            scenario.wait_nodes(sandbox, [node], "available", TIMEOUT)
        scenario.detach_vif(conn, node, vif.id)
        conn.network.delete_port(vif, ignore_missing=True)


def test_a_flat_network_on_the_tunnel_physnet_is_vlan_transparent(
    sandbox: Sandbox, witness: Witness
) -> None:
    conn = sandbox.conn
    assert conn is not None
    net = conn.network.create_network(
        name="transparent",
        provider_network_type="flat",
        provider_physical_network=TUNNEL_PHYSNET,
        is_vlan_transparent=True,
    )
    try:
        assert conn.network.get_network(net.id).is_vlan_transparent is True
        network = oneview_network(witness, net.id)
        assert network is not None
        assert network["ethernetNetworkType"] == "Tunnel"
        (tunnel,) = [
            u
            for u in witness.state("uplink-sets")["uplink-sets"]
            if u["ethernetNetworkType"] == "Tunnel"
        ]
        assert tunnel["networkUris"] == [network["uri"]]
    finally:
        conn.network.delete_network(net, ignore_missing=True)
    assert oneview_network(witness, net.id) is None
    (tunnel,) = [
        u
        for u in witness.state("uplink-sets")["uplink-sets"]
        if u["ethernetNetworkType"] == "Tunnel"
    ]
    assert tunnel["networkUris"] == []
