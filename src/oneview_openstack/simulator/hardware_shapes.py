"""JSON shapes of a server's portMap: physical Ethernet ports and their FlexNICs.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any

#: category -> top-level field -> (first, last API version or None) it is served at; the
#: schemas (server-hardware.json, server-hardware-types.json) carry the same x-since ranges.
#: Evidence: a real server-hardware-5 body (API 300) has the remote-support, support-data,
#: firmware-inventory, migration and Smart Update fields but not physicalServerHardwareUri,
#: generation, platform or scopesUri; oneview-golang's ServerHardwarev200 brings
#: intelligentProvisioningVersion and serverSettings; oneview-python reads
#: physicalServerHardwareUri from API 500; oneview-golang shows platform, generation and
#: uefiClass on a server-hardware-type-10 (API 1000).
FIELD_VERSIONS: dict[str, dict[str, tuple[int, int | None]]] = {
    "server-hardware": {
        "intelligentProvisioningVersion": (200, None),
        "serverSettings": (200, None),
        "migrationState": (300, None),
        "serverFirmwareInventoryUri": (300, None),
        "remoteSupportUri": (300, None),
        "remoteSupportSettings": (300, None),
        "supportState": (300, None),
        "supportDataCollectionsUri": (300, None),
        "supportDataCollectionState": (300, None),
        "supportDataCollectionType": (300, None),
        "physicalServerHardwareUri": (500, None),
        "generation": (500, None),
        "platform": (500, None),
        "scopesUri": (500, None),
    },
    "server-hardware-types": {
        "platform": (1000, None),
        "generation": (1000, None),
        "uefiClass": (1000, None),
    },
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


def empty_mezz_slot(number: int) -> dict[str, Any]:
    """An empty mezzanine slot of a Synergy compute module, as OneView lists it (real SY 480
    bodies list Mezz 1 and 2 with ``deviceName`` "" and no ports beside the Mezz 3 adapter)."""
    return {
        "location": "Mezz",
        "slotNumber": number,
        "deviceNumber": number,
        "deviceName": "",
        "physicalPorts": [],
    }


def blade_device_slots(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A blade's slots: its adapters as laid out, the empty mezzanine slots instead of the
    FlexibleLOM slot (a Synergy 480 has three mezzanine slots and no FlexibleLOM)."""
    kept = [slot for slot in slots if slot["location"] != "Flb"]
    used = {slot["slotNumber"] for slot in kept if slot["location"] == "Mezz"}
    return kept + [empty_mezz_slot(n) for n in (1, 2, 3) if n not in used]


def server_fields(server: dict[str, Any], sht: dict[str, Any]) -> dict[str, Any]:
    """The server-hardware fields a real appliance reports beyond the layout's, for ``server``
    of type ``sht``: generation and platform (its type's), the Intelligent Provisioning version
    (its installed firmware's), support and remote-support state, and the sub-resource links.

    Forms follow a real Synergy body (oneview-redfish-toolkit mockups/oneview/ServerHardware.json,
    server-hardware-5) and oneview-golang ov/server_hardwarev2.go; see schemas/server-hardware.json.
    """
    uri, sid = server["uri"], server["uuid"]
    return {
        "generation": sht["generation"],
        "platform": sht["platform"],
        "intelligentProvisioningVersion": intelligent_provisioning_version(server),
        "assetTag": "",
        "oneTimeBoot": server.get("oneTimeBoot") or "Normal",
        "migrationState": "NotApplicable",
        "physicalServerHardwareUri": None,
        "serverFirmwareInventoryUri": f"{uri}/firmware",
        "remoteSupportUri": f"/rest/support/server-hardware/{sid}",
        "remoteSupportSettings": {"remoteSupportCurrentState": "Unregistered", "destination": None},
        "supportState": "NotSupported",
        "supportDataCollectionsUri": (
            f"/rest/support/data-collections?deviceID={sid}&category=server-hardware"
        ),
        "supportDataCollectionState": None,
        "supportDataCollectionType": None,
        "serverSettings": {
            "hpSmartUpdateToolStatus": {
                "mode": None,
                "serviceState": None,
                "version": None,
                "lastOperationTime": None,
                "installState": None,
            },
            "firmwareAndDriversInstallState": {
                "installedStateTimestamp": None,
                "installState": None,
            },
        },
        "scopesUri": f"/rest/scopes/resources/rest/server-hardware/{sid}",
    }


def intelligent_provisioning_version(server: dict[str, Any]) -> str | None:
    """The installed Intelligent Provisioning's version (``_firmware``), as the server reports it."""
    for row in server.get("_firmware") or []:
        if row["componentName"] == "Intelligent Provisioning":
            return str(row["componentVersion"])
    return None
