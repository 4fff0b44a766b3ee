"""Frames and their fabric over real HTTPS: a client walks enclosure -> device bay -> blade ->
its downlink port -> interconnect -> logical interconnect, and the uplink ports name the uplink
sets that hold them, also after uplink-set changes at run time (docs/simulator.md)."""

from __future__ import annotations

from typing import Any

from oneview_openstack.simulator.testing import ApplianceClient

Resource = dict[str, Any]


def get(api: ApplianceClient, uri: str) -> Resource:
    reply = api.get(uri)
    assert reply.status_code == 200, (uri, reply.text)
    return reply.json()


def port_named(interconnect: Resource, name: str) -> Resource:
    (port,) = [p for p in interconnect["ports"] if p["portName"] == name]
    return port


def test_walk_enclosure_bay_blade_downlink_interconnect_logical_interconnect(api):
    walked = 0
    for enclosure in api.members("enclosures"):
        bays = {bay["bayNumber"]: bay for bay in enclosure["interconnectBays"]}
        for device_bay in enclosure["deviceBays"]:
            if device_bay["devicePresence"] != "Present":
                continue
            assert device_bay["uri"] == f"{enclosure['uri']}/device-bays/{device_bay['bayNumber']}"
            blade = get(api, device_bay["deviceUri"])
            assert (blade["locationUri"], blade["position"]) == (
                enclosure["uri"],
                device_bay["bayNumber"],
            )
            assert device_bay["serialNumber"] == blade["serialNumber"]
            assert device_bay["profileUri"] == blade["serverProfileUri"]
            for slot in blade["portMap"]["deviceSlots"]:
                for physical in slot["physicalPorts"]:
                    interconnect = get(api, physical["interconnectUri"])
                    downlink = port_named(interconnect, f"d{physical['interconnectPort']}")
                    assert downlink["portType"] == "Downlink"
                    assert downlink["portStatus"] == "Linked"
                    assert downlink["operationalSpeed"] == "Speed20G"
                    assert downlink["neighbor"]["linkUri"] == blade["uri"]
                    assert downlink["neighbor"]["remoteChassisId"] == physical["mac"].lower()
                    assert downlink["associatedUplinkSetUri"] is None
                    # The frame's interconnect bay holds this interconnect.
                    bay = interconnect["interconnectLocation"]["locationEntries"]
                    bay_number = int(next(e["value"] for e in bay if e["type"] == "Bay"))
                    assert bays[bay_number]["interconnectUri"] == interconnect["uri"]
                    li = get(api, interconnect["logicalInterconnectUri"])
                    assert bays[bay_number]["logicalInterconnectUri"] == li["uri"]
                    assert interconnect["uri"] in li["interconnects"]
                    (entry,) = [
                        e
                        for e in li["interconnectMap"]["interconnectMapEntries"]
                        if e["interconnectUri"] == interconnect["uri"]
                    ]
                    where = {e["type"]: e["value"] for e in entry["location"]["locationEntries"]}
                    assert where == {"Enclosure": enclosure["uri"], "Bay": str(bay_number)}
                    walked += 1
    assert walked == 2 * sum(1 for sh in api.members("server-hardware") if sh.get("locationUri"))


def test_bays_without_a_device_say_so(api):
    enclosures = api.members("enclosures")
    blades = {
        (sh["locationUri"], sh["position"])
        for sh in api.members("server-hardware")
        if sh["locationUri"]
    }
    absent = 0
    for enclosure in enclosures:
        assert enclosure["deviceBayCount"] == len(enclosure["deviceBays"]) == 12
        for bay in enclosure["deviceBays"]:
            present = (enclosure["uri"], bay["bayNumber"]) in blades
            assert bay["devicePresence"] == ("Present" if present else "Absent")
            if not present:
                assert bay["deviceUri"] is bay["coveredByDevice"] is bay["profileUri"] is None
                absent += 1
        empty = [b["bayNumber"] for b in enclosure["interconnectBays"] if b["empty"]]
        assert empty == [1, 2, 4, 5]
        assert all(
            b["interconnectUri"] is None for b in enclosure["interconnectBays"] if b["empty"]
        )
        assert len(enclosure["powerSupplyBays"]) == enclosure["powerSupplyBayCount"]
        assert len(enclosure["fanBays"]) == enclosure["fanBayCount"]
    assert absent > 0  # the default inventory's last frame is not full
    composers = [
        bay for e in enclosures for bay in e["applianceBays"] if bay["devicePresence"] == "Present"
    ]
    assert [c["model"] for c in composers] == ["Synergy Composer"]


def test_downlinks_of_empty_bays_are_unlinked(api):
    enclosure = api.members("enclosures")[-1]
    empty = [b["bayNumber"] for b in enclosure["deviceBays"] if b["devicePresence"] == "Absent"]
    assert empty
    for bay in enclosure["interconnectBays"]:
        if bay["empty"]:
            continue
        interconnect = get(api, bay["interconnectUri"])
        for number in empty:
            port = port_named(interconnect, f"d{number}")
            assert (port["portStatus"], port["neighbor"], port["operationalSpeed"]) == (
                "Unlinked",
                None,
                "Speed0M",
            )


