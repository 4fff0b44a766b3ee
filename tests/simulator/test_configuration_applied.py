"""A profile task that succeeds changes what the server reports (``server_config.apply_*`` as
the profile task calls them), seen only through OneView's API."""

from __future__ import annotations

from oneview_openstack.simulator.testing import ApplianceClient, named


def test_a_profile_from_the_gen9_template_lands_on_the_gen9_rack(api: ApplianceClient):
    """The Gen9 type and template work end to end: profile task, then the BIOS it asked for."""
    rack = named(api, "server-hardware", "rack-dl360-2")
    api.sim("POST", "actions/set_power", json={"uri": rack["uri"], "powerState": "Off"})
    template = named(api, "server-profile-templates", "ironic-dl360-gen9")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="gen9", serverHardwareUri=rack["uri"])
    body["bios"] = {
        "manageBios": True,
        "overriddenSettings": [{"id": "PowerProfile", "value": "MaxPerf"}],
    }
    reply = api.post("/rest/server-profiles", json=body)
    assert reply.status_code == 202, reply.text
    api.sim("POST", "clock", json={"advance": 10_000})
    task = api.get(reply.headers["Location"]).json()
    assert task["taskState"] == "Completed", task
    settings = {s["id"]: s["value"] for s in api.get(rack["uri"] + "/bios").json()["settings"]}
    assert settings["PowerProfile"] == "MaxPerf"
    assert settings["ProcHyperthreading"] == "Enabled"


def test_a_baseline_and_a_raid_in_one_profile_reach_firmware_and_local_storage(
    api: ApplianceClient,
):
    blade = named(api, "server-hardware", "Encl1, bay 3")  # Off, free, two drives
    baseline = api.get(
        "/rest/firmware-drivers", params={"filter": "baselineShortName='SPP2020090'"}
    ).json()["members"][0]
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="configured", serverHardwareUri=blade["uri"])
    body["firmware"] = {
        "manageFirmware": True,
        "firmwareBaselineUri": baseline["uri"],
        "firmwareInstallType": "FirmwareOnlyOfflineMode",
        "forceInstallFirmware": False,
    }
    body["localStorage"] = {
        "controllers": [
            {
                "deviceSlot": "Embedded",
                "mode": "RAID",
                "initialize": True,
                "logicalDrives": [
                    {"name": "root", "raidLevel": "RAID1", "bootable": True, "numPhysicalDrives": 2}
                ],
            }
        ]
    }
    reply = api.post("/rest/server-profiles", json=body)
    assert reply.status_code == 202, reply.text
    api.sim("POST", "clock", json={"advance": 20_000})
    task = api.get(reply.headers["Location"]).json()
    assert task["taskState"] == "Completed", task
    components = api.get(blade["uri"] + "/firmware").json()["components"]
    wanted = {
        k: c["componentVersion"] for c in baseline["fwComponents"] for k in c["swKeyNameList"]
    }
    for row in components:
        expected = wanted[row["componentKey"]]
        if row["componentName"] == "System ROM":
            expected = f"{row['componentKey']} {expected}"
        assert row["componentVersion"] == expected, row
    server = api.get(blade["uri"]).json()
    assert server["romVersion"] == "I42 " + wanted["I42"]
    assert server["mpFirmwareVersion"] == wanted["ilo5"]
    (controller,) = api.get(blade["uri"] + "/localStorageV2").json()["data"]
    (logical,) = controller["LogicalDrives"]
    assert (logical["Name"], logical["Raid"], logical["Bootable"]) == ("root", "RAID1", True)
    assert logical["CapacityGB"] == controller["PhysicalDrives"][0]["CapacityGB"]
