"""JSON shapes of the frames and their fabric: locations, interconnect ports, enclosure-group
settings and a logical interconnect group's map and uplink-set templates.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any

from .catalog import INTERCONNECT_MODEL, UPLINK_PORTS

#: Top-level fields that exist only from an API version on (versions.shape_for_version drops them
#: below it). scopesUri: scopes came with OneView 3.0 (API 300), as NET's networking_shapes says;
#: igmpSettings and portFlapProtection: oneview-sdk-ruby reads them from its api1800 and api2400
#: logical_interconnect.rb on (the groups carry the same blocks from the same versions: chosen).
#: sflowConfiguration: oneview-golang 6355aa3 "Adding API1000 support to LIG"; downlinkSpeedMode and
#: consistencyCheckingForInternalNetworks: oneview-golang e57677d (Sept 2020, just before its
#: API 2200 support: 2200 chosen).
_SCOPES = {"scopesUri": (300, None)}
_LI_BLOCKS = {
    "igmpSettings": (1800, None),
    "portFlapProtection": (2400, None),
    "sflowConfiguration": (1000, None),
}
FIELD_VERSIONS: dict[str, dict[str, tuple[int, int | None]]] = {
    "enclosures": dict(_SCOPES),
    "enclosure-groups": dict(_SCOPES),
    "interconnects": dict(_SCOPES),
    "logical-interconnects": {**_SCOPES, **_LI_BLOCKS},
    "logical-interconnect-groups": {
        **_SCOPES,
        **_LI_BLOCKS,
        "downlinkSpeedMode": (2200, None),
        "consistencyCheckingForInternalNetworks": (2200, None),
    },
}


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


# --- enclosure bays -------------------------------------------------------------------------


def ipv4_setting(address: str | None = None) -> dict[str, Any]:
    """A bay's management address assignment (EG ipAddressingMode DHCP: none assigned)."""
    return {
        "ipAddress": address,
        "ipAssignmentState": "NotAssigned" if address is None else "Assigned",
        "ipRangeUri": None,
        "mode": "DHCP",
    }


#: Nested ``type`` of a device bay (HPE's Synergy enclosure body at API 500; not versioned here).
DEVICE_BAY_TYPE = "DeviceBayV400"


def device_bay(
    enclosure_uri: str, number: int, server: dict[str, Any] | None, below_empty: bool
) -> dict[str, Any]:
    """A compute-module bay; ``server`` is the half-height blade in it (None: an empty bay).

    As HPE's SY12000 body shows: an empty bay takes a half-height profile, and a full-height one
    too when it is in the top row (1-6) and the bay below it (n + 6) is empty as well; a bay
    holding a half-height blade still takes a half-height profile.
    """
    present = server is not None
    server_uri = server["uri"] if server else None
    profile_uri = server.get("serverProfileUri") if server else None
    return {
        "type": DEVICE_BAY_TYPE,
        "uri": f"{enclosure_uri}/device-bays/{number}",
        "category": "device-bays",
        "eTag": None,
        "created": None,
        "modified": None,
        "bayNumber": number,
        "enclosureUri": enclosure_uri,
        "devicePresence": "Present" if present else "Absent",
        "deviceUri": server_uri,
        "deviceBayType": "SY12000DeviceBay",
        "deviceFormFactor": "SingleHeightSingleWide" if present else "Empty",
        "uuid": None,
        "model": server["model"] if server else None,
        "serialNumber": server["serialNumber"] if server else None,
        "coveredByDevice": server_uri,
        "coveredByProfile": profile_uri,
        "profileUri": profile_uri,
        "availableForHalfHeightProfile": True,
        "availableForFullHeightProfile": not present and number <= 6 and below_empty,
        "availableForHalfHeightDoubleWideProfile": False,
        "availableForFullHeightDoubleWideProfile": False,
        "bayPowerState": "Unknown",
        "changeState": "None",
        "powerAllocationWatts": 450 if present else 0,
        "serialConsole": present,
        "ipv4Setting": ipv4_setting(),
    }


