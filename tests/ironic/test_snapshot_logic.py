"""The fleet snapshot's decisions (pure logic: a fake clock and an autospec'd resource family)."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

from oneview_openstack.client.resources.base import Page
from oneview_openstack.client.resources.server_hardware import ServerHardware
from oneview_openstack.ironic.snapshot import PowerSnapshot


def _fleet(count: int) -> dict[str, dict]:
    return {
        f"/rest/server-hardware/{i}": {"uri": f"/rest/server-hardware/{i}", "powerState": "On"}
        for i in range(count)
    }


def _client(fleet: dict[str, dict]) -> SimpleNamespace:
    """A server-hardware family serving ``fleet`` in pages of 32, as OneView does."""
    members = list(fleet.values())

    def page(*, start: int = 0, count: int = -1, **_: object) -> Page:
        size = 32 if count < 0 else min(count, 32)
        return Page(members[start : start + size], len(members), start, None)

    family = mock.create_autospec(ServerHardware, instance=True)
    family.page.side_effect = page
    family.get.side_effect = lambda uri: {"uri": uri, "powerState": "Off"}
    return SimpleNamespace(server_hardware=family)


def _listings(client: SimpleNamespace) -> int:
    return sum(1 for c in client.server_hardware.page.call_args_list if c.kwargs["start"] == 0)


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
    assert _listings(client) == 1
    assert client.server_hardware.page.call_count == 4  # 100 servers: 4 pages
    clock.now = 31  # the next sync, after the TTL
    for uri in fleet:
        snapshot.get(client, uri, ttl=30)
    assert _listings(client) == 2
    assert client.server_hardware.get.call_count == 2


def test_a_small_ironic_on_a_big_fleet_uses_single_gets():
    clock, fleet = Clock(), _fleet(3200)  # 100 pages
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    mine = list(fleet)[:10]
    for uri in mine:
        snapshot.get(client, uri, ttl=30)
    assert _listings(client) == 1  # first sweep: size unknown
    clock.now = 31
    client.server_hardware.get.reset_mock()
    for uri in mine:
        snapshot.get(client, uri, ttl=30)
    assert _listings(client) == 1  # 10 GETs < 100 pages
    assert client.server_hardware.get.call_count == 10


def test_own_power_actions_correct_the_snapshot():
    clock, fleet = Clock(), _fleet(40)
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    for uri in fleet:
        snapshot.get(client, uri, ttl=30)
    snapshot.set_power("/rest/server-hardware/5", "Off")
    assert snapshot.get(client, "/rest/server-hardware/5", ttl=30)["powerState"] == "Off"


def test_concurrent_workers_share_one_listing():
    import threading

    fleet = _fleet(64)
    client = _client(fleet)

    serve = client.server_hardware.page.side_effect

    def slow_page(**kwargs):
        threading.Event().wait(0.05)  # bounded: the other workers pile up meanwhile
        return serve(**kwargs)

    client.server_hardware.page.side_effect = slow_page
    snapshot = PowerSnapshot()
    uris = list(fleet)
    threads = [
        threading.Thread(target=lambda u=u: snapshot.get(client, u, ttl=30)) for u in uris[:8]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert _listings(client) == 1
    assert client.server_hardware.get.call_count <= 1
