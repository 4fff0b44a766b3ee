"""Configuration data a simulated server carries: BIOS registries of the hardware types, each
server's BIOS values, drives and firmware, the sub-resources rendering them, and what applying a
profile's sections does (``state.server_config``, called by the profile task on success)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from oneview_openstack.simulator import bios_registry, firmware_catalog
from oneview_openstack.simulator.inventory import build_inventory
from oneview_openstack.simulator.server_configuration import is_gen9_rack
from oneview_openstack.simulator.state import server_config
from oneview_openstack.simulator.testing import ApplianceClient, named

SETTING_FIELDS = {
    "id",
    "name",
    "category",
    "type",
    "defaultValue",
    "options",
    "lowerBound",
    "upperBound",
    "scalarIncrement",
    "stringMinLength",
    "stringMaxLength",
    "valueExpression",
    "helpText",
    "warningText",
    "dependencyList",
}


@pytest.fixture(scope="module")
def inv() -> dict[str, list[dict[str, Any]]]:
    """The default inventory (seed 0, 16 servers), the one the ``api`` fixture serves."""
    return build_inventory()


def types_by_uri(inv: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {t["uri"]: t for t in inv["server-hardware-types"]}


# --- hardware types -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["SY 480 Gen10 1", "DL360 Gen10 1", "DL360 Gen9 1"])
def test_every_type_has_a_bios_registry_of_every_kind(inv, name):
    sht = next(t for t in inv["server-hardware-types"] if t["name"] == name)
    settings = sht["biosSettings"]
    assert len({s["id"] for s in settings}) == len(settings)
    kinds: dict[str, list[dict[str, Any]]] = {}
    for setting in settings:
        assert set(setting) == SETTING_FIELDS, setting["id"]
        kinds.setdefault(setting["type"], []).append(setting)
    assert len(kinds["Enumeration"]) >= 6
    for enum in kinds["Enumeration"]:
        assert enum["defaultValue"] in [o["id"] for o in enum["options"]]
        assert all(o["name"] for o in enum["options"])
    assert len(kinds["Integer"]) >= 2
    for integer in kinds["Integer"]:
        low, high = integer["lowerBound"], integer["upperBound"]
        assert low <= int(integer["defaultValue"]) <= high and integer["scalarIncrement"] >= 1
    assert kinds["String"]
    for text in kinds["String"]:
        assert 0 <= text["stringMinLength"] < text["stringMaxLength"]
    caps = sht["storageCapabilities"]
    assert {"controllerModes", "raidLevels", "driveTechnologies", "maximumDrives"} <= set(caps)
    assert "RAID1" in caps["raidLevels"] and caps["maximumDrives"] >= 2
    assert {"ManageBIOS", "ManageLocalStorage", "FirmwareUpdate"} <= set(sht["capabilities"])


def test_generations_use_their_own_attribute_names(inv):
    blade, rack, gen9 = inv["server-hardware-types"]
    ids = {t["name"]: {s["id"] for s in t["biosSettings"]} for t in (blade, rack, gen9)}
    assert ids["SY 480 Gen10 1"] == ids["DL360 Gen10 1"]
    assert {"WorkloadProfile", "ProcessorJitterControlFrequency"} <= ids["DL360 Gen10 1"]
    assert "WorkloadProfile" not in ids["DL360 Gen9 1"]
    assert {"PowerProfile", "ProcCoreDisable", "ProcHyperthreading"} <= ids["DL360 Gen9 1"]
    assert gen9["model"] == "ProLiant DL360 Gen9" and gen9["family"] == "P89"
    # The secure-boot rule the client parses: Gen10 and later, and UEFIOptimized offered.
    assert "UEFIOptimized" in rack["bootModes"] and "Gen10" in rack["model"]


def test_some_racks_are_gen9_and_carry_the_gen9_type(inv):
    types = types_by_uri(inv)
    racks = [s for s in inv["server-hardware"] if s["locationUri"] is None]
    gen9 = [s for s in racks if s["model"] == "ProLiant DL360 Gen9"]
    assert 0 < len(gen9) < len(racks)
    for server in racks:
        number = int(server["name"].rsplit("-", 1)[1])
        assert (server in gen9) == is_gen9_rack(number)
        sht = types[server["serverHardwareTypeUri"]]
        assert sht["model"] == server["model"]
        assert server["mpModel"] == ("iLO4" if server in gen9 else "iLO5")
        assert server["romVersion"].startswith(sht["family"] + " ")
    templates = {t["name"]: t for t in inv["server-profile-templates"]}
    assert (
        templates["ironic-dl360-gen9"]["serverHardwareTypeUri"] == gen9[0]["serverHardwareTypeUri"]
    )


def test_the_configuration_data_left_the_layout_unchanged():
    """The configuration streams draw from their own RNG: ids, MACs and power states of an
    inventory are what they were before (a replayed seed stays a replay)."""
    first, second = build_inventory(seed=7, servers=20), build_inventory(seed=7, servers=20)
    assert first == second
    servers = first["server-hardware"]
    # Seed 0 / 16 servers, the default inventory tests elsewhere rely on.
    default = {s["name"]: s for s in build_inventory()["server-hardware"]}
    assert default["Encl2, bay 1"]["serverProfileUri"] is not None
    assert default["rack-dl360-1"]["powerState"] == "Off"
    assert default["rack-dl360-2"]["model"] == "ProLiant DL360 Gen9"
    assert len({s["uri"] for s in servers}) == 20


# --- per server ---------------------------------------------------------------------------


def test_every_server_has_drives_bios_values_and_older_firmware(inv):
    types = types_by_uri(inv)
    newest = firmware_catalog.SPP_BASELINES[-1]["components"]
    changed = 0
    for server in inv["server-hardware"]:
        sht = types[server["serverHardwareTypeUri"]]
        (controller,) = server["_storage"]["controllers"]
        assert controller["deviceSlot"] == "Embedded" and len(controller["drives"]) >= 2
        assert len(controller["drives"]) <= sht["storageCapabilities"]["maximumDrives"]
        for drive in controller["drives"]:
            assert drive["driveTechnology"] in sht["storageCapabilities"]["driveTechnologies"]
        registry = server_config.bios_settings(sht)
        assert set(server["_bios"]) == set(registry)
        defaults = bios_registry.bios_defaults(registry.values())
        changed += server["_bios"] != defaults
        for row in server["_firmware"]:
            key = row["componentKey"]
            target = newest[key] if row["componentName"] != "System ROM" else f"{key} {newest[key]}"
            assert server_config.version_key(row["componentVersion"]) < (
                server_config.version_key(target)
            ), row
        names = {row["componentName"]: row["componentVersion"] for row in server["_firmware"]}
        assert names["System ROM"] == server["romVersion"]
        assert names["iLO"] == server["mpFirmwareVersion"]
        assert controller["model"] in names
    assert 0 < changed < len(inv["server-hardware"])


def test_racks_start_with_a_raid1_and_blades_with_none(inv):
    for server in inv["server-hardware"]:
        (controller,) = server["_storage"]["controllers"]
        if server["locationUri"] is None:
            (ld,) = controller["logicalDrives"]
            assert (ld["raidLevel"], ld["drives"], ld["bootable"]) == ("RAID1", [1, 2], True)
            assert ld["capacityGB"] == controller["drives"][0]["capacityGB"]
        else:
            assert controller["logicalDrives"] == []


# --- sub-resources ------------------------------------------------------------------------


def test_bios_renders_the_current_values(api: ApplianceClient, simulator):
    server = named(api, "server-hardware", "Encl1, bay 10")
    body = api.get(server["uri"] + "/bios").json()
    assert body["uri"] == server["uri"] + "/bios"
    with simulator.state.lock:
        current = dict(simulator.state.core.store.get(server["uri"])["_bios"])
    assert {s["id"]: s["value"] for s in body["settings"]} == current
    assert current["ProcHyperthreading"] == "Disabled"  # one of the changed servers


def test_firmware_renders_the_installed_components(api: ApplianceClient):
    server = named(api, "server-hardware", "rack-dl360-2")
    body = api.get(server["uri"] + "/firmware").json()
    assert body["serverHardwareUri"] == server["uri"]
    assert body["serverModel"] == "ProLiant DL360 Gen9"
    assert body["state"] == "Idle"
    rows = {c["componentName"]: c for c in body["components"]}
    assert rows["System ROM"]["componentVersion"] == server["romVersion"]
    assert rows["iLO"]["componentKey"] == "ilo4"
    assert rows["Smart Array P440ar Controller"]["componentLocation"] == "Embedded RAID"
    assert all(
        set(c) == {"componentName", "componentVersion", "componentLocation", "componentKey"}
        for c in body["components"]
    )


def test_local_storage_renders_physical_and_logical_drives(api: ApplianceClient):
    rack = named(api, "server-hardware", "rack-dl360-1")
    (controller,) = api.get(rack["uri"] + "/localStorageV2").json()["data"]
    assert controller["Model"] == "HPE Smart Array P408i-a SR Gen10"
    drives = controller["PhysicalDrives"]
    assert len(drives) >= 2
    assert {d["MediaType"] for d in drives} <= {"SSD", "HDD"}
    assert {d["InterfaceType"] for d in drives} <= {"SAS", "SATA"}
    (logical,) = controller["LogicalDrives"]
    assert logical["Raid"] == "RAID1" and logical["Bootable"] is True
    assert logical["DataDrives"] == [drives[0]["Name"], drives[1]["Name"]]
    assert logical["CapacityGB"] == drives[0]["CapacityGB"]
    blade = named(api, "server-hardware", "Encl1, bay 2")
    (controller,) = api.get(blade["uri"] + "/localStorageV2").json()["data"]
    assert len(controller["PhysicalDrives"]) == 2 and controller["LogicalDrives"] == []


# --- server_config.apply_* ----------------------------------------------------------------


def a_server(inv, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    server = copy.deepcopy(next(s for s in inv["server-hardware"] if s["name"] == name))
    return server, types_by_uri(inv)[server["serverHardwareTypeUri"]]


def test_apply_bios_unmanaged_changes_nothing(inv):
    server, sht = a_server(inv, "Encl1, bay 1")
    before = dict(server["_bios"], ProcTurbo="Disabled")
    server["_bios"] = dict(before)
    server_config.apply_bios(server, sht, [{"id": "ProcTurbo", "value": "Enabled"}], False)
    assert server["_bios"] == before


def test_apply_bios_managed_resets_to_defaults_then_overrides(inv):
    server, sht = a_server(inv, "Encl1, bay 1")
    server["_bios"]["ServerAssetTag"] = "old-tag"
    overrides = [
        {"id": "WorkloadProfile", "value": "Virtualization-MaxPerformance"},
        {"id": "ProcessorJitterControlFrequency", "value": 2000},
    ]
    server_config.apply_bios(server, sht, overrides, True)
    expected = bios_registry.bios_defaults(sht["biosSettings"])
    expected.update(WorkloadProfile="Virtualization-MaxPerformance")
    expected.update(ProcessorJitterControlFrequency="2000")
    assert server["_bios"] == expected
    server_config.apply_bios(server, sht, [], True)  # a factory reset
    assert server["_bios"] == bios_registry.bios_defaults(sht["biosSettings"])


def test_apply_bios_refuses_an_unknown_setting(inv):
    server, gen9 = a_server(inv, "rack-dl360-2")
    before = dict(server["_bios"])
    with pytest.raises(ValueError, match=r"'WorkloadProfile'.*DL360 Gen9 1.*PowerProfile"):
        server_config.apply_bios(server, gen9, [{"id": "WorkloadProfile", "value": "Custom"}], True)
    assert server["_bios"] == before


def _section(*drives: dict[str, Any], initialize: bool = True) -> dict[str, Any]:
    return {
        "controllers": [
            {
                "deviceSlot": "Embedded",
                "mode": "RAID",
                "initialize": initialize,
                "logicalDrives": list(drives),
            }
        ]
    }


def test_apply_local_storage_initialize_wipes_and_builds(inv):
    server, _ = a_server(inv, "rack-dl360-2")  # a Gen9 with 4 drives and a RAID1
    (controller,) = server["_storage"]["controllers"]
    size = controller["drives"][0]["capacityGB"]
    server_config.apply_local_storage(
        server,
        _section({"name": "os", "raidLevel": "RAID10", "bootable": True, "numPhysicalDrives": 4}),
    )
    (ld,) = controller["logicalDrives"]
    assert (ld["name"], ld["raidLevel"], ld["drives"], ld["bootable"]) == (
        "os",
        "RAID10",
        [1, 2, 3, 4],
        True,
    )
    assert ld["capacityGB"] == 2 * size
    server_config.apply_local_storage(server, _section())  # delete_configuration
    assert controller["logicalDrives"] == []


def test_apply_local_storage_keeps_drives_without_initialize(inv):
    server, _ = a_server(inv, "rack-dl360-2")
    (controller,) = server["_storage"]["controllers"]
    data = {"name": "data", "raidLevel": "RAID0", "numPhysicalDrives": 2}
    server_config.apply_local_storage(server, _section(data, initialize=False))
    assert [ld["name"] for ld in controller["logicalDrives"]] == ["Logical Drive 1", "data"]
    assert controller["logicalDrives"][1]["drives"] == [3, 4]
    server_config.apply_local_storage(server, _section(data, initialize=False))  # reapplied
    assert len(controller["logicalDrives"]) == 2


def test_apply_local_storage_refuses_what_the_drives_cannot_hold(inv):
    server, _ = a_server(inv, "Encl1, bay 1")  # two SAS SSDs
    too_many = {"name": "x", "raidLevel": "RAID1", "numPhysicalDrives": 4}
    with pytest.raises(ValueError, match=r"numPhysicalDrives 4 for RAID1.*accepted: 2\.\.2"):
        server_config.apply_local_storage(server, _section(too_many))
    hdd = {"name": "x", "raidLevel": "RAID1", "numPhysicalDrives": 2, "driveTechnology": "SasHdd"}
    with pytest.raises(ValueError, match="SasHdd"):
        server_config.apply_local_storage(server, _section(hdd))
    with pytest.raises(ValueError, match="deviceSlot 'Mezz 1'"):
        server_config.apply_local_storage(server, {"controllers": [{"deviceSlot": "Mezz 1"}]})


def test_apply_local_storage_hba_mode_passes_the_drives_through(inv):
    server, _ = a_server(inv, "rack-dl360-1")  # starts with a RAID1
    (controller,) = server["_storage"]["controllers"]
    hba = {"controllers": [{"deviceSlot": "Embedded", "mode": "HBA", "initialize": False}]}
    server_config.apply_local_storage(server, hba)
    assert (controller["mode"], controller["logicalDrives"]) == ("HBA", [])
    hba["controllers"][0]["logicalDrives"] = [{"name": "x", "raidLevel": "RAID1"}]
    with pytest.raises(ValueError, match=r"mode 'HBA' has no logical drives, got 1"):
        server_config.apply_local_storage(server, hba)


@pytest.mark.parametrize(
    ("level", "drives", "expected"),
    [("RAID0", 2, 2), ("RAID1", 2, 1), ("RAID5", 3, 2), ("RAID6", 4, 2), ("RAID10", 4, 2)],
)
def test_raid_capacity(level, drives, expected):
    assert server_config.raid_capacity(level, [960] * drives) == 960 * expected


def _baseline(index: int) -> dict[str, Any]:
    spp = firmware_catalog.SPP_BASELINES[index]
    return {
        "fwComponents": [
            {"name": key, "componentVersion": version, "swKeyNameList": [key]}
            for key, version in spp["components"].items()
        ]
    }


def test_apply_baseline_installs_every_component_it_carries(inv):
    server, _ = a_server(inv, "rack-dl360-1")
    server_config.apply_baseline(server, _baseline(-1))
    newest = firmware_catalog.SPP_BASELINES[-1]["components"]
    assert server["romVersion"] == f"U32 {newest['U32']}"
    assert server["mpFirmwareVersion"] == newest["ilo5"]
    assert server["intelligentProvisioningVersion"] == newest["ip-gen10"]  # follows its firmware
    versions = {row["componentKey"]: row["componentVersion"] for row in server["_firmware"]}
    assert versions["smartarray-gen10"] == newest["smartarray-gen10"]
    assert versions["nic-331i"] == newest["nic-331i"]


def test_apply_baseline_without_force_does_not_downgrade(inv):
    server, _ = a_server(inv, "rack-dl360-1")
    server_config.apply_baseline(server, _baseline(-1))
    upgraded = copy.deepcopy(server["_firmware"])
    server_config.apply_baseline(server, _baseline(0), force=False)
    assert server["_firmware"] == upgraded
    server_config.apply_baseline(server, _baseline(0), force=True)
    assert server["mpFirmwareVersion"] == firmware_catalog.SPP_BASELINES[0]["components"]["ilo5"]


def test_version_key_orders_every_format():
    key = server_config.version_key
    assert key("U32 v2.36 (07/16/2020)") == (2, 36) > key("U32 v2.22 (11/13/2019)")
    assert key("2.30 Aug 27 2020") > key("2.10 Oct 30 2019")
    assert key("20.16.31") > key("20.8.41")


# --- /rest/firmware-drivers ---------------------------------------------------------------


def test_firmware_drivers_list_the_spp_baselines(api: ApplianceClient):
    reply = api.get("/rest/firmware-drivers")
    assert reply.status_code == 200
    page = reply.json()
    assert page["category"] == "firmware-drivers" and page["total"] == 3
    versions = [b["version"] for b in page["members"]]
    assert versions == [spp["version"] for spp in firmware_catalog.SPP_BASELINES]
    for baseline in page["members"]:
        assert baseline["bundleType"] == "SPP" and baseline["state"] == "Created"
        assert baseline["baselineShortName"] == "SPP" + baseline["version"].replace(".", "")
        assert baseline["hotfixes"] == []
        for component in baseline["fwComponents"]:
            assert set(component) == {"name", "componentVersion", "fileName", "swKeyNameList"}
            assert component["fileName"] and component["swKeyNameList"]
        assert not any(key.startswith("_") for key in baseline)


def test_the_newest_baseline_is_newer_than_every_installed_component(api: ApplianceClient):
    newest = api.get("/rest/firmware-drivers", params={"sort": "releaseDate:descending"})
    baseline = newest.json()["members"][0]
    assert baseline["version"] == firmware_catalog.SPP_BASELINES[-1]["version"]
    by_key = {
        k: c["componentVersion"] for c in baseline["fwComponents"] for k in c["swKeyNameList"]
    }
    for server in api.members("server-hardware"):
        for row in api.get(server["uri"] + "/firmware").json()["components"]:
            assert server_config.version_key(row["componentVersion"]) < (
                server_config.version_key(by_key[row["componentKey"]])
            ), (server["name"], row)


def test_firmware_drivers_filter_page_and_get_one(api: ApplianceClient):
    (found,) = api.get(
        "/rest/firmware-drivers", params={"filter": "baselineShortName='SPP2019120'"}
    ).json()["members"]
    assert found["version"] == "2019.12.0"
    page = api.get("/rest/firmware-drivers", params={"start": 1, "count": 1}).json()
    assert (page["count"], page["total"]) == (1, 3)
    assert page["nextPageUri"] and page["prevPageUri"]
    reply = api.get(found["uri"])
    assert reply.status_code == 200 and reply.json()["uri"] == found["uri"]
    assert reply.headers["ETag"].strip('"') == reply.json()["eTag"]
    again = api.get(found["uri"], headers={"If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 304
    missing = api.get("/rest/firmware-drivers/00000000-0000-4000-a000-000000000000")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "RESOURCE_NOT_FOUND")


def test_firmware_drivers_need_a_session(simulator, anonymous):
    assert anonymous.get("/rest/firmware-drivers").status_code == 401


# --- faults reach the new routes ----------------------------------------------------------


def arm(api: ApplianceClient, **spec: Any) -> None:
    (armed,) = api.sim("POST", "faults", json=spec)["armed"]
    assert armed["kind"] == spec["kind"]


def test_an_http_error_fault_answers_on_firmware_drivers(api: ApplianceClient):
    arm(api, kind="http_error", path="/rest/firmware-drivers*", params={"status": 503})
    reply = api.get("/rest/firmware-drivers")
    assert (reply.status_code, reply.json()["errorCode"]) == (503, "SERVICE_UNAVAILABLE")
    assert api.get("/rest/firmware-drivers").status_code == 200  # one-shot


@pytest.mark.parametrize("leaf", ["bios", "firmware", "localStorageV2"])
def test_a_fault_aimed_at_a_server_reaches_its_configuration_reads(api: ApplianceClient, leaf):
    server = named(api, "server-hardware", "Encl1, bay 3")
    other = named(api, "server-hardware", "Encl1, bay 4")
    arm(api, kind="http_error", resource=server["uri"], params={"status": 500}, times=None)
    assert api.get(other["uri"] + f"/{leaf}").status_code == 200
    reply = api.get(server["uri"] + f"/{leaf}")
    assert reply.status_code == 500 and reply.json()["errorCode"]
