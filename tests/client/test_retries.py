"""Bounded, jittered retries for idempotent requests; a POST is never blindly repeated."""

from __future__ import annotations

import pytest

from oneview_openstack.client import (
    OneViewConnectionError,
    ServerError,
    ServiceUnavailable,
)

SH = "/rest/server-hardware"


def test_get_retried_on_503_then_succeeds(client, sim):
    assert client.api_version  # negotiate first, so the fault hits the listing itself
    sim.arm("http_error", method="GET", path=SH, times=2, params={"status": 503})
    assert client.server_hardware.list()
    # The simulator counts only requests that reach a route; injected answers are "faultsFired".
    stats = sim.stats()
    assert stats["byRoute"][f"GET {SH}"] == 1 and stats["faultsFired"] == {"http_error": 2}
    assert client.metrics.requests(f"GET {SH}") == 3
    assert client.metrics["retries"] == 2


@pytest.mark.parametrize("kind", ["reset", "bad_status_line"])
def test_get_retried_after_a_broken_connection(client, sim, kind):
    client.server_hardware.list()
    sim.arm(kind, method="GET", path=SH, times=1)
    assert client.server_hardware.list()
    assert client.metrics["retries"] == 1


def test_retries_are_bounded(make_client, sim):
    client = make_client(request_retries=2)
    assert client.api_version
    sim.arm("http_error", method="GET", path=SH, times=10, params={"status": 500})
    with pytest.raises(ServerError) as caught:
        client.server_hardware.list()
    assert caught.value.status == 500 and caught.value.error_code == "INTERNAL_ERROR"
    assert client.metrics.requests(f"GET {SH}") == 3  # the first try and two retries
    assert sim.stats()["faultsFired"] == {"http_error": 3}
    assert "GET /rest/server-hardware" in str(caught.value)


def test_plain_post_is_not_repeated(client, sim):
    assert client.api_version
    client.enclosure_groups.list()  # logged in
    sim.arm("http_error", method="POST", path="/rest/ethernet-networks", params={"status": 503})
    body = {"name": "raw", "vlanId": 77, "ethernetNetworkType": "Tagged", "purpose": "General"}
    with pytest.raises(ServiceUnavailable):
        client.request("POST", "/rest/ethernet-networks", json=body)
    assert client.metrics.requests("POST /rest/ethernet-networks") == 1
    assert client.metrics["retries"] == 0


def test_create_checks_before_sending_again(client, sim):
    client.enclosure_groups.list()
    sim.arm("reset", method="POST", path="/rest/ethernet-networks", times=1)
    network = client.ethernet_networks.create("after-reset", 301)
    assert network["name"] == "after-reset" and network["vlanId"] == 301
    # One lost POST, a look-up that found nothing, one more POST: one network.
    assert client.metrics.requests("POST /rest/ethernet-networks") == 2
    assert sim.route("POST /rest/ethernet-networks") == 1  # the reset one never arrived
    assert client.metrics.requests("GET /rest/ethernet-networks") == 1  # the look-up
    names = [n["name"] for n in client.ethernet_networks.list()]
    assert names.count("after-reset") == 1


def test_create_that_reached_oneview_is_not_sent_again(client, sim, monkeypatch):
    """The answer is lost after OneView created the network: the look-up finds it."""
    networks = client.ethernet_networks
    real = client.connector.request

    def lose_answer(method, path, **kwargs):
        reply = real(method, path, **kwargs)
        if method == "POST" and path == "/rest/ethernet-networks":
            client.waiter.wait(reply.body)  # the network really exists now
            raise OneViewConnectionError("connection reset after sending", method=method, uri=path)
        return reply

    monkeypatch.setattr(client.connector, "request", lose_answer)
    network = networks.create("created-anyway", 302)
    assert network["vlanId"] == 302
    assert sim.route("POST /rest/ethernet-networks") == 1
    assert client.metrics.requests("POST /rest/ethernet-networks") == 1
