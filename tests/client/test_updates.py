"""eTag-safe read-modify-write and coalesced uplink-set membership, against the simulator."""

from __future__ import annotations

import threading

import pytest

from oneview_openstack.client import PreconditionFailed
from oneview_openstack.client.etag import update_with_etag

US_PUT = "PUT /rest/uplink-sets/{id}"


def _tagged_uplink_set(client):
    return next(u for u in client.uplink_sets.list() if u["ethernetNetworkType"] == "Tagged")


def _networks(client, count, first_vlan=400, prefix="net"):
    return [
        client.ethernet_networks.create(f"{prefix}-{i}", first_vlan + i)["uri"]
        for i in range(count)
    ]


def test_etag_conflict_rereads_and_succeeds(client, sim):
    uplink_set = _tagged_uplink_set(client)
    [network] = _networks(client, 1)
    sim.arm("etag_conflict", method="PUT", path="/rest/uplink-sets/*", times=1)
    result = client.uplink_sets.add_networks(uplink_set["uri"], [network])
    assert result.changed and result.attempts == 2
    assert result.task["taskState"] == "Completed"
    assert network in client.uplink_sets.networks(uplink_set["uri"])
    # Both PUTs reached the simulator; the first one was refused with 412.
    assert sim.route(US_PUT) == 2
    assert client.metrics["etag_conflicts"] == 1
    assert client.metrics.requests("GET /rest/uplink-sets/{id}") == 3  # 2 reads + the check


def test_etag_conflicts_are_bounded(make_client, sim):
    client = make_client(etag_update_attempts=3)
    uplink_set = _tagged_uplink_set(client)
    [network] = _networks(client, 1)
    sim.arm("etag_conflict", method="PUT", path="/rest/uplink-sets/*", times=5)
    with pytest.raises(PreconditionFailed) as caught:
        client.uplink_sets.add_networks(uplink_set["uri"], [network])
    assert "gave up after 3" in str(caught.value) and "HTTP 412" in str(caught.value)
    assert sim.route(US_PUT) == 3


def test_no_change_means_no_write(client, sim):
    uplink_set = _tagged_uplink_set(client)
    present = uplink_set["networkUris"][0]
    result = client.uplink_sets.add_networks(uplink_set["uri"], [present])
    assert not result.changed and result.task is None
    assert sim.route(US_PUT) == 0


def test_update_helper_sends_the_etag_it_read(client, sim):
    uplink_set = _tagged_uplink_set(client)
    seen = {}

    def change(body):
        seen["eTag"] = body["eTag"]
        body["lacpTimer"] = "Short"
        return True

    result = update_with_etag(client.connector, uplink_set["uri"], change, waiter=client.waiter)
    assert result.resource["eTag"] == seen["eTag"] == uplink_set["eTag"]
    assert client.uplink_sets.get(uplink_set["uri"])["lacpTimer"] == "Short"


def test_concurrent_adds_to_one_uplink_set_are_coalesced(client, sim):
    uplink_set = _tagged_uplink_set(client)
    before = set(uplink_set["networkUris"])
    count = 10
    networks = _networks(client, count)
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def add(network: str) -> None:
        barrier.wait(5)
        try:
            client.uplink_sets.add_networks(uplink_set["uri"], [network])
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in networks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert not failures
    assert set(client.uplink_sets.networks(uplink_set["uri"])) == before | set(networks)
    puts = sim.route(US_PUT)
    assert 1 <= puts < count, puts
    assert client.metrics["coalesced_changes"] == count
    assert client.metrics["coalesced_writes"] == puts


def test_concurrent_clients_do_not_lose_updates(make_client, sim):
    """Two processes (two clients) without a shared coalescer: the eTag keeps both changes."""
    first, second = make_client(), make_client()
    uplink_set = _tagged_uplink_set(first)
    networks = _networks(first, 6, first_vlan=500, prefix="pair")
    barrier = threading.Barrier(6)

    def add(client, network):
        barrier.wait(5)
        client.uplink_sets.add_networks(uplink_set["uri"], [network])

    threads = [
        threading.Thread(target=add, args=(first if i % 2 else second, n))
        for i, n in enumerate(networks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert set(networks) <= set(first.uplink_sets.networks(uplink_set["uri"]))


def test_one_invalid_change_does_not_sink_the_batch(client, sim):
    uplink_set = _tagged_uplink_set(client)
    good = _networks(client, 3, first_vlan=600, prefix="good")
    # Same VLAN as a network the uplink set already carries: OneView refuses it (400).
    carried = client.ethernet_networks.get(uplink_set["networkUris"][0])
    clash = client.ethernet_networks.create("clash", carried["vlanId"])["uri"]
    errors: dict[str, BaseException] = {}
    barrier = threading.Barrier(4)

    def add(network: str) -> None:
        barrier.wait(5)
        try:
            client.uplink_sets.add_networks(uplink_set["uri"], [network])
        except BaseException as error:
            errors[network] = error

    threads = [threading.Thread(target=add, args=(n,)) for n in [*good, clash]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert set(errors) == {clash}
    assert "CRM_DUPLICATE_VLAN_IDS_UPLINK_SET" in str(errors[clash])
    members = set(client.uplink_sets.networks(uplink_set["uri"]))
    assert set(good) <= members and clash not in members


def test_remove_networks(client, sim):
    uplink_set = _tagged_uplink_set(client)
    [network] = _networks(client, 1, first_vlan=700)
    client.uplink_sets.add_networks(uplink_set["uri"], [network])
    result = client.uplink_sets.remove_networks(uplink_set["uri"], [network])
    assert result.changed
    assert network not in client.uplink_sets.networks(uplink_set["uri"])