def interconnect_bay(
    enclosure_uri: str, number: int, interconnect: dict[str, Any] | None
) -> dict[str, Any]:
    """An interconnect bay; ``interconnect`` is the module in it (None: an empty bay)."""
    present = interconnect is not None
    return {
        "bayNumber": number,
        "enclosureUri": enclosure_uri,
        "interconnectBayType": "SY12000InterconnectBay",
        "empty": not present,
        "interconnectUri": interconnect["uri"] if interconnect else None,
        "logicalInterconnectUri": interconnect["logicalInterconnectUri"] if interconnect else None,
        "interconnectModel": interconnect["model"] if interconnect else None,
        "partNumber": interconnect["partNumber"] if interconnect else None,
        "serialNumber": interconnect["serialNumber"] if interconnect else None,
        "interconnectReady": present,
        "bayPowerState": "On" if present else "Unknown",
        "changeState": "None",
        "powerAllocationWatts": 270 if present else 0,
        "serialConsole": present,
        "originOfCondition": f"/rest/v1/InterconnectManager/{number}" if present else None,
        "ipv4Setting": ipv4_setting(),
    }


def power_supply_bay(number: int, serial: str) -> dict[str, Any]:
    return {
        "bayNumber": number,
        "devicePresence": "Present",
        "changeState": "None",
        "model": "2650W AC Titanium Hot Plug Power Supply",
        "partNumber": "798095-B21",
        "sparePartNumber": "798096-001",
        "serialNumber": serial,
        "outputCapacityWatts": 2650,
        "powerSupplyBayType": "SY12000PowerSupplyBay",
        "status": "OK",
    }


def fan_bay(number: int, serial: str) -> dict[str, Any]:
    return {
        "bayNumber": number,
        "devicePresence": "Present",
        "deviceRequired": True,
        "changeState": "None",
        "model": "Synergy Fan Module",
        "fanBayType": "SY12000FanBay",
        "partNumber": "809097-001",
        "sparePartNumber": "809097-001",
        "serialNumber": serial,
        "state": "Present",
        "status": "OK",
    }


def appliance_bay(number: int, serial: str | None) -> dict[str, Any]:
    """An appliance bay; ``serial`` None is an empty bay (one Composer runs the whole fleet)."""
    present = serial is not None
    return {
        "bayNumber": number,
        "devicePresence": "Present" if present else "Absent",
        "bayPowerState": "On" if present else "Unknown",
        "poweredOn": present,
        "model": "Synergy Composer" if present else None,
        "partNumber": "804353-B21" if present else None,
        "sparePartNumber": "814331-001" if present else None,
        "serialNumber": serial,
        "status": "OK" if present else None,
    }


def manager_bay(
    enclosure_uri: str,
    number: int,
    serial: str,
    address: str,
    linked: tuple[int, str] | None,
    switch: dict[str, Any],
) -> dict[str, Any]:
    """A frame link module; ``linked`` is (bay, serial) of the FLM its link port is cabled to.

    The FLM in bay 1 is the active manager and its management port reaches the rack's switch.
    """
    active = number == 1
    return {
        "bayNumber": number,
        "enclosureUri": enclosure_uri,
        "devicePresence": "Present",
        "bayPowerState": "On",
        "changeState": "None",
        "managerType": "EnclosureManager",
        "model": "Synergy Frame Link Module",
        "partNumber": "802341-B21",
        "sparePartNumber": "807963-001",
        "serialNumber": serial,
        "fwVersion": "2.02.03",
        "fwBuildDate": "05/23/2018,17:52:54",
        "ipAddress": address,
        "role": "Active" if active else "Standby",
        "status": "OK",
        "uidState": "Off",
        "linkedEnclosure": (
            {"bayNumber": linked[0], "serialNumber": linked[1]} if linked else None
        ),
        "linkPortIsolated": False,
        "linkPortSpeedGbs": "10",
        "negotiatedLinkPortSpeedGbs": 10 if linked else 0,
        "linkPortState": "Linked" if linked else "Unlinked",
        "linkPortStatus": "OK" if linked else "Disabled",
        "mgmtPortLinkState": "Linked" if active else "Unlinked",
        "mgmtPortSpeedGbs": "10",
        "negotiatedMgmtPortSpeedGbs": 10 if active else 0,
        "mgmtPortState": "Active" if active else "Standby",
        "mgmtPortStatus": "OK",
        "mgmtPortNeighbor": (
            {
                "description": switch["remoteSystemDescription"],
                "ipAddress": None,
                "macAddress": switch["remoteChassisId"].upper(),
                "port": f"Ten-GigabitEthernet1/0/{number}",
                "resourceUri": None,
            }
            if active
            else None
        ),
    }


