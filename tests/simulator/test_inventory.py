"""The generated starting inventory: deterministic, consistent, and as the contract shapes it.

The simulator's rules (uplink sets, templates, profile ownership) later run against this data, so
these tests pin the invariants those rules assume rather than individual values.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from oneview_openstack.simulator.inventory import CATEGORIES, build_inventory, split_servers

Inventory = dict[str, list[dict[str, Any]]]

MAC_RE = re.compile(r"^02(:[0-9A-F]{2}){5}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SMBIOS_RE = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
ENCLOSURE_ID_RE = re.compile(r"^0000[0-9A-F]{6}$")
PORT_ID_RE = re.compile(r"^(?P<location>\w+) (?P<slot>\d+):(?P<port>\d+)-(?P<function>[a-h])$")
#: URIs that point outside the generated inventory on purpose.
EXTERNAL_URI_KEYS = {
    "fabricUri",
    "scopesUri",
    "scopeUris",
    "remoteSupportUri",  # /rest/support/...: the appliance's remote support, not simulated
    "supportDataCollectionsUri",
}
#: URIs of a resource's own sub-resources (served by routes, not stored).
SUB_RESOURCE_URI_KEYS = {"serverFirmwareInventoryUri"}
#: Catalogs a frame's fields cite that the simulator does not serve (TOPO, issue 18).
EXTERNAL_URI_KEYS |= {
    "interconnectTypeUri",
    "permittedInterconnectTypeUri",
    "logicalDownlinkUri",
    "enclosureTypeUri",
    "domainUri",
    "fusionDomainUri",
    "remoteSupportUri",
    "supportDataCollectionsUri",
}


@pytest.fixture(scope="module")
def inv() -> Inventory:
    """100 servers: 85 blades in 8 frames, so 3 groups, the last one of only 2 frames."""
    return build_inventory(seed=7, servers=100)


def blades(inv: Inventory) -> list[dict[str, Any]]:
    return [sh for sh in inv["server-hardware"] if sh["locationUri"] is not None]


def racks(inv: Inventory) -> list[dict[str, Any]]:
    return [sh for sh in inv["server-hardware"] if sh["locationUri"] is None]


def by_uri(inv: Inventory) -> dict[str, dict[str, Any]]:
    return {res["uri"]: res for resources in inv.values() for res in resources}


def walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair nested anywhere in ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, key)


def all_macs(inv: Inventory) -> list[str]:
    """MACs the hardware owns (profile connections only echo a server's MAC)."""
    macs = [ic["interconnectMAC"] for ic in inv["interconnects"]]
    for sh in inv["server-hardware"]:
        for slot in sh["portMap"]["deviceSlots"]:
            for port in slot["physicalPorts"]:
                macs.append(port["mac"])
                macs += [vp["mac"] for vp in port["virtualPorts"]]
    return macs


# --- determinism --------------------------------------------------------------------------


def test_same_seed_and_size_give_identical_output() -> None:
    assert json.dumps(build_inventory(3, 40)) == json.dumps(build_inventory(3, 40))


def test_default_arguments_are_seed_0_and_16_servers() -> None:
    assert json.dumps(build_inventory()) == json.dumps(build_inventory(0, 16))


def test_different_seeds_give_different_ids_and_macs() -> None:
    a, b = build_inventory(0, 16), build_inventory(1, 16)
    shared = set(by_uri(a)) & set(by_uri(b))
    assert shared == {d["uri"] for d in a["login-domains"]}  # named, not generated
    assert not set(all_macs(a)) & set(all_macs(b))
    # The layout itself does not depend on the seed.
    assert [sh["name"] for sh in a["server-hardware"]] == [
        sh["name"] for sh in b["server-hardware"]
    ]


# --- sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("servers", "expected"),
    [(0, (0, 0)), (1, (1, 0)), (3, (3, 0)), (4, (3, 1)), (16, (14, 2)), (100, (85, 15))],
)
def test_blade_rack_split(servers: int, expected: tuple[int, int]) -> None:
    assert split_servers(servers) == expected
    inv = build_inventory(servers=servers)
    assert (len(blades(inv)), len(racks(inv))) == expected