def test_uplink_ports_name_the_uplink_set_that_holds_them(api):
    cited: dict[str, str] = {}
    for uplink_set in api.members("uplink-sets"):
        for info in uplink_set["portConfigInfos"]:
            cited[info["portUri"]] = uplink_set["uri"]
    assert cited
    for interconnect in api.members("interconnects"):
        for port in interconnect["ports"]:
            if port["portType"] != "Uplink":
                continue
            assert port["associatedUplinkSetUri"] == cited.get(port["uri"]), port["uri"]
            if port["uri"] in cited:
                assert (
                    port["portStatus"] == "Linked" and port["neighbor"]["remoteType"] == "external"
                )
                assert port["lagId"] == int(port["portName"][1:])
            else:
                assert port["lagId"] == 0


def test_frame_link_modules_form_a_ring_within_the_group(api):
    by_group: dict[str, list[Resource]] = {}
    for enclosure in api.members("enclosures"):
        by_group.setdefault(enclosure["enclosureGroupUri"], []).append(enclosure)
    checked = 0
    for frames in by_group.values():
        if len(frames) < 2:
            assert all(m["linkedEnclosure"] is None for f in frames for m in f["managerBays"])
            continue
        for position, frame in enumerate(frames):
            after = frames[(position + 1) % len(frames)]
            flm = next(m for m in frame["managerBays"] if m["bayNumber"] == 1)
            peer = next(m for m in after["managerBays"] if m["bayNumber"] == 2)
            assert flm["linkedEnclosure"] == {"bayNumber": 2, "serialNumber": peer["serialNumber"]}
            assert flm["role"] == "Active" and flm["mgmtPortNeighbor"] is not None
            checked += 1
    assert checked


def test_logical_interconnect_settings_belong_to_it(api):
    for li in api.members("logical-interconnects"):
        for block in ("ethernetSettings", "igmpSettings"):
            assert li[block]["dependentResourceUri"] == li["uri"]
            assert li[block]["uri"] == f"{li['uri']}/{block}"
        assert li["portMonitor"]["uri"] == f"{li['uri']}/port-monitor"
        assert li["telemetryConfiguration"]["uri"].startswith(
            f"{li['uri']}/telemetry-configurations/"
        )
        assert li["qosConfiguration"]["activeQosConfig"]["configType"] == "Passthrough"
        assert li["fabricUri"] == api.members("fabrics")[0]["uri"]
        lig = get(api, li["logicalInterconnectGroupUri"])
        assert lig["ethernetSettings"]["dependentResourceUri"] == lig["uri"]
        assert {
            e["permittedInterconnectTypeUri"]
            for e in li["interconnectMap"]["interconnectMapEntries"]
        } == {
            e["permittedInterconnectTypeUri"]
            for e in lig["interconnectMapTemplate"]["interconnectMapEntryTemplates"]
        }


def test_lig_uplink_set_templates_list_the_ports_of_their_uplink_sets(api):
    for li in api.members("logical-interconnects"):
        lig = get(api, li["logicalInterconnectGroupUri"])
        templates = {t["name"]: t for t in lig["uplinkSets"]}
        for uplink_set in api.members("uplink-sets"):
            if uplink_set["logicalInterconnectUri"] != li["uri"]:
                continue
            wanted = set()
            for info in uplink_set["portConfigInfos"]:
                where = {e["type"]: e["value"] for e in info["location"]["locationEntries"]}
                index = li["enclosureUris"].index(where["Enclosure"]) + 1
                wanted.add((index, int(where["Bay"]), 60 + int(where["Port"][1:])))
            got = {
                tuple(
                    next(
                        e["relativeValue"]
                        for e in p["logicalLocation"]["locationEntries"]
                        if e["type"] == kind
                    )
                    for kind in ("Enclosure", "Bay", "Port")
                )
                for p in templates[uplink_set["name"]]["logicalPortConfigInfos"]
            }
            assert got == wanted


def test_uplink_set_changes_move_the_ports_association(api):
    li = api.members("logical-interconnects")[0]
    interconnect = get(api, li["interconnects"][0])
    free = port_named(interconnect, "Q3")
    assert free["associatedUplinkSetUri"] is None
    storage = next(n for n in api.members("ethernet-networks") if n["name"] == "Storage")
    tagged = next(
        us
        for us in api.members("uplink-sets")
        if us["logicalInterconnectUri"] == li["uri"] and storage["uri"] in us["networkUris"]
    )
    # Move Storage to a new uplink set on Q3.
    tagged["networkUris"].remove(storage["uri"])
    task = api.wait(api.put(tagged["uri"], json=tagged))
    assert task["taskState"] == "Completed", task
    body = {
        "name": "US-Q3",
        "networkType": "Ethernet",
        "ethernetNetworkType": "Tagged",
        "logicalInterconnectUri": li["uri"],
        "networkUris": [storage["uri"]],
        "portConfigInfos": [{"portUri": free["uri"], "desiredSpeed": "Auto"}],
        "connectionMode": "Auto",
    }
    task = api.wait(api.post("/rest/uplink-sets", json=body))
    assert task["taskState"] == "Completed", task
    created = task["associatedResource"]["resourceUri"]
    after = get(api, interconnect["uri"])
    assert port_named(after, "Q3")["associatedUplinkSetUri"] == created
    assert port_named(after, "Q3")["lagId"] == 3
    assert after["eTag"] != interconnect["eTag"]
    assert port_named(after, "Q1")["associatedUplinkSetUri"] == tagged["uri"]  # untouched

    task = api.wait(api.delete(created))
    assert task["taskState"] == "Completed", task
    gone = port_named(get(api, interconnect["uri"]), "Q3")
    assert (gone["associatedUplinkSetUri"], gone["lagId"]) == (None, 0)