# --- interconnects ----------------------------------------------------------------------------

#: The top-of-rack switch the uplinks are cabled to (what its LLDP tells the interconnect).
SWITCH_DESCRIPTION = "HPE Comware Platform Software, Software Version 7.1.070\r\nHPE FF 5940"


def switch_neighbor(chassis_mac: str, port: str) -> dict[str, Any]:
    """LLDP neighbour of an uplink port (or of a FLM management port): the rack's switch."""
    return {
        "linkLabel": None,
        "linkUri": None,
        "remoteChassisId": chassis_mac.lower(),
        "remoteChassisIdType": "macAddress",
        "remoteMgmtAddress": chassis_mac.lower(),
        "remoteMgmtAddressType": "all802",
        "remotePortDescription": f"{port} Interface",
        "remotePortId": port,
        "remotePortIdType": "interfaceName",
        "remoteSystemCapabilities": "Bridge, Router",
        "remoteSystemDescription": SWITCH_DESCRIPTION,
        "remoteSystemName": "tor-switch-1",
        "remoteType": "external",
    }


def server_neighbor(server: dict[str, Any], physical: dict[str, Any], label: str) -> dict[str, Any]:
    """Neighbour of a downlink port: the blade's adapter port, linked to its server hardware."""
    mac = str(physical["mac"]).lower()
    return {
        "linkLabel": label,
        "linkUri": server["uri"],
        "remoteChassisId": mac,
        "remoteChassisIdType": "macAddress",
        "remoteMgmtAddress": None,
        "remoteMgmtAddressType": None,
        "remotePortDescription": label,
        "remotePortId": mac,
        "remotePortIdType": "macAddress",
        "remoteSystemCapabilities": None,
        "remoteSystemDescription": server["model"],
        "remoteSystemName": server["name"],
        "remoteType": "internal",
    }


def port(
    interconnect: dict[str, Any],
    rid: str,
    name: str,
    bay: int,
    *,
    uplink: bool,
    neighbor: dict[str, Any] | None,
) -> dict[str, Any]:
    """One Ethernet port of a VC SE 40Gb F8: a QSFP+ uplink (Q1..) or a downlink (d1..)."""
    linked = neighbor is not None
    capability = ["Ethernet", "EnetFcoe", "FibreChannel"] if uplink else ["Ethernet", "EnetFcoe"]
    return {
        "type": "port",
        "uri": f"{interconnect['uri']}/ports/{rid}:{name}",
        "category": "ports",
        "eTag": None,
        "created": None,
        "modified": None,
        "name": name,
        "description": None,
        "state": None,
        "status": "OK" if linked else "Disabled",
        "portName": name,
        "portId": f"{rid}:{name}",
        "interconnectName": interconnect["name"],
        "bayNumber": bay,
        "portType": "Uplink" if uplink else "Downlink",
        "portTypeExtended": "External" if uplink else "Internal",
        "portStatus": "Linked" if linked else "Unlinked",
        "portStatusReason": "Active" if linked else "Unpopulated",
        "portHealthStatus": "Normal" if linked else "Disabled",
        "portMonitorConfigInfo": "NotMonitored",
        "portSplitMode": "Unsplit" if uplink else None,
        "portRunningCapabilityType": "Ethernet" if linked else None,
        "operationalSpeed": ("Speed40G" if uplink else "Speed20G") if linked else "Speed0M",
        "connectorType": ("QSFP+SR4" if linked else None) if uplink else None,
        "enabled": True,
        "available": True,
        "capability": capability,
        "configPortTypes": list(capability),
        "neighbor": neighbor,
        "associatedUplinkSetUri": None,
        "lagId": 0,
        "lagStates": None,
        "pairedPortName": None,
        "vendorSpecificPortName": None,
        "vlans": None,
        "subports": None,
        "dcbxInfo": {
            "dcbxApReason": "Disabled",
            "dcbxPfcReason": "Disabled",
            "dcbxPgReason": "Disabled",
            "dcbxStatus": "NotApplicable",
        },
        "fcPortProperties": None,
    }