@pytest.mark.parametrize("servers", range(0, 30))
def test_split_rules_hold_for_small_sizes(servers: int) -> None:
    n_blades, n_racks = split_servers(servers)
    assert n_blades + n_racks == servers
    assert n_blades >= min(servers, 1)
    assert n_racks >= (1 if servers >= 4 else 0)


def test_zero_servers_keeps_every_category_and_one_frame() -> None:
    inv = build_inventory(servers=0)
    assert list(inv) == list(CATEGORIES)
    assert inv["server-hardware"] == [] and inv["server-profiles"] == []
    # The network side still works: one frame, its LI and uplink sets, and the templates.
    assert len(inv["enclosures"]) == 1 and len(inv["uplink-sets"]) == 2
    assert len(inv["server-profile-templates"]) == 5


@pytest.mark.parametrize("servers", [-1, 10**6])
def test_out_of_range_sizes_are_refused(servers: int) -> None:
    with pytest.raises(ValueError):
        build_inventory(servers=servers)


# --- stored form and identity -------------------------------------------------------------


def test_every_category_is_present_in_order(inv: Inventory) -> None:
    assert list(inv) == list(CATEGORIES)


def test_stored_form(inv: Inventory) -> None:
    for category, resources in inv.items():
        for res in resources:
            assert {"uri", "category", "name", "description", "state", "status"} <= set(res)
            assert not {"type", "eTag", "created", "modified"} & set(res), res["uri"]
            assert res["description"] is None or isinstance(res["description"], str)
            if category == "login-domains":
                assert res["uri"] == f"/rest/logindomains/{res['name']}"
                continue
            assert res["category"] == category
            assert res["uri"].startswith(f"/rest/{category}/")
            rid = res["uri"].rsplit("/", 1)[1]
            if category == "server-hardware":
                assert SMBIOS_RE.match(rid) and res["uuid"] == rid
            elif category == "enclosures":
                assert ENCLOSURE_ID_RE.match(rid)
            else:
                assert UUID_RE.match(rid), res["uri"]


def test_login_domains(inv: Inventory) -> None:
    assert [d["loginDomain"] for d in inv["login-domains"]] == ["LOCAL", "corp.example"]
    assert inv["login-domains"][0]["uri"] == "/rest/logindomains/LOCAL"


def test_no_two_resources_share_a_container(inv: Inventory) -> None:
    """The store edits resources in place: shared lists would leak edits across resources."""
    owner: dict[int, str] = {}
    for resources in inv.values():
        for res in resources:
            for _key, value in walk(res):
                if isinstance(value, dict | list):
                    assert owner.setdefault(id(value), res["uri"]) == res["uri"]


def test_names_unique_within_each_category(inv: Inventory) -> None:
    for category, resources in inv.items():
        dupes = [n for n, c in Counter(r["name"] for r in resources).items() if c > 1]
        assert not dupes, (category, dupes)


def test_referential_integrity(inv: Inventory) -> None:
    known = set(by_uri(inv))
    known |= {port["uri"] for ic in inv["interconnects"] for port in ic["ports"]}
    checked = 0
    for resources in inv.values():
        for res in resources:
            for key, value in walk(res):
                if key in SUB_RESOURCE_URI_KEYS:
                    assert value.startswith(res["uri"] + "/"), (res["uri"], key, value)
                    continue
                if key in EXTERNAL_URI_KEYS or not (
                    key.endswith(("Uri", "Uris")) or key == "interconnects"
                ):
                    continue
                for uri in value if isinstance(value, list) else [value]:
                    if uri is not None:
                        assert uri in known, (res["uri"], key, uri)
                        checked += 1
    assert checked > 500


def test_macs_unique_and_locally_administered(inv: Inventory) -> None:
    macs = all_macs(inv)
    assert all(MAC_RE.match(mac) for mac in macs)
    assert len(set(macs)) == len(macs)
    # 85 blades x 2 ports x (1 + 4 functions), 15 racks x 2..4 ports, 8 frames x 2 interconnects.
    assert len(macs) >= 85 * 10 + 15 * 2 + 16


def test_server_identity_fields_unique(inv: Inventory) -> None:
    servers = inv["server-hardware"]
    for field in ("serialNumber", "mpIpAddress", "mpDnsName"):
        assert len({sh[field] for sh in servers}) == len(servers), field
    for sh in servers:
        addresses = {a["type"]: a["address"] for a in sh["mpHostInfo"]["mpIpAddresses"]}
        assert addresses["Static"] == sh["mpIpAddress"] and sh["mpIpAddress"].startswith("172.18.")
        assert sh["mpHostInfo"]["mpHostName"] == sh["mpDnsName"]


