"""Server hardware over real HTTPS: power requests and their rules, refresh, PATCH, sub-resources,
server hardware types and enclosure groups (contract §5, §6 and the §13 endpoint table)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from oneview_openstack.simulator.testing import ApplianceClient

Server = dict[str, Any]
TEST_TIME_SCALE = 0.0005
CONSOLE_URL = re.compile(r"^hplocons://addr=(?P<addr>[0-9.]+)&sessionkey=(?P<key>[0-9a-f]{32})$")
METRICS = {
    "AmbientTemperature",
    "CpuUtilization",
    "CpuAverageFreq",
    "AveragePower",
    "PeakPower",
    "PowerCap",
}


# --- helpers ------------------------------------------------------------------------------


def error_of(reply: Any, status: int, code: str) -> dict[str, Any]:
    """The ErrorMessage of a refused request, checked for status, errorCode and its shape."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["errorCode"] == code, body
    assert body["message"]
    assert isinstance(body["recommendedActions"], list) and body["recommendedActions"]
    return body


def free_blade(api: ApplianceClient, power: str = "Off") -> Server:
    """A blade with no profile, set to ``power`` out of band."""
    server = next(
        s
        for s in api.members("server-hardware")
        if s["locationUri"] and not s["serverProfileUri"] and s["status"] == "OK"
    )
    api.sim("POST", "actions/set_power", json={"uri": server["uri"], "powerState": power})
    return api.get(server["uri"]).json()


def server_named(api: ApplianceClient, name: str) -> Server:
    (server,) = api.members("server-hardware", filter=f"\"name='{name}'\"")
    return server


def slow_clock(api: ApplianceClient) -> None:
    """Real time: a 5-20 s power task stays visibly running until the clock is advanced."""
    api.sim("POST", "clock", json={"time_scale": 1.0})


def advance(api: ApplianceClient, seconds: float = 10_000) -> None:
    """Jump the clock forward, then let it run at test speed again."""
    api.sim("POST", "clock", json={"advance": seconds, "time_scale": TEST_TIME_SCALE})


def set_power(api: ApplianceClient, server: Server, body: dict[str, Any]) -> Any:
    return api.put(server["uri"] + "/powerState", json=body)


def task_count(api: ApplianceClient) -> int:
    return api.get("/rest/tasks").json()["total"]


# --- power: every request form ------------------------------------------------------------

POWER_FORMS = [
    pytest.param("Off", {"powerState": "On"}, "Power on", "On", id="on-default-control"),
    pytest.param(
        "Off",
        {"powerState": "On", "powerControl": "MomentaryPress"},
        "Power on",
        "On",
        id="on-momentary",
    ),
    pytest.param(
        "On",
        {"powerState": "Off", "powerControl": "MomentaryPress"},
        "Power off",
        "Off",
        id="off-graceful",
    ),
    pytest.param(
        "On",
        {"powerState": "Off", "powerControl": "PressAndHold"},
        "Power off",
        "Off",
        id="off-forced",
    ),
    pytest.param(
        "On", {"powerState": "On", "powerControl": "ColdBoot"}, "Reset", "On", id="cold-boot"
    ),
    pytest.param("On", {"powerState": "On", "powerControl": "Reset"}, "Reset", "On", id="reset"),
]


@pytest.mark.parametrize(("start", "body", "task_name", "end"), POWER_FORMS)
def test_power_request_forms_run_a_task_to_the_target_state(api, start, body, task_name, end):
    server = free_blade(api, start)
    reply = set_power(api, server, body)
    assert reply.status_code == 202, reply.text
    submitted = reply.json()
    assert reply.headers["Location"] == submitted["uri"]
    assert submitted["category"] == "tasks"
    assert submitted["type"] == "TaskResourceV2"
    assert submitted["name"] == task_name
    assert submitted["associatedResource"]["resourceUri"] == server["uri"]
    assert submitted["associatedResource"]["resourceCategory"] == "server-hardware"
    task = api.wait(reply)
    assert task["taskState"] == "Completed"
    assert task["percentComplete"] == task["computedPercentComplete"] == 100
    assert task["taskErrors"] == []
    assert server["name"] in task["taskStatus"]
    after = api.get(server["uri"]).json()
    assert after["powerState"] == end
    assert after["eTag"] != server["eTag"]


