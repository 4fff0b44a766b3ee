"""Static hardware and network tables the inventory generator draws from.

Kept apart from ``inventory`` so the generator reads as layout logic and these values (model
names, part numbers, CPU strings, adapter shapes) can be checked against real appliances in one
place. Everything here is plain data: callers copy what they store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

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

# --- Server configuration: BIOS registries, storage, firmware -----------------------------
# Attribute names, options and defaults: iLO 5 (U32/I42) and iLO 4 (P89) BIOS attributes as
# listed by openstack/ironic doc/source/admin/drivers/ilo.rst (before commit afb64cf26), a
# DL360 Gen10 (867959-B21, U32 v2.68) attribute dump in the ODIM BMC operator guide, HPE's
# PowerShell-ProLiant-SDK HPEBIOS scripts, and the OneView SPT example in oneview-python
# (WorkloadProfile, MinProcIdlePower...). Field names: oneview-golang ov/server_hardware_type.go.
# Option sets, bounds or lengths no public source gives are marked [unverified] in
# docs/simulator.md.

ENABLED_DISABLED: Final[tuple[str, ...]] = ("Enabled", "Disabled")

#: id -> display name of options that do not read well as their id.
_OPTION_NAMES: Final[dict[str, str]] = {
    "GeneralPowerEfficientCompute": "General Power Efficient Compute",
    "GeneralPeakFrequencyCompute": "General Peak Frequency Compute",
    "GeneralThroughputCompute": "General Throughput Compute",
    "Virtualization-PowerEfficient": "Virtualization - Power Efficient",
    "Virtualization-MaxPerformance": "Virtualization - Max Performance",
    "LowLatency": "Low Latency",
    "MissionCritical": "Mission Critical",
    "TransactionalApplicationProcessing": "Transactional Application Processing",
    "HighPerformanceCompute": "High Performance Compute (HPC)",
    "DecisionSupport": "Decision Support",
    "GraphicProcessing": "Graphic Processing",
    "I/OThroughput": "I/O Throughput",
    "DynamicPowerSavings": "Dynamic Power Savings Mode",
    "StaticLowPower": "Static Low Power Mode",
    "StaticHighPerf": "Static High Performance Mode",
    "OsControl": "OS Control Mode",
    "NoCStates": "No C-states",
    "C6": "C6 State",
    "C1E": "C1E State",
    "C3": "C3 State",
    "RetryIndefinitely": "Retry Boot Order Indefinitely",
    "AttemptOnce": "Attempt Boot Order Once",
    "ResetAfterFailed": "Reset After Failed Boot Attempt",
    "Ahci": "SATA AHCI Support",
    "Raid": "Smart Array SW RAID Support",
    "OptimalCooling": "Optimal Cooling",
    "IncreasedCooling": "Increased Cooling",
    "MaxCooling": "Maximum Cooling",
    "BalancedPowerPerf": "Balanced Power and Performance",
    "MinPower": "Minimum Power Usage",
    "MaxPerf": "Maximum Performance",
}


def _setting(sid: str, name: str, category: str, kind: str, default: str, **kw: Any) -> dict:
    """One ``biosSettings`` entry with every field OneView's schema names (unused ones null)."""
    return {
        "id": sid,
        "name": name,
        "category": category,
        "type": kind,
        "defaultValue": default,
        "options": kw.get("options", []),
        "lowerBound": kw.get("lower"),
        "upperBound": kw.get("upper"),
        "scalarIncrement": kw.get("increment"),
        "stringMinLength": kw.get("min_length"),
        "stringMaxLength": kw.get("max_length"),
        "valueExpression": kw.get("expression"),
        "helpText": kw.get("help", ""),
        "warningText": kw.get("warning", ""),
        "dependencyList": [],
    }


def _enum(sid: str, name: str, category: str, options: tuple[str, ...], default: str, help: str):
    assert default in options, (sid, default)
    entries = [{"id": o, "name": _OPTION_NAMES.get(o, o), "optionLinks": []} for o in options]
    return _setting(sid, name, category, "Enumeration", default, options=entries, help=help)