# --- frames, interconnects, uplink sets ---------------------------------------------------


def test_frames_grouped_in_threes(inv: Inventory) -> None:
    uris = by_uri(inv)
    assert len(inv["enclosures"]) == 8  # ceil(85 / 12)
    assert len(inv["enclosure-groups"]) == len(inv["logical-interconnects"]) == 3
    assert [eg["enclosureCount"] for eg in inv["enclosure-groups"]] == [3, 3, 2]
    for li in inv["logical-interconnects"]:
        assert li["consistencyStatus"] == "CONSISTENT"
        frames = [uris[u] for u in li["enclosureUris"]]
        assert {f["enclosureGroupUri"] for f in frames} == {
            e["enclosureGroupUri"] for e in frames[:1]
        }
        assert all(f["logicalInterconnectUris"] == [li["uri"]] for f in frames)
        eg = uris[frames[0]["enclosureGroupUri"]]
        assert {m["logicalInterconnectGroupUri"] for m in eg["interconnectBayMappings"]} == {
            li["logicalInterconnectGroupUri"]
        }
        # Every frame of the group has its own interconnects in bays 3 and 6, all in the LI.
        placed = []
        for ic_uri in li["interconnects"]:
            ic = uris[ic_uri]
            assert ic["logicalInterconnectUri"] == li["uri"]
            entries = {e["type"]: e["value"] for e in ic["interconnectLocation"]["locationEntries"]}
            assert entries["Enclosure"] == ic["enclosureUri"]
            frame = uris[ic["enclosureUri"]]
            assert ic["enclosureName"] == frame["name"]
            assert ic["name"] == f"{frame['name']}, interconnect {entries['Bay']}"
            placed.append((ic["enclosureUri"], entries["Bay"]))
        assert placed == [(u, bay) for u in li["enclosureUris"] for bay in ("3", "6")]
        lig = uris[li["logicalInterconnectGroupUri"]]
        mapped = [
            (m["enclosureIndex"], m["logicalLocation"]["locationEntries"][1]["relativeValue"])
            for m in lig["interconnectMapTemplate"]["interconnectMapEntryTemplates"]
        ]
        assert mapped == [(i, bay) for i in lig["enclosureIndexes"] for bay in (3, 6)]
    # Each interconnect belongs to exactly one LI.
    members = [u for li in inv["logical-interconnects"] for u in li["interconnects"]]
    assert sorted(members) == sorted(ic["uri"] for ic in inv["interconnects"])


def test_uplink_sets_one_vlan_each_and_one_set_per_network(inv: Inventory) -> None:
    uris = by_uri(inv)
    per_li: dict[str, list[str]] = {}
    for us in inv["uplink-sets"]:
        nets = [uris[u] for u in us["networkUris"]]
        assert all(n["ethernetNetworkType"] == us["ethernetNetworkType"] for n in nets)
        vlans = [n["vlanId"] for n in nets]
        assert len(set(vlans)) == len(vlans)
        if us["ethernetNetworkType"] == "Untagged":
            assert vlans == [0]  # an appliance's vlanId of an Untagged network
        else:
            assert 0 not in vlans
        per_li.setdefault(us["logicalInterconnectUri"], []).extend(us["networkUris"])
    assert len(per_li) == len(inv["logical-interconnects"])
    for members in per_li.values():
        assert len(members) == len(set(members)) == len(inv["ethernet-networks"])


def test_uplink_set_ports_are_the_interconnects_and_distinct(inv: Inventory) -> None:
    uris = by_uri(inv)
    used: set[str] = set()
    for us in inv["uplink-sets"]:
        li = uris[us["logicalInterconnectUri"]]
        ports = {p["uri"] for u in li["interconnects"] for p in uris[u]["ports"]}
        for config in us["portConfigInfos"]:
            assert config["portUri"] in ports and config["portUri"] not in used
            used.add(config["portUri"])


