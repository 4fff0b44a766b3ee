"""The sandbox scenario with real processes, checked on both sides: OpenStack and OneView.

OneView is looked at through the simulator's own ``/_sim/state`` after every step (not through
the product's client, which the scenario's report uses).
"""

from __future__ import annotations

from typing import Any

import pytest

from oneview_openstack.sandbox import report, scenario
from oneview_openstack.sandbox.environment import Sandbox

from .conftest import Witness

TIMEOUT = 180.0


def neutron_networks(state: dict[str, Any]) -> dict[str, str]:
    return {
        n["name"]: n["uri"] for n in state["ethernet-networks"] if n["name"].startswith("Neutron [")
    }


def tagged_members(state: dict[str, Any]) -> set[str]:
    uri_to_name = {n["uri"]: n["name"] for n in state["ethernet-networks"]}
    return {
        uri_to_name.get(uri, uri)
        for u in state["uplink-sets"]
        if u.get("ethernetNetworkType") == "Tagged"
        for uri in u.get("networkUris") or []
    }


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    return (profile.get("connectionSettings") or {}).get("connections") or []


@pytest.mark.timeout(600)
def test_two_nodes_deployed_onto_a_tenant_network_and_released(
    sandbox: Sandbox, witness: Witness, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "*" in (sandbox.state_dir / ".gitignore").read_text().split()
    before = witness.state()
    seen: list[dict[str, Any]] = []
    result = scenario.run(
        sandbox, timeout=TIMEOUT, observe=lambda _title: seen.append(witness.state())
    )
    assert result.error is None
    assert len(seen) == 4
    after_networks, deployed, released, clean = seen

    # 1. Both Neutron networks exist in OneView and ride the tagged uplink set.
    mirrored = set(result.network_names)
    assert set(neutron_networks(after_networks)) == mirrored
    assert mirrored <= tagged_members(after_networks)

    # 2. Ironic: active, powered on, owning a profile; Neutron: ports ACTIVE and bound to the node;
    #    OneView: that profile on that server, its boot connection on the tenant network.
    tenant = next(name for name, label in result.network_names.items() if label == "tenant")
    tenant_uri = neutron_networks(deployed)[tenant]
    active = [n for n in result.nodes if n["stage"] == "deployed"]
    ports = {p["host"]: p for p in result.ports if p["stage"] == "deployed"}
    assert len(active) == 2
    for node in active:
        assert (node["provision_state"], node["power_state"]) == ("active", "power on")
        (profile,) = [
            p for p in deployed["server-profiles"] if p.get("serverHardwareUri") == node["server"]
        ]
        assert profile["uri"] == node["profile"]
        server = next(s for s in deployed["server-hardware"] if s["uri"] == node["server"])
        assert server["serverProfileUri"] == node["profile"]
        port = ports[node["uuid"]]
        assert (port["status"], port["vif_type"]) == ("ACTIVE", "other")
        wired = [c for c in connections(profile) if c.get("mac", "").lower() == port["mac"]]
        assert [c["networkUri"] for c in wired] == [tenant_uri]

    # 3. Undeployed: nodes available without a profile, ports unbound, OneView profiles as before.
    for node in (n for n in result.nodes if n["stage"] == "released"):
        assert (node["provision_state"], node["profile"]) == ("available", None)
    assert {p["vif_type"] for p in result.ports if p["stage"] == "released"} == {"unbound"}
    assert {p["uri"] for p in released["server-profiles"]} == {
        p["uri"] for p in before["server-profiles"]
    }

    # 4. Networks deleted: no Neutron network left in OneView, uplink sets as before.
    assert neutron_networks(clean) == {}
    assert tagged_members(clean) == tagged_members(before)
    assert result.clean

    report.show_scenario(report.console(), result, result.label)
    out = capsys.readouterr().out
    assert "('tenant')" in out
    for name in result.network_names:
        assert f"now carries {name}" in out  # OneView's names, brackets and all
    assert "applied to Encl1, bay" in out
    assert "OneView is back to where it started" in out
