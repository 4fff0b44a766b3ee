"""Asynchronous calls and the task resource over real HTTPS (contract §4 and §13).

Every mutating call answers 202 with the task in the body and its URI in ``Location``. The
progression tests run the simulated clock at real speed with fixed task durations and move it
by hand, so every state (New, Running at each step, Completed) is observed deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests

from oneview_openstack.simulator.config import DEFAULT_TASK_DURATIONS, SimulatorConfig
from oneview_openstack.simulator.testing import ApplianceClient

TASK_URI = re.compile(
    r"^/rest/tasks/[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}$"
)
TERMINAL = ("Completed", "Error", "Warning", "Killed", "Terminated", "Interrupted")
TASK_KEYS = {
    "type",
    "uri",
    "category",
    "name",
    "owner",
    "taskType",
    "userInitiated",
    "hidden",
    "taskState",
    "stateReason",
    "taskStatus",
    "percentComplete",
    "computedPercentComplete",
    "expectedDuration",
    "totalSteps",
    "completedSteps",
    "progressUpdates",
    "associatedResource",
    "taskErrors",
    "taskOutput",
    "parentTaskUri",
    "associatedTaskUri",
    "data",
    "eTag",
    "created",
    "modified",
}
# Every task kind takes exactly 100 simulated seconds in the progression tests.
FIXED = {kind: (100.0, 100.0) for kind in DEFAULT_TASK_DURATIONS}


def reconfigure(simulator: Any, **settings: Any) -> None:
    settings.setdefault("time_scale", simulator.state.config.time_scale)
    with simulator.state.lock:
        simulator.state.reset(config=SimulatorConfig(**settings))


@pytest.fixture
def manual(simulator):
    """Real-time clock, 100 s tasks: nothing ends unless the test moves the clock."""
    reconfigure(simulator, time_scale=1.0, task_durations=FIXED)
    client = ApplianceClient(simulator)
    client.login()
    yield client
    client.close()


def advance(client: ApplianceClient, seconds: float) -> None:
    client.sim("POST", "clock", json={"advance": seconds})


def task_of(client: ApplianceClient, reply: requests.Response) -> dict[str, Any]:
    return client.get(reply.headers["Location"]).json()


# -- inventory helpers ----------------------------------------------------------------------------


def off_blade(api: ApplianceClient, index: int = 0) -> dict[str, Any]:
    blades = [
        m
        for m in api.members("server-hardware")
        if m["locationUri"] and m["powerState"] == "Off" and not m["serverProfileUri"]
    ]
    return blades[index]


def template(api: ApplianceClient, server: dict[str, Any]) -> dict[str, Any]:
    return next(
        t
        for t in api.members("server-profile-templates")
        if t["enclosureGroupUri"] == server["serverGroupUri"] and t["name"].startswith("ironic-EG")
    )


def profile_body(api: ApplianceClient, name: str, index: int = 0) -> dict[str, Any]:
    server = off_blade(api, index)
    body = api.get(template(api, server)["uri"] + "/new-profile").json()
    body.update(name=name, serverHardwareUri=server["uri"])
    return body


def create_profile(api: ApplianceClient, name: str = "p-1", index: int = 0) -> dict[str, Any]:
    task = api.wait(api.post("/rest/server-profiles", json=profile_body(api, name, index)))
    assert task["taskState"] == "Completed", task
    return api.get(task["associatedResource"]["resourceUri"]).json()


def network_body(name: str, vlan: int) -> dict[str, Any]:
    return {
        "name": name,
        "vlanId": vlan,
        "ethernetNetworkType": "Tagged",
        "purpose": "General",
        "smartLink": False,
        "privateNetwork": False,
    }


def create_network(api: ApplianceClient, name: str = "net-x", vlan: int = 500) -> dict[str, Any]:
    task = api.wait(api.post("/rest/ethernet-networks", json=network_body(name, vlan)))
    return api.get(task["associatedResource"]["resourceUri"]).json()


def tagged_uplink_set(api: ApplianceClient) -> dict[str, Any]:
    found = next(u for u in api.members("uplink-sets") if u["ethernetNetworkType"] == "Tagged")
    return api.get(found["uri"]).json()


# -- one request per async endpoint -------------------------------------------------------------

Call = Callable[[ApplianceClient], requests.Response]


def _power(api):
    return api.put(off_blade(api)["uri"] + "/powerState", json={"powerState": "On"})


def _refresh(api):
    server = api.members("server-hardware")[0]
    return api.put(server["uri"] + "/refreshState", json={"refreshState": "RefreshPending"})


def _patch_server(api):
    server = api.members("server-hardware")[0]
    return api.patch(
        server["uri"],
        json=[{"op": "replace", "path": "/uidState", "value": "On"}],
        headers={"Content-Type": "application/json-patch+json"},
    )


def _create_profile(api):
    return api.post("/rest/server-profiles", json=profile_body(api, "created"))


def _update_profile(api):
    profile = create_profile(api)
    profile["description"] = "edited"
    return api.put(profile["uri"], json=profile)


def _patch_profile(api):
    profile = create_profile(api)
    op = [{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]
    return api.patch(profile["uri"], json=op)


def _delete_profile(api):
    return api.delete(create_profile(api)["uri"])


def _delete_profiles_by_filter(api):
    create_profile(api, "bulk-gone")
    return api.delete("/rest/server-profiles", params={"filter": "\"name='bulk-gone'\""})


def _create_network(api):
    return api.post("/rest/ethernet-networks", json=network_body("new-net", 700))


def _update_network(api):
    network = api.get(api.members("ethernet-networks")[0]["uri"]).json()
    network["description"] = "edited"
    return api.put(network["uri"], json=network)


def _delete_network(api):
    return api.delete(create_network(api)["uri"])


def _bulk_networks(api):
    body = {
        "vlanIdRange": "600-602",
        "namePrefix": "bulk",
        "purpose": "General",
        "smartLink": False,
        "privateNetwork": False,
    }
    return api.post("/rest/ethernet-networks/bulk", json=body)


def _bulk_delete_networks(api):
    uris = [create_network(api, f"gone-{v}", v)["uri"] for v in (801, 802)]
    return api.post("/rest/ethernet-networks/bulk-delete", json={"networkUris": uris})


def _create_uplink_set(api):
    existing = tagged_uplink_set(api)
    body = {
        "name": "US-new",
        "logicalInterconnectUri": existing["logicalInterconnectUri"],
        "networkType": "Ethernet",
        "ethernetNetworkType": "Tagged",
        "networkUris": [create_network(api)["uri"]],
    }
    return api.post("/rest/uplink-sets", json=body)


def _update_uplink_set(api):
    uplink_set = tagged_uplink_set(api)
    uplink_set["networkUris"].append(create_network(api)["uri"])
    return api.put(uplink_set["uri"], json=uplink_set)


def _delete_uplink_set(api):
    return api.delete(tagged_uplink_set(api)["uri"])


def _update_lig(api):
    lig = api.get(api.members("logical-interconnect-groups")[0]["uri"]).json()
    lig["uplinkSets"][0]["networkUris"].append(create_network(api)["uri"])
    return api.put(lig["uri"], json=lig)


ASYNC_CALLS: dict[str, tuple[Call, str]] = {
    "power": (_power, "Power on"),
    "refresh": (_refresh, "Refresh"),
    "patch-server": (_patch_server, "Update"),
    "create-profile": (_create_profile, "Create"),
    "update-profile": (_update_profile, "Update"),
    "patch-profile": (_patch_profile, "Update"),
    "delete-profile": (_delete_profile, "Delete"),
    "delete-profiles-by-filter": (_delete_profiles_by_filter, "Delete"),
    "create-network": (_create_network, "Create"),
    "update-network": (_update_network, "Update"),
    "delete-network": (_delete_network, "Delete"),
    "bulk-networks": (_bulk_networks, "Create"),
    "bulk-delete-networks": (_bulk_delete_networks, "Delete"),
    "create-uplink-set": (_create_uplink_set, "Create"),
    "update-uplink-set": (_update_uplink_set, "Update"),
    "delete-uplink-set": (_delete_uplink_set, "Delete"),
    "update-lig": (_update_lig, "Update"),
}


@pytest.mark.parametrize("name", list(ASYNC_CALLS))
def test_every_async_call_answers_202_with_location_and_task(api, name):
    call, task_name = ASYNC_CALLS[name]
    reply = call(api)
    assert reply.status_code == 202, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    location = reply.headers["Location"]
    assert TASK_URI.match(location), location
    assert body["uri"] == location
    assert set(body) >= TASK_KEYS
    assert body["category"] == "tasks"
    assert body["type"] == "TaskResourceV2"
    assert body["name"] == task_name
    assert body["owner"] == "Administrator"
    assert body["taskType"] == "User"
    assert body["taskErrors"] == []
    assert body["taskState"] in ("New", "Starting", "Running", *TERMINAL)
    assert body["associatedResource"]["associationType"] == "MANAGED_BY"
    polled = api.get(location)
    assert polled.status_code == 200
    assert polled.json()["uri"] == location
    done = api.wait(reply)
    assert done["taskState"] == "Completed", done
    assert done["percentComplete"] == done["computedPercentComplete"] == 100
    assert done["associatedResource"]["resourceUri"]
    assert done["progressUpdates"]
    assert done["completedSteps"] == done["totalSteps"]


# -- progression ----------------------------------------------------------------------------------


def test_task_moves_new_starting_running_completed_in_percent_steps(manual):
    server = off_blade(manual)
    reply = manual.put(server["uri"] + "/powerState", json={"powerState": "On"})
    first = reply.json()
    assert first["taskState"] == "New"
    assert first["stateReason"] is None
    assert first["percentComplete"] == 0
    assert first["expectedDuration"] == 100
    seen = [first]
    for _ in range(12):
        advance(manual, 9)
        seen.append(task_of(manual, reply))
    states = [task["taskState"] for task in seen]
    percents = [task["percentComplete"] for task in seen]
    assert states[:3] == ["New", "Starting", "Running"]
    assert seen[1]["stateReason"] == "Starting"
    assert seen[1]["percentComplete"] == 0
    assert seen[2]["stateReason"] == "Running"
    assert states[-1] == "Completed"
    # New, Starting, Running, then Completed, never going back.
    order = {"New": 0, "Starting": 1, "Running": 2, "Completed": 3}
    assert [order[s] for s in states] == sorted(order[s] for s in states)
    assert percents == sorted(percents)
    assert all(p % 10 == 0 for p in percents)
    assert {p for p, s in zip(percents, states, strict=True) if s == "Running"} >= {10, 50, 90}
    assert max(p for p, s in zip(percents, states, strict=True) if s != "Completed") < 100
    assert percents[-1] == 100
    assert seen[-1]["computedPercentComplete"] == 100
    assert seen[-1]["stateReason"] is None
    assert seen[-1]["completedSteps"] == seen[-1]["totalSteps"]
    # The server was in transition while the task ran, and powered on when it ended.
    assert manual.get(server["uri"]).json()["powerState"] == "On"


def test_server_is_in_transition_while_the_power_task_runs(manual):
    server = off_blade(manual)
    reply = manual.put(server["uri"] + "/powerState", json={"powerState": "On"})
    advance(manual, 50)
    assert task_of(manual, reply)["taskState"] == "Running"
    assert manual.get(server["uri"]).json()["powerState"] == "PoweringOn"
    advance(manual, 51)
    assert task_of(manual, reply)["taskState"] == "Completed"
    assert manual.get(server["uri"]).json()["powerState"] == "On"


def test_progress_updates_grow_with_the_task(manual):
    reply = manual.post("/rest/server-profiles", json=profile_body(manual, "steps"))
    counts = []
    for _ in range(11):
        task = task_of(manual, reply)
        counts.append(len(task["progressUpdates"]))
        ids = [u["id"] for u in task["progressUpdates"]]
        assert ids == list(range(ids[0], ids[0] + counts[-1]))
        stamps = [u["timestamp"] for u in task["progressUpdates"]]
        assert stamps == sorted(stamps) and stamps[0] == task["created"]
        advance(manual, 10)
    task = task_of(manual, reply)
    assert task["taskState"] == "Completed"
    assert counts == sorted(counts)
    assert counts[0] == 1
    assert len(task["progressUpdates"]) == task["totalSteps"] > 1


def test_progress_update_ids_are_appliance_wide(manual):
    first = manual.post("/rest/server-profiles", json=profile_body(manual, "ids-a"))
    second = manual.post("/rest/server-profiles", json=profile_body(manual, "ids-b", 1))
    advance(manual, 200)
    ids_a = [u["id"] for u in task_of(manual, first)["progressUpdates"]]
    ids_b = [u["id"] for u in task_of(manual, second)["progressUpdates"]]
    assert len(ids_a) > 1 and len(ids_b) > 1
    assert not set(ids_a) & set(ids_b)


def test_create_task_names_its_resource_only_once_running(manual):
    reply = manual.post("/rest/server-profiles", json=profile_body(manual, "born"))
    assert reply.status_code == 202
    new = reply.json()
    assert new["taskState"] == "New"
    assert new["associatedResource"]["resourceUri"] is None
    assert new["associatedResource"]["resourceCategory"] == "server-profiles"
    advance(manual, 5)
    starting = task_of(manual, reply)
    assert starting["taskState"] == "Starting"
    assert starting["associatedResource"]["resourceUri"] is None
    advance(manual, 15)
    running = task_of(manual, reply)
    assert running["taskState"] == "Running"
    uri = running["associatedResource"]["resourceUri"]
    assert uri.startswith("/rest/server-profiles/")
    assert manual.get(uri).json()["state"] == "Creating"
    advance(manual, 81)
    done = task_of(manual, reply)
    assert done["taskState"] == "Completed"
    assert done["associatedResource"]["resourceUri"] == uri
    assert done["associatedResource"]["resourceName"] == "born"
    profile = manual.get(uri).json()
    assert profile["state"] == "Normal"
    assert profile["taskUri"] == reply.headers["Location"]


def test_network_create_task_also_hides_the_uri_while_new(manual):
    reply = manual.post("/rest/ethernet-networks", json=network_body("late", 901))
    assert reply.json()["associatedResource"]["resourceUri"] is None
    advance(manual, 101)
    done = task_of(manual, reply)
    assert done["taskState"] == "Completed"
    assert manual.get(done["associatedResource"]["resourceUri"]).json()["name"] == "late"


def test_an_update_task_names_its_resource_from_the_start(manual):
    network = manual.get(manual.members("ethernet-networks")[0]["uri"]).json()
    reply = manual.put(network["uri"], json=network)
    assert reply.json()["taskState"] == "New"
    assert reply.json()["associatedResource"]["resourceUri"] == network["uri"]


def test_task_etag_and_modified_change_as_it_progresses(manual):
    reply = manual.put(off_blade(manual)["uri"] + "/powerState", json={"powerState": "On"})
    first = task_of(manual, reply)
    advance(manual, 50)
    middle = task_of(manual, reply)
    advance(manual, 60)
    last = task_of(manual, reply)
    assert len({first["eTag"], middle["eTag"], last["eTag"]}) == 3
    assert first["created"] == middle["created"] == last["created"]
    assert first["modified"] < middle["modified"] <= last["modified"]


# -- delete tasks and what clients do after them -------------------------------------------------


@pytest.mark.parametrize("name", ["delete-profile", "delete-network", "delete-uplink-set"])
def test_delete_tasks_are_named_delete_and_the_resource_is_gone(api, name):
    reply = ASYNC_CALLS[name][0](api)
    task = api.wait(reply)
    assert task["name"] == "Delete"
    assert task["taskState"] == "Completed"
    gone = task["associatedResource"]["resourceUri"]
    assert api.get(gone).status_code == 404


def test_resource_exists_until_the_delete_task_ends(manual):
    profile = create_profile_manually(manual)
    reply = manual.delete(profile["uri"])
    assert reply.json()["name"] == "Delete"
    advance(manual, 50)
    assert manual.get(profile["uri"]).json()["state"] == "Deleting"
    advance(manual, 51)
    assert task_of(manual, reply)["taskState"] == "Completed"
    assert manual.get(profile["uri"]).status_code == 404


def create_profile_manually(client: ApplianceClient) -> dict[str, Any]:
    reply = client.post("/rest/server-profiles", json=profile_body(client, "manual"))
    advance(client, 101)
    task = task_of(client, reply)
    assert task["taskState"] == "Completed"
    return client.get(task["associatedResource"]["resourceUri"]).json()


# -- task reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "task_id",
    ["00000000-0000-4000-A000-000000000000", "nope", "3F2A"],
)
def test_unknown_task_is_404_resource_not_found(api, task_id):
    reply = api.get(f"/rest/tasks/{task_id}")
    assert reply.status_code == 404
    body = reply.json()
    assert body["errorCode"] == "RESOURCE_NOT_FOUND"
    assert f"/rest/tasks/{task_id}" in body["message"]


def test_task_ids_are_case_insensitive(api):
    reply = _refresh(api)
    location = reply.headers["Location"]
    task_id = location.rsplit("/", 1)[1]
    assert api.get(f"/rest/tasks/{task_id.lower()}").json()["uri"] == location


def test_tasks_are_listed_newest_last_and_need_auth(api, anonymous):
    first = api.wait(_refresh(api))
    second = api.wait(_power(api))
    page = api.get("/rest/tasks").json()
    assert [m["uri"] for m in page["members"]] == [first["uri"], second["uri"]]
    assert anonymous.get(first["uri"]).status_code == 401
    assert anonymous.get("/rest/tasks").status_code == 401


def test_zero_duration_power_task_is_completed_at_once(manual):
    """A power request for the state the server is already in finishes immediately."""
    server = off_blade(manual)
    reply = manual.put(server["uri"] + "/powerState", json={"powerState": "Off"})
    assert reply.status_code == 202
    assert task_of(manual, reply)["taskState"] == "Completed"
    assert task_of(manual, reply)["percentComplete"] == 100
