"""Server profiles and templates over real HTTPS: new-profile, create/apply, edits and their
power-state rules, unassign, delete, failures, PATCH, eTags, bulk delete and the older API
shape (contract §7 and the §13 endpoint table)."""

from __future__ import annotations

from typing import Any

import pytest

from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.testing import ApplianceClient, error_of, named

Resource = dict[str, Any]
TEST_TIME_SCALE = 0.0005
POWERED_ON = (
    "Some server profile attributes cannot be changed while the server hardware is powered on."
)
PROFILES = "/rest/server-profiles"


# --- helpers ------------------------------------------------------------------------------


def free_blades(api: ApplianceClient, power: str) -> list[Resource]:
    return [
        s
        for s in api.members("server-hardware", sort="name:ascending")
        if s["locationUri"] and not s["serverProfileUri"] and s["powerState"] == power
    ]


def racks(api: ApplianceClient) -> list[Resource]:
    return [s for s in api.members("server-hardware") if not s["locationUri"]]


def set_power(api: ApplianceClient, server: Resource, state: str) -> None:
    """Out of band (someone at the console), so tests do not depend on power tasks."""
    api.sim("POST", "actions/set_power", json={"uri": server["uri"], "powerState": state})


def new_profile(
    api: ApplianceClient, template: str, server: Resource | None, name: str
) -> dict[str, Any]:
    body = api.get(named(api, "server-profile-templates", template)["uri"] + "/new-profile").json()
    body["name"] = name
    body["serverHardwareUri"] = server["uri"] if server else None
    return body


def finish(api: ApplianceClient, reply: Any) -> dict[str, Any]:
    """Jump the clock past the task's end (profile tasks last minutes), then read it."""
    assert reply.status_code == 202, reply.text
    api.sim("POST", "clock", json={"advance": 10_000})
    return api.wait(reply)


def create(api: ApplianceClient, body: dict[str, Any]) -> Resource:
    """POST a profile and wait: the applied profile."""
    task = finish(api, api.post(PROFILES, json=body))
    assert task["taskState"] == "Completed", task
    uri = task["associatedResource"]["resourceUri"]
    assert uri and uri.startswith(PROFILES + "/")
    return api.get(uri).json()


def applied(api: ApplianceClient, template: str = "ironic-EG-1", index: int = 0) -> Resource:
    """A profile from ``template`` applied to the ``index``-th free powered-off blade."""
    server = free_blades(api, "Off")[index]
    return create(api, new_profile(api, template, server, f"profile-{index}"))


def put(api: ApplianceClient, profile: Resource, **kwargs: Any) -> Any:
    return api.put(profile["uri"], json=profile, **kwargs)


def slow_clock(api: ApplianceClient) -> None:
    api.sim("POST", "clock", json={"time_scale": 1.0})


def advance(api: ApplianceClient, seconds: float = 10_000) -> None:
    api.sim("POST", "clock", json={"advance": seconds, "time_scale": TEST_TIME_SCALE})


def reconfigure(simulator: Any, api: ApplianceClient, **settings: Any) -> None:
    """Other appliance rules: a fresh inventory (and sessions), so log in again."""
    with simulator.state.lock:
        simulator.state.reset(config=SimulatorConfig(time_scale=TEST_TIME_SCALE, **settings))
    api.login()


def port_macs(server: Resource) -> set[str]:
    macs = set()
    for slot in server["portMap"]["deviceSlots"]:
        for port in slot["physicalPorts"]:
            macs.add(port["mac"])
            macs.update(v["mac"] for v in port["virtualPorts"])
    return macs


def function_a_mac(server: Resource, port_id: str) -> tuple[str, str]:
    """(MAC of virtual function a, interconnect URI) of the port a portId such as 'Mezz 3:1-a'."""
    location, rest = port_id.split(" ")
    slot_number, port_function = rest.split(":")
    port_number, function = port_function.split("-")
    assert function == "a"
    for slot in server["portMap"]["deviceSlots"]:
        if slot["location"] == location and str(slot["slotNumber"]) == slot_number:
            for port in slot["physicalPorts"]:
                if str(port["portNumber"]) == port_number:
                    (virtual,) = [v for v in port["virtualPorts"] if v["portFunction"] == "a"]
                    return virtual["mac"], port["interconnectUri"]
    raise AssertionError(f"no port {port_id} on {server['name']}")


def connections(profile: Resource) -> list[dict[str, Any]]:
    return profile["connectionSettings"]["connections"]


def network_uri(api: ApplianceClient, name: str) -> str:
    return named(api, "ethernet-networks", name)["uri"]


# --- templates and new-profile ------------------------------------------------------------


def test_templates_are_readable(api):
    names = {t["name"] for t in api.members("server-profile-templates")}
    assert {
        "ironic-EG-1",
        "ironic-virtual-mac-EG-1",
        "no-manage-boot-EG-1",
        "ironic-dl360",
    } <= names
    template = named(api, "server-profile-templates", "ironic-EG-1")
    reply = api.get(template["uri"])
    assert reply.json()["type"] == "ServerProfileTemplateV8"
    assert reply.json()["connectionSettings"]["manageConnections"] is True
    assert reply.headers["ETag"].strip('"') == reply.json()["eTag"]