def _integer(sid: str, name: str, category: str, lower: int, upper: int, default: int, help: str):
    return _setting(
        sid,
        name,
        category,
        "Integer",
        str(default),
        lower=lower,
        upper=upper,
        increment=1,
        help=help,
    )


def _string(sid: str, name: str, category: str, max_length: int, help: str):
    return _setting(
        sid, name, category, "String", "", min_length=0, max_length=max_length, help=help
    )


def _common_bios() -> list[dict[str, Any]]:
    """Settings Gen9 (P89) and Gen10 (U32, I42) system ROMs share, with the same ids."""
    proc, power, boot = "Processor Options", "Power and Performance Options", "Boot Options"
    return [
        _enum(
            "ProcHyperthreading",
            "Intel(R) Hyperthreading",
            proc,
            ENABLED_DISABLED,
            "Enabled",
            "Two logical processors per physical core.",
        ),
        _enum(
            "ProcVirtualization",
            "Intel(R) Virtualization Technology",
            proc,
            ENABLED_DISABLED,
            "Enabled",
            "Hardware virtualization (VT-x) for hypervisors.",
        ),
        _enum(
            "IntelProcVtd",
            "Intel(R) VT-d",
            proc,
            ENABLED_DISABLED,
            "Enabled",
            "Virtualization Technology for Directed I/O.",
        ),
        _enum(
            "Sriov",
            "SR-IOV",
            "Virtualization Options",
            ENABLED_DISABLED,
            "Enabled",
            "The BIOS allocates PCIe resources for SR-IOV virtual functions.",
        ),
        _enum(
            "ProcTurbo",
            "Intel(R) Turbo Boost Technology",
            power,
            ENABLED_DISABLED,
            "Enabled",
            "Run above the rated frequency when power and temperature allow.",
        ),
        _enum(
            "PowerRegulator",
            "Power Regulator",
            power,
            ("DynamicPowerSavings", "StaticLowPower", "StaticHighPerf", "OsControl"),
            "DynamicPowerSavings",
            "How the processors' power consumption is regulated.",
        ),
        _enum(
            "BootOrderPolicy",
            "Boot Order Policy",
            boot,
            ("RetryIndefinitely", "AttemptOnce", "ResetAfterFailed"),
            "RetryIndefinitely",
            "What the server does when no boot device in the boot order boots.",
        ),
        _enum(
            "EmbeddedSata",
            "Embedded SATA Configuration",
            "Storage Options",
            ("Ahci", "Raid"),
            "Ahci",
            "Mode of the embedded SATA controller.",
        ),
        _enum(
            "IntelligentProvisioning",
            "Intelligent Provisioning (F10 Prompt)",
            "System Options",
            ENABLED_DISABLED,
            "Enabled",
            "Offer Intelligent Provisioning at POST.",
        ),
        _enum(
            "ThermalConfig",
            "Thermal Configuration",
            "Advanced Options",
            ("OptimalCooling", "IncreasedCooling", "MaxCooling"),
            "OptimalCooling",
            "Fan cooling solution.",
        ),
        _enum(
            "AutoPowerOn",
            "Automatic Power-On",
            "Server Availability",
            ("AlwaysPowerOn", "AlwaysPowerOff", "RestoreLastState"),
            "RestoreLastState",
            "What the server does when AC power is applied.",
        ),
        _integer(
            "NetworkBootRetryCount",
            "Network Boot Retry Count",
            "Network Options",
            0,
            20,
            20,
            "How many times a failed network boot is retried.",
        ),
        _string(
            "ServerAssetTag",
            "Server Asset Tag",
            "Server Information",
            31,
            "The asset tag the system ROM reports.",
        ),
        _string(
            "ServerOtherInfo",
            "Other Server Information",
            "Server Information",
            255,
            "Free text about the server.",
        ),
    ]