@pytest.mark.parametrize(
    ("start", "body", "transitional", "end"),
    [
        ("Off", {"powerState": "On"}, "PoweringOn", "On"),
        ("On", {"powerState": "Off", "powerControl": "PressAndHold"}, "PoweringOff", "Off"),
        ("On", {"powerState": "On", "powerControl": "ColdBoot"}, "Resetting", "On"),
        ("On", {"powerState": "On", "powerControl": "Reset"}, "Resetting", "On"),
    ],
)
def test_power_state_is_transitional_while_the_task_runs(api, start, body, transitional, end):
    server = free_blade(api, start)
    slow_clock(api)
    reply = set_power(api, server, body)
    assert reply.status_code == 202
    task = api.get(reply.headers["Location"]).json()
    assert task["taskState"] in ("New", "Starting", "Running")
    assert task["percentComplete"] < 100
    assert api.get(server["uri"]).json()["powerState"] == transitional
    # A second request while the first is in flight is refused, and changes nothing.
    again = set_power(api, server, {"powerState": "Off", "powerControl": "PressAndHold"})
    error_of(again, 409, "POWER_CONTROL_NOT_ALLOWED")
    advance(api)
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["powerState"] == end


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"powerState": "Off", "powerControl": "ColdBoot"}, id="off-coldboot"),
        pytest.param({"powerState": "Off", "powerControl": "Reset"}, id="off-reset"),
        pytest.param({"powerState": "On", "powerControl": "PressAndHold"}, id="on-pressandhold"),
        pytest.param({"powerState": "Sideways"}, id="unknown-state"),
        pytest.param({"powerState": "On", "powerControl": "Bounce"}, id="unknown-control"),
        pytest.param({"powerControl": "MomentaryPress"}, id="no-state"),
        pytest.param({}, id="empty"),
        pytest.param({"powerState": "on"}, id="wrong-case"),
    ],
)
def test_invalid_power_requests_are_400_and_change_nothing(api, body):
    server = free_blade(api, "On")
    before = task_count(api)
    body_of_error = error_of(set_power(api, server, body), 400, "INVALID_POWER_CONTROL_REQUEST")
    assert body_of_error["errorCode"].startswith("INVALID_POWER_CONTROL_REQUEST")
    after = api.get(server["uri"]).json()
    assert after["powerState"] == "On"
    assert after["eTag"] == server["eTag"]
    assert task_count(api) == before


def test_a_power_body_that_is_not_an_object_is_400(api):
    server = free_blade(api, "Off")
    error_of(set_power(api, server, ["On"]), 400, "INVALID_JSON")


@pytest.mark.parametrize(
    ("control", "code", "message", "action"),
    [
        (
            "ColdBoot",
            "INVALID_POWER_CONTROL_REQUEST_POWER_COLDBOOT_OFF",
            "Unable to cold boot because the server is currently off.",
            "Power the server on to boot the server.",
        ),
        (
            "Reset",
            "INVALID_POWER_CONTROL_REQUEST_POWER_RESET_OFF",
            "Unable to reset because the server is currently off.",
            "Power the server on to reset the server.",
        ),
    ],
)
def test_cold_boot_or_reset_of_a_powered_off_server_is_refused(api, control, code, message, action):
    server = free_blade(api, "Off")
    body = error_of(
        set_power(api, server, {"powerState": "On", "powerControl": control}), 400, code
    )
    assert body["message"] == message
    assert body["recommendedActions"] == [action]
    assert api.get(server["uri"]).json()["powerState"] == "Off"


def test_power_is_refused_while_the_power_lock_is_held(api):
    server = free_blade(api, "Off")
    slow_clock(api)
    api.sim("POST", "actions/power_lock", json={"uri": server["uri"], "seconds": 30})
    assert api.get(server["uri"]).json()["powerLock"] is True
    body = error_of(set_power(api, server, {"powerState": "On"}), 409, "POWER_CONTROL_NOT_ALLOWED")
    assert body["recommendedActions"] == [
        "Try the operation later after the profile configuration has completed."
    ]
    assert api.get(server["uri"]).json()["powerState"] == "Off"
    advance(api, 31)
    assert api.get(server["uri"]).json()["powerLock"] is False
    assert api.wait(set_power(api, server, {"powerState": "On"}))["taskState"] == "Completed"


