"""Static hardware and network tables the inventory generator draws from.

Kept apart from ``inventory`` so the generator reads as layout logic and these values (model
names, part numbers, CPU strings, adapter shapes) can be checked against real appliances in one
place. Everything here is plain data: callers copy what they store. The JSON shapes built from
these values are in ``resource_shapes``; BIOS, storage and firmware tables have modules of their
own (``bios_registry``, ``storage_catalog``, ``firmware_catalog``).
"""

from __future__ import annotations

from typing import Any, Final

from .bios_registry import gen9_bios_settings, gen10_bios_settings
from .storage_catalog import BLADE_STORAGE, GEN9_RACK_STORAGE, RACK_STORAGE, storage_capabilities

# --- Servers ------------------------------------------------------------------------------

BLADE_MODEL: Final[dict[str, str]] = {
    "model": "Synergy 480 Gen10",
    "shortModel": "SY 480 Gen10",
    "partNumber": "871940-B21",
    "formFactor": "HalfHeight",
    "romFamily": "I42",
    "serialPrefix": "CZJ",
    "mpModel": "iLO5",
}

RACK_MODEL: Final[dict[str, str]] = {
    "model": "ProLiant DL360 Gen10",
    "shortModel": "DL360 Gen10",
    "partNumber": "867959-B21",
    "formFactor": "1U",
    "romFamily": "U32",
    "serialPrefix": "MXQ",
    "mpModel": "iLO5",
}