# --- settings blocks of logical interconnects and their groups --------------------------------


def _nulls() -> dict[str, None]:
    """The resource fields a settings block carries but does not fill."""
    return {"eTag": None, "created": None, "modified": None, "description": None}


def ethernet_settings(owner_uri: str, setting_id: str) -> dict[str, Any]:
    return {
        "type": "EthernetInterconnectSettingsV7",
        "uri": f"{owner_uri}/ethernetSettings",
        "category": None,
        **_nulls(),
        "state": None,
        "status": None,
        "id": setting_id,
        "name": f"ES-{setting_id[:8]}",
        "dependentResourceUri": owner_uri,
        "interconnectType": "Ethernet",
        "consistencyChecking": "ExactMatch",
        "enableFastMacCacheFailover": True,
        "macRefreshInterval": 5,
        "enableNetworkLoopProtection": True,
        "enablePauseFloodProtection": True,
        "enableRichTLV": False,
        "enableTaggedLldp": False,
        "enableCutThrough": False,
        "enableDdns": False,
        "enableInterconnectUtilizationAlert": False,
        "enableStormControl": False,
        "stormControlPollingInterval": 10,
        "stormControlThreshold": 0,
        "lldpIpAddressMode": "IPV4",
        "lldpIpv4Address": "",
        "lldpIpv6Address": "",
    }


def igmp_settings(owner_uri: str, setting_id: str) -> dict[str, Any]:
    return {
        "type": "IgmpSettings",
        "uri": f"{owner_uri}/igmpSettings",
        "category": None,
        **_nulls(),
        "state": None,
        "status": None,
        "id": setting_id,
        "name": f"IgmpSettings-{setting_id[:8]}",
        "dependentResourceUri": owner_uri,
        "consistencyChecking": "ExactMatch",
        "enableIgmpSnooping": False,
        "enableProxyReporting": True,
        "enablePreventFlooding": False,
        "igmpIdleTimeoutInterval": 260,
        "igmpSnoopingVlanIds": "",
    }


def qos_configuration() -> dict[str, Any]:
    return {
        "type": "qos-aggregated-configuration",
        "uri": None,
        "category": "qos-aggregated-configuration",
        **_nulls(),
        "name": None,
        "state": None,
        "status": None,
        "consistencyChecking": "ExactMatch",
        "activeQosConfig": {
            "type": "QosConfiguration",
            "uri": None,
            "category": "qos-aggregated-configuration",
            **_nulls(),
            "name": None,
            "state": None,
            "status": None,
            "configType": "Passthrough",
            "uplinkClassificationType": None,
            "downlinkClassificationType": None,
            "qosTrafficClassifiers": [],
        },
        "inactiveFCoEQosConfig": None,
        "inactiveNonFCoEQosConfig": None,
    }


def snmp_configuration() -> dict[str, Any]:
    return {
        "type": "snmp-configuration",
        "uri": None,
        "category": "snmp-configuration",
        **_nulls(),
        "name": None,
        "state": None,
        "status": None,
        "consistencyChecking": "ExactMatch",
        "enabled": True,
        "v3Enabled": False,
        "readCommunity": "public",
        "systemContact": "",
        "snmpAccess": [],
        "snmpUsers": [],
        "trapDestinations": [],
    }


def telemetry_configuration(owner_uri: str, setting_id: str) -> dict[str, Any]:
    return {
        "type": "telemetry-configuration",
        "uri": f"{owner_uri}/telemetry-configurations/{setting_id}",
        "category": "telemetry-configurations",
        **_nulls(),
        "name": f"telemetry-{setting_id[:8]}",
        "state": None,
        "status": None,
        "enableTelemetry": True,
        "sampleCount": 12,
        "sampleInterval": 300,
    }


