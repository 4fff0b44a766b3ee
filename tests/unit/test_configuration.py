"""The configuration views over JSON samples: BIOS registry, storage, firmware, compliance.

The samples follow the public OneView shapes (oneview-golang ``ov/server_hardware_type.go``,
``ov/firmware_drivers.go``; localStorageV2 as the simulator serves it); edited copies make the
odd cases (missing fields, other type strings) that must parse to None or empty, never raise.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from oneview_openstack.client import configuration as cfg

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def test_gen10_type_offers_bios_storage_firmware_and_secure_boot():
    config = cfg.hardware_type_config(sample("server_hardware_type_gen10"))
    assert (config.name, config.model, config.generation) == (
        "DL360 Gen10 1",
        "ProLiant DL360 Gen10",
        10,
    )
    assert config.manage_bios and config.manage_local_storage and config.firmware_update
    assert config.secure_boot
    assert config.boot_modes == ("BIOS", "UEFI", "UEFIOptimized")
    assert config.raid_levels == ("RAID0", "RAID1", "RAID5", "RAID10")
    assert config.controller_modes == ("RAID", "HBA")
    assert "SasSsd" in config.drive_technologies
    assert config.maximum_drives == 8
    assert list(config.bios)[:2] == ["WorkloadProfile", "ProcHyperthreading"]
    assert "an entry without an id is skipped" not in {s.name for s in config.bios.values()}


def test_gen9_type_has_no_secure_boot():
    config = cfg.hardware_type_config(sample("server_hardware_type_gen9"))
    assert config.generation == 9
    assert not config.secure_boot
    assert "UEFIOptimized" in config.boot_modes  # the mode, without secure boot


@pytest.mark.parametrize(
    ("model", "modes", "capabilities", "expected"),
    [
        ("ProLiant DL360 Gen10 Plus", ["UEFIOptimized"], [], True),
        ("ProLiant DL380 Gen11", ["UEFI", "UEFIOptimized"], [], True),
        ("ProLiant DL360 Gen10", ["BIOS", "UEFI"], [], False),  # no UEFIOptimized
        ("ProLiant DL360 Gen9", ["BIOS", "UEFI", "UEFIOptimized"], [], False),
        ("ProLiant DL360 Gen9", [], ["SecureBoot"], True),  # the type says so itself
        ("Some model", ["UEFIOptimized"], [], False),  # generation unknown
    ],
)
def test_secure_boot_rule(model, modes, capabilities, expected):
    body = {"name": "x", "model": model, "bootModes": modes, "capabilities": capabilities}
    assert cfg.hardware_type_config(body).secure_boot is expected
    assert cfg.hardware_type_config({**body, "secureBootCapable": not expected}).secure_boot is (
        not expected
    )  # what the type states outright wins


def test_registry_entries_by_kind():
    bios = cfg.hardware_type_config(sample("server_hardware_type_gen10")).bios
    workload = bios["WorkloadProfile"]
    assert workload.kind == "enumeration"
    assert workload.options[0] == "GeneralPowerEfficientCompute"
    assert workload.option_names[2] == "Low Latency"
    assert workload.default == "GeneralPowerEfficientCompute"
    assert workload.category == "Power and Performance Options"
    assert workload.lower_bound is None and workload.max_length is None
    delay = bios["PowerOnDelay"]
    assert (delay.kind, delay.lower_bound, delay.upper_bound, delay.increment) == (
        "integer",
        0,
        120,
        15,
    )
    tag = bios["ServerAssetTag"]
    assert (tag.kind, tag.min_length, tag.max_length, tag.default) == ("string", 0, 31, None)
    assert bios["EmbNicEnable"].kind == "enumeration"  # options win over the type string


def test_registry_kind_from_what_the_entry_carries():
    def kind(**entry):
        return cfg.bios_setting({"id": "S", **entry}).kind

    assert kind(type="Enumeration") == "string"  # no options: nothing to choose from
    assert kind(type="Whatever", upperBound=5) == "integer"
    assert kind(type="Integer", stringMaxLength=5) == "string"
    assert kind(type="Boolean") == "boolean"
    assert kind(type="Integer") == "integer"
    assert kind() == "string"
    assert cfg.bios_setting({"name": "no id"}) is None
    numeric_id = cfg.bios_setting({"id": 210, "options": [{"id": 3}, {"name": "no id"}]})
    assert numeric_id.id == "210" and numeric_id.options == ("3",)  # Gen8 numbers
    assert numeric_id.option_names == ("3",)


def test_a_bare_type_parses_to_nothing_managed():
    config = cfg.hardware_type_config({})
    assert config == cfg.HardwareTypeConfig(
        uri=None,
        name=None,
        model=None,
        generation=None,
        manage_bios=False,
        manage_local_storage=False,
        firmware_update=False,
        secure_boot=False,
        boot_modes=(),
        bios={},
        raid_levels=(),
        controller_modes=(),
        drive_technologies=(),
        maximum_drives=None,
    )
    odd = {"biosSettings": "not a list", "storageCapabilities": [], "capabilities": None}
    assert cfg.hardware_type_config(odd).bios == {}


def test_views_are_frozen_and_the_registry_read_only():
    config = cfg.hardware_type_config(sample("server_hardware_type_gen10"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.bios["New"] = config.bios["Sriov"]  # type: ignore[index]


def test_current_bios_values_are_strings_by_id():
    values = cfg.current_bios(sample("server_bios"))
    assert values == {
        "WorkloadProfile": "GeneralPowerEfficientCompute",
        "ProcHyperthreading": "Enabled",
        "PowerOnDelay": "0",
        "ServerAssetTag": "",
    }
    assert cfg.current_bios({}) == {}
    assert cfg.current_bios({"settings": [{"id": "B", "value": True}]}) == {"B": "true"}


def test_firmware_inventory():
    components = cfg.firmware_components(sample("server_firmware"))
    assert [c.name for c in components] == [
        "System ROM",
        "iLO 5",
        "HPE Smart Array P408i-a SR Gen10",
    ]
    rom = components[0]
    assert (rom.version, rom.location, rom.key) == (
        "U32 v2.42 (01/23/2026)",
        "System Board",
        "U32",
    )
    assert cfg.firmware_components({"components": None}) == ()


def test_firmware_baseline():
    baseline = cfg.firmware_baseline(sample("firmware_driver"))
    assert baseline.uri == "/rest/firmware-drivers/SPP_2026_03_0"
    assert (baseline.short_name, baseline.version, baseline.bundle_type, baseline.state) == (
        "SPP_2026_03",
        "2026.03.0",
        "SPP",
        "Created",
    )
    assert baseline.release_date.startswith("2026-03-14")
    rom, ilo = baseline.components
    assert (rom.version, rom.key, rom.file_name) == (
        "2.50_02-20-2026",
        "U32",
        "U32_2.50_02_20_2026.fwpkg",
    )
    assert ilo.key is None and ilo.location is None
    empty = cfg.firmware_baseline({})
    assert empty.uri is None and empty.components == ()


def test_local_storage_drives_and_logical_drives():
    inventory = cfg.local_storage(sample("local_storage_v2"))
    assert inventory.controllers == ("Embedded",)  # Location, the profile's deviceSlot
    first, _, third, _, unknown = inventory.drives
    assert (first.name, first.size_gb, first.media, first.interface) == (
        "Drive 1",
        480,
        "ssd",
        "sas",
    )
    assert (third.size_gb, third.media, third.interface) == (1200, "hdd", "sata")
    assert (unknown.size_gb, unknown.media, unknown.interface) == (None, None, None)
    (root,) = inventory.logical_drives
    assert (root.name, root.raid_level, root.size_gb, root.bootable, root.drive_count) == (
        "root",
        "1",
        447,
        True,
        2,
    )
    assert (root.controller, root.drive_technology) == ("Embedded", "SasSsd")
    unplaced = sample("local_storage_v2")
    del unplaced["data"][0]["Location"]
    assert cfg.local_storage(unplaced).controllers == ("HPE Smart Array",)
    assert cfg.local_storage({"collectionState": "NotSupported", "data": []}) == (
        cfg.StorageInventory((), (), ())
    )


@pytest.mark.parametrize(
    ("raw", "ironic"),
    [
        ("RAID1", "1"),
        ("RAID10", "1+0"),
        ("RAID 5", "5"),
        ("10", "1+0"),
        ("0", "0"),
        ("RAID60", "6+0"),
        ("RAID1ADM", "1"),
        ("RAID99", "RAID99"),  # unknown: the raw text, for people
        (None, None),
    ],
)
def test_raid_levels_in_ironic_vocabulary(raw, ironic):
    assert cfg.ironic_raid_level(raw) == ironic


def test_logical_drive_counts_from_either_field():
    body = sample("local_storage_v2")
    volume = body["data"][0]["LogicalDrives"][0]
    del volume["DataDrives"]
    assert cfg.local_storage(body).logical_drives[0].drive_count is None
    volume["NumPhysicalDrives"] = 4
    assert cfg.local_storage(body).logical_drives[0].drive_count == 4


def test_compliance_preview():
    preview = cfg.compliance_preview(sample("compliance_preview"))
    assert not preview.online
    assert preview.automatic[1] == "Update firmware to SPP_2026_03."
    assert preview.manual == () and preview.changes
    online = copy.deepcopy(sample("compliance_preview"))
    online.update(isOnlineUpdate=True, automaticUpdates=[])
    assert cfg.compliance_preview(online) == cfg.CompliancePreview(True, (), ())
    assert not cfg.compliance_preview(online).changes
