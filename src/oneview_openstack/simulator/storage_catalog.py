"""The embedded Smart Array controllers and drives of the simulated servers.

Apart from ``catalog`` because local storage has its own sources and its own readers (the
inventory's ``_storage`` and the type's ``storageCapabilities``). Field names: oneview-golang
``StorageCapability`` (ov/server_hardware_type.go) and ``ov/storagev2.go`` (drive technologies).
"""

from __future__ import annotations

from typing import Any, Final

#: OneView driveTechnology -> (MediaType, InterfaceType, drive model) as localStorageV2 shows it.
DRIVES: Final[dict[str, tuple[str, str, str]]] = {
    "SasSsd": ("SSD", "SAS", "HPE SAS 12G Mixed Use SFF SC SSD"),
    "SataSsd": ("SSD", "SATA", "HPE SATA 6G Read Intensive SFF SC SSD"),
    "SasHdd": ("HDD", "SAS", "HPE SAS 12G Enterprise 10K SFF SC HDD"),
}

#: A generation's embedded controller and what OneView can do with it.
BLADE_STORAGE: Final[dict[str, Any]] = {
    "model": "HPE Smart Array P204i-c SR Gen10",
    "controllerModes": ["RAID", "HBA", "Mixed"],
    "raidLevels": ["RAID0", "RAID1"],
    "driveTechnologies": ["SasSsd", "SataSsd", "SasHdd"],
    "maximumDrives": 2,
    "standupController": False,
    "technologies": ("SasSsd",),
}
RACK_STORAGE: Final[dict[str, Any]] = {
    "model": "HPE Smart Array P408i-a SR Gen10",
    "controllerModes": ["RAID", "HBA", "Mixed"],
    "raidLevels": ["RAID0", "RAID1", "RAID1ADM", "RAID10", "RAID5", "RAID6", "RAID50", "RAID60"],
    "driveTechnologies": ["SasHdd", "SataHdd", "SasSsd", "SataSsd"],
    "maximumDrives": 10,
    "standupController": True,
    "technologies": ("SasSsd", "SataSsd"),
}
GEN9_RACK_STORAGE: Final[dict[str, Any]] = {
    "model": "Smart Array P440ar Controller",
    "controllerModes": ["RAID", "HBA"],
    "raidLevels": ["RAID0", "RAID1", "RAID1ADM", "RAID10", "RAID5", "RAID6"],
    "driveTechnologies": ["SasHdd", "SataHdd", "SasSsd", "SataSsd"],
    "maximumDrives": 8,
    "standupController": True,
    "technologies": ("SasHdd", "SasSsd"),
}


def storage_capabilities(storage: dict[str, Any]) -> dict[str, Any]:
    """An SHT's ``storageCapabilities`` for its embedded controller."""
    return {
        "controllerModes": list(storage["controllerModes"]),
        "raidLevels": list(storage["raidLevels"]),
        "driveTechnologies": list(storage["driveTechnologies"]),
        "maximumDrives": storage["maximumDrives"],
        "controllerCapabilities": ["Embedded"],
        "driveWriteCacheSupported": True,
        "nvmeBackplaneCapable": False,
        "dedicatedSpareSupported": True,
        # A rack takes a standup (PCIe slot) Smart Array beside the embedded one; a blade not.
        "standupControllerSupported": storage["standupController"],
    }


#: Drive sizes by technology (GB as localStorageV2 reports them); SSDs use catalog.DISK_SIZES_GIB.
HDD_SIZES_GIB: Final[tuple[int, ...]] = (1200, 2400)