def test_power_is_refused_while_a_profile_is_being_applied(api):
    server = free_blade(api, "Off")
    template = api.members("server-profile-templates", filter="\"name='ironic-EG-1'\"")[0]
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="applying", serverHardwareUri=server["uri"])
    slow_clock(api)
    created = api.post("/rest/server-profiles", json=body)
    assert created.status_code == 202, created.text
    busy = api.get(server["uri"]).json()
    assert (busy["state"], busy["powerLock"]) == ("ApplyingProfile", True)
    for request in ({"powerState": "On"}, {"powerState": "Off", "powerControl": "PressAndHold"}):
        error_of(set_power(api, server, request), 409, "POWER_CONTROL_NOT_ALLOWED")
    advance(api)
    assert api.wait(created)["taskState"] == "Completed"
    assert api.wait(set_power(api, server, {"powerState": "On"}))["taskState"] == "Completed"


def test_power_is_refused_in_the_applying_profile_state_even_without_power_lock(api, simulator):
    server = free_blade(api, "On")
    with simulator.state.lock:
        stored = simulator.state.core.store.get(server["uri"])
        stored.update(state="ApplyingProfile", powerLock=False)
        simulator.state.core.store.touch(stored)
    error_of(
        set_power(api, server, {"powerState": "Off", "powerControl": "PressAndHold"}),
        409,
        "POWER_CONTROL_NOT_ALLOWED",
    )


