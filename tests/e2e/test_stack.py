"""The sandbox's Neutron is the one issue 15 needs: its service plugins and OneView's Tunnel set.

Read through Neutron's own API (what a user sees) and the simulator's ``/_sim/state``.
"""

from __future__ import annotations

from oneview_openstack.sandbox import configs
from oneview_openstack.sandbox.environment import Sandbox

from .conftest import Witness

# The API extensions the service plugins and ML2 drivers of neutron.conf bring.
EXPECTED_EXTENSIONS = {
    "trunk": "the trunk service plugin (it loads only with a trunk driver: the oneview one)",
    "trunk-details": "the trunk service plugin",
    "qos": "the qos service plugin",
    "qos-bw-minimum-ingress": "the qos service plugin",
    "segment": "the segments service plugin",
    "multi-provider": "ML2 (multi-segment networks)",
    "vlan-transparent": "[DEFAULT] vlan_transparent",
    "port-security": "the port_security extension driver",
}


def test_neutron_serves_the_trunk_qos_and_segments_plugins(sandbox: Sandbox) -> None:
    assert sandbox.conn is not None
    aliases = {extension.alias for extension in sandbox.conn.network.extensions()}
    missing = {alias: why for alias, why in EXPECTED_EXTENSIONS.items() if alias not in aliases}
    assert missing == {}


def test_the_oneview_qos_driver_offers_bandwidth_rules(sandbox: Sandbox) -> None:
    """Neutron lists the rule types its loaded QoS drivers support: ours is the only one."""
    assert sandbox.conn is not None
    types = {rule_type.type for rule_type in sandbox.conn.network.qos_rule_types()}
    assert {"bandwidth_limit", "minimum_bandwidth"} <= types


def test_each_logical_interconnect_has_an_empty_tunnel_uplink_set_mapped_to_its_physnet(
    sandbox: Sandbox, witness: Witness
) -> None:
    state = witness.sim("GET", "state", categories="uplink-sets,logical-interconnects")
    tunnels = [u for u in state["uplink-sets"] if u["ethernetNetworkType"] == "Tunnel"]
    assert sorted(u["logicalInterconnectUri"] for u in tunnels) == sorted(
        li["uri"] for li in state["logical-interconnects"]
    )
    conf = sandbox.files["neutron.conf"].read_text()
    for uplink_set in tunnels:
        uuid = uplink_set["uri"].rsplit("/", 1)[-1]
        assert f"{configs.TUNNEL_PHYSNET}:{uuid}" in conf
    assert f"flat_networks = {configs.TUNNEL_PHYSNET}" in conf
