"""The simulated appliance's starting inventory, generated from a seed and a size.

Deterministic on purpose: the same ``(seed, servers)`` always yields the same ids, MACs and
layout, so a failing test or benchmark replays exactly. Resources come back in the *stored* form:
no ``type``, ``eTag``, ``created`` or ``modified`` (the store adds those, and ``type`` depends on
the API version a client asks for). Every resource gets its own containers, never shared ones,
because the store mutates resources in place.

Layout: Synergy frames of 12 bays are filled in order and grouped in threes; each group of up to
three frames shares one enclosure group, one logical interconnect group and one logical
interconnect carrying a tagged and an untagged uplink set (whose ports are on the group's first
frame). Every frame has its own two interconnects, in bays 3 and 6, all members of the group's
logical interconnect; a blade's Mezz 3 ports are wired to its own frame's interconnects, on the
downlink numbered like its bay, so no two blade ports share an (interconnect, port) pair. There
is always at least one frame, so network features work with no servers. About 15 % of the
servers are DL360 racks outside any frame; every third of them from the second on (racks 2, 5,
8...) is a Gen9, the others Gen10.

Every server also carries its configuration in private fields, drawn by
``server_configuration`` and read and changed by ``state.server_config``: ``_bios`` (current
BIOS values), ``_firmware`` (installed components) and ``_storage`` (the embedded Smart Array's
drives and logical drives). They are drawn from a second RNG seeded from the same seed, so adding
them left the layout, power states and ids of the first RNG unchanged.
"""

from __future__ import annotations

import random
import string
import uuid
from dataclasses import dataclass
from typing import Any

from . import (
    catalog,
    firmware_catalog,
    hardware_shapes,
    inventory_hardware,
    inventory_networking,
    inventory_profiles,
    inventory_topology,
    networking_shapes,
    resource_shapes,
    session_shapes,
    topology_shapes,
)
from .server_configuration import ServerKind, configure, is_gen9_rack, server_kinds

Resource = dict[str, Any]
Inventory = dict[str, list[Resource]]

#: Keys of the returned inventory, in dependency order (referenced before referencing).
CATEGORIES: tuple[str, ...] = (
    "fabrics",
    "ethernet-networks",
    "connection-templates",
    "network-sets",
    "logical-interconnect-groups",
    "enclosure-groups",
    "enclosures",
    "logical-interconnects",
    "interconnects",
    "uplink-sets",
    "server-hardware-types",
    "server-hardware",
    "firmware-drivers",
    "server-profile-templates",
    "server-profiles",
    "login-domains",
)

BAYS_PER_ENCLOSURE = 12
#: Frame-link topology: up to three frames share one logical interconnect.
ENCLOSURES_PER_GROUP = 3
#: Interconnect bays, in Mezz 3 port order (port 1 -> bay 3, port 2 -> bay 6).
INTERCONNECT_BAYS = tuple(catalog.MEZZ_PORT_BAYS.values())
#: Static iLO addresses are 172.18.<1..255>.<1..254>, one per server.
MAX_SERVERS = 254 * 255

_MAC_SPACE = 1 << 40  # the five bytes after the locally administered "02:" prefix
_SERIAL_ALPHABET = string.digits + string.ascii_uppercase


def split_servers(servers: int) -> tuple[int, int]:
    """(blades, racks): ~15 % racks rounded half up, with a rack from 4 servers up and a blade
    from 1 server up, so small inventories still exercise both kinds."""
    racks = (servers * 15 + 50) // 100
    if servers >= 4:
        racks = max(racks, 1)
    if servers >= 1:
        racks = min(racks, servers - 1)
    return servers - racks, racks


def build_inventory(seed: int = 0, servers: int = 16) -> dict[str, list[dict[str, Any]]]:
    """Category -> resources, in the stored form (see the module docstring)."""
    if not 0 <= servers <= MAX_SERVERS:
        raise ValueError(f"servers must be within 0..{MAX_SERVERS}, got {servers}")
    return _Builder(seed).build(servers)


@dataclass(frozen=True)
class _Group:
    """One enclosure group's frames and the logical interconnect their blades plug into."""

    number: int
    eg_uri: str
    enclosure_uris: tuple[str, ...]
    interconnect_uris: tuple[dict[int, str], ...]  # per frame of the group: bay -> URI


def _uri(category: str, rid: str) -> str:
    return f"/rest/{category}/{rid}"