def gen10_bios_settings() -> list[dict[str, Any]]:
    """The Gen10 (iLO 5) registry: workload profiles, C-states, jitter control."""
    power = "Power and Performance Options"
    return [
        _enum(
            "WorkloadProfile",
            "Workload Profile",
            power,
            (
                "GeneralPowerEfficientCompute",
                "GeneralPeakFrequencyCompute",
                "GeneralThroughputCompute",
                "Virtualization-PowerEfficient",
                "Virtualization-MaxPerformance",
                "LowLatency",
                "MissionCritical",
                "TransactionalApplicationProcessing",
                "HighPerformanceCompute",
                "DecisionSupport",
                "GraphicProcessing",
                "I/OThroughput",
                "Custom",
            ),
            "GeneralPowerEfficientCompute",
            "Presets for power and performance settings; Custom leaves them to you.",
        ),
        _enum(
            "MinProcIdlePower",
            "Minimum Processor Idle Power Core C-State",
            power,
            ("C6", "C1E", "NoCStates"),
            "C6",
            "Lowest idle power state of the cores.",
        ),
        *_common_bios(),
        _integer(
            "ProcessorJitterControlFrequency",
            "Processor Jitter Control Frequency",
            power,
            0,
            10000,
            0,
            "Frequency (MHz) jitter control holds; 0 is automatic.",
        ),
        _string(
            "CustomPostMessage",
            "Custom POST Message",
            "Server Information",
            62,
            "A message shown at POST.",
        ),
    ]


def gen9_bios_settings() -> list[dict[str, Any]]:
    """The Gen9 (iLO 4, P89) registry: a power profile instead of workload profiles."""
    power = "Power Management"
    return [
        _enum(
            "PowerProfile",
            "HPE Power Profile",
            power,
            ("BalancedPowerPerf", "MinPower", "MaxPerf", "Custom"),
            "BalancedPowerPerf",
            "Presets for power and performance settings.",
        ),
        _enum(
            "MinProcIdlePower",
            "Minimum Processor Idle Power Core C-State",
            power,
            ("C6", "C3", "NoCStates"),
            "C6",
            "Lowest idle power state of the cores.",
        ),
        *_common_bios(),
        _integer(
            "ProcCoreDisable",
            "Processor Core Disable",
            "Processor Options",
            0,
            24,
            0,
            "Cores to disable per processor; 0 enables them all.",
        ),
    ]


def bios_defaults(settings: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """id -> default value: what a server of the type reports after a factory reset."""
    return {s["id"]: s["defaultValue"] for s in settings}


#: Non-default values some servers start with (an operator changed them before OneView).
BIOS_VARIANTS: Final[tuple[dict[str, str], ...]] = (
    {"ProcHyperthreading": "Disabled", "PowerRegulator": "StaticHighPerf"},
    {"ServerAssetTag": "LAB-0042", "BootOrderPolicy": "AttemptOnce"},
    {"IntelligentProvisioning": "Disabled", "NetworkBootRetryCount": "5"},
)

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
    "technologies": ("SasSsd",),
}
RACK_STORAGE: Final[dict[str, Any]] = {
    "model": "HPE Smart Array P408i-a SR Gen10",
    "controllerModes": ["RAID", "HBA", "Mixed"],
    "raidLevels": ["RAID0", "RAID1", "RAID1ADM", "RAID10", "RAID5", "RAID6", "RAID50", "RAID60"],
    "driveTechnologies": ["SasHdd", "SataHdd", "SasSsd", "SataSsd"],
    "maximumDrives": 10,
    "technologies": ("SasSsd", "SataSsd"),
}
GEN9_RACK_STORAGE: Final[dict[str, Any]] = {
    "model": "Smart Array P440ar Controller",
    "controllerModes": ["RAID", "HBA"],
    "raidLevels": ["RAID0", "RAID1", "RAID1ADM", "RAID10", "RAID5", "RAID6"],
    "driveTechnologies": ["SasHdd", "SataHdd", "SasSsd", "SataSsd"],
    "maximumDrives": 8,
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
    }


