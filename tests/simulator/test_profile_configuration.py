"""Server profiles honouring their configuration sections over real HTTPS (contract §2 of issue
14): BIOS, local storage, firmware and secure boot validated against the hardware type, refusals
while the server is on, compliance with a template, and the durations of configuration tasks."""

from __future__ import annotations

from typing import Any

import pytest

from oneview_openstack.simulator.conformance import check_body
from oneview_openstack.simulator.testing import ApplianceClient, named

Resource = dict[str, Any]
PROFILES = "/rest/server-profiles"


# --- helpers ------------------------------------------------------------------------------


def free_blade(api: ApplianceClient, power: str = "Off", index: int = 0) -> Resource:
    return [
        s
        for s in api.members("server-hardware", sort="name:ascending")
        if s["locationUri"] and not s["serverProfileUri"] and s["powerState"] == power
    ][index]


def blade_type(api: ApplianceClient) -> Resource:
    return named(api, "server-hardware-types", "SY 480 Gen10 1")


def set_power(api: ApplianceClient, server: Resource, state: str) -> None:
    """Out of band (someone at the console), so tests do not depend on power tasks."""
    api.sim("POST", "actions/set_power", json={"uri": server["uri"], "powerState": state})


def body_for(api: ApplianceClient, server: Resource, name: str, **sections: Any) -> Resource:
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name=name, serverHardwareUri=server["uri"], **sections)
    return body


def run(api: ApplianceClient, reply: Any) -> Resource:
    """Jump the clock past the task's end (configuration tasks last long), then read it."""
    assert reply.status_code == 202, reply.text
    api.sim("POST", "clock", json={"advance": 20_000})
    return api.wait(reply)


def refused(task: Resource, code: str, *words: str) -> Resource:
    """The task failed with this errorCode, and its message names every one of ``words``."""
    assert task["taskState"] == "Error", task
    (error,) = task["taskErrors"]
    assert error["errorCode"] == code, error
    for word in words:
        assert word in error["message"], (word, error["message"])
    assert error["recommendedActions"]
    return error


def created(api: ApplianceClient, body: Resource) -> Resource:
    task = run(api, api.post(PROFILES, json=body))
    assert task["taskState"] == "Completed", task
    return api.get(task["associatedResource"]["resourceUri"]).json()


def put(api: ApplianceClient, profile: Resource, **sections: Any) -> Resource:
    body = {**profile, **sections}
    return run(api, api.put(profile["uri"], json=body))


def profile_names(api: ApplianceClient) -> list[str]:
    return sorted(p["name"] for p in api.members("server-profiles"))


# --- validation: refusals change nothing ---------------------------------------------------


def test_unknown_bios_setting_is_refused_on_create_and_no_profile_is_left(api):
    server = free_blade(api)
    before = profile_names(api)
    bios = {"manageBios": True, "overriddenSettings": [{"id": "NoSuchSetting", "value": "x"}]}
    task = run(api, api.post(PROFILES, json=body_for(api, server, "p", bios=bios)))
    refused(task, "BIOS_SETTING_NOT_FOUND", "NoSuchSetting", "SY 480 Gen10 1")
    assert profile_names(api) == before
    after = api.get(server["uri"]).json()
    assert (after["serverProfileUri"], after["state"]) == (None, server["state"])


def test_bios_overrides_without_manage_bios_are_refused(api):
    bios = {"manageBios": False, "overriddenSettings": [{"id": "WorkloadProfile", "value": "x"}]}
    task = run(api, api.post(PROFILES, json=body_for(api, free_blade(api), "p", bios=bios)))
    refused(task, "INVALID_PARAMETER", "bios.manageBios", "true")


