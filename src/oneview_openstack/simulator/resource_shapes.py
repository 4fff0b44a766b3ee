"""Fixed JSON shapes of the simulated appliance's resources: locations, port lists, the settings
blocks of enclosure groups, uplink sets, templates and profiles and login domains.

Apart from ``catalog`` because these are builders, not tables: every call returns fresh
containers, since the store mutates resources in place and no two resources may share a list or
dict. The values they fill in come from ``catalog``.
"""

from __future__ import annotations

from typing import Any

from .catalog import (
    INTERCONNECT_MODEL,
    MAXIMUM_BANDWIDTH_MBPS,
    TYPICAL_BANDWIDTH_MBPS,
    UPLINK_PORTS,
)

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
