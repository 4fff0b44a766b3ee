"""Connection templates through the client: the default, and eTag-checked bandwidth writes."""

from __future__ import annotations

import pytest

from oneview_openstack.client import BadRequest
from oneview_openstack.client.resources.connection_templates import bandwidth_of

CT_PUT = "PUT /rest/connection-templates/{id}"


def _template_of(client, name, vlan):
    network = client.ethernet_networks.create(name, vlan)
    return network["connectionTemplateUri"]


def test_default_template_is_what_a_new_network_gets(client):
    default = client.connection_templates.default()
    uri = _template_of(client, "ct-a", 810)
    assert bandwidth_of(client.connection_templates.get(uri)) == bandwidth_of(default)
    assert uri != default["uri"]


def test_set_bandwidth_writes_once_and_keeps_typical_at_most_maximum(client, sim):
    uri = _template_of(client, "ct-b", 811)
    typical, _maximum = bandwidth_of(client.connection_templates.get(uri))
    lower = typical - 500 if typical > 600 else 100
    result = client.connection_templates.set_bandwidth(uri, maximum_mbps=lower)
    assert result.changed
    # typical was above the new maximum: brought down to it
    assert bandwidth_of(client.connection_templates.get(uri)) == (lower, lower)
    assert sim.route(CT_PUT) == 1
    again = client.connection_templates.set_bandwidth(uri, maximum_mbps=lower)
    assert not again.changed
    assert sim.route(CT_PUT) == 1  # nothing to do: no PUT
    client.connection_templates.set_bandwidth(uri, maximum_mbps=5000, typical_mbps=2000)
    assert bandwidth_of(client.connection_templates.get(uri)) == (2000, 5000)


def test_a_stale_etag_is_read_again_and_the_change_kept(client, sim):
    uri = _template_of(client, "ct-c", 812)
    sim.arm("etag_conflict", method="PUT", path="/rest/connection-templates/*", times=1)
    result = client.connection_templates.set_bandwidth(uri, maximum_mbps=3000, typical_mbps=1000)
    assert result.attempts == 2
    assert bandwidth_of(client.connection_templates.get(uri)) == (1000, 3000)


def test_oneview_refusal_names_the_field(client):
    uri = _template_of(client, "ct-d", 813)
    with pytest.raises(BadRequest) as raised:
        client.connection_templates.set_bandwidth(uri, maximum_mbps=150)
    assert raised.value.error_code == "CRM_DEFAULT_INVALID_ARGUMENT"
    assert "maximumBandwidth" in str(raised.value) or "150" in str(raised.value)


def test_bandwidth_of_ignores_what_is_not_a_number():
    assert bandwidth_of({}) == (None, None)
    assert bandwidth_of({"bandwidth": {"typicalBandwidth": True, "maximumBandwidth": 200}}) == (
        None,
        200,
    )