def test_lig_uplink_templates_mirror_li_uplink_sets(inv: Inventory) -> None:
    uris = by_uri(inv)
    for li in inv["logical-interconnects"]:
        lig = uris[li["logicalInterconnectGroupUri"]]
        live = {
            us["name"]: us["networkUris"]
            for us in inv["uplink-sets"]
            if us["logicalInterconnectUri"] == li["uri"]
        }
        assert {t["name"]: t["networkUris"] for t in lig["uplinkSets"]} == live


def test_pre_existing_networks(inv: Inventory) -> None:
    nets = {n["name"]: n for n in inv["ethernet-networks"]}
    assert {name: (n["ethernetNetworkType"], n["vlanId"]) for name, n in nets.items()} == {
        "Management": ("Tagged", 10),
        "Deploy": ("Tagged", 100),
        "Storage": ("Tagged", 20),
        "Native": ("Untagged", 0),
    }
    assert nets["Management"]["purpose"] == "Management"
    (net_set,) = inv["network-sets"]
    owners = [n["connectionTemplateUri"] for n in (*nets.values(), net_set)]
    assert sorted(owners) == sorted(t["uri"] for t in inv["connection-templates"])
    assert net_set["networkSetType"] == "Regular"
    assert sorted(net_set["networkUris"]) == sorted(
        n["uri"] for n in nets.values() if n["ethernetNetworkType"] == "Tagged"
    )


# --- servers ------------------------------------------------------------------------------


def test_blade_port_map_shape(inv: Inventory) -> None:
    uris = by_uri(inv)
    for sh in blades(inv):
        # A Synergy 480 has three mezzanine slots (1 and 2 empty here) and no FlexibleLOM.
        mezz, *empty = sh["portMap"]["deviceSlots"]
        assert (mezz["location"], mezz["slotNumber"]) == ("Mezz", 3)
        assert [(e["location"], e["slotNumber"], e["deviceName"]) for e in empty] == [
            ("Mezz", 1, ""),
            ("Mezz", 2, ""),
        ]
        assert all(e["physicalPorts"] == [] for e in empty)
        frame = uris[sh["locationUri"]]
        li = uris[frame["logicalInterconnectUris"][0]]
        assert sh["name"] == f"{frame['name']}, bay {sh['position']}"
        assert sh["serverGroupUri"] == frame["enclosureGroupUri"]
        for port, bay in zip(mezz["physicalPorts"], ("3", "6"), strict=True):
            ic = uris[port["interconnectUri"]]
            assert ic["uri"] in li["interconnects"]
            assert ic["enclosureUri"] == sh["locationUri"]  # its own frame's module
            assert ic["interconnectLocation"]["locationEntries"][1]["value"] == bay
            assert port["interconnectPort"] == port["physicalInterconnectPort"] == sh["position"]
            assert port["physicalInterconnectUri"] == port["interconnectUri"]
            assert [vp["portFunction"] for vp in port["virtualPorts"]] == list("abcd")
            assert [vp["portNumber"] for vp in port["virtualPorts"]] == [1, 2, 3, 4]