@pytest.mark.parametrize(
    ("storage", "code", "words"),
    [
        (
            {"controllers": [{"deviceSlot": "Embedded", "mode": "JBOD", "logicalDrives": []}]},
            "INVALID_CONTROLLER_MODE",
            ("JBOD", "mode", "RAID"),
        ),
        (
            {
                "controllers": [
                    {
                        "deviceSlot": "Embedded",
                        "mode": "RAID",
                        "logicalDrives": [
                            {"name": "os", "raidLevel": "RAID6", "numPhysicalDrives": 4}
                        ],
                    }
                ]
            },
            "RAID_LEVEL_NOT_SUPPORTED",
            ("RAID6", "raidLevel", "RAID1"),
        ),
        (
            {
                "controllers": [
                    {
                        "deviceSlot": "Embedded",
                        "mode": "RAID",
                        "logicalDrives": [
                            {"name": "os", "raidLevel": "RAID1", "numPhysicalDrives": 3}
                        ],
                    }
                ]
            },
            "INVALID_NUMBER_OF_DRIVES",
            ("numPhysicalDrives", "3", "RAID1"),
        ),
        (
            {
                "controllers": [
                    {
                        "deviceSlot": "Embedded",
                        "mode": "RAID",
                        "logicalDrives": [
                            {"name": "a", "raidLevel": "RAID1", "numPhysicalDrives": 2},
                            {"name": "b", "raidLevel": "RAID0", "numPhysicalDrives": 1},
                        ],
                    }
                ]
            },
            "INVALID_NUMBER_OF_DRIVES",
            ("3", "maximumDrives"),
        ),
        (
            {
                "controllers": [
                    {
                        "deviceSlot": "Embedded",
                        "mode": "RAID",
                        "logicalDrives": [
                            {
                                "name": "os",
                                "raidLevel": "RAID1",
                                "numPhysicalDrives": 2,
                                "sizeGB": 100,
                            }
                        ],
                    }
                ]
            },
            "INVALID_LOGICAL_DRIVE_SIZE",
            ("sizeGB", "100", "numPhysicalDrives"),
        ),
        (
            {
                "controllers": [
                    {
                        "deviceSlot": "Embedded",
                        "mode": "HBA",
                        "logicalDrives": [
                            {"name": "os", "raidLevel": "RAID1", "numPhysicalDrives": 2}
                        ],
                    }
                ]
            },
            "INVALID_CONTROLLER_MODE",
            ("HBA", "logical drives"),
        ),
    ],
    ids=["mode", "raid-level", "raid1-odd-drives", "maximum-drives", "size", "hba-drives"],
)
def test_bad_local_storage_is_refused(api, storage, code, words):
    task = run(
        api, api.post(PROFILES, json=body_for(api, free_blade(api), "p", localStorage=storage))
    )
    refused(task, code, *words)


def test_missing_firmware_baseline_is_refused_with_oneviews_code(api):
    firmware = {
        "manageFirmware": True,
        "firmwareBaselineUri": "/rest/firmware-drivers/nope",
        "firmwareInstallType": "FirmwareOnlyOfflineMode",
    }
    task = run(api, api.post(PROFILES, json=body_for(api, free_blade(api), "p", firmware=firmware)))
    error = refused(task, "FWBASELINE_NOT_FOUND", "/rest/firmware-drivers/nope", "does not exist")
    assert error["recommendedActions"] == [
        "Verify that the firmware baseline is present in the repository and try again."
    ]


def test_secure_boot_needs_uefi_optimized(api):
    boot_mode = {
        "manageMode": True,
        "mode": "UEFI",
        "pxeBootPolicy": "Auto",
        "secureBoot": "Enabled",
    }
    task = run(
        api, api.post(PROFILES, json=body_for(api, free_blade(api), "p", bootMode=boot_mode))
    )
    refused(task, "SECURE_BOOT_REQUIRES_UEFI_OPTIMIZED", "bootMode.mode", "UEFI", "UEFIOptimized")


def test_refused_edit_leaves_the_profile_as_it_was(api):
    profile = created(api, body_for(api, free_blade(api), "p"))
    storage = {"controllers": [{"deviceSlot": "Embedded", "mode": "Nope", "logicalDrives": []}]}
    refused(put(api, profile, localStorage=storage), "INVALID_CONTROLLER_MODE", "Nope")
    after = api.get(profile["uri"]).json()
    assert after["localStorage"] == profile["localStorage"]
    assert after["eTag"] == profile["eTag"]
    assert after["state"] == "Normal"


def test_secure_boot_enabled_on_uefi_optimized_gen10_is_kept(api):
    boot_mode = {
        "manageMode": True,
        "mode": "UEFIOptimized",
        "pxeBootPolicy": "Auto",
        "secureBoot": "Enabled",
    }
    profile = created(api, body_for(api, free_blade(api), "p", bootMode=boot_mode))
    assert profile["bootMode"]["secureBoot"] == "Enabled"