@pytest.mark.parametrize(
    ("start", "body"),
    [
        ("On", {"powerState": "On"}),
        ("Off", {"powerState": "Off", "powerControl": "PressAndHold"}),
        ("Off", {"powerState": "Off", "powerControl": "MomentaryPress"}),
    ],
)
def test_a_no_op_power_request_is_accepted_and_finishes_at_once(api, start, body):
    server = free_blade(api, start)
    slow_clock(api)  # even at real time, nothing needs to happen
    reply = set_power(api, server, body)
    assert reply.status_code == 202
    assert reply.json()["taskState"] == "Completed"
    assert reply.json()["percentComplete"] == 100
    assert api.get(reply.headers["Location"]).json()["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["powerState"] == start


def test_power_on_an_unknown_server_is_404(api):
    reply = api.put(
        "/rest/server-hardware/00000000-0000-0000-0000-000000000000/powerState",
        json={"powerState": "On"},
    )
    body = error_of(reply, 404, "RESOURCE_NOT_FOUND")
    assert "could not be found" in body["message"]


def test_power_off_of_a_rack_server(api):
    rack = next(s for s in api.members("server-hardware") if s["locationUri"] is None)
    api.sim("POST", "actions/set_power", json={"uri": rack["uri"], "powerState": "On"})
    task = api.wait(set_power(api, rack, {"powerState": "Off", "powerControl": "PressAndHold"}))
    assert task["taskState"] == "Completed"
    assert api.get(rack["uri"]).json()["powerState"] == "Off"


# --- refreshState -------------------------------------------------------------------------


def test_refresh_state_runs_a_task_and_returns_to_not_refreshing(api):
    server = free_blade(api, "On")
    assert server["refreshState"] == "NotRefreshing"
    slow_clock(api)
    reply = api.put(server["uri"] + "/refreshState", json={"refreshState": "RefreshPending"})
    assert reply.status_code == 202, reply.text
    assert reply.json()["associatedResource"]["resourceUri"] == server["uri"]
    assert api.get(server["uri"]).json()["refreshState"] != "NotRefreshing"
    advance(api)
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["refreshState"] == "NotRefreshing"


def test_refresh_state_accepts_credentials(api):
    server = free_blade(api, "Off")
    body = {"refreshState": "RefreshPending", "username": "admin", "password": "secret"}
    assert api.wait(api.put(server["uri"] + "/refreshState", json=body))["taskState"] == (
        "Completed"
    )


@pytest.mark.parametrize("body", [{"refreshState": "Refreshing"}, {}, ["RefreshPending"]])
def test_refresh_state_refuses_other_values(api, body):
    server = free_blade(api, "Off")
    error_of(api.put(server["uri"] + "/refreshState", json=body), 400, "INVALID_PARAMETER")


# --- PATCH --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["On", "Blink", "Off"])
def test_patch_uid_state(api, value):
    server = free_blade(api, "On")
    reply = api.patch(
        server["uri"],
        json=[{"op": "replace", "path": "/uidState", "value": value}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert reply.status_code == 202, reply.text
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["uidState"] == value


def test_patch_one_time_boot_is_used_up_by_the_next_power_on(api):
    server = free_blade(api, "Off")
    reply = api.patch(
        server["uri"], json=[{"op": "replace", "path": "/oneTimeBoot", "value": "Network"}]
    )
    assert api.wait(reply)["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["oneTimeBoot"] == "Network"
    assert api.wait(set_power(api, server, {"powerState": "On"}))["taskState"] == "Completed"
    after = api.get(server["uri"]).json()
    assert (after["powerState"], after["oneTimeBoot"]) == ("On", "Normal")


def test_patch_with_two_operations_applies_both(api):
    server = free_blade(api, "Off")
    ops = [
        {"op": "replace", "path": "/uidState", "value": "On"},
        {"op": "replace", "path": "/oneTimeBoot", "value": "CD"},
    ]
    assert api.wait(api.patch(server["uri"], json=ops))["taskState"] == "Completed"
    after = api.get(server["uri"]).json()
    assert (after["uidState"], after["oneTimeBoot"]) == ("On", "CD")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([{"op": "replace", "path": "/powerState", "value": "On"}], id="path"),
        pytest.param([{"op": "replace", "path": "/uidState", "value": "Flash"}], id="uid-value"),
        pytest.param(
            [{"op": "replace", "path": "/oneTimeBoot", "value": "Floppy drive"}], id="boot-value"
        ),
        pytest.param([{"op": "add", "path": "/uidState", "value": "On"}], id="op"),
        pytest.param(["replace"], id="not-an-object"),
    ],
)
def test_patch_refuses_invalid_operations(api, body):
    server = free_blade(api, "Off")
    error_of(api.patch(server["uri"], json=body), 400, "INVALID_PARAMETER")
    assert api.get(server["uri"]).json()["eTag"] == server["eTag"]


@pytest.mark.parametrize("body", [[], {"op": "replace", "path": "/uidState", "value": "On"}])
def test_patch_body_must_be_a_non_empty_array(api, body):
    server = free_blade(api, "Off")
    error_of(api.patch(server["uri"], json=body), 400, "INVALID_JSON_PATCH")


# --- read-only sub-resources --------------------------------------------------------------


def static_address(server: Server) -> str:
    (entry,) = [a for a in server["mpHostInfo"]["mpIpAddresses"] if a["type"] == "Static"]
    return entry["address"]


def test_remote_console_url_carries_the_ilo_address_and_a_session_key(api):
    server = free_blade(api, "On")
    first = api.get(server["uri"] + "/remoteConsoleUrl")
    assert first.status_code == 200
    match = CONSOLE_URL.match(first.json()["remoteConsoleUrl"])
    assert match, first.json()
    assert match["addr"] == static_address(server) == server["mpIpAddress"]
    second = CONSOLE_URL.match(
        api.get(server["uri"] + "/remoteConsoleUrl").json()["remoteConsoleUrl"]
    )
    assert second and second["key"] != match["key"]


def test_ilo_sso_and_java_console_urls(api):
    server = free_blade(api, "On")
    address = static_address(server)
    sso = api.get(server["uri"] + "/iloSsoUrl")
    assert sso.status_code == 200
    assert sso.json()["iloSsoUrl"].startswith(f"https://{address}/")
    java = api.get(server["uri"] + "/javaRemoteConsoleUrl")
    assert java.status_code == 200
    assert java.json()["javaRemoteConsoleUrl"].startswith(f"https://{address}/")


def test_environmental_configuration(api):
    server = free_blade(api, "On")
    env = api.get(server["uri"] + "/environmentalConfiguration").json()
    assert env["uri"] == server["uri"] + "/environmentalConfiguration"
    assert env["calibratedMaxPower"] > env["idleMaxPower"] > 0
    assert env["powerHistorySupported"] is True
    assert env["historySampleIntervalSeconds"] == 300
    assert isinstance(env["psuList"], list)


def test_utilization_lists_every_metric(api):
    server = free_blade(api, "On")
    body = api.get(server["uri"] + "/utilization").json()
    assert body["uri"] == server["uri"] + "/utilization"
    assert body["resolution"] == 300000
    assert body["isFresh"] is True
    assert body["refreshTaskUri"] is None
    for key in ("oldestSampleTime", "newestSampleTime", "sliceStartTime", "sliceEndTime"):
        assert body[key].endswith("Z")
    metrics = {m["metricName"]: m for m in body["metricList"]}
    assert set(metrics) == METRICS
    for metric in metrics.values():
        ((stamp, value),) = metric["metricSamples"]
        assert stamp % 300_000 == 0
        assert 0 <= value <= metric["metricCapacity"]
    assert metrics["CpuUtilization"]["metricSamples"][0][1] > 0


def test_utilization_of_a_powered_off_server_shows_no_cpu_load(api):
    server = free_blade(api, "Off")
    metrics = {
        m["metricName"]: m["metricSamples"][0][1]
        for m in api.get(server["uri"] + "/utilization").json()["metricList"]
    }
    assert metrics["CpuUtilization"] == 0


def test_utilization_fields_filter(api):
    server = free_blade(api, "On")
    reply = api.get(
        server["uri"] + "/utilization",
        params={"fields": "AveragePower,AmbientTemperature", "view": "day", "refresh": "true"},
    )
    assert reply.status_code == 200
    names = [m["metricName"] for m in reply.json()["metricList"]]
    assert sorted(names) == ["AmbientTemperature", "AveragePower"]


def test_utilization_refuses_unknown_fields(api):
    server = free_blade(api, "On")
    body = error_of(
        api.get(server["uri"] + "/utilization", params={"fields": "AveragePower,Humidity"}),
        400,
        "INVALID_PARAMETER",
    )
    assert "Humidity" in body["message"]


def test_local_storage_reports_the_disks_of_the_server(api, simulator):
    servers = api.members("server-hardware")
    with simulator.state.lock:
        drive_counts = {
            s["uri"]: len(
                simulator.state.core.store.get(s["uri"])["_storage"]["controllers"][0]["drives"]
            )
            for s in servers
        }
    assert min(drive_counts.values()) >= 2
    uri = servers[0]["uri"]
    body = api.get(uri + "/localStorageV2").json()
    assert body["uri"] == uri + "/localStorageV2"
    assert body["collectionState"] == "Success"
    (controller,) = body["data"]
    assert len(controller["PhysicalDrives"]) == drive_counts[uri]
    assert all(drive["CapacityGB"] > 0 for drive in controller["PhysicalDrives"])


def test_every_server_reports_its_local_disks_under_both_names(api):
    for server in api.members("server-hardware"):
        for leaf in ("localStorageV2", "localStorage"):
            body = api.get(f"{server['uri']}/{leaf}").json()
            assert body["uri"] == f"{server['uri']}/{leaf}"
            drives = [d for c in body["data"] for d in c["PhysicalDrives"]]
            assert len(drives) >= 2 and all(d["CapacityGB"] > 0 for d in drives), server["name"]


def test_per_generation_fields(api):
    """Generation, iLO and platform agree with the model; the firmware link and the Intelligent
    Provisioning version agree with the firmware inventory."""
    kinds = set()
    for server in api.members("server-hardware"):
        generation = server["model"].rsplit(" ", 1)[-1]
        assert server["generation"] == generation
        assert server["mpModel"] == {"Gen10": "iLO5", "Gen9": "iLO4"}[generation]
        rack = server["locationUri"] is None
        assert server["platform"] == ("RackServer" if rack else "ComputeModule")
        firmware = api.get(server["serverFirmwareInventoryUri"]).json()
        assert firmware["uri"] == server["serverFirmwareInventoryUri"]
        (provisioning,) = [
            c for c in firmware["components"] if c["componentName"] == "Intelligent Provisioning"
        ]
        assert server["intelligentProvisioningVersion"] == provisioning["componentVersion"]
        assert server["remoteSupportUri"].endswith(server["uuid"])
        kinds.add((generation, rack))
    assert kinds == {("Gen10", False), ("Gen10", True), ("Gen9", True)}


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        (120, {"portMap", "mpHostInfo"}, {"intelligentProvisioningVersion", "remoteSupportUri"}),
        (200, {"intelligentProvisioningVersion"}, {"remoteSupportUri", "migrationState"}),
        (300, {"remoteSupportUri", "supportState"}, {"generation", "physicalServerHardwareUri"}),
        (500, {"generation", "platform", "physicalServerHardwareUri", "scopesUri"}, set()),
    ],
)
def test_server_fields_follow_the_api_version(api, version, present, absent):
    server = api.members("server-hardware")[0]
    body = api.get(server["uri"], headers={"X-API-Version": str(version)}).json()
    assert present <= set(body), sorted(present - set(body))
    assert not absent & set(body), sorted(absent & set(body))