def blade_downlinks(inv: Inventory) -> list[tuple[str, int]]:
    return [
        (port["interconnectUri"], port["interconnectPort"])
        for sh in blades(inv)
        for slot in sh["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
    ]


def test_blade_downlinks_unique(inv: Inventory) -> None:
    """No two blade ports share an interconnect downlink, even across frames of one LI."""
    downlinks = blade_downlinks(inv)
    assert len(downlinks) == 85 * 2
    assert [d for d, c in Counter(downlinks).items() if c > 1] == []


def test_rack_port_map_shape(inv: Inventory) -> None:
    for sh in racks(inv):
        assert sh["position"] is None and sh["serverGroupUri"] is None
        assert sh["name"].startswith("rack-dl360-")
        (slot,) = sh["portMap"]["deviceSlots"]
        assert 2 <= len(slot["physicalPorts"]) <= 4
        for port in slot["physicalPorts"]:
            assert port["interconnectUri"] is None and port["interconnectPort"] is None
            assert port["virtualPorts"] == [] and MAC_RE.match(port["mac"])


def test_server_fields_and_environment(inv: Inventory) -> None:
    servers = inv["server-hardware"]
    types = {t["uri"]: t for t in inv["server-hardware-types"]}
    assert {sh["powerState"] for sh in servers} == {"On", "Off"}
    assert 0.1 < sum(sh["powerState"] == "On" for sh in servers) / len(servers) < 0.3
    for sh in servers:
        gen9 = sh["model"].endswith("Gen9")
        assert sh["mpModel"] == ("iLO4" if gen9 else "iLO5") and sh["processorCount"] == 2
        assert sh["memoryMb"] in (131072, 262144, 393216)
        assert sh["processorCoreCount"] in (14, 20, 24)
        assert sh["status"] in ("OK", "Warning")
        assert types[sh["serverHardwareTypeUri"]]["formFactor"] == sh["formFactor"]
        env = sh["_environment"]
        assert 18 <= env["ambientTemperatureC"] <= 27 and 35 <= env["cpuTemperatureC"] <= 70
        assert 120 <= env["averagePowerW"] <= env["peakPowerW"]
        (controller,) = sh["_storage"]["controllers"]
        assert len(controller["drives"]) >= 2
        for drive in controller["drives"]:
            assert drive["capacityGB"] in (480, 960, 1920, 1200, 2400)


def test_hardware_types(inv: Inventory) -> None:
    blade_type, rack_type, gen9_type = inv["server-hardware-types"]
    assert blade_type["name"] == "SY 480 Gen10 1" and rack_type["name"] == "DL360 Gen10 1"
    assert gen9_type["name"] == "DL360 Gen9 1"
    assert {"ManageBootOrder", "VCConnections", "VirtualMAC"} <= set(blade_type["capabilities"])
    # OneView manages a DL Gen10's boot order (iLO 5), never a Gen9's; racks have no VC.
    assert "ManageBootOrder" in rack_type["capabilities"]
    assert "ManageBootOrder" not in gen9_type["capabilities"]
    for rack in (rack_type, gen9_type):
        assert not {"VCConnections", "VirtualMAC"} & set(rack["capabilities"])
        assert rack["platform"] == "RackServer" and rack["formFactor"] == "1U"
    assert [t["generation"] for t in (blade_type, rack_type, gen9_type)] == ["Gen10"] * 2 + ["Gen9"]
    (mezz,) = blade_type["adapters"]
    assert (mezz["location"], mezz["slot"], len(mezz["ports"])) == ("Mezz", 3, 2)
    assert all(p["physicalFunctionCount"] == 4 for p in mezz["ports"])


# --- templates and profiles ---------------------------------------------------------------


def resolve_port_id(sh: dict[str, Any], port_id: str) -> dict[str, Any]:
    """The virtual port a connection's portId names on a server, or an AssertionError."""
    m = PORT_ID_RE.match(port_id)
    assert m, port_id
    for slot in sh["portMap"]["deviceSlots"]:
        if (slot["location"], slot["slotNumber"]) != (m["location"], int(m["slot"])):
            continue
        for port in slot["physicalPorts"]:
            if port["portNumber"] == int(m["port"]):
                for vp in port["virtualPorts"]:
                    if vp["portFunction"] == m["function"]:
                        return {**vp, "physical": port}
    raise AssertionError(f"{port_id} not on {sh['name']}")


def test_three_template_kinds_per_enclosure_group(inv: Inventory) -> None:
    templates = {t["name"]: t for t in inv["server-profile-templates"]}
    blade_type = inv["server-hardware-types"][0]["uri"]
    deploy = next(n["uri"] for n in inv["ethernet-networks"] if n["name"] == "Deploy")
    assert len(templates) == 3 * len(inv["enclosure-groups"]) + 2
    for eg in inv["enclosure-groups"]:
        good = templates[f"ironic-{eg['name']}"]
        virtual = templates[f"ironic-virtual-mac-{eg['name']}"]
        unmanaged = templates[f"no-manage-boot-{eg['name']}"]
        for t in (good, virtual, unmanaged):
            assert t["enclosureGroupUri"] == eg["uri"]
            assert t["serverHardwareTypeUri"] == blade_type
            assert t["connectionSettings"]["manageConnections"] is True
            assert [c["networkUri"] for c in t["connectionSettings"]["connections"]] == [deploy] * 2
            assert t["status"] == "OK" and t["state"] is None
        assert good["boot"] == {"manageBoot": True, "order": ["PXE", "HardDisk"]}
        assert good["macType"] == "Physical" and virtual["macType"] == "Virtual"
        assert unmanaged["boot"] == {"manageBoot": False, "order": []}
        priorities = [c["boot"]["priority"] for c in good["connectionSettings"]["connections"]]
        assert priorities == ["Primary", "NotBootable"]
        # Every blade of the group can carry the template's connections.
        for sh in blades(inv):
            if sh["serverGroupUri"] == eg["uri"]:
                for conn in good["connectionSettings"]["connections"]:
                    resolve_port_id(sh, conn["portId"])
    rack = templates["ironic-dl360"]
    assert rack["enclosureGroupUri"] is None
    assert rack["boot"] == {"manageBoot": True, "order": ["PXE", "HardDisk"]}
    assert templates["ironic-dl360-gen9"]["boot"] == {"manageBoot": False, "order": []}
    assert rack["serverHardwareTypeUri"] == inv["server-hardware-types"][1]["uri"]
    assert rack["connectionSettings"] == {"manageConnections": False, "connections": []}


def test_each_blade_has_matching_templates(inv: Inventory) -> None:
    pairs = {
        (t["serverHardwareTypeUri"], t["enclosureGroupUri"])
        for t in inv["server-profile-templates"]
    }
    for sh in inv["server-hardware"]:
        assert (sh["serverHardwareTypeUri"], sh["serverGroupUri"]) in pairs


def test_pre_assigned_profiles_are_consistent(inv: Inventory) -> None:
    uris = by_uri(inv)
    profiles = inv["server-profiles"]
    assert len(profiles) == len(blades(inv)) // 10
    owned = [sh for sh in inv["server-hardware"] if sh["serverProfileUri"]]
    assert len(owned) == len(profiles)
    for profile in profiles:
        assert profile["name"].startswith("web-tier-")
        assert profile["serverProfileTemplateUri"] is None
        sh = uris[profile["serverHardwareUri"]]
        assert sh["serverProfileUri"] == profile["uri"] and sh["state"] == "ProfileApplied"
        assert sh["virtualSerialNumber"] == profile["serialNumber"]
        assert profile["serverHardwareTypeUri"] == sh["serverHardwareTypeUri"]
        assert profile["enclosureGroupUri"] == sh["serverGroupUri"]
        assert profile["enclosureUri"] == sh["locationUri"]
        assert profile["enclosureBay"] == sh["position"]
        assert profile["state"] == "Normal" and profile["inProgress"] is False
        for conn in profile["connectionSettings"]["connections"]:
            vp = resolve_port_id(sh, conn["portId"])
            assert conn["mac"] == vp["mac"] and vp["portFunction"] == "a"
            assert conn["interconnectUri"] == vp["physical"]["interconnectUri"]
            assert conn["macType"] == "Physical" and conn["state"] == "Deployed"
    for sh in inv["server-hardware"]:
        if not sh["serverProfileUri"]:
            assert sh["state"] == "NoProfileApplied" and sh["virtualUuid"] is None


@pytest.mark.parametrize(("servers", "profiles"), [(4, 0), (8, 0), (9, 1), (16, 1), (40, 3)])
def test_profile_count_for_small_sizes(servers: int, profiles: int) -> None:
    assert len(build_inventory(servers=servers)["server-profiles"]) == profiles


# --- scale --------------------------------------------------------------------------------


def test_ten_thousand_servers() -> None:
    inv = build_inventory(seed=1, servers=10_000)
    counts = {category: len(resources) for category, resources in inv.items()}
    assert counts["server-hardware"] == 10_000
    assert len(blades(inv)) == 8_500 and len(racks(inv)) == 1_500
    assert counts["enclosures"] == 709  # ceil(8500 / 12)
    assert counts["enclosure-groups"] == counts["logical-interconnects"] == 237
    assert counts["uplink-sets"] == 2 * 237
    assert counts["interconnects"] == 2 * 709
    downlinks = blade_downlinks(inv)
    assert len(set(downlinks)) == len(downlinks) == 2 * 8_500
    assert counts["server-profile-templates"] == 3 * 237 + 2
    assert counts["server-profiles"] == 850
    macs = all_macs(inv)
    assert len(set(macs)) == len(macs) > 85_000
    assert len({sh["uri"] for sh in inv["server-hardware"]}) == 10_000
    assert len({sh["mpIpAddress"] for sh in inv["server-hardware"]}) == 10_000
