"""``requestedMbps`` in either JSON form: appliances send a string of digits ("2500"), some
bodies (and writers) a number; the client's view and Neutron's connection edits read both.

Pure logic on profile bodies, so no simulator is needed.
"""

from __future__ import annotations

import pytest

from oneview_openstack.client import views
from oneview_openstack.neutron import connections

PORT = "0f4c6d2e-8a1b-4c3d-9e5f-7a6b5c4d3e2f"
MAC = "aa:bb:cc:dd:ee:01"


def profile_with(requested: object) -> dict:
    return {
        "connectionSettings": {
            "connections": [
                {
                    "id": 1,
                    "name": f"Neutron [{PORT}]",
                    "functionType": "Ethernet",
                    "portId": "Mezz 3:1-a",
                    "mac": MAC.upper(),
                    "networkUri": "/rest/ethernet-networks/n1",
                    "requestedMbps": requested,
                    "boot": {"priority": "NotBootable"},
                }
            ]
        }
    }


@pytest.mark.parametrize(
    ("sent", "read"), [("2500", 2500), (2500, 2500), ("Auto", None), (None, None), (True, None)]
)
def test_the_view_reads_a_string_or_a_number(sent, read):
    (connection,) = views.profile_connections(profile_with(sent))
    assert connection.requested_mbps == read


@pytest.mark.parametrize("stored", ["2500", 2500])
def test_the_same_bandwidth_in_either_form_is_no_change(stored):
    profile = profile_with(stored)
    conns = profile["connectionSettings"]["connections"]
    changed = connections.attach(
        conns,
        port_id=PORT,
        mac=MAC,
        network_uri="/rest/ethernet-networks/n1",
        hw_port="Mezz 3:1-a",
        requested_mbps=2500,
    )
    assert changed is False
    assert conns[0]["requestedMbps"] == stored


@pytest.mark.parametrize("stored", ["2500", 2500])
def test_a_new_bandwidth_is_written_as_the_appliance_form(stored):
    conns = profile_with(stored)["connectionSettings"]["connections"]
    changed = connections.attach(
        conns,
        port_id=PORT,
        mac=MAC,
        network_uri="/rest/ethernet-networks/n1",
        hw_port="Mezz 3:1-a",
        requested_mbps=3000,
    )
    assert changed is True
    assert conns[0]["requestedMbps"] == "3000"