#: Drive sizes by technology (GB as localStorageV2 reports them); SSDs use DISK_SIZES_GIB.
HDD_SIZES_GIB: Final[tuple[int, ...]] = (1200, 2400)


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


def firmware_components(family: str, adapter: str, controller: str) -> list[dict[str, str]]:
    """(componentName, componentKey, componentLocation) rows of one server kind's firmware."""
    ilo = "iLO"
    return [
        {
            "componentName": "System ROM",
            "componentKey": family,
            "componentLocation": "System Board",
        },
        {
            "componentName": ilo,
            "componentKey": "ilo4" if family == "P89" else "ilo5",
            "componentLocation": "System Board",
        },
        {
            "componentName": "Intelligent Provisioning",
            "componentKey": "ip-gen9" if family == "P89" else "ip-gen10",
            "componentLocation": "System Board",
        },
        {
            "componentName": controller,
            "componentKey": _controller_key(controller),
            "componentLocation": "Embedded RAID",
        },
        {
            "componentName": adapter,
            "componentKey": _adapter_key(adapter),
            "componentLocation": "Mezzanine Slot 3" if adapter == MEZZ_ADAPTER else "Embedded LOM",
        },
    ]


def _controller_key(model: str) -> str:
    return "smartarray-p440ar" if "P440ar" in model else "smartarray-gen10"


def _adapter_key(model: str) -> str:
    return "nic-3820c" if model == MEZZ_ADAPTER else "nic-331i"


#: SPP baselines (/rest/firmware-drivers): (version, release date, ISO, component versions by
#: componentKey; the ROM's by family). The newest is newer than anything any server runs.
SPP_BASELINES: Final[tuple[dict[str, Any], ...]] = (
    {
        "version": "2019.03.0",
        "releaseDate": "2019-03-20T00:00:00.000Z",
        "isoFileName": "P19473_001_spp-2019.03.0-SPP2019030.2019_0320.4.iso",
        "components": {
            "U32": "v1.46 (10/02/2018)",
            "I42": "v1.46 (10/02/2018)",
            "P89": "v2.60 (05/21/2018)",
            "ilo5": "1.40 Jan 15 2019",
            "ilo4": "2.61 Jul 27 2018",
            "ip-gen10": "3.20.154",
            "ip-gen9": "2.70.0",
            "smartarray-gen10": "1.65",
            "smartarray-p440ar": "6.60",
            "nic-3820c": "7.15.97",
            "nic-331i": "20.12.41",
        },
    },
    {
        "version": "2019.12.0",
        "releaseDate": "2019-12-13T00:00:00.000Z",
        "isoFileName": "P24066_001_spp-2019.12.0-SPP2019120.2019_1209.4.iso",
        "components": {
            "U32": "v2.22 (11/13/2019)",
            "I42": "v2.22 (11/13/2019)",
            "P89": "v2.76 (10/21/2019)",
            "ilo5": "2.10 Oct 30 2019",
            "ilo4": "2.72 Sep 04 2019",
            "ip-gen10": "3.30.213",
            "ip-gen9": "2.70.0",
            "smartarray-gen10": "1.99",
            "smartarray-p440ar": "7.00",
            "nic-3820c": "7.17.32",
            "nic-331i": "20.14.54",
        },
    },
    {
        "version": "2020.09.0",
        "releaseDate": "2020-09-21T00:00:00.000Z",
        "isoFileName": "P31178_001_spp-2020.09.0-SPP2020090.2020_0916.5.iso",
        "components": {
            "U32": "v2.36 (07/16/2020)",
            "I42": "v2.36 (07/16/2020)",
            "P89": "v2.80 (10/16/2020)",
            "ilo5": "2.30 Aug 27 2020",
            "ilo4": "2.75 Jun 04 2020",
            "ip-gen10": "3.50.46",
            "ip-gen9": "2.76.0",
            "smartarray-gen10": "3.00",
            "smartarray-p440ar": "7.20",
            "nic-3820c": "7.18.77",
            "nic-331i": "20.16.31",
        },
    },
)

