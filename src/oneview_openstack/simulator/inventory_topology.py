"""Enclosures, enclosure groups, interconnects, logical interconnects and their groups: the
fields a real appliance reports beyond the layout (bays, ports, settings).

``finish`` runs once at the end of ``inventory.build_inventory``, on the whole stored inventory
(category -> resources, no ``type``/``eTag``/``created``/``modified``). It draws from its own RNG
(``random.Random(f"topology-{seed}")``), never the layout's, so existing ids and MACs stay.

What it models: every frame's 12 device bays point at the blades in them (and their profiles),
its 6 interconnect bays at the interconnects and their logical interconnect, two frame link
modules cabled in a ring with the other frames of the enclosure group, 6 power supplies, 10 fans
and 2 appliance bays (one Synergy Composer per fleet, in the first frame). Every interconnect has
its QSFP+ uplinks (members of the uplink sets whose portConfigInfos cite them, their neighbour
the rack's switch) and one downlink per device bay (its neighbour the blade's Mezz 3 port).
"""

from __future__ import annotations

import random
import string
import uuid
from collections import defaultdict
from typing import Any

from . import topology_shapes as shapes
from .catalog import ENCLOSURE_TYPE, UPLINK_PORTS

Resource = dict[str, Any]

DEVICE_BAYS = 12
INTERCONNECT_BAYS = 6
POWER_SUPPLY_BAYS = 6
FAN_BAYS = 10
APPLIANCE_BAYS = 2
ENCLOSURE_TYPE_URI = f"/rest/enclosure-types/{ENCLOSURE_TYPE}"
_SERIAL_ALPHABET = string.digits + string.ascii_uppercase
#: Per-bay power OneView budgets for a frame's occupants (chosen, see docs18-TOPO.md).
FAN_AND_MANAGEMENT_WATTS = 1200


def finish(inventory: dict[str, list[Resource]], seed: int) -> None:
    """Add the fields of frames and their fabric that the layout does not draw."""
    _Finisher(inventory, random.Random(f"topology-{seed}")).run()


def _rid(resource: Resource) -> str:
    return str(resource["uri"]).rsplit("/", 1)[1]


