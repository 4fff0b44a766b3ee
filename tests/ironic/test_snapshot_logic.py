"""The fleet snapshot's decisions (pure logic: a fake clock and an autospec'd resource family),
its failure back-off and its fork safety."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from unittest import mock

import pytest
from ironic.conf import CONF

from oneview_openstack.client import ServerError, forksafe
from oneview_openstack.client.resources.base import Page
from oneview_openstack.client.resources.server_hardware import ServerHardware
from oneview_openstack.ironic.snapshot import FAILURE_BACKOFF, PowerSnapshot
from oneview_openstack.simulator.testing import wait_until


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


def test_nodes_the_hash_ring_moved_to_another_conductor_stop_counting_as_own():
    clock, fleet = Clock(), _fleet(3200)  # 100 pages
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    servers = list(fleet)
    interval = float(CONF.conductor.sync_power_state_interval)

    def sync(count: int) -> None:
        for uri in servers[:count]:
            snapshot.get(client, uri, ttl=30)
        clock.now += interval

    sync(150)  # 150 nodes: one listing of 100 pages is cheaper than 150 GETs
    assert _listings(client) == 1
    # Another conductor joined and took 140 of them: this one syncs 10 from now on. Until two
    # passes went by without them, the 140 count as its own (they may come back).
    sync(10)
    sync(10)
    assert _listings(client) == 3
    sync(10)  # the listing that forgets them
    client.server_hardware.get.reset_mock()
    sync(10)
    assert _listings(client) == 4
    assert client.server_hardware.get.call_count == 10  # 10 GETs < 100 pages


def test_own_power_actions_correct_the_snapshot():
    clock, fleet = Clock(), _fleet(40)
    client = _client(fleet)
    snapshot = PowerSnapshot(clock)
    for uri in fleet:
        snapshot.get(client, uri, ttl=30)
    snapshot.set_power("/rest/server-hardware/5", "Off")
    assert snapshot.get(client, "/rest/server-hardware/5", ttl=30)["powerState"] == "Off"


class CountingLock:
    """A real lock that counts the threads that have asked for it (to know who is queued)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.asked = 0

    def __enter__(self) -> CountingLock:
        with self._count_lock:
            self.asked += 1
        self._lock.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()


def _run_workers(snapshot: PowerSnapshot, client: SimpleNamespace, uris: list[str]) -> list:
    """One thread per uri, each reading its server from the snapshot; their results or errors."""
    results: list = []

    def read(uri: str) -> None:
        try:
            results.append(snapshot.get(client, uri, ttl=30))
        except Exception as error:  # collected: the test asserts on it
            results.append(error)

    threads = [threading.Thread(target=read, args=(u,)) for u in uris]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    return results


def test_concurrent_workers_share_one_listing():
    fleet = _fleet(64)
    client = _client(fleet)
    snapshot = PowerSnapshot()
    queue = snapshot._refresh_lock = CountingLock()  # type: ignore[assignment]
    serve = client.server_hardware.page.side_effect

    def page_once_all_are_queued(**kwargs):
        # 8 readers: the first miss is a lone GET, the other 7 queue for the one listing.
        wait_until(lambda: queue.asked == 7, timeout=10, what="7 readers queued")
        return serve(**kwargs)

    client.server_hardware.page.side_effect = page_once_all_are_queued
    results = _run_workers(snapshot, client, list(fleet)[:8])
    assert all(isinstance(r, dict) for r in results), results
    assert _listings(client) == 1
    assert client.server_hardware.get.call_count == 1


def _failing_listing(client: SimpleNamespace) -> None:
    client.server_hardware.page.side_effect = ServerError(
        "The appliance failed.", error_code="INTERNAL_ERROR", status=500
    )


def test_a_failed_listing_is_one_failure_not_one_per_node():
    clock, fleet = Clock(), _fleet(50)
    client = _client(fleet)
    _failing_listing(client)
    snapshot = PowerSnapshot(clock)
    for uri in fleet:
        assert snapshot.get(client, uri, ttl=30)["uri"] == uri  # each falls back to its GET
    assert _listings(client) == 1
    assert snapshot.failures == 1
    assert client.server_hardware.get.call_count == 50


def test_readers_queued_behind_a_failing_listing_fall_back_at_once():
    fleet = _fleet(64)
    client = _client(fleet)
    snapshot = PowerSnapshot()
    queue = snapshot._refresh_lock = CountingLock()  # type: ignore[assignment]

    def fail_once_all_are_queued(**_kwargs):
        wait_until(lambda: queue.asked == 7, timeout=10, what="7 readers queued")
        raise ServerError("The appliance failed.", error_code="INTERNAL_ERROR", status=500)

    client.server_hardware.page.side_effect = fail_once_all_are_queued
    results = _run_workers(snapshot, client, list(fleet)[:8])
    assert [r["powerState"] for r in results] == ["Off"] * 8  # all from their own GET
    assert _listings(client) == 1
    assert client.server_hardware.get.call_count == 8


def test_the_listing_is_tried_again_after_the_back_off():
    clock, fleet = Clock(), _fleet(40)
    client = _client(fleet)
    _failing_listing(client)
    snapshot = PowerSnapshot(clock)
    uris = list(fleet)
    for uri in uris[:3]:
        snapshot.get(client, uri, ttl=30)
    assert _listings(client) == 1
    clock.now = FAILURE_BACKOFF - 0.1
    snapshot.get(client, uris[3], ttl=30)
    assert _listings(client) == 1  # still backing off
    clock.now = FAILURE_BACKOFF
    client.server_hardware.page.side_effect = _client(fleet).server_hardware.page.side_effect
    assert snapshot.get(client, uris[4], ttl=30)["powerState"] == "On"  # from a new listing
    assert _listings(client) == 2
    assert snapshot.refreshes == 1


def test_a_failing_server_get_still_raises():
    fleet = _fleet(3)
    client = _client(fleet)
    _failing_listing(client)
    client.server_hardware.get.side_effect = ServerError(
        "The appliance failed.", error_code="INTERNAL_ERROR", status=500
    )
    snapshot = PowerSnapshot(Clock())
    for uri in fleet:
        with pytest.raises(ServerError, match="appliance failed"):
            snapshot.get(client, uri, ttl=30)
    assert _listings(client) == 1


def test_singletons_are_reset_after_fork():
    from oneview_openstack.ironic import view
    from oneview_openstack.ironic.snapshot import SNAPSHOT

    registered = forksafe.registered()
    assert SNAPSHOT in registered
    assert view.TEMPLATES in registered
    snapshot = PowerSnapshot()
    assert snapshot in forksafe.registered()
    snapshot._lock.acquire()  # held by a thread that does not exist in the child
    snapshot._refresh_lock.acquire()
    snapshot.reset_after_fork()
    assert snapshot._lock.acquire(timeout=1)
    assert snapshot._refresh_lock.acquire(timeout=1)
    templates = view.SharedTemplates()
    templates._lock.acquire()
    templates.reset_after_fork()
    assert templates.get("/rest/server-profile-templates/x") is None  # would hang on the old lock