def test_valid_local_storage_is_stored_normalised(api):
    storage = {
        "controllers": [
            {
                "deviceSlot": "Embedded",
                "mode": "RAID",
                "initialize": True,
                "logicalDrives": [
                    {"name": "os", "raidLevel": "RAID1", "bootable": True, "numPhysicalDrives": 2}
                ],
            }
        ]
    }
    profile = created(api, body_for(api, free_blade(api), "p", localStorage=storage))
    (controller,) = profile["localStorage"]["controllers"]
    assert (controller["deviceSlot"], controller["mode"], controller["initialize"]) == (
        "Embedded",
        "RAID",
        True,
    )
    (drive,) = controller["logicalDrives"]
    assert (drive["name"], drive["raidLevel"], drive["numPhysicalDrives"], drive["bootable"]) == (
        "os",
        "RAID1",
        2,
        True,
    )
    assert controller["driveWriteCache"] == "Unmanaged"
    assert check_body("server-profiles", profile, 2800) == []


def test_an_unknown_drive_write_cache_is_refused(api):
    storage = raid1(True)
    storage["controllers"][0]["driveWriteCache"] = "Sometimes"
    task = run(
        api, api.post(PROFILES, json=body_for(api, free_blade(api), "p", localStorage=storage))
    )
    refused(task, "INVALID_PARAMETER", "driveWriteCache", "Sometimes", "Unmanaged")


# --- BIOS against the registry ---------------------------------------------------------------


def bios_of(api: ApplianceClient, server: Resource) -> dict[str, str]:
    return {s["id"]: s["value"] for s in api.get(server["uri"] + "/bios").json()["settings"]}


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("WorkloadProfile", "Fastest", ("WorkloadProfile", "Fastest", "LowLatency")),
        ("NetworkBootRetryCount", 21, ("NetworkBootRetryCount", "21", "from 0 to 20")),
        ("NetworkBootRetryCount", "many", ("NetworkBootRetryCount", "many", "integer")),
        ("ServerAssetTag", "x" * 32, ("ServerAssetTag", "0 to 31 characters")),
    ],
    ids=["option", "above-bound", "not-integer", "too-long"],
)
def test_bios_value_outside_the_registry_is_refused(api, setting, value, words):
    server = free_blade(api)
    before = bios_of(api, server)
    bios = {"manageBios": True, "overriddenSettings": [{"id": setting, "value": value}]}
    task = run(api, api.post(PROFILES, json=body_for(api, server, "p", bios=bios)))
    refused(task, "BIOS_SETTING_VALUE_INVALID", *words)
    assert bios_of(api, server) == before


def test_gen9_bios_ids_are_not_gen10_ones(api):
    """WorkloadProfile is a Gen10 (iLO 5) setting: a Gen9 type does not know it."""
    server = gen9_rack(api)
    bios = {
        "manageBios": True,
        "overriddenSettings": [{"id": "WorkloadProfile", "value": "LowLatency"}],
    }
    task = run(api, api.post(PROFILES, json=rack_body(api, server, "g9", bios=bios)))
    refused(task, "BIOS_SETTING_NOT_FOUND", "WorkloadProfile", "DL360 Gen9 1")


def test_applied_bios_shows_on_the_server_and_is_stored_as_strings(api):
    server = free_blade(api)
    overrides = [
        {"id": "WorkloadProfile", "value": "LowLatency"},
        {"id": "NetworkBootRetryCount", "value": 5},
        {"id": "ServerAssetTag", "value": "rack-7"},
    ]
    bios = {"manageBios": True, "overriddenSettings": overrides}
    profile = created(api, body_for(api, server, "p", bios=bios))
    assert profile["bios"]["overriddenSettings"] == [
        {"id": "WorkloadProfile", "value": "LowLatency"},
        {"id": "NetworkBootRetryCount", "value": "5"},
        {"id": "ServerAssetTag", "value": "rack-7"},
    ]
    current = bios_of(api, server)
    assert (current["WorkloadProfile"], current["NetworkBootRetryCount"]) == ("LowLatency", "5")
    assert current["ServerAssetTag"] == "rack-7"