#: (cores per processor, processorType, processorSpeedMhz): the type string must match the cores.
CPUS: Final[tuple[tuple[int, str, int], ...]] = (
    (14, "Intel(R) Xeon(R) Gold 5120 CPU @ 2.20GHz", 2200),
    (20, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz", 2400),
    (24, "Intel(R) Xeon(R) Gold 6252 CPU @ 2.10GHz", 2100),
)

MEMORY_MB: Final[tuple[int, ...]] = (131072, 262144, 393216)

#: System ROM version suffixes; the ROM family of the model is prepended.
ROM_RELEASES: Final[tuple[str, ...]] = (
    "v2.00 (02/02/2019)",
    "v2.10 (05/21/2019)",
    "v2.22 (11/13/2019)",
)

ILO_FIRMWARE: Final[tuple[str, ...]] = (
    "1.40 Jan 15 2019",
    "1.46 Jul 18 2019",
    "2.10 Oct 30 2019",
)

GEN9_RACK_MODEL: Final[dict[str, str]] = {
    "model": "ProLiant DL360 Gen9",
    "shortModel": "DL360 Gen9",
    "partNumber": "755258-B21",
    "formFactor": "1U",
    "romFamily": "P89",
    "serialPrefix": "MXQ",
    "mpModel": "iLO4",
}
#: Same lengths as ROM_RELEASES and ILO_FIRMWARE: the generator draws one index for both.
GEN9_ROM_RELEASES: Final[tuple[str, ...]] = (
    "v2.52 (10/25/2017)",
    "v2.60 (05/21/2018)",
    "v2.76 (10/21/2019)",
)
GEN9_ILO_FIRMWARE: Final[tuple[str, ...]] = (
    "2.55 Aug 16 2017",
    "2.61 Jul 27 2018",
    "2.72 Sep 04 2019",
)

DISK_SIZES_GIB: Final[tuple[int, ...]] = (480, 960, 1920)

# --- Adapters -----------------------------------------------------------------------------

MEZZ_ADAPTER: Final = "HPE Synergy 3820C 10/20Gb Converged Network Adapter"
RACK_ADAPTER: Final = "HPE Ethernet 1Gb 4-port 331i Adapter - NIC"
VIRTUAL_FUNCTIONS: Final = "abcd"

#: Mezz 3 port -> the interconnect bay it is wired to in a Synergy frame.
MEZZ_PORT_BAYS: Final[dict[int, int]] = {1: 3, 2: 6}

#: The blade's Mezz location; physical port numbers are MEZZ_PORT_BAYS' keys.
MEZZ_SLOT: Final[dict[str, Any]] = {"location": "Mezz", "slotNumber": 3, "deviceNumber": 3}
#: The SY 480 Gen10 has no FlexibleLOM; OneView still lists the empty slot.
BLADE_FLB_SLOT: Final[dict[str, Any]] = {
    "location": "Flb",
    "slotNumber": 1,
    "deviceNumber": 9,
    "deviceName": "",
    "physicalPorts": [],
}
RACK_SLOT: Final[dict[str, Any]] = {"location": "Embedded", "slotNumber": 1, "deviceNumber": 1}
#: How many ports of the embedded 4-port NIC are cabled (and so reported) on a rack server.
RACK_PORT_COUNTS: Final[tuple[int, ...]] = (2, 4, 4)

# --- Server hardware types ----------------------------------------------------------------

PXE_BOOT_POLICIES: Final = ["Auto", "IPv4", "IPv6", "IPv4ThenIPv6", "IPv6ThenIPv4"]
#: ``platform`` of a type and of its servers (oneview-golang ServerHardwareType.Platform shows
#: "ComputeModule"; the rack value is chosen, see docs18-HW.md).
BLADE_PLATFORM: Final = "ComputeModule"
RACK_PLATFORM: Final = "RackServer"
#: UEFI class 2: UEFI with legacy BIOS support, what Gen9 and Gen10 firmware offer.
UEFI_CLASS: Final = "2"


def _mezz_adapter() -> dict[str, Any]:
    ports = [
        {
            "number": number,
            "type": "Ethernet",
            "maxSpeedMbps": 20000,
            "maxVFsSupported": 128,
            "supportedFcGbps": [],
            "physicalFunctionCount": len(VIRTUAL_FUNCTIONS),
            "mapping": bay,
            "virtualPorts": [
                {
                    "portNumber": index + 1,
                    "portFunction": function,
                    "capabilities": ["Ethernet", "PXE"] if function == "a" else ["Ethernet"],
                }
                for index, function in enumerate(VIRTUAL_FUNCTIONS)
            ],
        }
        for number, bay in MEZZ_PORT_BAYS.items()
    ]
    return {
        "model": MEZZ_ADAPTER,
        "location": "Mezz",
        "slot": 3,
        "deviceNumber": 3,
        "deviceType": "Ethernet",
        "minVFsIncrement": 8,
        "maxVFsSupported": 256,
        "capabilities": ["SRIOV", "PXE", "Ethernet", "FibreChannel"],
        "ports": ports,
    }


def _rack_adapter() -> dict[str, Any]:
    return {
        "model": RACK_ADAPTER,
        "location": "Embedded",
        "slot": 1,
        "deviceNumber": 1,
        "deviceType": "Ethernet",
        "minVFsIncrement": 0,
        "maxVFsSupported": 0,
        "capabilities": ["PXE", "Ethernet"],
        "ports": [
            {
                "number": number,
                "type": "Ethernet",
                "maxSpeedMbps": 1000,
                "maxVFsSupported": 0,
                "supportedFcGbps": [],
                "physicalFunctionCount": 1,
                "mapping": 0,
                "virtualPorts": [],
            }
            for number in range(1, 5)
        ],
    }


def blade_hardware_type() -> dict[str, Any]:
    """Fields of the Synergy 480 Gen10 type: everything OneView can manage on a blade."""
    return {
        "name": "SY 480 Gen10 1",
        "model": "Synergy 480 Gen10 Compute Module",
        "family": "I42",
        "formFactor": "HalfHeight",
        "platform": BLADE_PLATFORM,
        "generation": "Gen10",
        "uefiClass": UEFI_CLASS,
        "capabilities": [
            "ManageBIOS",
            "ManageBootOrder",
            "ManageLocalStorage",
            "VCConnections",
            "VirtualMAC",
            "VirtualWWN",
            "VirtualUUID",
            "FirmwareUpdate",
        ],
        "bootModes": ["BIOS", "UEFI", "UEFIOptimized"],
        "pxeBootPolicies": list(PXE_BOOT_POLICIES),
        "bootCapabilities": ["CD", "USB", "HardDisk", "PXE", "FibreChannelHba"],
        "adapters": [_mezz_adapter()],
        "biosSettings": gen10_bios_settings(),
        "storageCapabilities": storage_capabilities(BLADE_STORAGE),
    }


def rack_hardware_type() -> dict[str, Any]:
    """Fields of the DL360 Gen10 type: no VC connections, but OneView manages a DL Gen10's boot
    order (iLO 5), so a rack template can put PXE first for Ironic."""
    return {
        "name": "DL360 Gen10 1",
        "model": "ProLiant DL360 Gen10",
        "family": "U32",
        "formFactor": "1U",
        "platform": RACK_PLATFORM,
        "generation": "Gen10",
        "uefiClass": UEFI_CLASS,
        "capabilities": [
            "ManageBIOS",
            "ManageBootOrder",
            "ManageLocalStorage",
            "VirtualUUID",
            "FirmwareUpdate",
        ],
        "bootModes": ["BIOS", "UEFI", "UEFIOptimized"],
        "pxeBootPolicies": list(PXE_BOOT_POLICIES),
        "bootCapabilities": ["CD", "USB", "HardDisk", "PXE"],
        "adapters": [_rack_adapter()],
        "biosSettings": gen10_bios_settings(),
        "storageCapabilities": storage_capabilities(RACK_STORAGE),
    }


def gen9_rack_hardware_type() -> dict[str, Any]:
    """Fields of the DL360 Gen9 type: Gen9 BIOS names, a P440ar, and no secure boot (Gen10+
    only). Gen9 supports UEFIOptimized, so a client must look at the generation too."""
    return {
        "name": "DL360 Gen9 1",
        "model": "ProLiant DL360 Gen9",
        "family": "P89",
        "formFactor": "1U",
        "platform": RACK_PLATFORM,
        "generation": "Gen9",
        "uefiClass": UEFI_CLASS,
        "capabilities": ["ManageBIOS", "ManageLocalStorage", "VirtualUUID", "FirmwareUpdate"],
        "bootModes": ["BIOS", "UEFI", "UEFIOptimized"],
        "pxeBootPolicies": list(PXE_BOOT_POLICIES),
        "bootCapabilities": ["CD", "USB", "HardDisk", "PXE"],
        "adapters": [_rack_adapter()],
        "biosSettings": gen9_bios_settings(),
        "storageCapabilities": storage_capabilities(GEN9_RACK_STORAGE),
    }


# --- Frames and fabric --------------------------------------------------------------------

ENCLOSURE_TYPE: Final = "SY12000"
ENCLOSURE_MODEL: Final = "Synergy 12000 Frame"
ENCLOSURE_PART_NUMBER: Final = "797740-B21"
INTERCONNECT_MODEL: Final = "Virtual Connect SE 40Gb F8 Module for Synergy"
INTERCONNECT_PART_NUMBER: Final = "794502-B23"
INTERCONNECT_FIRMWARE: Final = "1.04.04.1001"
UPLINK_PORTS: Final[tuple[str, ...]] = ("Q1", "Q2", "Q3", "Q4")
#: Uplink ports each pre-built uplink set uses, on both interconnects of its LI.
TAGGED_UPLINK_PORT: Final = "Q1"
UNTAGGED_UPLINK_PORT: Final = "Q2"

#: (name, ethernetNetworkType, vlanId, purpose) of the networks the appliance starts with.
NETWORKS: Final[tuple[tuple[str, str, int | None, str], ...]] = (
    ("Management", "Tagged", 10, "Management"),
    ("Deploy", "Tagged", 100, "General"),
    ("Storage", "Tagged", 20, "General"),
    ("Native", "Untagged", None, "General"),
)
DEPLOY_NETWORK: Final = "Deploy"
#: Networks a OneView user's pre-existing profile connects (Mezz 3 port 1, then port 2).
USER_PROFILE_NETWORKS: Final[tuple[str, ...]] = ("Management", "Storage")
TYPICAL_BANDWIDTH_MBPS: Final = 2500
MAXIMUM_BANDWIDTH_MBPS: Final = 20000