def _smbios_uuid(part_number: str, serial: str) -> str:
    """HPE-style SMBIOS UUID: the ASCII of part-number digits and serial, as upper-case hex."""
    text = (part_number[:6] + serial).encode("ascii").hex().upper()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"


class _Builder:
    """Holds the RNG and the counters that keep MACs and serials unique within one build."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        # Configuration data (BIOS, firmware, drives) draws from its own stream (see docstring).
        self.config_rng = random.Random(f"configuration-{seed}")
        self.inv: Inventory = {category: [] for category in CATEGORIES}
        self._mac_base = self.rng.getrandbits(40)
        self._mac_count = 0
        self._serials: set[str] = set()
        self._enclosure_base = self.rng.getrandbits(24)

    # --- primitives -----------------------------------------------------------------------

    def new_id(self, rng: random.Random | None = None) -> str:
        return str(uuid.UUID(int=(rng or self.rng).getrandbits(128), version=4))

    def mac(self) -> str:
        """Next MAC: a per-build random base plus a counter, unique with no lookup."""
        if self._mac_count >= _MAC_SPACE:
            raise ValueError("MAC space exhausted")
        value = (0x02 << 40) | ((self._mac_base + self._mac_count) % _MAC_SPACE)
        self._mac_count += 1
        return value.to_bytes(6, "big").hex(":").upper()

    def serial(self, prefix: str) -> str:
        """A 10-character serial number, unique across everything in this build."""
        while True:
            value = prefix + "".join(self.rng.choices(_SERIAL_ALPHABET, k=10 - len(prefix)))
            if value not in self._serials:
                self._serials.add(value)
                return value

    def add(
        self,
        category: str,
        rid: str,
        name: str,
        state: str | None,
        status: str | None,
        description: str | None = None,
        **fields: Any,
    ) -> Resource:
        resource: Resource = {
            "uri": _uri(category, rid),
            "category": category,
            "name": name,
            "description": description,
            "state": state,
            "status": status,
            **fields,
        }
        self.inv[category].append(resource)
        return resource

    # --- the build ------------------------------------------------------------------------

    def build(self, servers: int) -> Inventory:
        blades, racks = split_servers(servers)
        fabric = self.add("fabrics", self.new_id(), "DefaultFabric", "Normal", "OK")
        networks = self._networks(fabric["uri"])
        tagged = [net["uri"] for net in networks if net["ethernetNetworkType"] == "Tagged"]
        untagged = [net["uri"] for net in networks if net["ethernetNetworkType"] == "Untagged"]
        set_id = self.new_id()
        # Derived, not drawn: the set's template must not shift every later generated ID.
        set_template = self.add(
            "connection-templates",
            str(uuid.UUID(bytes=uuid.uuid5(uuid.NAMESPACE_URL, set_id).bytes, version=4)),
            "NetSet-Prod",
            "Normal",
            "OK",
            bandwidth={
                "typicalBandwidth": catalog.TYPICAL_BANDWIDTH_MBPS,
                "maximumBandwidth": catalog.MAXIMUM_BANDWIDTH_MBPS,
            },
        )
        self.add(
            "network-sets",
            set_id,
            "NetSet-Prod",
            "Normal",
            "OK",
            networkUris=list(tagged),
            nativeNetworkUri=None,
            networkSetType="Regular",
            connectionTemplateUri=set_template["uri"],
            scopesUri=f"/rest/scopes/resources/rest/network-sets/{set_id}",
        )
        enclosures = max(1, -(-blades // BAYS_PER_ENCLOSURE))
        groups = []
        for number, first in enumerate(range(0, enclosures, ENCLOSURES_PER_GROUP), start=1):
            count = min(ENCLOSURES_PER_GROUP, enclosures - first)
            groups.append(self._group(number, first, count, tagged, untagged))
        blade_type, rack_type = (
            self.add("server-hardware-types", self.new_id(), state=None, status="OK", **fields)
            for fields in (catalog.blade_hardware_type(), catalog.rack_hardware_type())
        )
        gen9_type = self.add(
            "server-hardware-types",
            self.new_id(self.config_rng),
            state=None,
            status="OK",
            **catalog.gen9_rack_hardware_type(),
        )
        blade_kind, rack_kind, gen9_kind = server_kinds(blade_type, rack_type, gen9_type)
        deploy = next(net["uri"] for net in networks if net["name"] == catalog.DEPLOY_NETWORK)
        for group in groups:
            self._blade_templates(group, blade_type["uri"], deploy)
        self._rack_template(
            "ironic-dl360",
            "DL360 racks: boot order cannot be managed, no Virtual Connect connections",
            rack_type["uri"],
            self.rng,
        )
        self._rack_template(
            "ironic-dl360-gen9",
            "DL360 Gen9 racks: as ironic-dl360, and no secure boot (Gen10 and later only)",
            gen9_type["uri"],
            self.config_rng,
        )
        blade_list = [self._blade(index, groups, blade_kind) for index in range(blades)]
        for number in range(1, racks + 1):
            kind = gen9_kind if is_gen9_rack(number) else rack_kind
            self._rack(blades + number - 1, number, kind)
        self._user_profiles(blade_list, groups, networks)
        for index in range(len(firmware_catalog.SPP_BASELINES)):
            bid = self.new_id(self.config_rng)
            self.add(
                "firmware-drivers",
                bid,
                state="Created",
                status="OK",
                uuid=bid,
                resourceId=bid,
                scopesUri=f"/rest/scopes/resources/rest/firmware-drivers/{bid}",
                **firmware_catalog.firmware_baseline(index),
            )
        self.inv["login-domains"] += [
            session_shapes.login_domain("LOCAL", None),
            session_shapes.login_domain("corp.example", "Active Directory of corp.example"),
        ]
        # Fields added after the layout, each part from its own RNG stream (seeded from the seed),
        # so the ids, MACs and power states drawn above stay what they were.
        for part in (
            inventory_topology,
            inventory_networking,
            inventory_hardware,
            inventory_profiles,
        ):
            part.finish(self.inv, self.seed)
        return self.inv

    def _networks(self, fabric_uri: str) -> list[Resource]:
        networks = []
        for name, kind, vlan, purpose in catalog.NETWORKS:
            net_id = self.new_id()
            bandwidth = {
                "typicalBandwidth": catalog.TYPICAL_BANDWIDTH_MBPS,
                "maximumBandwidth": catalog.MAXIMUM_BANDWIDTH_MBPS,
            }
            template = self.add(
                "connection-templates", self.new_id(), name, "Normal", "OK", bandwidth=bandwidth
            )
            network = self.add(
                "ethernet-networks",
                net_id,
                name,
                "Normal",
                "OK",
                vlanId=vlan,
                ethernetNetworkType=kind,
                purpose=purpose,
                smartLink=True,
                privateNetwork=False,
                connectionTemplateUri=template["uri"],
                fabricUri=fabric_uri,
                subnetUri=None,
                scopesUri=f"/rest/scopes/resources/rest/ethernet-networks/{net_id}",
            )
            networks.append(network)
        return networks

    def _group(
        self, number: int, first: int, count: int, tagged: list[str], untagged: list[str]
    ) -> _Group:
        """One enclosure group of ``count`` frames, the first being frame index ``first``."""
        lig_id, eg_id, li_id = self.new_id(), self.new_id(), self.new_id()
        lig_uri = _uri("logical-interconnect-groups", lig_id)
        eg_uri = _uri("enclosure-groups", eg_id)
        li_uri = _uri("logical-interconnects", li_id)
        numbers = range(first + 1, first + count + 1)
        encl_ids = [f"0000{(self._enclosure_base + n) % 0x1000000:06X}" for n in numbers]
        encl_uris = tuple(_uri("enclosures", rid) for rid in encl_ids)
        # Per frame of the group, bay -> interconnect id / URI.
        ic_ids = [{bay: self.new_id() for bay in INTERCONNECT_BAYS} for _ in numbers]
        ic_uris = tuple(
            {bay: _uri("interconnects", rid) for bay, rid in frame.items()} for frame in ic_ids
        )
        uplinks = (
            (f"US-Tagged-{number}", "Tagged", tagged, catalog.TAGGED_UPLINK_PORT),
            (f"US-Untagged-{number}", "Untagged", untagged, catalog.UNTAGGED_UPLINK_PORT),
        )
        self.add(
            "logical-interconnect-groups",
            lig_id,
            f"LIG-{number}",
            "Active",
            "OK",
            enclosureType=catalog.ENCLOSURE_TYPE,
            enclosureIndexes=list(range(1, count + 1)),
            interconnectBaySet=INTERCONNECT_BAYS[0],
            redundancyType="Redundant",
            interconnectMapTemplate=topology_shapes.interconnect_map_template(
                count, INTERCONNECT_BAYS
            ),
            uplinkSets=[
                topology_shapes.lig_uplink_set(name, kind, nets) for name, kind, nets, _ in uplinks
            ],
        )
        self.add(
            "enclosure-groups",
            eg_id,
            f"EG-{number}",
            "Normal",
            "OK",
            enclosureCount=count,
            interconnectBayMappings=[
                {"interconnectBay": bay, "logicalInterconnectGroupUri": lig_uri}
                for bay in INTERCONNECT_BAYS
            ],
            **topology_shapes.enclosure_group_settings(),
        )
        for n, rid in zip(numbers, encl_ids, strict=True):
            self.add(
                "enclosures",
                rid,
                f"Encl{n}",
                "Configured",
                "OK",
                serialNumber=self.serial("CN7"),
                partNumber=catalog.ENCLOSURE_PART_NUMBER,
                enclosureModel=catalog.ENCLOSURE_MODEL,
                enclosureType=catalog.ENCLOSURE_TYPE,
                deviceBayCount=BAYS_PER_ENCLOSURE,
                interconnectBayCount=6,
                enclosureGroupUri=eg_uri,
                logicalInterconnectUris=[li_uri],
            )
        self.add(
            "logical-interconnects",
            li_id,
            f"LI-{number}",
            "Active",
            "OK",
            logicalInterconnectGroupUri=lig_uri,
            enclosureType=catalog.ENCLOSURE_TYPE,
            enclosureUris=list(encl_uris),
            interconnects=[uri for frame in ic_uris for uri in frame.values()],
            consistencyStatus="CONSISTENT",
            stackingHealth="BiConnected",
        )
        frames = zip(numbers, encl_uris, ic_ids, ic_uris, strict=True)
        for n, encl_uri, frame_ids, frame_uris in frames:
            for bay, rid in frame_ids.items():
                self.add(
                    "interconnects",
                    rid,
                    f"Encl{n}, interconnect {bay}",
                    "Configured",
                    "OK",
                    model=catalog.INTERCONNECT_MODEL,
                    productName=catalog.INTERCONNECT_MODEL,
                    partNumber=catalog.INTERCONNECT_PART_NUMBER,
                    serialNumber=self.serial("7C7"),
                    firmwareVersion=catalog.INTERCONNECT_FIRMWARE,
                    interconnectIP=None,
                    interconnectMAC=self.mac(),
                    logicalInterconnectUri=li_uri,
                    enclosureUri=encl_uri,
                    enclosureName=f"Encl{n}",
                    interconnectLocation=topology_shapes.location(encl_uri, bay),
                    ports=topology_shapes.interconnect_ports(rid, frame_uris[bay]),
                    powerState="On",
                )
        # The uplinks are cabled to the first frame's interconnects.
        first_uri, first_ids, first_uris = encl_uris[0], ic_ids[0], ic_uris[0]
        for name, kind, nets, port in uplinks:
            configs = [
                networking_shapes.uplink_port_config(
                    f"{first_uris[bay]}/ports/{first_ids[bay]}:{port}", first_uri, bay, port
                )
                for bay in INTERCONNECT_BAYS
            ]
            self.add(
                "uplink-sets",
                self.new_id(),
                name,
                "Normal",
                "OK",
                logicalInterconnectUri=li_uri,
                ethernetNetworkType=kind,
                networkUris=list(nets),
                portConfigInfos=configs,
                **networking_shapes.uplink_set_settings(),
            )
        return _Group(number, eg_uri, encl_uris, ic_uris)

    # --- templates ------------------------------------------------------------------------

    def _template(
        self,
        name: str,
        why: str,
        sht_uri: str,
        eg_uri: str | None,
        rng: random.Random | None = None,
        **kw: Any,
    ) -> None:
        """A server profile template; ``kw`` carries what differs between the kinds."""
        self.add(
            "server-profile-templates",
            self.new_id(rng),
            name,
            None,
            "OK",
            description=why,
            serverProfileDescription=why,
            serverHardwareTypeUri=sht_uri,
            enclosureGroupUri=eg_uri,
            **kw,
            **resource_shapes.template_settings(),
        )

    def _blade_templates(self, group: _Group, sht_uri: str, deploy_uri: str) -> None:
        """Per enclosure group: the Ironic-ready template and two that Ironic must reject."""
        eg = f"EG-{group.number}"
        kinds = (
            (f"ironic-{eg}", "Ironic-ready: managed PXE boot, physical MACs", True, "Physical"),
            (f"ironic-virtual-mac-{eg}", "Virtual MACs: Ironic rejects it", True, "Virtual"),
            (f"no-manage-boot-{eg}", "Unmanaged boot order: Ironic rejects it", False, "Physical"),
        )
        for name, why, manage_boot, mac_type in kinds:
            connections = [
                resource_shapes.template_connection(
                    cid, port, deploy_uri, "Primary" if cid == 1 else "NotBootable"
                )
                for cid, port in enumerate(catalog.MEZZ_PORT_BAYS, start=1)
            ]
            self._template(
                name,
                why,
                sht_uri,
                group.eg_uri,
                macType=mac_type,
                wwnType="Virtual",
                serialNumberType="Virtual",
                boot={
                    "manageBoot": manage_boot,
                    "order": ["PXE", "HardDisk"] if manage_boot else [],
                },
                bootMode=resource_shapes.boot_mode("UEFIOptimized"),
                connectionSettings={"manageConnections": True, "connections": connections},
            )

    def _rack_template(self, name: str, why: str, sht_uri: str, rng: random.Random) -> None:
        self._template(
            name,
            why,
            sht_uri,
            None,
            rng,
            macType="Physical",
            wwnType="Physical",
            serialNumberType="Physical",
            boot={"manageBoot": False, "order": []},
            bootMode=resource_shapes.boot_mode("UEFI"),
            connectionSettings={"manageConnections": False, "connections": []},
        )

    # --- servers --------------------------------------------------------------------------

    def _blade(self, index: int, groups: list[_Group], kind: ServerKind) -> Resource:
        frame, slot = divmod(index, BAYS_PER_ENCLOSURE)
        bay, number = slot + 1, frame + 1
        group = groups[frame // ENCLOSURES_PER_GROUP]
        interconnects = group.interconnect_uris[frame % ENCLOSURES_PER_GROUP]
        physical = []
        for port, ic_bay in catalog.MEZZ_PORT_BAYS.items():
            mac = self.mac()
            virtual = [
                hardware_shapes.virtual_port(n, function, self.mac())
                for n, function in enumerate(catalog.VIRTUAL_FUNCTIONS, start=1)
            ]
            physical.append(
                hardware_shapes.physical_port(port, mac, interconnects[ic_bay], bay, virtual)
            )
        mezz = {**catalog.MEZZ_SLOT, "deviceName": catalog.MEZZ_ADAPTER, "physicalPorts": physical}
        flb = {**catalog.BLADE_FLB_SLOT, "physicalPorts": []}
        return self._server(
            index,
            kind,
            f"Encl{number}, bay {bay}",
            f"ilo-encl{number}-bay{bay}",
            disks=self.rng.choice((0, 1, 2, 2)),
            position=bay,
            locationUri=group.enclosure_uris[frame % ENCLOSURES_PER_GROUP],
            serverGroupUri=group.eg_uri,
            portMap={"deviceSlots": [mezz, flb]},
        )

    def _rack(self, index: int, number: int, kind: ServerKind) -> Resource:
        ports = self.rng.choice(catalog.RACK_PORT_COUNTS)
        physical = [hardware_shapes.physical_port(port, self.mac()) for port in range(1, ports + 1)]
        slot = {**catalog.RACK_SLOT, "deviceName": catalog.RACK_ADAPTER, "physicalPorts": physical}
        name = f"rack-dl360-{number}"
        return self._server(
            index,
            kind,
            name,
            name,
            disks=self.rng.randint(1, 4),
            position=None,
            locationUri=None,
            serverGroupUri=None,
            portMap={"deviceSlots": [slot]},
        )

    def _server(
        self, index: int, kind: ServerKind, name: str, hostname: str, *, disks: int, **kw: Any
    ) -> Resource:
        """Fields every server shares; ``kw`` carries the blade/rack placement and portMap.

        ``disks`` and the SSD size are drawn as before the configuration data existed (so the
        main RNG stream is unchanged); every server has at least two drives.
        """
        rng, model = self.rng, kind.model
        cores, cpu, mhz = rng.choice(catalog.CPUS)
        serial = self.serial(model["serialPrefix"])
        sid = _smbios_uuid(model["partNumber"], serial)
        high, low = divmod(index, 254)
        address = f"172.18.{high + 1}.{low + 1}"
        average = rng.randint(120, 450)
        ssd_size = rng.choice(catalog.DISK_SIZES_GIB)
        environment = {
            "ambientTemperatureC": rng.randint(18, 27),
            "cpuTemperatureC": rng.randint(35, 70),
            "averagePowerW": average,
            "peakPowerW": average + rng.randint(20, 150),
        }
        server = self.add(
            "server-hardware",
            sid,
            name,
            "NoProfileApplied",
            "Warning" if rng.random() < 0.05 else "OK",
            uuid=sid,
            serialNumber=serial,
            partNumber=model["partNumber"],
            model=model["model"],
            shortModel=model["shortModel"],
            formFactor=model["formFactor"],
            **kw,
            serverProfileUri=None,
            powerState="On" if rng.random() < 0.2 else "Off",
            powerLock=False,
            stateReason="NotApplicable",
            refreshState="NotRefreshing",
            uidState="Off",
            licensingIntent="OneView",
            memoryMb=rng.choice(catalog.MEMORY_MB),
            processorCount=2,
            processorCoreCount=cores,
            processorSpeedMhz=mhz,
            processorType=cpu,
            serverHardwareTypeUri=kind.sht["uri"],
            romVersion=f"{model['romFamily']} {rng.choice(kind.rom_releases)}",
            mpModel=model["mpModel"],
            mpFirmwareVersion=rng.choice(kind.ilo_firmware),
            mpState="OK",
            mpHostInfo={
                "mpHostName": hostname,
                "mpIpAddresses": [
                    {"address": f"fe80::2:0:{high + 1:x}:{low + 1:x}", "type": "LinkLocal"},
                    {"address": address, "type": "Static"},
                ],
            },
            mpIpAddress=address,
            mpDnsName=hostname,
            virtualUuid=None,
            virtualSerialNumber="",
            maintenanceMode=False,
            signature={"personalityChecksum": 0, "serverHwChecksum": 0},
            scopeUris=[],
            _environment=environment,
        )
        configure(
            self.config_rng,
            kind,
            server,
            drives=max(2, disks),
            ssd_size=ssd_size,
            rack=not kw["position"],
        )
        return server

    # --- pre-existing state ---------------------------------------------------------------

    def _user_profiles(
        self, blades: list[Resource], groups: list[_Group], networks: list[Resource]
    ) -> None:
        """About one blade in ten already runs a profile a OneView user made, not Ironic."""
        count = len(blades) // 10
        if len(blades) >= 8:
            count = max(count, 1)
        network_uris = {net["name"]: net["uri"] for net in networks}
        picks = sorted(self.rng.sample(range(len(blades)), count))
        for number, index in enumerate(picks, start=1):
            server = blades[index]
            group = groups[index // (BAYS_PER_ENCLOSURE * ENCLOSURES_PER_GROUP)]
            slot = server["portMap"]["deviceSlots"][0]
            pairs = zip(slot["physicalPorts"], catalog.USER_PROFILE_NETWORKS, strict=True)
            connections = [
                resource_shapes.profile_connection(
                    cid,
                    f"{net.lower()}-{cid}",
                    network_uris[net],
                    port,
                    f"{slot['location']} {slot['slotNumber']}:{port['portNumber']}-a",
                )
                for cid, (port, net) in enumerate(pairs, start=1)
            ]
            pid, serial = self.new_id(), self.serial("VCG")
            profile = self.add(
                "server-profiles",
                pid,
                f"web-tier-{number}",
                "Normal",
                "OK",
                description="",
                uuid=pid,
                serialNumber=serial,
                serverHardwareUri=server["uri"],
                serverHardwareTypeUri=server["serverHardwareTypeUri"],
                enclosureGroupUri=group.eg_uri,
                enclosureUri=server["locationUri"],
                enclosureBay=server["position"],
                connectionSettings={"reapplyState": "NotApplying", "connections": connections},
                **resource_shapes.profile_settings(),
            )
            # What applying the profile did to the hardware: it owns it, with virtual identity.
            server["serverProfileUri"] = profile["uri"]
            server["state"] = "ProfileApplied"
            server["virtualUuid"] = pid
            server["virtualSerialNumber"] = serial