# --- secure boot and Gen9 ------------------------------------------------------------------


def gen9_rack(api: ApplianceClient) -> Resource:
    """A free DL360 Gen9, switched off."""
    gen9 = named(api, "server-hardware-types", "DL360 Gen9 1")["uri"]
    server = next(
        s
        for s in api.members("server-hardware", sort="name:ascending")
        if s["serverHardwareTypeUri"] == gen9 and not s["serverProfileUri"]
    )
    set_power(api, server, "Off")
    return server


def rack_body(api: ApplianceClient, server: Resource, name: str, **sections: Any) -> Resource:
    template = "ironic-dl360-gen9" if "Gen9" in server["model"] else "ironic-dl360"
    uri = named(api, "server-profile-templates", template)["uri"]
    body = api.get(uri + "/new-profile").json()
    body.update(name=name, serverHardwareUri=server["uri"], **sections)
    return body


def test_secure_boot_is_refused_on_gen9_even_with_uefi_optimized(api):
    server = gen9_rack(api)
    boot_mode = {
        "manageMode": True,
        "mode": "UEFIOptimized",
        "pxeBootPolicy": "Auto",
        "secureBoot": "Enabled",
    }
    task = run(api, api.post(PROFILES, json=rack_body(api, server, "g9", bootMode=boot_mode)))
    refused(task, "SECURE_BOOT_NOT_SUPPORTED", "bootMode.secureBoot", "DL360 Gen9", "Unmanaged")
    assert api.get(server["uri"]).json()["serverProfileUri"] is None


# --- local storage against the drives present ----------------------------------------------


def raid1(initialize: bool, technology: str | None = None) -> Resource:
    drive = {"name": "os", "raidLevel": "RAID1", "bootable": True, "numPhysicalDrives": 2}
    if technology:
        drive["driveTechnology"] = technology
    return {
        "controllers": [
            {
                "deviceSlot": "Embedded",
                "mode": "RAID",
                "initialize": initialize,
                "logicalDrives": [drive],
            }
        ]
    }


def logical_drives(api: ApplianceClient, server: Resource) -> list[Resource]:
    body = api.get(server["uri"] + "/localStorageV2").json()
    return [ld for controller in body["data"] for ld in controller["LogicalDrives"]]


def test_drives_held_by_kept_logical_drives_are_not_free(api):
    """rack-dl360-1's two drives hold a logical drive: without initialize there is no room."""
    server = named(api, "server-hardware", "rack-dl360-1")
    before = logical_drives(api, server)
    assert before, "the rack starts with a logical drive"
    task = run(api, api.post(PROFILES, json=rack_body(api, server, "r", localStorage=raid1(False))))
    refused(
        task, "INSUFFICIENT_PHYSICAL_DRIVES", "numPhysicalDrives", "0 free drives", "initialize"
    )
    assert logical_drives(api, server) == before


def test_initialize_wipes_and_builds_the_logical_drive(api):
    server = named(api, "server-hardware", "rack-dl360-1")
    profile = created(api, rack_body(api, server, "r", localStorage=raid1(True)))
    assert profile["localStorage"]["controllers"][0]["initialize"] is True
    (drive,) = logical_drives(api, server)
    assert (drive["Name"], drive["Raid"], drive["Bootable"]) == ("os", "RAID1", True)


def test_drive_technology_must_be_present(api):
    server = free_blade(api)  # two SasSsd drives
    task = run(
        api, api.post(PROFILES, json=body_for(api, server, "p", localStorage=raid1(True, "SasHdd")))
    )
    refused(task, "INSUFFICIENT_PHYSICAL_DRIVES", "SasHdd", "0 free SasHdd drives")


def test_unknown_controller_slot_is_refused(api):
    storage = {"controllers": [{"deviceSlot": "Mezz 1", "mode": "RAID", "logicalDrives": []}]}
    task = run(
        api, api.post(PROFILES, json=body_for(api, free_blade(api), "p", localStorage=storage))
    )
    refused(task, "LOCAL_STORAGE_CONTROLLER_NOT_FOUND", "Mezz 1", "Embedded")


# --- what needs the server off -------------------------------------------------------------