def test_hardware_type_platform_from_api_1000(api):
    sht = next(t for t in api.members("server-hardware-types") if t["formFactor"] == "HalfHeight")
    old = api.get(sht["uri"], headers={"X-API-Version": "800"}).json()
    new = api.get(sht["uri"], headers={"X-API-Version": "1000"}).json()
    assert not {"platform", "generation", "uefiClass"} & set(old)
    assert (new["platform"], new["generation"], new["uefiClass"]) == ("ComputeModule", "Gen10", "2")


def test_bios_and_firmware(api):
    server = free_blade(api, "On")
    bios = api.get(server["uri"] + "/bios").json()
    assert bios["uri"] == server["uri"] + "/bios"
    assert bios["romVersion"] == server["romVersion"]
    firmware = api.get(server["uri"] + "/firmware").json()
    assert firmware["serverHardwareUri"] == server["uri"]
    versions = {c["componentName"]: c["componentVersion"] for c in firmware["components"]}
    assert versions["System ROM"] == server["romVersion"]
    assert versions["iLO"] == server["mpFirmwareVersion"]


@pytest.mark.parametrize(
    "leaf",
    [
        "remoteConsoleUrl",
        "iloSsoUrl",
        "javaRemoteConsoleUrl",
        "environmentalConfiguration",
        "utilization",
        "localStorageV2",
        "bios",
        "firmware",
    ],
)
def test_sub_resources_of_an_unknown_server_are_404(api, leaf):
    reply = api.get(f"/rest/server-hardware/00000000-0000-0000-0000-000000000000/{leaf}")
    error_of(reply, 404, "RESOURCE_NOT_FOUND")


