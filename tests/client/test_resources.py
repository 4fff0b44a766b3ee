"""Resource families end to end: hardware, profiles, networks, LIGs, paging, readable errors."""

from __future__ import annotations

import math

import pytest

from oneview_openstack.client import BadRequest, NotFound, TaskFailed
from oneview_openstack.client.resources import connections_of
from oneview_openstack.simulator.config import SimulatorConfig


def _template(client, name="ironic-EG-1"):
    return client.server_profile_templates.find_by_name(name)


def _free_off_server(client, template):
    return next(
        s
        for s in client.server_hardware.list()
        if s["powerState"] == "Off"
        and not s["serverProfileUri"]
        and s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
    )


def test_server_hardware_reads_filters_and_pages(client, sim):
    servers = client.server_hardware.list()
    assert len(servers) == 16
    one = client.server_hardware.get(servers[0]["uri"].rsplit("/", 1)[1])  # by id
    assert one["uri"] == servers[0]["uri"]
    off = client.server_hardware.list(filters="\"powerState='Off'\"")
    assert off and all(s["powerState"] == "Off" for s in off)
    page = client.server_hardware.page(start=0, count=5)
    assert len(page.members) == 5 and page.total == 16 and page.next_page_uri
    assert client.server_hardware.find_by_name(servers[3]["name"])["uri"] == servers[3]["uri"]
    assert client.server_hardware.find_by_name("no such server") is None


def test_a_fleet_listing_costs_one_get_per_32_servers(simulator, make_client, sim):
    scale = simulator.state.config.time_scale
    servers = 100
    simulator.state.reset(config=SimulatorConfig(time_scale=scale, servers=servers))
    client = make_client()
    fleet = client.server_hardware.list()
    assert len({s["uri"] for s in fleet}) == servers
    assert {s["powerState"] for s in fleet} <= {"On", "Off"}
    assert sim.route("GET /rest/server-hardware") == math.ceil(servers / 32)  # 4 GETs
    assert sim.route("GET /rest/server-hardware/{id}") == 0


def test_reference_reads(client):
    template = _template(client)
    sht = client.server_hardware_types.get(template["serverHardwareTypeUri"])
    assert "PXE" in sht["bootCapabilities"]
    group = client.enclosure_groups.get(template["enclosureGroupUri"])
    assert group["uri"] == template["enclosureGroupUri"]
    li = client.logical_interconnects.list()[0]
    assert client.logical_interconnects.get(li["uri"])["uri"] == li["uri"]
    lig = client.logical_interconnect_groups.list()[0]
    assert client.logical_interconnect_groups.get(lig["uri"])["uplinkSets"]


def test_profile_lifecycle_from_template(client, sim):
    template = _template(client)
    server = _free_off_server(client, template)
    profile = client.server_profiles.create_from_template(
        template["uri"], "node-1 [abc]", server["uri"]
    )
    assert profile["uri"].startswith("/rest/server-profiles/")
    assert profile["serverHardwareUri"] == server["uri"]
    assert profile["serverProfileTemplateUri"] in ("", None)  # detached, as Ironic does
    assert client.server_hardware.get(server["uri"])["serverProfileUri"] == profile["uri"]

    result = client.server_profiles.set_boot_order(profile["uri"], ["HardDisk", "PXE"])
    assert result.changed and result.task["taskState"] == "Completed"
    assert client.server_profiles.get(profile["uri"])["boot"]["order"] == ["HardDisk", "PXE"]
    again = client.server_profiles.set_boot_order(profile["uri"], ["HardDisk", "PXE"])
    assert not again.changed  # nothing to do, no PUT

    client.server_profiles.set_boot_mode(profile["uri"], "UEFI", "IPv4")
    mode = client.server_profiles.get(profile["uri"])["bootMode"]
    assert mode["mode"] == "UEFI" and mode["pxeBootPolicy"] == "IPv4"

    storage = client.ethernet_networks.find_by_name("Storage")

    def retarget(connections):
        connections[-1]["networkUri"] = storage["uri"]
        return True

    client.server_profiles.update_connections(profile["uri"], retarget)
    updated = client.server_profiles.get(profile["uri"])
    assert connections_of(updated)[-1]["networkUri"] == storage["uri"]

    task = client.server_profiles.delete(profile["uri"])
    assert task["name"] == "Delete" and task["taskState"] == "Completed"
    with pytest.raises(NotFound):
        client.server_profiles.get(profile["uri"])
    assert not client.server_hardware.get(server["uri"])["serverProfileUri"]


def test_profile_on_a_taken_server_fails_with_oneview_error_code(client, sim):
    template = _template(client)
    taken = next(s for s in client.server_hardware.list() if s["serverProfileUri"])
    with pytest.raises(TaskFailed) as caught:
        client.server_profiles.create_from_template(template["uri"], "node-2", taken["uri"])
    assert caught.value.error_code == "ProfileAlreadyExistsInServer"
    assert "ProfileAlreadyExistsInServer" in str(caught.value)


def test_networks_create_find_update_delete(client, sim):
    network = client.ethernet_networks.create("Neutron [n1]", 210)
    assert network["vlanId"] == 210 and network["ethernetNetworkType"] == "Tagged"
    assert client.ethernet_networks.find_by_name("Neutron [n1]")["uri"] == network["uri"]
    untagged = client.ethernet_networks.create("flat", network_type="Untagged")
    assert untagged["vlanId"] == 0  # an appliance answers 0 for Untagged
    client.ethernet_networks.update(network["uri"], smartLink=True)
    assert client.ethernet_networks.get(network["uri"])["smartLink"] is True
    task = client.ethernet_networks.delete(network["uri"])
    assert task["taskState"] == "Completed"
    assert client.ethernet_networks.find_by_name("Neutron [n1]") is None


def test_duplicate_network_name_is_a_readable_bad_request(client):
    client.ethernet_networks.create("dup", 230)
    with pytest.raises(BadRequest) as caught:
        client.ethernet_networks.create("dup", 231)
    text = str(caught.value)
    assert text.startswith("POST /rest/ethernet-networks: HTTP 400 CRM_DUPLICATE_NETWORK_NAME:")
    assert "dup already exists" in text


def test_not_found_is_readable(client):
    with pytest.raises(NotFound) as caught:
        client.server_hardware.get("does-not-exist")
    error = caught.value
    assert error.status == 404 and error.error_code == "RESOURCE_NOT_FOUND"
    assert str(error).startswith(
        "GET /rest/server-hardware/does-not-exist: HTTP 404 RESOURCE_NOT_FOUND: The requested "
        "resource '/rest/server-hardware/does-not-exist' could not be found."
    )


def test_wrong_category_uri_is_refused(client):
    from oneview_openstack.client import OneViewError

    with pytest.raises(OneViewError, match="not a server-hardware URI"):
        client.server_hardware.get("/rest/server-profiles/x")


def test_tasks_collection(client):
    server = next(s for s in client.server_hardware.list() if s["powerState"] == "Off")
    task = client.server_hardware.set_power_state(server["uri"], "On", wait=False)
    assert client.tasks.get(task["uri"])["uri"] == task["uri"]
    done = client.tasks.wait(task)
    assert done["uri"] == task["uri"] and done["taskState"] == "Completed"