def applied_on(api: ApplianceClient, **sections: Any) -> tuple[Resource, Resource]:
    """A profile applied to a blade that is then switched on (the tenant's OS running)."""
    server = free_blade(api)
    profile = created(api, body_for(api, server, "p", **sections))
    set_power(api, server, "On")
    return api.get(profile["uri"]).json(), server


def baseline(api: ApplianceClient, version: str = "2020.09.0") -> Resource:
    return next(b for b in api.members("firmware-drivers") if b["version"] == version)


@pytest.mark.parametrize(
    ("section", "label"),
    [
        ("bios", "BIOS"),
        ("localStorage", "Local storage"),
        ("bootMode", "Boot settings"),
        ("secureBoot", "Boot settings"),
        ("firmware", "Firmware"),
    ],
)
def test_edits_that_need_the_server_off_are_refused_while_on(api, section, label):
    profile, _server = applied_on(api)
    change = {
        "bios": {
            "manageBios": True,
            "overriddenSettings": [{"id": "ProcTurbo", "value": "Disabled"}],
        },
        "localStorage": raid1(True),
        "bootMode": {
            "manageMode": True,
            "mode": "UEFI",
            "pxeBootPolicy": "Auto",
            "secureBoot": "Disabled",
        },
        "secureBoot": {
            "manageMode": True,
            "mode": "UEFIOptimized",
            "pxeBootPolicy": "Auto",
            "secureBoot": "Enabled",
        },
        "firmware": {
            "manageFirmware": True,
            "firmwareBaselineUri": baseline(api)["uri"],
            "firmwareInstallType": "FirmwareOnlyOfflineMode",
        },
    }[section]
    key = "bootMode" if section == "secureBoot" else section
    reply = api.put(profile["uri"], json={**profile, key: change})
    assert reply.status_code == 409, reply.text
    error = reply.json()
    assert error["errorCode"] == "ServerNotOffWithCauseForNoServerChange"
    assert f"* {label}" in error["details"]
    assert api.get(profile["uri"]).json()[key] == profile[key]


def test_name_description_and_a_resent_section_work_while_on(api):
    bios = {"manageBios": True, "overriddenSettings": [{"id": "ProcTurbo", "value": "Disabled"}]}
    profile, _server = applied_on(api, bios=bios)
    task = put(api, profile, name="renamed", description="while on")
    assert task["taskState"] == "Completed", task
    after = api.get(profile["uri"]).json()
    assert (after["name"], after["description"]) == ("renamed", "while on")
    assert after["bios"]["overriddenSettings"] == bios["overriddenSettings"]


def test_online_firmware_install_does_not_need_the_server_off(api):
    profile, server = applied_on(api)
    firmware = {
        "manageFirmware": True,
        "firmwareBaselineUri": baseline(api)["uri"],
        "firmwareInstallType": "FirmwareOnly",
    }
    task = put(api, profile, firmware=firmware)
    assert task["taskState"] == "Completed", task
    assert api.get(server["uri"]).json()["powerState"] == "On"


def test_powered_on_refusal_can_arrive_as_a_task_error(api, simulator):
    simulator.state.config.powered_on_error_channel = "task"
    profile, _server = applied_on(api)
    bios = {"manageBios": True, "overriddenSettings": [{"id": "ProcTurbo", "value": "Disabled"}]}
    task = put(api, profile, bios=bios)
    refused(task, "ServerNotOffWithCauseForNoServerChange", "powered on")
    assert "* BIOS" in task["taskErrors"][0]["details"]
    assert api.get(profile["uri"]).json()["bios"] == profile["bios"]


# --- compliance with the template ----------------------------------------------------------

