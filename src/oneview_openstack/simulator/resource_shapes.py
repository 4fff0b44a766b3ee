"""Fixed JSON shapes of server profile templates and server profiles: boot mode, connections and
the sections the generated templates and profiles leave unmanaged.

Apart from ``catalog`` because these are builders, not tables: every call returns fresh
containers, since the store mutates resources in place and no two resources may share a list or
dict. The values they fill in come from ``catalog``.
"""

from __future__ import annotations

from typing import Any

from .catalog import MAXIMUM_BANDWIDTH_MBPS, TYPICAL_BANDWIDTH_MBPS

# Builders return fresh containers on every call: the store mutates resources in place, so no
# two resources may share a list or dict.


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