def test_sub_resources_need_a_session(simulator, anonymous):
    server = simulator.state.core.store.members("server-hardware")[0]
    error_of(anonymous.get(server["uri"] + "/remoteConsoleUrl"), 401, "AUTHORIZATION")


# --- server hardware, types and enclosure groups ------------------------------------------


def test_server_hardware_get_has_etag_header_and_versioned_type(api):
    server = free_blade(api, "Off")
    reply = api.get(server["uri"])
    assert reply.headers["ETag"].strip('"') == reply.json()["eTag"]
    assert reply.json()["type"] == "server-hardware-12"
    old = api.get(server["uri"], headers={"X-API-Version": "300"}).json()
    assert old["type"] == "server-hardware-5"
    assert not any(key.startswith("_") for key in reply.json())


def test_server_hardware_types_are_readable(api):
    types = api.members("server-hardware-types")
    assert len(types) == 3
    servers = api.members("server-hardware")
    assert {s["serverHardwareTypeUri"] for s in servers} == {t["uri"] for t in types}
    for sht in types:
        reply = api.get(sht["uri"])
        assert reply.status_code == 200
        body = reply.json()
        assert body["type"] == "server-hardware-type-10"
        assert body["category"] == "server-hardware-types"
        assert reply.headers["ETag"].strip('"') == body["eTag"]
        assert {"HardDisk", "PXE"} <= set(body["bootCapabilities"])
        assert "UEFIOptimized" in body["bootModes"]
        assert body["adapters"]
    blade = next(t for t in types if t["formFactor"] == "HalfHeight")
    gen10 = next(t for t in types if t["formFactor"] != "HalfHeight" and t["generation"] == "Gen10")
    gen9 = next(t for t in types if t["generation"] == "Gen9")
    assert {"ManageBootOrder", "VCConnections"} <= set(blade["capabilities"])
    assert "ManageBootOrder" in gen10["capabilities"]  # OneView manages a DL Gen10's boot order
    assert "ManageBootOrder" not in gen9["capabilities"]
    assert "VCConnections" not in gen10["capabilities"] + gen9["capabilities"]
    assert api.get(blade["uri"], headers={"X-API-Version": "200"}).json()["type"] == (
        "server-hardware-type-4"
    )