TURBO_OFF = {"manageBios": True, "overriddenSettings": [{"id": "ProcTurbo", "value": "Disabled"}]}
PATCH_BODY = [{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def edit_template(api: ApplianceClient, name: str = "ironic-EG-1", **sections: Any) -> Resource:
    template = named(api, "server-profile-templates", name)
    task = run(api, api.put(template["uri"], json={**template, **sections}))
    assert task["taskState"] == "Completed", task
    return api.get(template["uri"]).json()


def linked(api: ApplianceClient, **sections: Any) -> tuple[Resource, Resource]:
    """A profile from ironic-EG-1 that keeps its template link, on a powered-off blade."""
    server = free_blade(api)
    profile = created(api, body_for(api, server, "linked", **sections))
    assert (
        profile["serverProfileTemplateUri"]
        == named(api, "server-profile-templates", "ironic-EG-1")["uri"]
    )
    return profile, server


def preview_of(api: ApplianceClient, profile: Resource) -> Resource:
    reply = api.get(profile["uri"] + "/compliance-preview")
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_checked_section_changed_in_the_template_makes_linked_profiles_noncompliant(api):
    profile, _server = linked(api)
    assert profile["templateCompliance"] == "Compliant"
    assert preview_of(api, profile) == {
        "type": "ServerProfileCompliancePreviewV1",
        "isOnlineUpdate": True,
        "automaticUpdates": [],
        "manualUpdates": [],
    }
    edit_template(api, bios={**TURBO_OFF, "complianceControl": "Checked"})
    after = api.get(profile["uri"]).json()
    assert after["templateCompliance"] == "NonCompliant"
    preview = preview_of(api, after)
    assert preview["type"] == "ServerProfileCompliancePreviewV1"
    assert preview["isOnlineUpdate"] is False
    assert [u for u in preview["automaticUpdates"] if "BIOS" in u]
    assert preview["manualUpdates"] == []


def test_an_unchecked_section_changed_in_the_template_keeps_profiles_compliant(api):
    profile, _server = linked(api)
    edit_template(api, bios={**TURBO_OFF, "complianceControl": "Unchecked"})
    assert api.get(profile["uri"]).json()["templateCompliance"] == "Compliant"


def test_a_bad_template_section_is_refused_and_the_template_kept(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    bios = {"manageBios": True, "overriddenSettings": [{"id": "ProcTurbo", "value": "Maybe"}]}
    task = run(api, api.put(template["uri"], json={**template, "bios": bios}))
    refused(task, "BIOS_SETTING_VALUE_INVALID", "ProcTurbo", "Maybe", "Enabled")
    assert api.get(template["uri"]).json()["bios"] == template["bios"]


def test_update_from_template_is_refused_while_on_unless_online(api):
    profile, server = linked(api)
    edit_template(api, bios={**TURBO_OFF, "complianceControl": "Checked"})
    set_power(api, server, "On")
    reply = api.patch(profile["uri"], json=PATCH_BODY, headers=JSON_PATCH)
    assert reply.status_code == 409, reply.text
    assert "* BIOS" in reply.json()["details"]
    assert api.get(profile["uri"]).json()["templateCompliance"] == "NonCompliant"


def test_update_from_template_reapplies_checked_sections_to_the_server(api):
    profile, server = linked(api)
    edit_template(api, bios={**TURBO_OFF, "complianceControl": "Checked"})
    assert bios_of(api, server)["ProcTurbo"] == "Enabled"
    task = run(api, api.patch(profile["uri"], json=PATCH_BODY, headers=JSON_PATCH))
    assert task["taskState"] == "Completed", task
    after = api.get(profile["uri"]).json()
    assert after["templateCompliance"] == "Compliant"
    assert after["bios"]["overriddenSettings"] == TURBO_OFF["overriddenSettings"]
    assert bios_of(api, server)["ProcTurbo"] == "Disabled"


def test_local_storage_is_not_remediated_by_update_from_template(api):
    profile, server = linked(api)
    storage = {**raid1(True), "complianceControl": "Checked"}
    edit_template(api, localStorage=storage)
    assert api.get(profile["uri"]).json()["templateCompliance"] == "NonCompliant"
    preview = preview_of(api, profile)
    assert preview["automaticUpdates"] == []
    (manual,) = preview["manualUpdates"]
    assert "Local storage" in manual and "os" in manual
    assert preview["isOnlineUpdate"] is True
    task = run(api, api.patch(profile["uri"], json=PATCH_BODY, headers=JSON_PATCH))
    assert task["taskState"] == "Completed", task
    after = api.get(profile["uri"]).json()
    assert after["localStorage"] == profile["localStorage"]
    assert after["templateCompliance"] == "NonCompliant"
    assert logical_drives(api, server) == []


def test_checked_minimum_connections_accept_extra_profile_connections(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    settings = {**template["connectionSettings"], "complianceControl": "CheckedMinimum"}
    edit_template(api, connectionSettings=settings)
    profile, _server = linked(api)
    assert profile["templateCompliance"] == "Compliant"
    extra = {
        "id": 9,
        "name": "extra",
        "functionType": "Ethernet",
        "portId": "Auto",
        "networkUri": template["connectionSettings"]["connections"][0]["networkUri"],
    }
    connections = [*profile["connectionSettings"]["connections"], extra]
    task = put(api, profile, connectionSettings={"connections": connections})
    assert task["taskState"] == "Completed", task
    assert api.get(profile["uri"]).json()["templateCompliance"] == "Compliant"
    edit_template(api, connectionSettings={**settings, "complianceControl": "Checked"})
    assert api.get(profile["uri"]).json()["templateCompliance"] == "NonCompliant"


def test_a_detached_profile_has_no_preview(api):
    server = free_blade(api)
    profile = created(api, body_for(api, server, "detached", serverProfileTemplateUri=""))
    assert profile["templateCompliance"] == "Unknown"
    reply = api.get(profile["uri"] + "/compliance-preview")
    assert reply.status_code == 400, reply.text
    assert reply.json()["errorCode"] == "PROFILE_NOT_ASSOCIATED_WITH_TEMPLATE"


def test_a_template_can_be_created_and_a_profile_linked_to_it(api):
    base = named(api, "server-profile-templates", "ironic-EG-1")
    body = {
        k: base[k]
        for k in ("serverHardwareTypeUri", "enclosureGroupUri", "boot", "bootMode", "macType")
    }
    body.update(
        name="bios-tuned",
        bios={**TURBO_OFF, "complianceControl": "Checked"},
        connectionSettings=base["connectionSettings"],
    )
    task = run(api, api.post("/rest/server-profile-templates", json=body))
    assert task["taskState"] == "Completed", task
    created_template = api.get(task["associatedResource"]["resourceUri"]).json()
    assert created_template["bios"]["overriddenSettings"] == TURBO_OFF["overriddenSettings"]
    server = free_blade(api)
    new = api.get(created_template["uri"] + "/new-profile").json()
    new.update(name="tuned", serverHardwareUri=server["uri"])
    profile = created(api, new)
    assert (profile["templateCompliance"], bios_of(api, server)["ProcTurbo"]) == (
        "Compliant",
        "Disabled",
    )


# --- durations: configuration takes simulated minutes, a baseline tens of them -------------


def fixed_durations(simulator: Any, api: ApplianceClient) -> None:
    """Exact durations, and a clock that only moves when the test moves it (1 s = 1 s)."""
    simulator.state.config.task_durations.update(
        profile_apply=(100.0, 100.0),
        bios=(120.0, 120.0),
        local_storage=(200.0, 200.0),
        firmware=(2000.0, 2000.0),
    )
    api.sim("POST", "clock", json={"time_scale": 1.0})


def started(api: ApplianceClient, body: Resource) -> Resource:
    reply = api.post(PROFILES, json=body)
    assert reply.status_code == 202, reply.text
    return api.get(reply.headers["Location"]).json()


def test_bios_and_local_storage_add_simulated_minutes(api, simulator):
    fixed_durations(simulator, api)
    plain = started(api, body_for(api, free_blade(api, index=0), "plain"))
    configured = started(
        api,
        body_for(
            api, free_blade(api, index=1), "configured", bios=TURBO_OFF, localStorage=raid1(True)
        ),
    )
    assert plain["expectedDuration"] == 100
    assert configured["expectedDuration"] == 100 + 120 + 200


def test_a_firmware_baseline_takes_tens_of_minutes_and_updates_firmware(api, simulator):
    fixed_durations(simulator, api)
    server = free_blade(api)
    spp = baseline(api)
    firmware = {
        "manageFirmware": True,
        "firmwareBaselineUri": spp["uri"],
        "firmwareInstallType": "FirmwareOnlyOfflineMode",
        "forceInstallFirmware": False,
    }
    before = api.get(server["uri"] + "/firmware").json()["components"]
    task = started(api, body_for(api, server, "fw", firmware=firmware))
    assert task["expectedDuration"] == 2100
    api.sim("POST", "clock", json={"advance": 1050})
    halfway = api.get(task["uri"]).json()
    assert halfway["taskState"] == "Running"
    assert 30 <= halfway["percentComplete"] <= 70, halfway["percentComplete"]
    assert any("firmware baseline" in u["statusUpdate"] for u in halfway["progressUpdates"])
    firmware_now = api.get(server["uri"] + "/firmware").json()
    assert (firmware_now["components"], firmware_now["state"]) == (before, "Updating")
    assert api.get(server["uri"]).json()["state"] == "UpdatingFirmware"
    api.sim("POST", "clock", json={"advance": 1100})
    done = api.get(task["uri"]).json()
    assert done["taskState"] == "Completed", done
    versions = {
        key: component["componentVersion"]
        for component in spp["fwComponents"]
        for key in component["swKeyNameList"]
    }
    after = api.get(server["uri"] + "/firmware").json()["components"]
    updated = [
        c for c in after if c["componentKey"] in versions and c["componentName"] != "System ROM"
    ]
    assert updated, after
    for component in updated:
        assert component["componentVersion"] == versions[component["componentKey"]], component
    assert after != before
    assert api.get(server["uri"]).json()["state"] == "ProfileApplied"


# --- faults reach the new operations -------------------------------------------------------


def test_faults_reach_compliance_preview_and_update_from_template(api):
    profile, server = linked(api)
    edit_template(api, bios={**TURBO_OFF, "complianceControl": "Checked"})
    api.sim(
        "POST",
        "faults",
        json={
            "kind": "http_error",
            "method": "GET",
            "path": "/rest/server-profiles/*/compliance-preview",
            "params": {"status": 503},
        },
    )
    reply = api.get(profile["uri"] + "/compliance-preview")
    assert reply.status_code == 503, reply.text
    assert reply.json()["errorCode"]
    assert preview_of(api, profile)["automaticUpdates"]  # the fault fired once
    api.sim(
        "POST",
        "faults",
        json={
            "kind": "task_error",
            "method": "PATCH",
            "path": "/rest/server-profiles/*",
            "params": {"error_code": "SUM_FAILED"},
        },
    )
    task = run(api, api.patch(profile["uri"], json=PATCH_BODY, headers=JSON_PATCH))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "SUM_FAILED"
    after = api.get(profile["uri"]).json()
    assert (after["templateCompliance"], after["state"]) == ("NonCompliant", "UpdateFailed")
    assert bios_of(api, server)["ProcTurbo"] == "Enabled"


def test_update_from_template_puts_back_checked_connections(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    settings = {**template["connectionSettings"], "complianceControl": "Checked"}
    edit_template(api, connectionSettings=settings)
    profile, _server = linked(api)
    first = profile["connectionSettings"]["connections"][0]
    extra = {"id": 9, "name": "extra", "functionType": "Ethernet", "portId": "Auto"}
    extra["networkUri"] = first["networkUri"]
    connections = [*profile["connectionSettings"]["connections"], extra]
    assert put(api, profile, connectionSettings={"connections": connections})["taskState"] == (
        "Completed"
    )
    edited = api.get(profile["uri"]).json()
    assert edited["templateCompliance"] == "NonCompliant"
    preview = preview_of(api, edited)
    assert preview["isOnlineUpdate"] is False  # removing a connection needs the server off
    task = run(api, api.patch(profile["uri"], json=PATCH_BODY, headers=JSON_PATCH))
    assert task["taskState"] == "Completed", task
    after = api.get(profile["uri"]).json()
    assert [c["id"] for c in after["connectionSettings"]["connections"]] == [
        c["id"] for c in template["connectionSettings"]["connections"]
    ]
    assert after["connectionSettings"]["connections"][0]["mac"] == first["mac"]
    assert after["templateCompliance"] == "Compliant"


def test_a_template_at_api_300_takes_top_level_connections(api):
    template = named(api, "server-profile-templates", "ironic-EG-1")
    old = api.get(template["uri"], headers={"X-API-Version": "300"}).json()
    assert "connectionSettings" not in old
    reply = api.put(
        template["uri"],
        json={**old, "connections": old["connections"][:1]},
        headers={"X-API-Version": "300"},
    )
    assert run(api, reply)["taskState"] == "Completed"
    after = api.get(template["uri"]).json()
    assert len(after["connectionSettings"]["connections"]) == 1
