"""Profile-section builders: Ironic's vocabulary in, OneView's sections out, bad input refused.

Every refusal of issue 14 item 4 that the client can decide alone is here or in
``test_profile_sections_storage`` (unknown BIOS setting, value outside options or bounds, RAID
level the controller lacks, too many drives, a size that is not MAX, secure boot on Gen9), each
checked for the field, the value and what is accepted.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from oneview_openstack.client import configuration as cfg
from oneview_openstack.client import profile_sections as ps
from oneview_openstack.client.profile_sections import SettingRejected

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


@pytest.fixture
def gen10() -> cfg.HardwareTypeConfig:
    return cfg.hardware_type_config(sample("server_hardware_type_gen10"))


@pytest.fixture
def gen9() -> cfg.HardwareTypeConfig:
    return cfg.hardware_type_config(sample("server_hardware_type_gen9"))


@pytest.fixture
def drives() -> cfg.StorageInventory:
    return cfg.local_storage(sample("local_storage_v2"))


def rejected(call, *args, **kwargs) -> SettingRejected:
    with pytest.raises(SettingRejected) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.field in str(error) and repr(error.value) in str(error)
    assert error.accepted in str(error)
    return error


# -- BIOS --------------------------------------------------------------------------------
def test_bios_overrides_map_names_to_ids_and_values_to_strings(gen10):
    overrides = ps.bios_overrides(
        gen10,
        [
            {"name": "WorkloadProfile", "value": "LowLatency"},
            {"name": "PowerOnDelay", "value": 30},
            {"name": "ThermalShutdownDelay", "value": "45"},
            {"name": "ServerAssetTag", "value": "rack 12"},
            {"name": "ProcHyperthreading", "value": "Enabled"},
            {"name": "WorkloadProfile", "value": "Virtualization-MaxPerformance"},  # last wins
        ],
    )
    assert overrides == [
        {"id": "WorkloadProfile", "value": "Virtualization-MaxPerformance"},
        {"id": "PowerOnDelay", "value": "30"},
        {"id": "ThermalShutdownDelay", "value": "45"},
        {"id": "ServerAssetTag", "value": "rack 12"},
        {"id": "ProcHyperthreading", "value": "Enabled"},
    ]
    assert ps.bios_overrides(gen10, []) == []


def test_an_option_may_be_named_by_its_display_name(gen10):
    overrides = ps.bios_overrides(gen10, [{"name": "MinProcIdlePower", "value": "No C-states"}])
    assert overrides == [{"id": "MinProcIdlePower", "value": "NoCStates"}]


def test_an_unknown_bios_setting_is_refused_naming_the_registry(gen10):
    error = rejected(ps.bios_overrides, gen10, [{"name": "TurboBoost", "value": "On"}])
    assert error.field == "BIOS setting name" and error.value == "TurboBoost"
    assert "WorkloadProfile" in error.accepted and "ProcHyperthreading" in error.accepted


def test_a_value_outside_the_options_is_refused(gen10):
    error = rejected(ps.bios_overrides, gen10, [{"name": "WorkloadProfile", "value": "Fast"}])
    assert str(error) == (
        "BIOS setting WorkloadProfile: value 'Fast' is not one of GeneralPowerEfficientCompute, "
        "GeneralPeakFrequencyCompute, LowLatency, Virtualization-MaxPerformance"
    )
    assert error.field == "BIOS setting WorkloadProfile" and error.value == "Fast"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (135, "an integer from 0 to 120 in steps of 15"),  # above the bound
        (-15, "an integer from 0 to 120 in steps of 15"),  # below it
        (20, "an integer from 0 to 120 in steps of 15"),  # not on the increment
        ("soon", "an integer from 0 to 120 in steps of 15"),
        (True, "an integer from 0 to 120 in steps of 15"),
    ],
)
def test_an_integer_outside_its_bounds_or_increment_is_refused(gen10, value, accepted):
    error = rejected(ps.bios_overrides, gen10, [{"name": "PowerOnDelay", "value": value}])
    assert error.accepted == accepted and error.value == value


def test_bounds_and_increments_at_their_edges_are_accepted(gen10):
    settings = [
        {"name": "PowerOnDelay", "value": 120},
        {"name": "ThermalShutdownDelay", "value": 10},
    ]
    assert [o["value"] for o in ps.bios_overrides(gen10, settings)] == ["120", "10"]


def test_a_string_outside_its_lengths_is_refused(gen10):
    error = rejected(ps.bios_overrides, gen10, [{"name": "ServerAssetTag", "value": "x" * 32}])
    assert error.accepted == "a string of 0 to 31 characters"
    rejected(ps.bios_overrides, gen10, [{"name": "ServerAssetTag", "value": 7}])


def test_a_malformed_entry_is_refused(gen10):
    error = rejected(ps.bios_overrides, gen10, [{"value": "LowLatency"}])
    assert error.field == "BIOS settings[0]"


def test_bios_on_a_type_without_manage_bios_is_refused():
    config = cfg.hardware_type_config(
        {"name": "Old type", "capabilities": [], "biosSettings": [{"id": "A", "options": []}]}
    )
    error = rejected(ps.bios_overrides, config, [{"name": "A", "value": "1"}])
    assert "ManageBIOS" in error.accepted and error.value == ["A"]


def test_boolean_settings():
    config = cfg.hardware_type_config(
        {"capabilities": ["ManageBIOS"], "biosSettings": [{"id": "B", "type": "Boolean"}]}
    )
    assert ps.bios_overrides(config, [{"name": "B", "value": True}]) == [
        {"id": "B", "value": "true"}
    ]
    assert ps.bios_overrides(config, [{"name": "B", "value": "False"}])[0]["value"] == "false"
    assert rejected(ps.bios_overrides, config, [{"name": "B", "value": "yes"}]).accepted == (
        "true or false"
    )


def test_bios_section_keeps_earlier_overrides_and_factory_reset_clears_them():
    existing = [
        {"id": "Sriov", "value": "Disabled"},
        {"id": "WorkloadProfile", "value": "LowLatency"},
    ]
    section = ps.bios_section([{"id": "WorkloadProfile", "value": "X"}], existing=existing)
    assert section == {
        "manageBios": True,
        "overriddenSettings": [
            {"id": "Sriov", "value": "Disabled"},
            {"id": "WorkloadProfile", "value": "X"},
        ],
    }
    assert ps.bios_section(None, existing=existing) == {
        "manageBios": True,
        "overriddenSettings": [],
    }


def test_a_long_registry_is_named_in_part():
    config = cfg.hardware_type_config(
        {
            "capabilities": ["ManageBIOS"],
            "biosSettings": [{"id": f"S{i}", "options": [{"id": "A"}]} for i in range(30)],
        }
    )
    error = rejected(ps.bios_overrides, config, [{"name": "Nope", "value": "A"}])
    assert "S19" in error.accepted and "S20" not in error.accepted
    assert "(30 in all)" in error.accepted


# -- firmware, boot mode, merge ------------------------------------------------------------
def test_firmware_section_installs_offline(gen10):
    baseline = cfg.firmware_baseline(sample("firmware_driver"))
    assert ps.firmware_section(baseline, config=gen10) == {
        "manageFirmware": True,
        "firmwareBaselineUri": "/rest/firmware-drivers/SPP_2026_03_0",
        "firmwareInstallType": "FirmwareOnlyOfflineMode",
        "forceInstallFirmware": False,
    }
    assert ps.firmware_section(baseline, True)["forceInstallFirmware"] is True
    rejected(ps.firmware_section, cfg.firmware_baseline({"name": "lost"}))
    no_update = dataclasses.replace(gen10, firmware_update=False)
    assert "FirmwareUpdate" in rejected(ps.firmware_section, baseline, config=no_update).accepted


def test_boot_mode_and_secure_boot_on_gen10(gen10):
    assert ps.boot_mode_section(gen10, "uefi", True) == {
        "manageMode": True,
        "mode": "UEFIOptimized",
        "secureBoot": "Enabled",
    }
    assert ps.boot_mode_section(gen10, None, True)["mode"] == "UEFIOptimized"
    assert ps.boot_mode_section(gen10, "bios", False) == {
        "manageMode": True,
        "mode": "BIOS",
        "secureBoot": "Disabled",
    }
    assert ps.boot_mode_section(gen10, "UEFI", None) == {"manageMode": True, "mode": "UEFI"}
    assert ps.boot_mode_section(gen10, None, False) == {"secureBoot": "Disabled"}
    error = rejected(ps.boot_mode_section, gen10, "UEFI", True)
    assert error.accepted.startswith("UEFIOptimized")


def test_secure_boot_on_gen9_is_refused(gen9):
    assert "UEFIOptimized" in gen9.boot_modes  # Gen9 has the mode, not secure boot
    error = rejected(ps.boot_mode_section, gen9, "uefi", True)
    assert "Gen9" in error.field and "DL360 Gen9 1" in error.field and error.value is True
    assert "Gen10" in error.accepted
    assert ps.boot_mode_section(gen9, "uefi", None)["mode"] == "UEFIOptimized"
    assert ps.boot_mode_section(gen9, "uefi", False)["secureBoot"] == "Unmanaged"


def test_a_boot_mode_the_type_lacks_is_refused(gen9):
    legacy_only = dataclasses.replace(gen9, boot_modes=("BIOS", "UEFI"))
    error = rejected(ps.boot_mode_section, legacy_only, "UEFIOptimized", None)
    assert error.accepted == "one of BIOS, UEFI"
    assert ps.boot_mode_section(legacy_only, "uefi", None)["mode"] == "UEFI"
    rejected(ps.boot_mode_section, gen9, "legacy", None)


def test_merge_sections_keeps_other_keys_and_says_whether_anything_changed():
    profile = {
        "name": "p",
        "bios": {"manageBios": False, "overriddenSettings": [], "complianceControl": "Checked"},
        "bootMode": {"manageMode": True, "mode": "UEFIOptimized", "pxeBootPolicy": "Auto"},
    }
    sections = {
        "bios": ps.bios_section([{"id": "Sriov", "value": "Disabled"}]),
        "bootMode": {"mode": "UEFIOptimized"},
        "firmware": {},
    }
    assert ps.merge_sections(profile, sections)
    assert profile["bios"] == {
        "manageBios": True,
        "overriddenSettings": [{"id": "Sriov", "value": "Disabled"}],
        "complianceControl": "Checked",
    }
    assert profile["bootMode"]["pxeBootPolicy"] == "Auto"
    assert "firmware" not in profile  # an empty section adds nothing
    assert not ps.merge_sections(profile, sections)  # a second merge changes nothing
    assert ps.merge_sections(profile, {"localStorage": ps.empty_local_storage_section()})
    assert profile["localStorage"]["controllers"][0]["initialize"] is True
