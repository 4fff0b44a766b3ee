"""Firmware of the simulated servers and the SPP baselines of ``/rest/firmware-drivers``.

Apart from ``catalog`` because the installed components, the three Service Packs for ProLiant
and their component files are one table set read together (by the inventory and by a baseline
apply), with their own sources. Field names: oneview-golang ov/firmware_drivers.go and
ov/server_hardware.go.
"""

from __future__ import annotations

from typing import Any, Final

from .catalog import MEZZ_ADAPTER


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
        "hpsumVersion": "8.4.0.2",
        "xmlKeyName": "bp003588",
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
        "hpsumVersion": "8.5.0.4",
        "xmlKeyName": "bp003985",
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
        "hpsumVersion": "8.6.0.12",
        "xmlKeyName": "bp004412",
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
        "signatureFileName": "",
        "hpsumVersion": spp["hpsumVersion"],
        "xmlKeyName": spp["xmlKeyName"],
        "esxiOsDriverMetaData": [],
        # Where the bundle is stored: the appliance's internal repository.
        "locations": {"Internal": "Appliance"},
        "resourceState": "Created",
        "lastTaskUri": None,
    }