def _link_local(mac: str) -> str:
    """The EUI-64 IPv6 link-local address of a MAC (how an interconnect is first reached)."""
    octets = [int(part, 16) for part in mac.split(":")]
    octets[0] ^= 0x02
    eui = [*octets[:3], 0xFF, 0xFE, *octets[3:]]
    groups = [f"{eui[i] << 8 | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return "fe80::" + ":".join(groups)


class _Finisher:
    def __init__(self, inventory: dict[str, list[Resource]], rng: random.Random) -> None:
        self.inv = inventory
        self.rng = rng
        self.type_uri = f"/rest/interconnect-types/{self.new_id()}"
        self.switch_mac = self.mac()
        fabrics = inventory.get("fabrics") or []
        self.fabric_uri = fabrics[0]["uri"] if fabrics else None
        self.domain_uri = f"/rest/domains/{self.new_id()}"
        self.blades = {
            (server.get("locationUri"), server.get("position")): server
            for server in inventory.get("server-hardware", [])
            if server.get("locationUri")
        }
        self.ic_by_uri = {ic["uri"]: ic for ic in inventory.get("interconnects", [])}
        self.li_by_uri = {li["uri"]: li for li in inventory.get("logical-interconnects", [])}
        self.sets_by_li: dict[str, list[Resource]] = defaultdict(list)
        for uplink_set in inventory.get("uplink-sets", []):
            self.sets_by_li[uplink_set.get("logicalInterconnectUri") or ""].append(uplink_set)
        self.li_numbers = {uri: n for n, uri in enumerate(self.li_by_uri, start=1)}
        self.interconnects = {
            (ic["enclosureUri"], int(ic["interconnectLocation"]["locationEntries"][1]["value"])): ic
            for ic in inventory.get("interconnects", [])
        }

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def mac(self) -> str:
        value = (0x5C << 40) | self.rng.getrandbits(40)
        return value.to_bytes(6, "big").hex(":").upper()

    def serial(self, prefix: str) -> str:
        """A 10-character serial (one byte per character: thousands are drawn per build)."""
        return prefix + "".join(
            _SERIAL_ALPHABET[b % 36] for b in self.rng.randbytes(10 - len(prefix))
        )

    def run(self) -> None:
        for interconnect in self.inv.get("interconnects", []):
            self.interconnect(interconnect)
        for uplink_set in self.inv.get("uplink-sets", []):
            self.uplink_ports(uplink_set)
        self.enclosures()
        for li in self.inv.get("logical-interconnects", []):
            self.logical_interconnect(li)
        for lig in self.inv.get("logical-interconnect-groups", []):
            self.group(lig)
        for eg in self.inv.get("enclosure-groups", []):
            eg_uri = eg["uri"]
            eg.update(
                associatedLogicalInterconnectGroups=sorted(
                    {m["logicalInterconnectGroupUri"] for m in eg["interconnectBayMappings"]}
                ),
                enclosureTypeUri=ENCLOSURE_TYPE_URI,
                interconnectBayMappingCount=len(eg["interconnectBayMappings"]),
                portMappingCount=INTERCONNECT_BAYS,
                portMappings=[
                    {"midplanePort": bay, "interconnectBay": bay}
                    for bay in range(1, INTERCONNECT_BAYS + 1)
                ],
                scopesUri=f"/rest/scopes/resources{eg_uri}",
            )
            eg["osDeploymentSettings"]["deploymentModeSettings"]["deploymentNetworkUri"] = None

    # --- interconnects ------------------------------------------------------------------------

    def interconnect(self, ic: Resource) -> None:
        rid, bay = _rid(ic), int(ic["interconnectLocation"]["locationEntries"][1]["value"])
        ports = [
            shapes.port(ic, rid, name, bay, uplink=True, neighbor=None) for name in UPLINK_PORTS
        ]
        for number in range(1, DEVICE_BAYS + 1):
            ports.append(
                shapes.port(
                    ic, rid, f"d{number}", bay, uplink=False, neighbor=self.downlink(ic, number)
                )
            )
        mac = str(ic["interconnectMAC"])
        address = _link_local(mac)
        li_members = self.li_members(ic["logicalInterconnectUri"])
        member_id = li_members.index(ic["uri"]) if ic["uri"] in li_members else 0
        ic.update(
            ports=ports,
            portCount=len(ports),
            subPortCount=8,
            interconnectIP=address,
            ipAddressList=[{"ipAddress": address, "ipAddressType": "Ipv6LinkLocal"}],
            hostName=f"VC4040F8-{ic['serialNumber']}",
            baseWWN="10:00:" + mac,
            interconnectTypeUri=self.type_uri,
            enclosureType=ENCLOSURE_TYPE,
            sparePartNumber="813174-001",
            deviceResetState="Normal",
            uidState="Off",
            roles=[],
            maxBandwidth="Speed_20G",
            edgeVirtualBridgingAvailable=False,
            enableCutThrough=False,
            enableFastMacCacheFailover=True,
            enableIgmpSnooping=False,
            enableNetworkLoopProtection=True,
            enablePauseFloodProtection=True,
            enableRichTLV=False,
            enableStormControl=False,
            enableTaggedLldp=False,
            igmpIdleTimeoutInterval=260,
            igmpSnoopingVlanIds="",
            networkLoopProtectionInterval=5,
            stormControlPollingInterval=10,
            stormControlThreshold=0,
            lldpIpAddressMode="IPV4",
            lldpIpv4Address="",
            lldpIpv6Address="",
            mgmtInterface=None,
            migrationState=None,
            unsupportedCapabilities=None,
            stackingDomainId=self.li_numbers.get(ic["logicalInterconnectUri"], 0),
            stackingDomainRole="Master" if member_id == 0 else "Slave",
            stackingMemberId=member_id,
            icmLicenses={"License": []},
            qosConfiguration=shapes.qos_configuration(),
            snmpConfiguration=shapes.snmp_configuration(),
            remoteSupport={
                "remoteSupportUri": f"/rest/support/interconnects/{rid}",
                "supportDataCollectionState": None,
                "supportDataCollectionType": None,
                "supportDataCollectionsUri": (
                    f"/rest/support/data-collections?deviceID={rid}&category=interconnects"
                ),
                "supportSettings": {"destination": "", "supportCurrentState": "Unknown"},
                "supportState": "Disabled",
            },
            scopesUri=f"/rest/scopes/resources{ic['uri']}",
        )

    def li_members(self, li_uri: str) -> list[str]:
        return list((self.li_by_uri.get(li_uri) or {}).get("interconnects") or [])

    def downlink(self, ic: Resource, bay: int) -> dict[str, Any] | None:
        """The blade port cabled to downlink ``bay`` of ``ic``, as LLDP reports it."""
        server = self.blades.get((ic["enclosureUri"], bay))
        if server is None:
            return None
        for slot in server["portMap"]["deviceSlots"]:
            for physical in slot["physicalPorts"]:
                if physical.get("interconnectUri") == ic["uri"]:
                    label = f"{slot['location']} {slot['slotNumber']}:{physical['portNumber']}"
                    return shapes.server_neighbor(server, physical, label)
        return None

    def uplink_ports(self, uplink_set: Resource) -> None:
        """The ports an uplink set's portConfigInfos cite are cabled, linked and its members."""
        cited = {info.get("portUri") for info in uplink_set.get("portConfigInfos") or []}
        for ic_uri in self.li_members(uplink_set.get("logicalInterconnectUri") or ""):
            ic = self.ic_by_uri[ic_uri]
            bay = int(ic["interconnectLocation"]["locationEntries"][1]["value"])
            for index, port in enumerate(ic["ports"]):
                if port["uri"] not in cited:
                    continue
                neighbor = shapes.switch_neighbor(
                    self.switch_mac, f"FortyGigE1/{bay}/{UPLINK_PORTS.index(port['portName']) + 1}"
                )
                linked = shapes.port(
                    ic, _rid(ic), port["portName"], bay, uplink=True, neighbor=neighbor
                )
                shapes.associate_uplink_port(linked, uplink_set["uri"])
                ic["ports"][index] = linked

    # --- enclosures -------------------------------------------------------------------------

    def enclosures(self) -> None:
        by_group: dict[str, list[Resource]] = defaultdict(list)
        for enclosure in self.inv.get("enclosures", []):
            by_group[enclosure["enclosureGroupUri"]].append(enclosure)
        first = True
        for frames in by_group.values():
            flm_serials = [(self.serial("CN76"), self.serial("CN76")) for _ in frames]
            for position, enclosure in enumerate(frames):
                self.enclosure(enclosure, frames, position, flm_serials, first)
                first = False

    def enclosure(
        self,
        enclosure: Resource,
        frames: list[Resource],
        position: int,
        flm_serials: list[tuple[str, str]],
        composer: bool,
    ) -> None:
        """One frame; its FLMs' link ports go to the next frame of the group (a ring)."""
        uri, rid = enclosure["uri"], _rid(enclosure)
        device_bays = [
            shapes.device_bay(
                uri,
                number,
                self.blades.get((uri, number)),
                (uri, number + DEVICE_BAYS // 2) not in self.blades,
            )
            for number in range(1, DEVICE_BAYS + 1)
        ]
        interconnect_bays = [
            shapes.interconnect_bay(uri, number, self.interconnects.get((uri, number)))
            for number in range(1, INTERCONNECT_BAYS + 1)
        ]
        linked: list[tuple[int, str] | None] = [None, None]
        if len(frames) > 1:
            after = (position + 1) % len(frames)
            before = (position - 1) % len(frames)
            linked = [(2, flm_serials[after][1]), (1, flm_serials[before][0])]
        switch = shapes.switch_neighbor(self.switch_mac, "")
        manager_bays = [
            shapes.manager_bay(
                uri,
                number,
                flm_serials[position][number - 1],
                _link_local(self.mac()),
                linked[number - 1],
                switch,
            )
            for number in (1, 2)
        ]
        appliances = [
            shapes.appliance_bay(number, self.serial("CN75") if composer and number == 1 else None)
            for number in range(1, APPLIANCE_BAYS + 1)
        ]
        device_watts = sum(bay["powerAllocationWatts"] for bay in device_bays)
        interconnect_watts = sum(bay["powerAllocationWatts"] for bay in interconnect_bays)
        capacity = 2650 * (POWER_SUPPLY_BAYS // 2)
        serial = enclosure["serialNumber"]
        enclosure.update(
            uuid=rid,
            assetTag="",
            enclosureTypeUri=ENCLOSURE_TYPE_URI,
            deviceBays=device_bays,
            interconnectBays=interconnect_bays,
            managerBays=manager_bays,
            applianceBayCount=APPLIANCE_BAYS,
            applianceBays=appliances,
            powerSupplyBayCount=POWER_SUPPLY_BAYS,
            powerSupplyBays=[
                shapes.power_supply_bay(number, self.serial("5WBX"))
                for number in range(1, POWER_SUPPLY_BAYS + 1)
            ],
            fanBayCount=FAN_BAYS,
            fanBays=[
                shapes.fan_bay(number, self.serial("7C77")) for number in range(1, FAN_BAYS + 1)
            ],
            frameLinkModuleDomain=(
                f"{flm_serials[0][0]}-FLMDomain" if len(frames) > 1 else "local"
            ),
            powerMode="RedundantPowerFeed",
            minimumPowerSupplies=1,
            minimumPowerSuppliesForRedundantPowerFeed=2,
            powerCapacityWatts=capacity,
            powerCapacityBoostWatts=0,
            powerAvailableWatts=capacity
            - device_watts
            - interconnect_watts
            - FAN_AND_MANAGEMENT_WATTS,
            powerAllocatedWatts=device_watts + interconnect_watts + FAN_AND_MANAGEMENT_WATTS,
            deviceBayWatts=device_watts,
            interconnectBayWatts=interconnect_watts,
            fansAndManagementDevicesWatts=FAN_AND_MANAGEMENT_WATTS,
            managerBayCount=len(manager_bays),
            version="G1",
            fwBaselineName=None,
            fwBaselineUri=None,
            isFwManaged=False,
            forceInstallFirmware=False,
            licensingIntent="NotApplicable",
            logicalEnclosureUri=None,
            rackName=f"Rack-{enclosure['enclosureGroupUri'].rsplit('/', 1)[1][:8]}",
            reconfigurationState="NotReapplyingConfiguration",
            refreshState="NotRefreshing",
            stateReason="None",
            uidState="Off",
            remoteSupportUri=f"/rest/support/enclosures/{serial}",
            remoteSupportSettings={"destination": "", "remoteSupportCurrentState": "Unknown"},
            supportDataCollectionState=None,
            supportDataCollectionType=None,
            supportDataCollectionsUri=(
                f"/rest/support/data-collections?deviceID={serial}&category=enclosures"
            ),
            supportState="Disabled",
            scopesUri=f"/rest/scopes/resources{uri}",
        )

    # --- logical interconnects and their groups -----------------------------------------------

    def logical_interconnect(self, li: Resource) -> None:
        uri = li["uri"]
        index_of = {encl: n for n, encl in enumerate(li.get("enclosureUris") or [], start=1)}
        entries = []
        for ic_uri in li.get("interconnects") or []:
            ic = self.ic_by_uri[ic_uri]
            bay = int(ic["interconnectLocation"]["locationEntries"][1]["value"])
            entries.append(
                shapes.interconnect_map_entry(
                    ic,
                    index_of.get(ic["enclosureUri"], 1),
                    bay,
                    self.type_uri,
                    f"/rest/logical-downlinks/{self.new_id()}",
                )
            )
        li.update(
            fabricUri=self.fabric_uri,
            domainUri=self.domain_uri,
            fusionDomainUri=self.domain_uri,
            internalNetworkUris=[],
            consistencyStatusVerificationEnabled=True,
            interconnectMap={"interconnectMapEntries": entries},
            ethernetSettings=shapes.ethernet_settings(uri, self.new_id()),
            igmpSettings=shapes.igmp_settings(uri, self.new_id()),
            qosConfiguration=shapes.qos_configuration(),
            snmpConfiguration=shapes.snmp_configuration(),
            telemetryConfiguration=shapes.telemetry_configuration(uri, self.new_id()),
            portMonitor=shapes.port_monitor(uri, self.new_id()),
            portFlapProtection=shapes.port_flap_protection(self.new_id()),
            sflowConfiguration=shapes.sflow_configuration(),
            fcoeSettings={"fcoeMode": "NotApplicable"},
            icmLicenses={"License": []},
            scopesUri=f"/rest/scopes/resources{uri}",
        )

    def group(self, lig: Resource) -> None:
        uri = lig["uri"]
        for entry in lig["interconnectMapTemplate"]["interconnectMapEntryTemplates"]:
            entry.update(logicalDownlinkUri=None, permittedInterconnectTypeUri=self.type_uri)
        for template in lig.get("uplinkSets") or []:
            template.update(shapes.lig_uplink_set_settings())
            template["logicalPortConfigInfos"] = self.template_ports(lig, template["name"])
        lig.update(
            fabricUri=self.fabric_uri,
            internalNetworkUris=[],
            consistencyCheckingForInternalNetworks="ExactMatch",
            downlinkSpeedMode="NOT_APPLICABLE",
            stackingMode="Enclosure",
            ethernetSettings=shapes.ethernet_settings(uri, self.new_id()),
            igmpSettings=shapes.igmp_settings(uri, self.new_id()),
            qosConfiguration=shapes.qos_configuration(),
            snmpConfiguration=shapes.snmp_configuration(),
            telemetryConfiguration=shapes.telemetry_configuration(uri, self.new_id()),
            portFlapProtection=shapes.port_flap_protection(self.new_id()),
            sflowConfiguration=shapes.sflow_configuration(),
            scopesUri=f"/rest/scopes/resources{uri}",
        )

    def template_ports(self, lig: Resource, name: str) -> list[dict[str, Any]]:
        """The LI uplink set of this name's ports, as (frame index, bay, port) of the group."""
        lis = {
            li["uri"]: li
            for li in self.inv.get("logical-interconnects", [])
            if li.get("logicalInterconnectGroupUri") == lig["uri"]
        }
        ports = []
        for li_uri, li in lis.items():
            for uplink_set in self.sets_by_li.get(li_uri, []):
                if uplink_set.get("name") != name:
                    continue
                for info in uplink_set.get("portConfigInfos") or []:
                    entries = {e["type"]: e["value"] for e in info["location"]["locationEntries"]}
                    index = li["enclosureUris"].index(entries["Enclosure"]) + 1
                    ports.append(
                        shapes.lig_port_config(
                            index, int(entries["Bay"]), shapes.UPLINK_PORT_NUMBERS[entries["Port"]]
                        )
                    )
        return ports