def port_flap_protection(setting_id: str) -> dict[str, Any]:
    return {
        "type": "portFlapProtection",
        "uri": None,
        "category": None,
        **_nulls(),
        "state": None,
        "status": None,
        "id": setting_id,
        "name": f"portFlapProtection-{setting_id[:8]}",
        "consistencyChecking": "ExactMatch",
        "portFlapProtectionMode": "Detect",
        "detectionInterval": 20,
        "portFlapThresholdPerInterval": 2,
        "noOfSamplesDeclareFailures": 2,
    }


def sflow_configuration() -> dict[str, Any]:
    return {
        "type": "sflow-configuration",
        "uri": None,
        "category": "sflow-configuration",
        **_nulls(),
        "name": None,
        "state": None,
        "status": None,
        "consistencyChecking": "ExactMatch",
        "enabled": False,
        "sflowAgents": [],
        "sflowCollectors": [],
        "sflowNetwork": None,
        "sflowPorts": [],
    }


def port_monitor(li_uri: str, etag: str) -> dict[str, Any]:
    return {
        "type": "port-monitor",
        "uri": f"{li_uri}/port-monitor",
        "category": "port-monitor",
        "eTag": etag,
        "created": None,
        "modified": None,
        "description": None,
        "name": f"port-monitor-{etag[:8]}",
        "state": None,
        "status": None,
        "enablePortMonitor": False,
        "analyzerPort": None,
        "monitoredPorts": [],
    }


def interconnect_map_entry(
    interconnect: dict[str, Any], index: int, bay: int, type_uri: str, downlink_uri: str
) -> dict[str, Any]:
    """An LI's map entry: which interconnect fills bay ``bay`` of frame ``index``."""
    return {
        "interconnectUri": interconnect["uri"],
        "permittedInterconnectTypeUri": type_uri,
        "enclosureIndex": index,
        "logicalDownlinkUri": downlink_uri,
        "location": {
            "locationEntries": [
                {"type": "Bay", "value": str(bay)},
                {"type": "Enclosure", "value": interconnect["enclosureUri"]},
            ]
        },
    }


def lig_port_config(index: int, bay: int, port_number: int) -> dict[str, Any]:
    """An uplink-set template's port: frame index, bay and port number (relative values)."""
    return {
        "desiredSpeed": "Auto",
        "desiredFecMode": "Auto",
        "logicalLocation": {
            "locationEntries": [
                {"type": "Enclosure", "relativeValue": index},
                {"type": "Bay", "relativeValue": bay},
                {"type": "Port", "relativeValue": port_number},
            ]
        },
    }


def lig_uplink_set_settings() -> dict[str, Any]:
    """Uplink-set template fields that do not depend on its networks or ports."""
    return {
        "consistencyChecking": "ExactMatch",
        "lacpTimer": "Short",
        "loadBalancingMode": "SourceAndDestinationMac",
        "fcMode": "NA",
        "nativeNetworkUri": None,
        "primaryPort": None,
        "privateVlanDomains": [],
        "reachability": None,
    }


#: Port relativeValue of an F8's QSFP+ uplinks in a LIG (Q1 = 61 in HPE's Synergy LIG bodies).
UPLINK_PORT_NUMBERS: dict[str, int] = {f"Q{n}": 60 + n for n in range(1, 9)}


#: LACP states of a linked member of an uplink set's LAG (IEEE 802.1AX actor state names).
LACP_STATES = ("Aggregation", "Synchronization", "Collecting", "Distributing")


def associate_uplink_port(port: dict[str, Any], uplink_set_uri: str | None) -> bool:
    """Make an uplink port a member of ``uplink_set_uri`` (None: of no set); True if it changed.

    A member's ``lagId`` is its port number: the same port of the LI's interconnects forms one
    (multi-chassis) LAG of the uplink set, and a linked member reports its LACP states; a port
    outside every set has ``lagId`` 0 and ``lagStates`` null.
    """
    lag_id = int(str(port.get("portName", "Q0"))[1:] or 0) if uplink_set_uri else 0
    states = list(LACP_STATES) if uplink_set_uri and port.get("portStatus") == "Linked" else None
    wanted = {"associatedUplinkSetUri": uplink_set_uri, "lagId": lag_id, "lagStates": states}
    if all(port.get(key) == value for key, value in wanted.items()):
        return False
    port.update(wanted)
    return True
