"""Server profiles honouring their configuration sections over real HTTPS (contract §2 of issue
14): BIOS, local storage, firmware and secure boot validated against the hardware type, refusals
while the server is on, compliance with a template, and the durations of configuration tasks."""

from __future__ import annotations

from typing import Any

import pytest

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
