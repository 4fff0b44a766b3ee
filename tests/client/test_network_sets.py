"""Network sets through the client: create, read, coalesced eTag-checked membership, delete."""

from __future__ import annotations

import threading

import pytest

from oneview_openstack.client import BadRequest, Conflict, NotFound, PreconditionFailed
from oneview_openstack.client.resources.network_sets import adding, exactly, removing

NS_PUT = "PUT /rest/network-sets/{id}"
NS_POST = "POST /rest/network-sets"


def _networks(client, count, first_vlan=800, prefix="ns"):
    return [
        client.ethernet_networks.create(f"{prefix}-{i}", first_vlan + i)["uri"]
        for i in range(count)
    ]


def test_create_find_and_delete(client, sim):
    native, member = _networks(client, 2)
    created = client.network_sets.create("trunk-a", [member], native)
    assert created["uri"].startswith("/rest/network-sets/")
    # The native network is a member too, first; the set has its own connection template.
    assert created["networkUris"] == [native, member]
    assert created["nativeNetworkUri"] == native
    assert created["networkSetType"] == "Regular"
    assert created["connectionTemplateUri"]
    assert client.network_sets.find_by_name("trunk-a")["uri"] == created["uri"]
    assert client.network_sets.get(created["uri"])["name"] == "trunk-a"
    assert client.network_sets.find_by_name("trunk-b") is None
    client.network_sets.delete(created["uri"])
    with pytest.raises(NotFound):
        client.network_sets.get(created["uri"])
    assert sim.route(NS_POST) == 1


def test_create_refuses_an_unknown_type_before_asking_oneview(client, sim):
    with pytest.raises(ValueError, match="set_type must be one of"):
        client.network_sets.create("x", [], None, set_type="Huge")
    assert sim.route(NS_POST) == 0


def test_create_with_an_untagged_member_is_refused_naming_it(client):
    untagged = client.ethernet_networks.create("plain", network_type="Untagged")["uri"]
    with pytest.raises(BadRequest) as caught:
        client.network_sets.create("bad", [untagged], None)
    assert "CRM_INVALID_NETWORK_TYPE_FOR_NETWORK_SET" in caught.value.summary
    assert client.network_sets.find_by_name("bad") is None


def test_membership_changes(client, sim):
    native, first, second = _networks(client, 3, first_vlan=820)
    uri = client.network_sets.create("trunk-m", [], native)["uri"]
    assert client.network_sets.update_members(uri, adding([first, second])).changed
    assert client.network_sets.members(uri) == [native, first, second]
    assert client.network_sets.update_members(uri, removing([first])).changed
    assert client.network_sets.members(uri) == [native, second]
    # Nothing to do: no PUT at all.
    puts = sim.route(NS_PUT)
    assert not client.network_sets.update_members(uri, exactly([second], native)).changed
    assert sim.route(NS_PUT) == puts
    # exactly() replaces both the members and the native network.
    assert client.network_sets.update_members(uri, exactly([second], second)).changed
    body = client.network_sets.get(uri)
    assert (body["networkUris"], body["nativeNetworkUri"]) == ([second], second)
    # Removing the native network clears nativeNetworkUri.
    client.network_sets.update_members(uri, removing([second]))
    body = client.network_sets.get(uri)
    assert (body["networkUris"], body["nativeNetworkUri"]) == ([], None)


def test_a_stale_etag_is_read_again_and_the_change_kept(client, sim):
    native, member = _networks(client, 2, first_vlan=840)
    uri = client.network_sets.create("trunk-e", [], native)["uri"]
    sim.arm("etag_conflict", method="PUT", path="/rest/network-sets/*", times=1)
    result = client.network_sets.update_members(uri, adding([member]))
    assert result.changed and result.attempts == 2
    assert member in client.network_sets.members(uri)
    assert sim.route(NS_PUT) == 2


def test_etag_conflicts_are_bounded(make_client, sim):
    client = make_client(etag_update_attempts=2)
    native, member = _networks(client, 2, first_vlan=850)
    uri = client.network_sets.create("trunk-b", [], native)["uri"]
    sim.arm("etag_conflict", method="PUT", path="/rest/network-sets/*", times=5)
    with pytest.raises(PreconditionFailed, match="gave up after 2"):
        client.network_sets.update_members(uri, adding([member]))
    assert member not in client.network_sets.members(uri)


def test_concurrent_changes_share_writes_and_lose_nothing(client, sim):
    count = 10
    native, *members = _networks(client, count + 1, first_vlan=860)
    uri = client.network_sets.create("trunk-c", [], native)["uri"]
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def add(network: str) -> None:
        barrier.wait(5)
        try:
            client.network_sets.update_members(uri, adding([network]))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert not failures
    assert set(client.network_sets.members(uri)) == {native, *members}
    assert 1 <= sim.route(NS_PUT) < count


def test_one_duplicate_vlan_does_not_sink_the_batch(client):
    native, good = _networks(client, 2, first_vlan=880)
    clash = client.ethernet_networks.create("ns-clash", 880)["uri"]  # native's VLAN
    uri = client.network_sets.create("trunk-d", [], native)["uri"]
    errors: dict[str, BaseException] = {}
    barrier = threading.Barrier(2)

    def add(network: str) -> None:
        barrier.wait(5)
        try:
            client.network_sets.update_members(uri, adding([network]))
        except BaseException as error:
            errors[network] = error

    threads = [threading.Thread(target=add, args=(n,)) for n in (good, clash)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert set(errors) == {clash}
    assert "CRM_DUPLICATE_VLAN_IDS_NETWORK_SET" in str(errors[clash])
    assert set(client.network_sets.members(uri)) == {native, good}


def test_a_set_in_use_is_not_deleted(client):
    uplink_set = next(u for u in client.uplink_sets.list() if u["ethernetNetworkType"] == "Tagged")
    native = uplink_set["networkUris"][0]  # carried by the logical interconnect
    uri = client.network_sets.create("trunk-u", [], native)["uri"]
    profile = next(
        p for p in client.server_profiles.list() if p["connectionSettings"]["connections"]
    )

    def point_at_set(connections):
        connections[0]["networkUri"] = uri
        return True

    client.server_profiles.update_connections(profile["uri"], point_at_set)
    with pytest.raises(Conflict) as caught:
        client.network_sets.delete(uri)
    assert "CRM_NETWORK_SET_IN_USE_BY_PROFILES" in caught.value.summary
    assert client.network_sets.get(uri)["name"] == "trunk-u"
