"""An *Unassigned* connection (``networkUri: null``): a reserved port with no network.

OneView lists "Unassigned" among a connection's networks, and a network change is accepted while
the server is on; the ML2 driver uses it to undo a connection it added without a power cycle.
"""

from __future__ import annotations

from test_profiles import applied, connections, finish, network_uri, put, set_power

from oneview_openstack.simulator.testing import error_of


def test_a_connection_becomes_unassigned_and_assigned_again_while_the_server_is_on(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    before = connections(profile)[1]
    connections(profile)[1]["networkUri"] = None
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    profile = api.get(profile["uri"]).json()
    unassigned = connections(profile)[1]
    assert unassigned["networkUri"] is None
    assert (unassigned["portId"], unassigned["mac"]) == (before["portId"], before["mac"])
    storage = network_uri(api, "Storage")
    connections(profile)[1]["networkUri"] = storage
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert connections(api.get(profile["uri"]).json())[1]["networkUri"] == storage
    assert api.get(server["uri"]).json()["powerState"] == "On"


def test_an_empty_network_uri_is_still_refused(api):
    profile = applied(api)
    connections(profile)[1]["networkUri"] = ""
    error_of(put(api, profile), 400, "INVALID_PARAMETER")
