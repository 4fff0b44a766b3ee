"""Local-storage builders: Ironic's target RAID config in, a profile's localStorage out.

Refused here: a size that is not MAX, a RAID level the controller lacks, too many drives (for the
type, the server, a technology), a drive count wrong for its level, choices OneView cannot honour.
"""

from __future__ import annotations

import dataclasses

import pytest

from oneview_openstack.client import configuration as cfg
from oneview_openstack.client import profile_sections as ps

from .test_profile_sections import rejected, sample


@pytest.fixture
def gen10() -> cfg.HardwareTypeConfig:
    return cfg.hardware_type_config(sample("server_hardware_type_gen10"))


@pytest.fixture
def gen9() -> cfg.HardwareTypeConfig:
    return cfg.hardware_type_config(sample("server_hardware_type_gen9"))


@pytest.fixture
def drives() -> cfg.StorageInventory:
    return cfg.local_storage(sample("local_storage_v2"))


def test_target_raid_config_becomes_one_embedded_raid_controller(gen10, drives):
    target = {
        "logical_disks": [
            {
                "size_gb": "MAX",
                "raid_level": "1",
                "is_root_volume": True,
                "volume_name": "root",
                "disk_type": "ssd",
                "interface_type": "sas",
            },
            {
                "size_gb": "MAX",
                "raid_level": "0",
                "number_of_physical_disks": 2,
                "disk_type": "hdd",
            },
        ]
    }
    section = ps.local_storage_section(gen10, target, drives)
    assert section == {
        "controllers": [
            {
                "deviceSlot": "Embedded",
                "mode": "RAID",
                "initialize": True,
                "logicalDrives": [
                    {
                        "name": "root",
                        "raidLevel": "RAID1",
                        "bootable": True,
                        "numPhysicalDrives": 2,
                        "driveTechnology": "SasSsd",
                    },
                    {
                        "name": "LogicalDrive2",
                        "raidLevel": "RAID0",
                        "bootable": False,
                        "numPhysicalDrives": 2,
                        "driveTechnology": "SataHdd",  # the only HDDs the server has
                    },
                ],
            }
        ]
    }


def test_logical_disks_on_named_controllers(gen10):
    target = {
        "logical_disks": [
            {"size_gb": "MAX", "raid_level": "1+0", "controller": "Mezz 1"},
            {"size_gb": "MAX", "raid_level": "5"},
        ]
    }
    section = ps.local_storage_section(gen10, target, None)
    slots = [(c["deviceSlot"], c["logicalDrives"][0]["raidLevel"]) for c in section["controllers"]]
    assert slots == [("Mezz 1", "RAID10"), ("Embedded", "RAID5")]
    assert [c["logicalDrives"][0]["numPhysicalDrives"] for c in section["controllers"]] == [4, 3]


@pytest.mark.parametrize("size", [100, 0, "100", None])
def test_a_size_that_is_not_max_is_refused(gen10, drives, size):
    target = {"logical_disks": [{"size_gb": size, "raid_level": "1"}]}
    error = rejected(ps.local_storage_section, gen10, target, drives)
    assert error.field == "target_raid_config logical_disks[0].size_gb"
    assert error.accepted == "'MAX'" and "no size" in str(error)


def test_a_raid_level_the_controller_lacks_is_refused(gen9, drives):
    target = {"logical_disks": [{"size_gb": "MAX", "raid_level": "5"}]}
    error = rejected(ps.local_storage_section, gen9, target, drives)
    assert error.field == "target_raid_config logical_disks[0].raid_level"
    assert error.value == "5" and error.accepted == "one of 0, 1"


@pytest.mark.parametrize("level", ["JBOD", "2", 1, None])
def test_ironic_levels_oneview_cannot_build_are_refused(gen10, level):
    target = {"logical_disks": [{"size_gb": "MAX", "raid_level": level}]}
    error = rejected(ps.local_storage_section, gen10, target, None)
    assert error.accepted == "one of 0, 1, 5, 1+0"