def test_new_profile_is_an_unsaved_body_with_the_template_settings(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    before = len(api.members("server-profiles"))
    reply = api.get(template["uri"] + "/new-profile")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["type"] == "ServerProfileV12"
    assert body["category"] == "server-profiles"
    for unsaved in ("uri", "name", "serverHardwareUri", "eTag"):
        assert body.get(unsaved) is None, unsaved
    assert body["serverProfileTemplateUri"] == template["uri"]
    assert body["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
    assert body["enclosureGroupUri"] == template["enclosureGroupUri"]
    assert body["description"] == template["serverProfileDescription"]
    for key in ("macType", "boot", "bootMode", "affinity", "hideUnusedFlexNics", "bios"):
        assert body[key] == template[key], key
    assert "manageConnections" not in body["connectionSettings"]
    keys = ("id", "name", "functionType", "portId", "networkUri", "requestedMbps", "boot")
    assert [{k: c[k] for k in keys} for c in connections(body)] == [
        {k: c[k] for k in keys} for c in template["connectionSettings"]["connections"]
    ]
    assert len(api.members("server-profiles")) == before


def test_new_profile_at_api_500_has_top_level_connections(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile", headers={"X-API-Version": "500"}).json()
    assert body["type"] == "ServerProfileV7"
    assert "connectionSettings" not in body
    assert [c["portId"] for c in body["connections"]] == ["Mezz 3:1-a", "Mezz 3:2-a"]


def test_new_profile_of_an_unknown_template_is_404(api):
    reply = api.get("/rest/server-profile-templates/nope/new-profile")
    error_of(reply, 404, "RESOURCE_NOT_FOUND")


# --- create -------------------------------------------------------------------------------


def test_create_applies_the_profile_to_a_powered_off_free_server(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "inst-1 [7c1e]")
    slow_clock(api)
    reply = api.post(PROFILES, json=body)
    assert reply.status_code == 202, reply.text
    task = reply.json()
    assert (task["name"], task["category"]) == ("Create", "tasks")
    assert reply.headers["Location"] == task["uri"]
    assert task["associatedResource"]["resourceUri"] is None  # contract §4: null at first
    busy = api.get(server["uri"]).json()
    assert (busy["state"], busy["powerLock"]) == ("ApplyingProfile", True)
    (profile,) = api.members("server-profiles", filter="\"name='inst-1 [7c1e]'\"")
    assert busy["serverProfileUri"] == profile["uri"]
    assert (profile["state"], profile["inProgress"]) == ("Creating", True)
    assert profile["taskUri"] == task["uri"]
    error_of(put(api, profile), 409, "RESOURCE_LOCKED")
    advance(api)
    done = finish(api, reply)
    assert done["taskState"] == "Completed"
    assert done["associatedResource"]["resourceUri"] == profile["uri"]
    profile = api.get(profile["uri"]).json()
    assert (profile["state"], profile["inProgress"], profile["status"]) == (
        "Normal",
        False,
        "OK",
    )
    assert profile["type"] == "ServerProfileV12"
    assert profile["serverHardwareUri"] == server["uri"]
    assert profile["enclosureUri"] == server["locationUri"]
    assert profile["enclosureBay"] == server["position"]
    assert profile["enclosureGroupUri"] == server["serverGroupUri"]
    assert profile["serverProfileTemplateUri"] == body["serverProfileTemplateUri"]
    assert profile["templateCompliance"] == "Compliant"
    assert profile["boot"] == {"manageBoot": True, "order": ["PXE", "HardDisk"]}
    after = api.get(server["uri"]).json()
    assert (after["state"], after["powerLock"], after["serverProfileUri"]) == (
        "ProfileApplied",
        False,
        profile["uri"],
    )


def test_physical_macs_are_the_port_map_function_a_macs(api):
    profile = applied(api, "ironic-EG-1")
    server = api.get(profile["serverHardwareUri"]).json()
    assert profile["macType"] == "Physical"
    assert len(connections(profile)) == 2
    for conn in connections(profile):
        mac, interconnect = function_a_mac(server, conn["portId"])
        assert conn["mac"] == mac
        assert conn["macType"] == "Physical"
        assert conn["interconnectUri"] == interconnect
        assert conn["state"] == "Deployed"
    primary = [c for c in connections(profile) if c["boot"]["priority"] == "Primary"]
    assert [c["portId"] for c in primary] == ["Mezz 3:1-a"]


def test_virtual_mac_template_gives_macs_outside_every_port_map(api):
    profile = applied(api, "ironic-virtual-mac-EG-1")
    assert profile["macType"] == "Virtual"
    hardware_macs = set().union(*(port_macs(s) for s in api.members("server-hardware")))
    macs = [c["mac"] for c in connections(profile)]
    assert all(macs) and len(set(macs)) == len(macs)
    assert not set(macs) & hardware_macs
    assert all(c["macType"] == "Virtual" for c in connections(profile))


def test_virtual_macs_stay_when_the_profile_is_edited(api):
    profile = applied(api, "ironic-virtual-mac-EG-1")
    macs = [c["mac"] for c in connections(profile)]
    profile["description"] = "edited"
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert [c["mac"] for c in connections(api.get(profile["uri"]).json())] == macs


def test_ironic_detached_profile_has_no_template(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "detached")
    body["serverProfileTemplateUri"] = ""
    profile = create(api, body)
    assert not profile["serverProfileTemplateUri"]
    assert profile["templateCompliance"] == "Unknown"
    assert len(connections(profile)) == 2


def test_create_on_a_powered_on_server_is_409(api):
    server = free_blades(api, "On")[0]
    before = len(api.members("server-profiles"))
    body = error_of(
        api.post(PROFILES, json=new_profile(api, "ironic-EG-1", server, "on")),
        409,
        "ServerNotOffWithCauseForNoServerChange",
    )
    assert body["message"] == POWERED_ON
    assert server["uri"] in body["details"]
    assert len(api.members("server-profiles")) == before
    after = api.get(server["uri"]).json()
    assert (after["state"], after["serverProfileUri"]) == ("NoProfileApplied", None)


def test_create_on_a_powered_on_server_fails_its_task_in_task_mode(api, simulator):
    reconfigure(simulator, api, powered_on_error_channel="task")
    server = free_blades(api, "On")[0]
    reply = api.post(PROFILES, json=new_profile(api, "ironic-EG-1", server, "on"))
    assert reply.status_code == 202, reply.text
    task = finish(api, reply)
    assert task["taskState"] == "Error"
    assert task["percentComplete"] == 100
    (error,) = task["taskErrors"]
    assert error["errorCode"] == "ServerNotOffWithCauseForNoServerChange"
    assert error["message"] == POWERED_ON
    assert "is powered on" in error["details"]
    assert api.members("server-profiles", filter="\"name='on'\"") == []
    assert api.get(server["uri"]).json()["state"] == "NoProfileApplied"


def test_create_on_a_powered_on_server_is_allowed_when_the_rule_is_off(api, simulator):
    reconfigure(simulator, api, profile_changes_need_power_off=False)
    server = free_blades(api, "On")[0]
    profile = create(api, new_profile(api, "ironic-EG-1", server, "on"))
    assert api.get(server["uri"]).json()["serverProfileUri"] == profile["uri"]


def test_create_on_a_taken_server_fails_with_profile_already_exists(api):
    taken = next(s for s in api.members("server-hardware") if s["serverProfileUri"])
    assert taken["powerState"] == "Off"
    reply = api.post(PROFILES, json=new_profile(api, "ironic-EG-1", taken, "mine"))
    assert reply.status_code == 202
    task = finish(api, reply)
    assert task["taskState"] == "Error"
    (error,) = task["taskErrors"]
    assert error["errorCode"] == "ProfileAlreadyExistsInServer"
    assert taken["uri"] in error["message"] and taken["name"] in error["message"]
    assert api.get(taken["uri"]).json()["serverProfileUri"] == taken["serverProfileUri"]
    assert api.members("server-profiles", filter="\"name='mine'\"") == []


def test_create_on_a_server_taken_out_of_band_fails_the_same_way(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "mine")
    api.sim("POST", "actions/take_server", json={"uri": server["uri"]})
    task = finish(api, api.post(PROFILES, json=body))
    assert task["taskErrors"][0]["errorCode"] == "ProfileAlreadyExistsInServer"


@pytest.mark.parametrize("name", ["web-tier-1", "WEB-TIER-1"])
def test_duplicate_profile_name_is_400(api, name):
    server = free_blades(api, "Off")[0]
    body = error_of(
        api.post(PROFILES, json=new_profile(api, "ironic-EG-1", server, name)),
        400,
        "DUPLICATED_PROFILE_NAME",
    )
    assert name in body["message"]
    assert api.get(server["uri"]).json()["state"] == "NoProfileApplied"


def test_rename_to_an_existing_name_is_400(api):
    profile = applied(api)
    profile["name"] = "web-tier-1"
    error_of(put(api, profile), 400, "DUPLICATED_PROFILE_NAME")


@pytest.mark.parametrize("name", [None, "", "   "])
def test_profile_needs_a_name(api, name):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "x")
    body["name"] = name
    error_of(api.post(PROFILES, json=body), 400, "INVALID_PARAMETER")


def test_server_hardware_type_mismatch_is_400(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "mismatch")
    body["serverHardwareTypeUri"] = racks(api)[0]["serverHardwareTypeUri"]
    error_of(api.post(PROFILES, json=body), 400, "INVALID_PARAMETER_SH_NOT_MATCH_SHT")


def test_enclosure_group_mismatch_is_400(api):
    rack = next(s for s in racks(api) if s["powerState"] == "Off")
    body = new_profile(api, "ironic-dl360", rack, "mismatch")
    body["enclosureGroupUri"] = api.members("enclosure-groups")[0]["uri"]
    error_of(api.post(PROFILES, json=body), 400, "INVALID_PARAMETER_SH_NOT_MATCH_EG")


MISSING = "/rest/{}/00000000-0000-4000-a000-000000000000"


@pytest.mark.parametrize(
    "field",
    [
        "serverHardwareUri",
        "serverHardwareTypeUri",
        "enclosureGroupUri",
        "serverProfileTemplateUri",
        "networkUri",
    ],
)
def test_missing_referenced_resources_are_400_not_404(api, field):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "dangling")
    if field == "serverHardwareUri":
        body[field] = MISSING.format("server-hardware")
    elif field in ("serverHardwareTypeUri", "enclosureGroupUri"):  # an unassigned profile
        body["serverHardwareUri"] = None
        body[field] = MISSING.format(
            "server-hardware-types" if field == "serverHardwareTypeUri" else "enclosure-groups"
        )
    elif field == "serverProfileTemplateUri":
        body[field] = MISSING.format("server-profile-templates")
    else:
        connections(body)[1]["networkUri"] = MISSING.format("ethernet-networks")
    reply = api.post(PROFILES, json=body)
    assert reply.status_code == 400, reply.text
    assert "00000000-0000-4000-a000-000000000000" in reply.json()["message"]
    assert api.get(server["uri"]).json()["state"] == "NoProfileApplied"


def test_a_reference_of_the_wrong_category_is_400(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "wrong")
    body["serverHardwareUri"] = network_uri(api, "Deploy")
    assert api.post(PROFILES, json=body).status_code == 400


def test_profile_needs_a_server_or_a_type(api):
    body = new_profile(api, "ironic-EG-1", None, "nothing")
    body["serverHardwareTypeUri"] = None
    error_of(api.post(PROFILES, json=body), 400, "INVALID_PARAMETER")


def test_an_unassigned_profile_reserves_its_connections(api):
    profile = create(api, new_profile(api, "ironic-EG-1", None, "unassigned"))
    assert profile["serverHardwareUri"] is None
    assert profile["enclosureBay"] is None
    assert {c["state"] for c in connections(profile)} == {"Reserved"}
    old = api.get(profile["uri"], headers={"X-API-Version": "500"}).json()
    assert {c["deploymentStatus"] for c in old["connections"]} == {"Reserved"}


# --- boot settings ------------------------------------------------------------------------


def test_boot_order_change_is_refused_while_on_and_accepted_while_off(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    profile["boot"]["order"] = ["HardDisk", "PXE"]
    body = error_of(put(api, profile), 409, "ServerNotOffWithCauseForNoServerChange")
    assert body["message"] == POWERED_ON
    assert "Boot settings" in body["details"]
    assert api.get(profile["uri"]).json()["boot"]["order"] == ["PXE", "HardDisk"]
    set_power(api, server, "Off")
    reply = put(api, profile)
    assert reply.status_code == 202
    task = finish(api, reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Update")
    assert api.get(profile["uri"]).json()["boot"]["order"] == ["HardDisk", "PXE"]
    assert api.get(server["uri"]).json()["state"] == "ProfileApplied"


def test_boot_mode_change_is_refused_while_on_and_accepted_while_off(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    profile["bootMode"]["mode"] = "UEFI"
    error_of(put(api, profile), 409, "ServerNotOffWithCauseForNoServerChange")
    set_power(api, server, "Off")
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    assert api.get(profile["uri"]).json()["bootMode"]["mode"] == "UEFI"


def test_boot_order_change_while_on_fails_the_task_in_task_mode(api, simulator):
    reconfigure(simulator, api, powered_on_error_channel="task")
    profile = applied(api)
    set_power(api, {"uri": profile["serverHardwareUri"]}, "On")
    profile["boot"]["order"] = ["HardDisk", "PXE"]
    task = finish(api, put(api, profile))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "ServerNotOffWithCauseForNoServerChange"
    assert "Unable" not in task["taskErrors"][0]["message"]
    assert api.get(profile["uri"]).json()["boot"]["order"] == ["PXE", "HardDisk"]


def test_name_description_and_bandwidth_change_while_on(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    profile.update(name="renamed", description="now running")
    connections(profile)[0]["requestedMbps"] = "5000"
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    after = api.get(profile["uri"]).json()
    assert (after["name"], after["description"]) == ("renamed", "now running")
    assert connections(after)[0]["requestedMbps"] == "5000"
    assert connections(after)[0]["allocatedMbps"] == 5000
    assert api.get(server["uri"]).json()["powerState"] == "On"


def test_manage_boot_on_the_dl360_gen9_type_is_400(api):
    rack = next(s for s in racks(api) if "Gen9" in s["model"])
    set_power(api, rack, "Off")
    body = new_profile(api, "ironic-dl360-gen9", rack, "rack")
    body["boot"] = {"manageBoot": True, "order": ["PXE", "HardDisk"]}
    error_of(api.post(PROFILES, json=body), 400, "BOOT_ORDER_NOT_SUPPORTED")
    body["boot"] = {"manageBoot": False, "order": []}
    profile = create(api, body)
    assert profile["serverHardwareUri"] == rack["uri"]
    assert connections(profile) == []


def test_connections_on_the_dl360_type_are_400(api):
    rack = next(s for s in racks(api) if s["powerState"] == "Off")
    body = new_profile(api, "ironic-dl360", rack, "rack")
    body["connectionSettings"]["connections"] = [
        {"id": 1, "portId": "Auto", "networkUri": network_uri(api, "Deploy")}
    ]
    error_of(api.post(PROFILES, json=body), 400, "CONNECTIONS_NOT_SUPPORTED")


@pytest.mark.parametrize(
    ("order", "code"),
    [
        (["PXE", "HardDisk", "PXE"], "DUPLICATE_BOOT_ORDER"),
        (["Floppy"], "INVALID_PARAMETER"),
        ("PXE", "INVALID_PARAMETER"),
    ],
)
def test_bad_boot_orders_are_400(api, order, code):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "boot")
    body["boot"]["order"] = order
    error_of(api.post(PROFILES, json=body), 400, code)


def test_unsupported_boot_mode_is_400(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "boot")
    body["bootMode"]["mode"] = "Legacy"
    error_of(api.post(PROFILES, json=body), 400, "INVALID_PARAMETER")


# --- connections --------------------------------------------------------------------------


def test_adding_a_connection_is_refused_while_on_and_accepted_while_off(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    connections(profile).append(
        {
            "id": 3,
            "name": "NeutronPort[aa]",
            "functionType": "Ethernet",
            "portId": "Mezz 3:1-b",
            "networkUri": network_uri(api, "Storage"),
            "boot": {"priority": "NotBootable"},
        }
    )
    body = error_of(put(api, profile), 409, "ServerNotOffWithCauseForNoServerChange")
    assert "Connections" in body["details"]
    assert len(connections(api.get(profile["uri"]).json())) == 2
    set_power(api, server, "Off")
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    added = connections(api.get(profile["uri"]).json())[2]
    assert (added["portId"], added["name"]) == ("Mezz 3:1-b", "NeutronPort[aa]")
    mac = next(
        v["mac"]
        for slot in server["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
        if port["portNumber"] == 1 and slot["location"] == "Mezz"
        for v in port["virtualPorts"]
        if v["portFunction"] == "b"
    )
    assert added["mac"] == mac


def test_removing_a_connection_is_refused_while_on(api):
    profile = applied(api)
    set_power(api, {"uri": profile["serverHardwareUri"]}, "On")
    profile["connectionSettings"]["connections"] = connections(profile)[:1]
    error_of(put(api, profile), 409, "ServerNotOffWithCauseForNoServerChange")
    assert len(connections(api.get(profile["uri"]).json())) == 2


def test_changing_a_connection_network_while_on_is_accepted(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    mac = connections(profile)[1]["mac"]
    storage = network_uri(api, "Storage")
    connections(profile)[1]["networkUri"] = storage
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    changed = connections(api.get(profile["uri"]).json())[1]
    assert (changed["networkUri"], changed["mac"]) == (storage, mac)
    after = api.get(server["uri"]).json()
    assert (after["powerState"], after["state"]) == ("On", "ProfileApplied")
    assert profile["uri"] in api.get(storage + "/associatedProfiles").json()


def test_a_connection_to_a_network_set_is_accepted(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "netset")
    net_set = named(api, "network-sets", "NetSet-Prod")
    connections(body)[1]["networkUri"] = net_set["uri"]
    profile = create(api, body)
    assert connections(profile)[1]["networkUri"] == net_set["uri"]


def test_a_connection_to_a_network_no_uplink_set_carries_is_400(api):
    created = finish(
        api,
        api.post(
            "/rest/ethernet-networks",
            json={"name": "island", "vlanId": 333, "ethernetNetworkType": "Tagged"},
        ),
    )
    island = created["associatedResource"]["resourceUri"]
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "island")
    connections(body)[1]["networkUri"] = island
    reply_body = error_of(api.post(PROFILES, json=body), 400, "UnavailableEthernetFCError")
    assert "island" in reply_body["message"]
    # Once an uplink set of the server's logical interconnect carries it, it is fine.
    uplink = named(api, "uplink-sets", "US-Tagged-1")
    uplink["networkUris"].append(island)
    assert finish(api, api.put(uplink["uri"], json=uplink))["taskState"] == "Completed"
    assert connections(create(api, body))[1]["networkUri"] == island


@pytest.mark.parametrize(
    ("priorities", "code"),
    [
        (["Primary", "Primary"], "DUPLICATE_PRIMARY_BOOT_CONNECTION"),
        (["Secondary", "Secondary"], "DUPLICATE_SECONDARY_BOOT_CONNECTION"),
        (["NotBootable", "Secondary"], "INVALID_SECONDARY_BOOT_CONNECTION"),
        (["Primary", "Tertiary"], "INVALID_PARAMETER"),
    ],
)
def test_boot_connection_priorities(api, priorities, code):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "boot-conn")
    for conn, priority in zip(connections(body), priorities, strict=True):
        conn["boot"] = {"priority": priority}
    error_of(api.post(PROFILES, json=body), 400, code)


def test_primary_and_secondary_boot_connections_are_accepted(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "boot-conn")
    connections(body)[1]["boot"] = {"priority": "Secondary"}
    profile = create(api, body)
    assert [c["boot"]["priority"] for c in connections(profile)] == ["Primary", "Secondary"]


def test_two_connections_on_one_port_are_400(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "same-port")
    connections(body)[1]["portId"] = connections(body)[0]["portId"]
    error_of(api.post(PROFILES, json=body), 400, "DUPLICATE_PORT_ID")


def test_auto_port_picks_a_free_port(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "auto")
    connections(body)[1]["portId"] = "Auto"
    profile = create(api, body)
    ports = [c["portId"] for c in connections(profile)]
    assert ports[0] == "Mezz 3:1-a" and ports[1] not in ("Auto", "Mezz 3:1-a")


@pytest.mark.parametrize("mbps", ["0", "20001", "fast", True])
def test_invalid_bandwidth_is_400(api, mbps):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "bw")
    connections(body)[0]["requestedMbps"] = mbps
    error_of(api.post(PROFILES, json=body), 400, "INVALID_REQUESTED_BANDWIDTH")


# --- unassign and delete ------------------------------------------------------------------


def test_unassign_needs_power_off_and_frees_the_server(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    profile["serverHardwareUri"] = None
    body = error_of(put(api, profile), 409, "ServerNotOffWithCauseForNoServerChange")
    assert "Server assignment" in body["details"]
    assert api.get(server["uri"]).json()["serverProfileUri"] == profile["uri"]
    set_power(api, server, "Off")
    slow_clock(api)
    reply = put(api, profile)
    assert reply.status_code == 202
    releasing = api.get(server["uri"]).json()
    assert (releasing["state"], releasing["powerLock"]) == ("RemovingProfile", True)
    advance(api)
    assert finish(api, reply)["taskState"] == "Completed"
    freed = api.get(server["uri"]).json()
    assert (freed["state"], freed["serverProfileUri"], freed["powerLock"]) == (
        "NoProfileApplied",
        None,
        False,
    )
    kept = api.get(profile["uri"]).json()
    assert kept["serverHardwareUri"] is None
    assert (kept["enclosureUri"], kept["enclosureBay"]) == (None, None)
    assert kept["state"] == "Normal"
    # ... and it can be assigned again, to another server.
    other = free_blades(api, "Off")[1]
    kept["serverHardwareUri"] = other["uri"]
    assert finish(api, put(api, kept))["taskState"] == "Completed"
    assert api.get(other["uri"]).json()["serverProfileUri"] == profile["uri"]
    assert api.get(other["uri"]).json()["state"] == "ProfileApplied"


def test_moving_a_profile_onto_a_taken_server_fails(api):
    profile = applied(api)
    taken = next(s for s in api.members("server-hardware") if s["name"] == "Encl2, bay 1")
    assert taken["serverProfileUri"]
    profile["serverHardwareUri"] = taken["uri"]
    task = finish(api, put(api, profile))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "ProfileAlreadyExistsInServer"


def test_delete_needs_power_off(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()
    set_power(api, server, "On")
    body = error_of(api.delete(profile["uri"]), 409, "ServerNotOffWithCauseForNoServerChange")
    assert body["message"] == POWERED_ON
    assert api.get(profile["uri"]).status_code == 200
    assert api.get(server["uri"]).json()["state"] == "ProfileApplied"


def test_delete_removes_the_profile_and_frees_the_server(api):
    profile = applied(api)
    server_uri = profile["serverHardwareUri"]
    slow_clock(api)
    reply = api.delete(profile["uri"])
    assert reply.status_code == 202
    assert reply.json()["name"] == "Delete"
    assert reply.json()["associatedResource"]["resourceUri"] == profile["uri"]
    removing = api.get(server_uri).json()
    assert (removing["state"], removing["powerLock"]) == ("RemovingProfile", True)
    deleting = api.get(profile["uri"]).json()
    assert (deleting["state"], deleting["inProgress"]) == ("Deleting", True)
    error_of(api.delete(profile["uri"]), 409, "RESOURCE_LOCKED")
    advance(api)
    task = finish(api, reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Delete")
    error_of(api.get(profile["uri"]), 404, "RESOURCE_NOT_FOUND")
    freed = api.get(server_uri).json()
    assert (freed["state"], freed["serverProfileUri"], freed["powerLock"]) == (
        "NoProfileApplied",
        None,
        False,
    )


def test_forced_delete_works_while_on(api):
    profile = applied(api)
    set_power(api, {"uri": profile["serverHardwareUri"]}, "On")
    task = finish(api, api.delete(profile["uri"], params={"force": "true"}))
    assert task["taskState"] == "Completed"
    assert api.get(profile["uri"]).status_code == 404


def test_delete_while_on_fails_the_task_in_task_mode(api, simulator):
    reconfigure(simulator, api, powered_on_error_channel="task")
    profile = applied(api)
    set_power(api, {"uri": profile["serverHardwareUri"]}, "On")
    task = finish(api, api.delete(profile["uri"]))
    assert (task["taskState"], task["name"]) == ("Error", "Delete")
    assert api.get(profile["uri"]).json()["state"] == "Normal"


def test_delete_of_an_unknown_profile_is_404(api):
    error_of(api.delete(PROFILES + "/nope"), 404, "RESOURCE_NOT_FOUND")


def test_failed_create_leaves_a_create_failed_profile_that_can_be_deleted(api):
    server = free_blades(api, "Off")[0]
    api.sim(
        "POST",
        "faults",
        json={
            "kind": "task_error",
            "method": "POST",
            "path": PROFILES,
            "params": {"error_code": "ProfileApplyFailed", "message": "Apply failed."},
        },
    )
    task = finish(api, api.post(PROFILES, json=new_profile(api, "ironic-EG-1", server, "doomed")))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "ProfileApplyFailed"
    assert task["taskErrors"][0]["message"] == "Apply failed."
    (profile,) = api.members("server-profiles", filter="\"name='doomed'\"")
    assert (profile["state"], profile["inProgress"], profile["status"]) == (
        "CreateFailed",
        False,
        "Critical",
    )
    broken = api.get(server["uri"]).json()
    assert (broken["state"], broken["serverProfileUri"], broken["powerLock"]) == (
        "ProfileError",
        profile["uri"],
        False,
    )
    # The driver cleans up: deleting the failed profile frees the server.
    assert finish(api, api.delete(profile["uri"]))["taskState"] == "Completed"
    assert api.get(profile["uri"]).status_code == 404
    freed = api.get(server["uri"]).json()
    assert (freed["state"], freed["serverProfileUri"]) == ("NoProfileApplied", None)
    assert create(api, new_profile(api, "ironic-EG-1", server, "retry"))["state"] == "Normal"


# --- PATCH, eTags, bulk delete ------------------------------------------------------------


def test_patch_template_compliance(api):
    profile = applied(api)
    reply = api.patch(
        profile["uri"],
        json=[{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert reply.status_code == 202, reply.text
    assert finish(api, reply)["taskState"] == "Completed"
    after = api.get(profile["uri"]).json()
    assert after["templateCompliance"] == "Compliant"
    assert after["eTag"] != profile["eTag"]


def test_patch_of_a_profile_without_template_is_400(api):
    user_profile = named(api, "server-profiles", "web-tier-1")
    reply = api.patch(
        user_profile["uri"],
        json=[{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}],
    )
    error_of(reply, 400, "PROFILE_NOT_ASSOCIATED_WITH_TEMPLATE")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([{"op": "replace", "path": "/name", "value": "x"}], "INVALID_PARAMETER"),
        (
            [{"op": "replace", "path": "/templateCompliance", "value": "NonCompliant"}],
            "INVALID_PARAMETER",
        ),
        (
            {"op": "replace", "path": "/templateCompliance", "value": "Compliant"},
            "INVALID_JSON_PATCH",
        ),
        ([], "INVALID_JSON_PATCH"),
    ],
)
def test_patch_refuses_other_operations(api, body, code):
    profile = applied(api)
    error_of(api.patch(profile["uri"], json=body), 400, code)


def test_stale_etag_put_is_412(api):
    profile = applied(api)
    api.sim("POST", "actions/bump_etag", json={"uri": profile["uri"]})
    profile["description"] = "late"
    body = error_of(put(api, profile), 412, "PRECONDITION_FAILED")
    assert profile["eTag"] in body["details"]
    error_of(
        api.put(
            profile["uri"], json={**profile, "eTag": None}, headers={"If-Match": profile["eTag"]}
        ),
        412,
        "PRECONDITION_FAILED",
    )
    assert finish(api, put(api, profile, headers={"If-Match": "*"}))["taskState"] == "Completed"
    assert api.get(profile["uri"]).json()["description"] == "late"


def test_put_with_the_current_etag_bumps_it(api):
    profile = applied(api)
    profile["description"] = "fresh"
    assert finish(api, put(api, profile))["taskState"] == "Completed"
    after = api.get(profile["uri"]).json()
    assert after["eTag"] != profile["eTag"]
    error_of(put(api, profile), 412, "PRECONDITION_FAILED")


def test_bulk_delete_by_filter(api):
    first = applied(api, index=0)
    second = applied(api, index=1)
    keep = named(api, "server-profiles", "web-tier-1")
    reply = api.delete(PROFILES, params={"filter": "\"name matches 'profile-%'\""})
    assert reply.status_code == 202, reply.text
    task = finish(api, reply)
    assert (task["taskState"], task["name"]) == ("Completed", "Delete")
    for gone in (first, second):
        assert api.get(gone["uri"]).status_code == 404
        assert api.get(gone["serverHardwareUri"]).json()["state"] == "NoProfileApplied"
    assert api.get(keep["uri"]).status_code == 200


def test_bulk_delete_refused_for_one_powered_on_server_deletes_none(api):
    first = applied(api, index=0)
    second = applied(api, index=1)
    set_power(api, {"uri": second["serverHardwareUri"]}, "On")
    reply = api.delete(PROFILES, params={"filter": "\"name matches 'profile-%'\""})
    error_of(reply, 409, "ServerNotOffWithCauseForNoServerChange")
    for kept in (first, second):
        assert api.get(kept["uri"]).json()["state"] == "Normal"
        assert api.get(kept["serverHardwareUri"]).json()["state"] == "ProfileApplied"


def test_bulk_delete_matching_nothing_is_still_202(api):
    before = len(api.members("server-profiles"))
    reply = api.delete(PROFILES, params={"filter": "\"name='no-such-profile'\""})
    assert reply.status_code == 202
    assert finish(api, reply)["taskState"] == "Completed"
    assert len(api.members("server-profiles")) == before


def test_bulk_delete_needs_a_filter(api):
    error_of(api.delete(PROFILES), 400, "INVALID_FILTER")


# --- the older API shape (top-level connections) ------------------------------------------

OLD = {"X-API-Version": "500"}


def test_api_500_shows_top_level_connections_with_deployment_status(api):
    user_profile = named(api, "server-profiles", "web-tier-1")
    old = api.get(user_profile["uri"], headers=OLD).json()
    assert old["type"] == "ServerProfileV7"
    assert "connectionSettings" not in old
    assert len(old["connections"]) == len(connections(user_profile)) == 2
    assert {c["deploymentStatus"] for c in old["connections"]} == {"Deployed"}
    listed = api.get(PROFILES, headers=OLD, params={"filter": "\"name='web-tier-1'\""}).json()
    assert "connections" in listed["members"][0]


def test_api_500_accepts_writes_in_the_old_shape(api):
    server = free_blades(api, "Off")[0]
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile", headers=OLD).json()
    body.update(name="old-client", serverHardwareUri=server["uri"])
    task = finish(api, api.post(PROFILES, json=body, headers=OLD))
    assert task["taskState"] == "Completed", task
    uri = task["associatedResource"]["resourceUri"]
    profile = api.get(uri, headers=OLD).json()
    assert [c["portId"] for c in profile["connections"]] == ["Mezz 3:1-a", "Mezz 3:2-a"]
    storage = network_uri(api, "Storage")
    profile["connections"][1]["networkUri"] = storage
    assert finish(api, api.put(uri, json=profile, headers=OLD))["taskState"] == "Completed"
    current = api.get(uri).json()
    assert connections(current)[1]["networkUri"] == storage
    assert "connections" not in current


def test_api_500_accepts_writes_in_the_new_shape_too(api):
    profile = applied(api)
    storage = network_uri(api, "Storage")
    connections(profile)[1]["networkUri"] = storage
    assert finish(api, put(api, profile, headers=OLD))["taskState"] == "Completed"
    old = api.get(profile["uri"], headers=OLD).json()
    assert old["connections"][1]["networkUri"] == storage


def test_profile_edit_on_a_server_busy_applying_is_409(api):
    user_profile = named(api, "server-profiles", "web-tier-1")
    slow_clock(api)
    api.sim("POST", "actions/applying_profile", json={"uri": user_profile["uri"], "seconds": 60})
    user_profile = api.get(user_profile["uri"]).json()
    assert user_profile["inProgress"] is True
    user_profile["description"] = "busy"
    error_of(put(api, user_profile), 409, "RESOURCE_LOCKED")
    error_of(api.delete(user_profile["uri"]), 409, "RESOURCE_LOCKED")
    advance(api, 61)
    current = api.get(user_profile["uri"]).json()
    current["description"] = "idle"
    assert finish(api, put(api, current))["taskState"] == "Completed"


def test_profile_get_honours_if_none_match(api):
    profile = applied(api)
    reply = api.get(profile["uri"])
    assert reply.headers["ETag"].strip('"') == profile["eTag"]
    assert api.get(
        profile["uri"], headers={"If-None-Match": reply.headers["ETag"]}
    ).status_code == (304)
    profile["description"] = "changed"
    finish(api, put(api, profile))
    assert api.get(
        profile["uri"], headers={"If-None-Match": reply.headers["ETag"]}
    ).status_code == (200)


def test_create_accepts_the_force_parameter(api):
    server = free_blades(api, "Off")[0]
    reply = api.post(
        PROFILES, json=new_profile(api, "ironic-EG-1", server, "forced"), params={"force": "all"}
    )
    assert finish(api, reply)["taskState"] == "Completed"


def test_templates_at_api_300_have_top_level_connections(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    old = api.get(template["uri"], headers={"X-API-Version": "300"}).json()
    assert old["type"] == "ServerProfileTemplateV2"
    assert "connectionSettings" not in old
    assert len(old["connections"]) == 2


@pytest.mark.parametrize("port_id", [[], {}, 5, 1.5, True, ["Mezz 3:1-a"]], ids=repr)
@pytest.mark.parametrize("action", ["create", "update"])
def test_a_connection_port_id_that_is_not_a_string_is_400(api, action, port_id):
    if action == "create":
        body = new_profile(api, "ironic-EG-1", free_blades(api, "Off")[0], "typed")
        method, uri = "POST", PROFILES
    else:
        body = named(api, "server-profiles", "web-tier-1")
        method, uri = "PUT", body["uri"]
    connections(body)[0]["portId"] = port_id
    error = error_of(api.request(method, uri, json=body), 400, "INVALID_PARAMETER")
    assert "connections[0].portId" in error["message"]


# --- fields per API version (schemas/server-profiles.json, server-profile-templates.json) -----


def at_version(api: ApplianceClient, uri: str, version: int) -> Resource:
    reply = api.get(uri, headers={"X-API-Version": str(version)})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_created_profile_has_the_fields_of_a_stored_one(api):
    stored = next(p for p in api.members("server-profiles") if p["name"] == "web-tier-1")
    profile = applied(api)
    assert set(profile) == set(stored)
    assert set(connections(profile)[0]) == set(connections(stored)[0])
    assert profile["iscsiInitiatorName"] == (
        "iqn.2015-02.com.hpe:oneview-" + profile["serialNumber"].lower()
    )
    assert profile["scopesUri"] == "/rest/scopes/resources" + profile["uri"]
    assert profile["profileUUID"] == profile["uri"].rsplit("/", 1)[1]
    assert profile["sanStorage"]["sanSystemCredentials"] == []
    assert profile["firmware"]["firmwareBaselineUri"] is None


def test_connection_fields_follow_the_api_version(api):
    profile = applied(api)
    seen = {}
    for version in (500, 800, 1000, 1600):
        body = at_version(api, profile["uri"], version)
        conns = body["connections"] if version < 600 else connections(body)
        seen[version] = (set(conns[0]), set(conns[0]["boot"]), set(body))
    newer = {"ipv4", "networkName", "lagName"}
    assert not newer & seen[500][0] and "deploymentStatus" in seen[500][0]
    assert newer <= seen[800][0] and "interconnectPort" not in seen[800][0]
    assert seen[800][1] == {"priority"}
    assert {"interconnectPort"} <= seen[1000][0]
    assert seen[1000][1] == {"priority", "ethernetBootType", "bootVolumeSource"}
    assert {"isolatedTrunk", "privateVlanPortType"} <= seen[1600][0]
    assert "managementProcessor" not in seen[800][2] and "managementProcessor" in seen[1600][2]
    assert "profileUUID" in seen[1600][2] and "profileUUID" not in seen[1000][2]


def test_requested_mbps_is_a_string_whatever_was_written(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "numeric-bandwidth")
    connections(body)[0]["requestedMbps"] = 3000
    profile = create(api, body)
    assert connections(profile)[0]["requestedMbps"] == "3000"
    assert connections(profile)[0]["allocatedMbps"] == 3000


def test_a_bad_ethernet_boot_type_is_400_naming_the_field(api):
    server = free_blades(api, "Off")[0]
    body = new_profile(api, "ironic-EG-1", server, "bad-boot-type")
    connections(body)[0]["boot"] = {"priority": "Primary", "ethernetBootType": "Floppy"}
    error = error_of(api.post(PROFILES, json=body), 400, "INVALID_PARAMETER")
    assert "connections[0].boot.ethernetBootType" in error["message"]
    assert "Floppy" in error["message"]


def test_a_template_stores_its_connections_in_full(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = {
        "name": "minimal-connections",
        "serverHardwareTypeUri": template["serverHardwareTypeUri"],
        "enclosureGroupUri": template["enclosureGroupUri"],
        "connectionSettings": {
            "connections": [
                {"networkUri": network_uri(api, "Deploy"), "requestedMbps": 2000},
                {
                    "id": 7,
                    "networkUri": network_uri(api, "Deploy"),
                    "boot": {"priority": "Primary"},
                },
            ]
        },
    }
    task = finish(api, api.post("/rest/server-profile-templates", json=body))
    assert task["taskState"] == "Completed", task
    stored = named(api, "server-profile-templates", "minimal-connections")
    first, second = stored["connectionSettings"]["connections"]
    assert set(first) == set(template["connectionSettings"]["connections"][0])
    assert (first["id"], first["portId"], first["requestedMbps"]) == (1, "Auto", "2000")
    assert (second["id"], second["requestedMbps"]) == (7, "2500")
    assert second["boot"] == {
        "priority": "Primary",
        "ethernetBootType": "PXE",
        "bootVolumeSource": "AdapterBIOS",
    }
    assert stored["description"] == "" and stored["scopesUri"].endswith(stored["uri"])


def test_the_enclosure_bay_follows_the_profile(api):
    profile = applied(api)
    server = api.get(profile["serverHardwareUri"]).json()

    def bay() -> Resource:
        enclosure = api.get(server["locationUri"]).json()
        (found,) = [b for b in enclosure["deviceBays"] if b["bayNumber"] == server["position"]]
        return found

    assert bay()["profileUri"] == profile["uri"]
    task = finish(api, api.delete(profile["uri"]))
    assert task["taskState"] == "Completed", task
    assert bay()["profileUri"] is None


def test_a_profile_put_back_with_its_null_firmware_fields_is_accepted(api):
    """A client edits the body it read: the nulls of unused firmware fields mean 'default'."""
    profile = applied(api)
    assert profile["firmware"]["firmwareActivationType"] is None
    baseline = api.members("firmware-drivers")[0]["uri"]
    profile["firmware"].update(manageFirmware=True, firmwareBaselineUri=baseline)
    task = finish(api, put(api, profile))
    assert task["taskState"] == "Completed", task
    firmware = api.get(profile["uri"]).json()["firmware"]
    assert (firmware["firmwareInstallType"], firmware["firmwareActivationType"]) == (
        "FirmwareAndOSDrivers",
        "Immediate",
    )


def test_a_user_defined_iscsi_initiator_name_is_kept_and_a_generated_one_is_not_written(api):
    first, second = free_blades(api, "Off")[:2]
    body = new_profile(api, "ironic-EG-1", first, "own-iqn")
    body.update(
        iscsiInitiatorNameType="UserDefined", iscsiInitiatorName="iqn.2024-01.org.example:a"
    )
    assert create(api, body)["iscsiInitiatorName"] == "iqn.2024-01.org.example:a"
    body = new_profile(api, "ironic-EG-1", second, "generated-iqn")
    body["iscsiInitiatorName"] = "iqn.2024-01.org.example:ignored"
    profile = create(api, body)
    assert profile["iscsiInitiatorNameType"] == "AutoGenerated"
    assert profile["iscsiInitiatorName"].endswith(profile["serialNumber"].lower())
