"""The BIOS registries of the simulated server hardware types (``biosSettings``).

Apart from ``catalog`` because a registry is a few hundred lines of attribute data with its own
sources, checked against them on its own: the Gen10 (U32/I42) and Gen9 (P89) attribute sets, the
defaults a factory-reset server reports, and the changes some servers start with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

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
