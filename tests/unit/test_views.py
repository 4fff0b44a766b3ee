"""The client's read-only views over JSON samples: the one portMap walk, MAC and CPU rules.

Samples in ``samples/`` are bodies the simulator served (a Synergy compute module with FlexNICs,
a DL360 rack server without), edited copies make the edge cases.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from oneview_openstack.client import views

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def test_synergy_ports_are_flexnic_a_with_their_own_macs():
    server = sample("server_hardware_synergy")
    ports = views.ethernet_ports(server)
    first = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
    assert [p.port_id for p in ports] == ["Mezz 3:1-a", "Mezz 3:2-a"]
    assert ports[0].mac == first["virtualPorts"][0]["mac"].lower()
    assert ports[0].physical_mac == first["mac"].lower()
    assert ports[0].mac != ports[0].physical_mac
    assert ports[0].interconnect_uri == first["interconnectUri"]
    assert ports[0].downlink == first["interconnectPort"]
    assert ports[0].has_flexnics and ports[0].label == "Mezz 3:1-a"


def test_rack_ports_use_the_physical_mac_and_say_unmanaged():
    server = sample("server_hardware_rack")
    ports = views.ethernet_ports(server)
    assert ports, "the rack sample has Ethernet ports"
    for port in ports:
        assert not port.has_flexnics
        assert port.mac == port.physical_mac
        assert port.port_id.endswith("-a") and not port.label.endswith("-a")
        assert views.local_link(port, "AA:BB:CC:00:11:22") == {"network_type": "unmanaged"}


def test_a_flexnic_without_a_mac_leaves_its_port_out():
    server = sample("server_hardware_synergy")
    port = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
    port["virtualPorts"][0]["mac"] = None
    ports = views.ethernet_ports(server)
    assert [p.port_id for p in ports] == ["Mezz 3:2-a"]
    assert port["mac"]  # the physical MAC was there and is not used instead


def test_non_ethernet_and_malformed_entries_are_skipped():
    server = sample("server_hardware_synergy")
    slots = server["portMap"]["deviceSlots"]
    slots[0]["physicalPorts"][1]["type"] = "FibreChannel"
    slots.append("not a slot")
    slots.append(
        {
            "location": "Mezz",
            "slotNumber": 4,
            "physicalPorts": [None, {"type": "Ethernet", "mac": "zz"}],
        }
    )
    assert [p.port_id for p in views.ethernet_ports(server)] == ["Mezz 3:1-a"]
    assert views.ethernet_ports({}) == ()
    assert views.ethernet_ports({"portMap": None}) == ()


def test_local_link_names_the_interconnect_and_downlink():
    port = views.ethernet_ports(sample("server_hardware_synergy"))[0]
    assert views.local_link(port, "AA-BB-CC-00-11-22") == {
        "switch_id": "aa:bb:cc:00:11:22",
        "port_id": f"d{port.downlink}",
        "switch_info": port.interconnect_uri,
    }
    assert views.local_link(port, None) == {"network_type": "unmanaged"}


def test_port_for_mac_finds_any_function_in_any_form():
    server = sample("server_hardware_synergy")
    physical = server["portMap"]["deviceSlots"][0]["physicalPorts"][1]
    flexnic_c = physical["virtualPorts"][2]
    assert views.port_for_mac(server, flexnic_c["mac"].replace(":", "-").lower()) == "Mezz 3:2-c"
    assert views.port_for_mac(server, physical["mac"]) == "Mezz 3:2-a"
    assert views.port_for_mac(server, "00:00:00:00:00:01") is None
    assert views.port_for_mac(server, "not-a-mac") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"),
        ("aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff"),
        ("aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff"),
        ("aabbccddeeff", "aa:bb:cc:dd:ee:ff"),
        ("aa:bb:cc:dd:ee", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_normalise_mac(value, expected):
    assert views.normalise_mac(value) == expected


@pytest.mark.parametrize(
    ("processor", "arch"),
    [
        ("Intel(R) Xeon(R) Gold 5120 CPU @ 2.20GHz", "x86_64"),
        ("AMD EPYC 9354 32-Core Processor", "x86_64"),
        ("Ampere(R) Altra(R) Processor Q80-30", "aarch64"),
        ("", None),
        (None, None),
    ],
)
def test_cpu_arch_is_one_rule(processor, arch):
    assert views.cpu_arch({"processorType": processor}) == arch


def test_profile_connections_read_both_layouts():
    template = sample("server_profile_template")
    nested = views.profile_connections(template)
    raw = template["connectionSettings"]["connections"]
    assert len(nested) == len(raw) > 0
    assert nested[0].port_id == raw[0]["portId"]
    assert nested[0].network_uri == raw[0].get("networkUri")
    assert nested[0].boot_priority == (raw[0].get("boot") or {}).get("priority")
    flat = copy.deepcopy(template)
    flat["connections"] = flat.pop("connectionSettings")["connections"]
    assert views.profile_connections(flat) == nested
    assert views.profile_connections({"connections": "garbage"}) == ()
