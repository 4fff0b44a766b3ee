"""The fleet snapshot's decisions (pure logic: a fake clock and an autospec'd resource family)."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

from oneview_openstack.client.resources.server_hardware import ServerHardware
from oneview_openstack.ironic.snapshot import PowerSnapshot


def _fleet(count: int) -> dict[str, dict]:
    return {f"/rest/server-hardware/{i}": {"powerState": "On"} for i in range(count)}


def _client(fleet: dict[str, dict]) -> SimpleNamespace:
    family = mock.create_autospec(ServerHardware, instance=True)
    family.power_snapshot.return_value = fleet
    family.get.side_effect = lambda uri: {"uri": uri, "powerState": "Off"}
    return SimpleNamespace(server_hardware=family)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_sweep_costs_one_get_and_one_listing_per_ttl():
    clock, fleet = Clock(), _fleet(100)
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    for uri in fleet:
        snapshot.get(client, uri, ttl=30)
    assert client.server_hardware.get.call_count == 1
    assert client.server_hardware.power_snapshot.call_count == 1
    clock.now = 31  # the next sync, after the TTL
    for uri in fleet:
        snapshot.get(client, uri, ttl=30)
    assert client.server_hardware.power_snapshot.call_count == 2
    assert client.server_hardware.get.call_count == 2


def test_a_small_ironic_on_a_big_fleet_uses_single_gets():
    clock, fleet = Clock(), _fleet(3200)  # 100 pages
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    mine = list(fleet)[:10]
    for uri in mine:
        snapshot.get(client, uri, ttl=30)
    assert client.server_hardware.power_snapshot.call_count == 1  # first sweep: size unknown
    clock.now = 31
    client.server_hardware.get.reset_mock()
    for uri in mine:
        snapshot.get(client, uri, ttl=30)
    assert client.server_hardware.power_snapshot.call_count == 1  # 10 GETs < 100 pages
    assert client.server_hardware.get.call_count == 10


def test_own_power_actions_correct_the_snapshot():
    clock, fleet = Clock(), _fleet(40)
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    for uri in fleet:
        snapshot.get(client, uri, ttl=30)
    snapshot.set_power("/rest/server-hardware/5", "Off")
    assert snapshot.get(client, "/rest/server-hardware/5", ttl=30)["powerState"] == "Off"