def test_too_many_drives_for_the_type_is_refused(gen10):
    target = {
        "logical_disks": [{"size_gb": "MAX", "raid_level": "5", "number_of_physical_disks": 9}]
    }
    error = rejected(ps.local_storage_section, gen10, target, None)
    assert error.value == 9 and error.accepted == "at most 8 (maximumDrives of DL360 Gen10 1)"


def test_more_drives_than_the_server_has_is_refused(gen10, drives):
    target = {
        "logical_disks": [{"size_gb": "MAX", "raid_level": "0", "number_of_physical_disks": 6}]
    }
    error = rejected(ps.local_storage_section, gen10, target, drives)
    assert error.accepted == "at most 5 (the drives the server has)"


def test_more_drives_of_one_technology_than_present_is_refused(gen10, drives):
    target = {
        "logical_disks": [
            {
                "size_gb": "MAX",
                "raid_level": "5",
                "disk_type": "ssd",
                "interface_type": "sas",
                "number_of_physical_disks": 3,
            }
        ]
    }
    error = rejected(ps.local_storage_section, gen10, target, drives)
    assert (
        error.field == "target_raid_config SasSsd disks" and error.accepted == "at most 2 (present)"
    )


@pytest.mark.parametrize(
    ("level", "count", "accepted"),
    [
        ("1", 3, "exactly 2 (for RAID1)"),
        ("5", 2, "at least 3 (for RAID5)"),
        ("1+0", 5, "at least 4, a multiple of 2 (for RAID10)"),
        ("0", 0, "at least 1 (for RAID0)"),
        ("0", "2", "at least 1 (for RAID0)"),
    ],
)
def test_a_drive_count_wrong_for_its_level_is_refused(gen10, level, count, accepted):
    target = {
        "logical_disks": [
            {"size_gb": "MAX", "raid_level": level, "number_of_physical_disks": count}
        ]
    }
    error = rejected(ps.local_storage_section, gen10, target, None)
    assert error.field.endswith(".number_of_physical_disks") and error.accepted == accepted


def test_disk_choices_oneview_cannot_honour_are_refused(gen10, drives, gen9):
    def one(**disk):
        return {"logical_disks": [{"size_gb": "MAX", "raid_level": "1", **disk}]}

    error = rejected(ps.local_storage_section, gen10, one(physical_disks=["1", "2"]), drives)
    assert error.field.endswith(".physical_disks")
    rejected(ps.local_storage_section, gen10, one(interface_type="scsi"), drives)
    rejected(ps.local_storage_section, gen10, one(disk_type="nvme"), drives)
    # only the media given, and the server has none of that media: nothing to match
    error = rejected(ps.local_storage_section, gen10, one(interface_type="sata"), None)
    assert "disk_type" in error.accepted
    # Gen9 has no SSD technology
    error = rejected(
        ps.local_storage_section, gen9, one(disk_type="ssd", interface_type="sas"), None
    )
    assert error.value == "SasSsd" and error.accepted == "one of SasHdd, SataHdd"


def test_storage_on_a_type_that_cannot_manage_it_is_refused(gen10):
    target = {"logical_disks": [{"size_gb": "MAX", "raid_level": "1"}]}
    no_storage = dataclasses.replace(gen10, manage_local_storage=False)
    assert (
        "ManageLocalStorage"
        in rejected(ps.local_storage_section, no_storage, target, None).accepted
    )
    hba_only = dataclasses.replace(gen10, controller_modes=("HBA",))
    assert rejected(ps.local_storage_section, hba_only, target, None).accepted == "one of HBA"


def test_two_root_volumes_and_empty_configs_are_refused(gen10):
    root = {"size_gb": "MAX", "raid_level": "1", "is_root_volume": True}
    error = rejected(ps.local_storage_section, gen10, {"logical_disks": [root, root]}, None)
    assert error.accepted == "at most one root volume"
    rejected(ps.local_storage_section, gen10, {"logical_disks": []}, None)
    rejected(ps.local_storage_section, gen10, {}, None)


def test_empty_local_storage_wipes_and_creates_nothing():
    assert ps.empty_local_storage_section() == {
        "controllers": [
            {"deviceSlot": "Embedded", "mode": "RAID", "initialize": True, "logicalDrives": []}
        ]
    }