#: componentKey -> (SPP component name, file name pattern).
SPP_COMPONENT_FILES: Final[dict[str, tuple[str, str]]] = {
    "U32": ("Online ROM Flash Component - HPE ProLiant DL360 Gen10 (U32) Servers", "U32_{v}.fwpkg"),
    "I42": (
        "Online ROM Flash Component - HPE Synergy 480 Gen10 (I42) Compute Module",
        "I42_{v}.fwpkg",
    ),
    "P89": ("Online ROM Flash Component - HPE ProLiant DL360 Gen9 (P89) Servers", "cp0{n}.exe"),
    "ilo5": ("Online Firmware Flash for HPE Integrated Lights-Out 5", "ilo5_{v}.fwpkg"),
    "ilo4": ("Online Firmware Flash for HPE Integrated Lights-Out 4", "cp0{n}.exe"),
    "ip-gen10": ("HPE Intelligent Provisioning for Gen10", "cp0{n}.exe"),
    "ip-gen9": ("HPE Intelligent Provisioning for Gen9", "cp0{n}.exe"),
    "smartarray-gen10": (
        "Online Firmware Flash - HPE Smart Array P408i, P204i and more",
        "HPE_SR_Gen10_{v}.fwpkg",
    ),
    "smartarray-p440ar": (
        "Online Firmware Flash - Smart Array P440ar, P840 and more",
        "cp0{n}.exe",
    ),
    "nic-3820c": ("HPE Synergy 3820C 10/20Gb Converged Network Adapter firmware", "cp0{n}.exe"),
    "nic-331i": ("HPE Broadcom NX1 Online Firmware Upgrade Utility (331i)", "cp0{n}.exe"),
}


# --- Server hardware types ----------------------------------------------------------------

PXE_BOOT_POLICIES: Final = ["Auto", "IPv4", "IPv6", "IPv4ThenIPv6", "IPv6ThenIPv4"]