def test_enclosure_groups_are_readable_and_referenced_by_blades(api):
    (group,) = api.members("enclosure-groups")
    body = api.get(group["uri"]).json()
    assert body["type"] == "EnclosureGroupV8"
    assert body["enclosureCount"] >= 1
    for mapping in body["interconnectBayMappings"]:
        lig = api.get(mapping["logicalInterconnectGroupUri"])
        assert lig.status_code == 200
    servers = api.members("server-hardware")
    blades = [s for s in servers if s["locationUri"]]
    racks = [s for s in servers if not s["locationUri"]]
    assert blades and racks
    assert {s["serverGroupUri"] for s in blades} == {group["uri"]}
    assert {s["serverGroupUri"] for s in racks} == {None}


def test_unknown_type_and_group_are_404(api):
    for category in ("server-hardware-types", "enclosure-groups"):
        error_of(api.get(f"/rest/{category}/nope"), 404, "RESOURCE_NOT_FOUND")


def test_server_hardware_filter_by_type(api):
    blade_type = server_named(api, "Encl1, bay 1")["serverHardwareTypeUri"]
    blades = api.members("server-hardware", filter=f"\"serverHardwareTypeUri='{blade_type}'\"")
    assert blades and all(s["locationUri"] for s in blades)


def test_power_state_changes_follow_an_older_api_version(simulator):
    """The same power task flow at API 500 (an older client)."""
    client = ApplianceClient(simulator, api_version=500)
    try:
        client.login()
        server = free_blade(client, "Off")
        task = client.wait(set_power(client, server, {"powerState": "On"}))
        assert task["taskState"] == "Completed"
        assert client.get(server["uri"]).json()["powerState"] == "On"
    finally:
        client.close()


def test_a_failed_power_task_leaves_the_power_state_as_it_was(api):
    server = free_blade(api, "Off")
    api.sim(
        "POST",
        "faults",
        json={
            "kind": "task_error",
            "method": "PUT",
            "path": "/rest/server-hardware/*/powerState",
            "params": {"error_code": "POWER_ON_FAILED", "message": "The iLO did not answer."},
        },
    )
    task = api.wait(set_power(api, server, {"powerState": "On"}))
    assert (task["taskState"], task["percentComplete"]) == ("Error", 100)
    assert task["taskErrors"][0]["errorCode"] == "POWER_ON_FAILED"
    assert api.get(server["uri"]).json()["powerState"] == "Off"
    # The fault fired once; the next request works.
    assert api.wait(set_power(api, server, {"powerState": "On"}))["taskState"] == "Completed"


def test_a_power_anomaly_ends_in_unknown(api):
    server = free_blade(api, "On")
    api.sim("POST", "faults", json={"kind": "power_anomaly", "resource": server["uri"]})
    task = api.wait(set_power(api, server, {"powerState": "Off", "powerControl": "PressAndHold"}))
    assert task["taskState"] == "Completed"
    assert api.get(server["uri"]).json()["powerState"] == "Unknown"