def test_sub_resources_answer_what_the_body_carries(api):
    li = api.members("logical-interconnects")[0]
    for leaf, field in (
        ("ethernetSettings", "ethernetSettings"),
        ("igmpSettings", "igmpSettings"),
        ("snmp-configuration", "snmpConfiguration"),
        ("port-monitor", "portMonitor"),
        ("qos-aggregated-configuration", "qosConfiguration"),
    ):
        assert get(api, f"{li['uri']}/{leaf}") == li[field], leaf
    assert get(api, li["telemetryConfiguration"]["uri"]) == li["telemetryConfiguration"]
    assert api.get(f"{li['uri']}/telemetry-configurations/nope").status_code == 404
    interconnect = api.members("interconnects")[0]
    ports = get(api, f"{interconnect['uri']}/ports")
    assert ports["members"] == interconnect["ports"] and ports["total"] == 16
    first = interconnect["ports"][0]
    assert get(api, f"{interconnect['uri']}/ports/{first['portId']}") == first
    assert get(api, f"{interconnect['uri']}/ports/d3")["portType"] == "Downlink"
    assert api.get(f"{interconnect['uri']}/ports/Z9").status_code == 404
    lig = get(api, li["logicalInterconnectGroupUri"])
    settings = get(api, f"{lig['uri']}/settings")
    assert settings["ethernetSettings"] == lig["ethernetSettings"]
    defaults = get(api, "/rest/logical-interconnect-groups/defaultSettings")
    assert defaults["ethernetSettings"]["macRefreshInterval"] == 5


def test_environment_and_internal_vlans(api):
    enclosures = api.members("enclosures")
    first = get(api, f"{enclosures[0]['uri']}/environmentalConfiguration")
    assert first["calibratedMaxPower"] == enclosures[0]["powerCapacityWatts"]
    assert [p["psuId"] for p in first["psuList"]] == list(range(1, 7))
    assert (first["relativeOrder"], first["uSlot"]) == (1, 1)
    second = get(api, f"{enclosures[1]['uri']}/environmentalConfiguration")
    assert (second["relativeOrder"], second["rackName"]) == (2, first["rackName"])
    li = api.members("logical-interconnects")[0]
    vlans = get(api, f"{li['uri']}/internalVlans")
    networks = {n["uri"]: n for n in api.members("ethernet-networks")}
    carried = {
        uri
        for us in api.members("uplink-sets")
        if us["logicalInterconnectUri"] == li["uri"]
        for uri in us["networkUris"]
    }
    assert {m["generalNetworkUri"] for m in vlans["members"]} == carried
    for member in vlans["members"]:
        vlan = networks[member["generalNetworkUri"]]["vlanId"]
        assert member["internalVlanId"] == (vlan if vlan else -1)
    assert vlans["total"] == len(carried)


def test_device_bay_availability_follows_the_frame(api):
    enclosure = api.members("enclosures")[-1]
    bays = {bay["bayNumber"]: bay for bay in enclosure["deviceBays"]}
    for number, bay in bays.items():
        empty = bay["devicePresence"] == "Absent"
        assert bay["deviceFormFactor"] == ("Empty" if empty else "SingleHeightSingleWide")
        assert bay["availableForHalfHeightProfile"] is True
        below_empty = number <= 6 and bays[number + 6]["devicePresence"] == "Absent"
        assert bay["availableForFullHeightProfile"] is (empty and below_empty)


def test_fields_follow_the_api_version(simulator):
    seen = {}
    for version in (200, 1200, 1800, 2800):
        client = ApplianceClient(simulator, api_version=version)
        try:
            client.login()
            li = client.members("logical-interconnects")[0]
            settings = get(client, f"{li['logicalInterconnectGroupUri']}/settings")
            enclosure = client.members("enclosures")[0]
        finally:
            client.close()
        seen[version] = (
            "scopesUri" in enclosure,
            "igmpSettings" in li,
            "portFlapProtection" in li,
            "igmpSettings" in settings,
        )
    assert seen == {
        200: (False, False, False, False),
        1200: (True, False, False, False),
        1800: (True, True, False, True),
        2800: (True, True, True, True),
    }