def _mezz_adapter() -> dict[str, Any]:
    ports = [
        {
            "number": number,
            "type": "Ethernet",
            "maxSpeedMbps": 20000,
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
    """Fields of the DL360 Gen10 type: no VC connections, and no boot-order management."""
    return {
        "name": "DL360 Gen10 1",
        "model": "ProLiant DL360 Gen10",
        "family": "U32",
        "formFactor": "1U",
        "capabilities": ["ManageBIOS", "ManageLocalStorage", "VirtualUUID", "FirmwareUpdate"],
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


# --- Fixed JSON shapes --------------------------------------------------------------------
# Builders return fresh containers on every call: the store mutates resources in place, so no
# two resources may share a list or dict.


def location(enclosure_uri: str, bay: int, port: str | None = None) -> dict[str, Any]:
    """An interconnect (or interconnect port) location inside a frame."""
    entries: list[dict[str, Any]] = [
        {"type": "Enclosure", "value": enclosure_uri},
        {"type": "Bay", "value": str(bay)},
    ]
    if port is not None:
        entries.append({"type": "Port", "value": port})
    return {"locationEntries": entries}


def interconnect_map_template(frames: int, bays: tuple[int, ...]) -> dict[str, Any]:
    """A LIG's map: one interconnect of the Synergy model in each of ``bays`` of every one of
    ``frames`` frames (enclosure indexes 1..frames)."""
    return {
        "interconnectMapEntryTemplates": [
            {
                "enclosureIndex": index,
                "logicalLocation": {
                    "locationEntries": [
                        {"type": "Enclosure", "relativeValue": index},
                        {"type": "Bay", "relativeValue": bay},
                    ]
                },
                "permittedInterconnectTypeName": INTERCONNECT_MODEL,
            }
            for index in range(1, frames + 1)
            for bay in bays
        ]
    }


def lig_uplink_set(name: str, kind: str, network_uris: list[str]) -> dict[str, Any]:
    """A LIG's uplink-set template (the ML2 driver matches it to LI uplink sets by name)."""
    return {
        "name": name,
        "networkType": "Ethernet",
        "ethernetNetworkType": kind,
        "networkUris": list(network_uris),
        "mode": "Auto",
        "logicalPortConfigInfos": [],
    }


def enclosure_group_settings() -> dict[str, Any]:
    return {
        "stackingMode": "Enclosure",
        "powerMode": "RedundantPowerFeed",
        "ipAddressingMode": "DHCP",
        "ipRangeUris": [],
        "ambientTemperatureMode": "Standard",
        "osDeploymentSettings": {
            "manageOSDeployment": False,
            "deploymentModeSettings": {"deploymentMode": "None"},
        },
    }


def interconnect_ports(rid: str, uri: str) -> list[dict[str, Any]]:
    """The uplink ports of one interconnect; their ``uri`` is what uplink sets' portUri cite."""
    return [
        {
            "portName": port,
            "portId": f"{rid}:{port}",
            "uri": f"{uri}/ports/{rid}:{port}",
            "portType": "Uplink",
            "portStatus": "Linked",
            "enabled": True,
        }
        for port in UPLINK_PORTS
    ]


def uplink_set_settings() -> dict[str, Any]:
    """Uplink-set fields that do not depend on the set's networks or ports."""
    return {
        "networkType": "Ethernet",
        "nativeNetworkUri": None,
        "fcNetworkUris": [],
        "fcoeNetworkUris": [],
        "connectionMode": "Auto",
        "lacpTimer": "Long",
        "manualLoginRedistributionState": "NotSupported",
        "primaryPort": None,
        "reachability": "Reachable",
    }


def uplink_port_config(port_uri: str, enclosure_uri: str, bay: int, port: str) -> dict[str, Any]:
    return {
        "portUri": port_uri,
        "desiredSpeed": "Auto",
        "expectedNeighbor": None,
        "location": location(enclosure_uri, bay, port),
    }


def boot_mode(mode: str) -> dict[str, Any]:
    return {"manageMode": True, "mode": mode, "pxeBootPolicy": "Auto", "secureBoot": "Disabled"}


def template_connection(cid: int, port: int, network_uri: str, priority: str) -> dict[str, Any]:
    """A template connection on Mezz 3 ``port``, virtual function a."""
    return {
        "id": cid,
        "name": f"deploy-{port}",
        "functionType": "Ethernet",
        "portId": f"Mezz 3:{port}-a",
        "networkUri": network_uri,
        "requestedMbps": str(TYPICAL_BANDWIDTH_MBPS),
        "requestedVFs": "0",
        "boot": {"priority": priority},
    }


def template_settings() -> dict[str, Any]:
    """Template sections the generated templates leave unmanaged."""
    return {
        "affinity": "Bay",
        "hideUnusedFlexNics": True,
        "bios": {"manageBios": False, "overriddenSettings": []},
        "firmware": {"manageFirmware": False, "forceInstallFirmware": False},
        "localStorage": {"controllers": []},
        "sanStorage": {"manageSanStorage": False, "volumeAttachments": []},
    }


def profile_connection(
    cid: int, name: str, network_uri: str, port: dict[str, Any], port_id: str
) -> dict[str, Any]:
    """A deployed profile connection on a portMap physical port, through its function a."""
    return {
        "id": cid,
        "name": name,
        "functionType": "Ethernet",
        "networkUri": network_uri,
        "portId": port_id,
        "interconnectUri": port["interconnectUri"],
        "mac": port["virtualPorts"][0]["mac"],
        "macType": "Physical",
        "wwnn": None,
        "wwpn": None,
        "wwpnType": "Virtual",
        "requestedMbps": str(TYPICAL_BANDWIDTH_MBPS),
        "allocatedMbps": TYPICAL_BANDWIDTH_MBPS,
        "maximumMbps": MAXIMUM_BANDWIDTH_MBPS,
        "requestedVFs": "0",
        "allocatedVFs": 0,
        "boot": {"priority": "NotBootable"},
        "state": "Deployed",
        "status": "OK",
        "managed": True,
    }


def profile_settings() -> dict[str, Any]:
    """Profile sections of a settled, unmanaged (BIOS, firmware, storage) profile."""
    return {
        "serialNumberType": "Virtual",
        "macType": "Physical",
        "wwnType": "Virtual",
        "serverProfileTemplateUri": None,
        "templateCompliance": "Unknown",
        "affinity": "Bay",
        "hideUnusedFlexNics": True,
        "associatedServer": None,
        "boot": {"manageBoot": True, "order": ["HardDisk"]},
        "bootMode": boot_mode("UEFIOptimized"),
        "bios": {"manageBios": False, "overriddenSettings": [], "reapplyState": "NotApplying"},
        "firmware": {
            "manageFirmware": False,
            "forceInstallFirmware": False,
            "reapplyState": "NotApplying",
        },
        "localStorage": {"controllers": []},
        "sanStorage": {"manageSanStorage": False, "volumeAttachments": []},
        "inProgress": False,
        "taskUri": None,
        "serverHardwareReapplyState": "NotApplying",
    }


def virtual_port(number: int, function: str, mac: str) -> dict[str, Any]:
    return {
        "portNumber": number,
        "portFunction": function,
        "mac": mac,
        "wwnn": None,
        "wwpn": None,
        "currentAllocatedVirtualFunctionCount": 0,
    }


def physical_port(
    number: int,
    mac: str,
    interconnect_uri: str | None = None,
    downlink: int | None = None,
    virtual_ports: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A portMap Ethernet port; racks have no interconnect, downlink or virtual ports."""
    return {
        "portNumber": number,
        "type": "Ethernet",
        "mac": mac,
        "wwn": None,
        "interconnectUri": interconnect_uri,
        "interconnectPort": downlink,
        "physicalInterconnectUri": interconnect_uri,
        "physicalInterconnectPort": downlink,
        "virtualPorts": virtual_ports if virtual_ports is not None else [],
    }


def login_domain(name: str, description: str | None) -> dict[str, Any]:
    """A /rest/logindomains member (its URI does not follow the /rest/<category>/<id> rule)."""
    return {
        "uri": f"/rest/logindomains/{name}",
        "category": "logindomains",
        "name": name,
        "description": description,
        "state": None,
        "status": None,
        "loginDomain": name,
    }


def firmware_baseline(index: int) -> dict[str, Any]:
    """The stored fields of SPP baseline ``index`` of SPP_BASELINES (uri and ids added by the
    inventory). Field names: oneview-golang ov/firmware_drivers.go."""
    spp = SPP_BASELINES[index]
    version = spp["version"]
    short = "SPP" + version.replace(".", "")
    components = []
    for number, (key, component_version) in enumerate(spp["components"].items()):
        name, pattern = SPP_COMPONENT_FILES[key]
        file_name = pattern.format(
            v=component_version.split(" (")[0].lstrip("v").replace(" ", "_"),
            n=40000 + 1000 * index + 37 * number,
        )
        components.append(
            {
                "name": name,
                "componentVersion": component_version,
                "fileName": file_name,
                "swKeyNameList": [key],
            }
        )
    return {
        # Names are unique in the simulator (OneView names an SPP by name and version).
        "name": f"Service Pack for ProLiant {version}",
        "description": f"Service Pack for ProLiant {version} Production",
        "baselineShortName": short,
        "version": version,
        "releaseDate": spp["releaseDate"],
        "isoFileName": spp["isoFileName"],
        "bundleType": "SPP",
        "bundleSize": 9_500_000_000 + 250_000_000 * index,
        "fwComponents": components,
        "hotfixes": [],
        "parentBundle": {"parentBundleName": None, "releaseDate": None, "version": None},
        "supportedOSList": [],
        "supportedLanguages": "en",
        "signatureFileRequired": False,
        "resourceState": "Created",
        "lastTaskUri": None,
    }
