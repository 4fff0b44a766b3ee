"""Pure logic: mapping parsing and plans, connection edits, MACs, request checks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from neutron_lib import exceptions as n_exc
from oslo_config import cfg

from oneview_openstack import conf as ov_conf
from oneview_openstack.neutron import connections as conns
from oneview_openstack.neutron import validation
from oneview_openstack.neutron.errors import OneViewMappingError
from oneview_openstack.neutron.mappings import Mappings, neutron_id_of, oneview_name

US1 = "11111111-1111-1111-1111-111111111111"
US2 = "22222222-2222-2222-2222-222222222222"
NET = "33333333-3333-3333-3333-333333333333"
PORT = "44444444-4444-4444-4444-444444444444"
PORT2 = "55555555-5555-5555-5555-555555555555"


def _opts(**values: Any) -> Any:
    base = {"uplink_set_uuids": [], "uplink_set_mappings": [], "flat_network_mappings": []}
    return SimpleNamespace(**{**base, **values})


def test_options_are_registered_for_neutron_and_keep_the_seed_name():
    conf = cfg.ConfigOpts()
    ov_conf.register_opts(conf, "neutron")
    conf([], project="neutron")
    assert conf.oneview.uplink_set_uuids == []
    assert conf.oneview.delete_orphans is False
    assert conf.oneview.reconcile_interval == 600


def test_plans_follow_the_mappings():
    mappings = Mappings.from_conf(
        _opts(
            uplink_set_uuids=[US1],
            uplink_set_mappings=[f"physnet3:{US2}"],
            flat_network_mappings=[f"physnet2:{NET}"],
        )
    )
    mappings.uplink_set_types = {US1: "Tagged", US2: "Untagged"}
    vlan = mappings.plan("vlan", "physnet1", 42)
    assert (vlan.kind, vlan.network_type, vlan.vlan, vlan.uplink_sets) == (
        "create",
        "Tagged",
        42,
        (US1,),
    )
    assert mappings.plan("vlan", "physnet3", 42) is None  # physnet3 maps an untagged set only
    flat = mappings.plan("flat", "physnet3", None)
    assert (flat.network_type, flat.uplink_sets) == ("Untagged", (US2,))
    existing = mappings.plan("flat", "physnet2", None)
    assert existing.existing_uri == f"/rest/ethernet-networks/{NET}"
    assert mappings.plan("flat", "physnet9", None) is None
    assert mappings.plan("vxlan", None, 5) is None


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("uplink_set_uuids", ["not-a-uuid"], "'not-a-uuid'"),
        ("uplink_set_mappings", [US1], repr(US1)),
        ("uplink_set_mappings", [f":{US1}"], f"':{US1}'"),
        ("flat_network_mappings", [f"physnet2:{US1}", f"physnet2:{US2}"], "'physnet2' twice"),
    ],
)
def test_bad_mappings_name_the_entry(option, value, named):
    with pytest.raises(OneViewMappingError, match=option) as raised:
        Mappings.from_conf(_opts(**{option: value}))
    assert named in str(raised.value)


def test_names():
    assert oneview_name(NET) == f"Neutron [{NET}]"
    assert neutron_id_of(f"Neutron [{NET.upper()}]") == NET
    assert neutron_id_of("Deploy") is None and neutron_id_of(None) is None


@pytest.mark.parametrize(
    "mac", ["aa:bb:cc:dd:ee:0f", "AA-BB-CC-DD-EE-0F", "aabb.ccdd.ee0f", "aabbccddee0f"]
)
def test_macs_are_normalised(mac):
    assert conns.normalise_mac(mac) == "AA:BB:CC:DD:EE:0F"


def test_bad_mac():
    with pytest.raises(conns.UnknownMac, match="'zz'"):
        conns.normalise_mac("zz")


SERVER = {
    "portMap": {
        "deviceSlots": [
            {
                "location": "Mezz",
                "slotNumber": 3,
                "physicalPorts": [
                    {
                        "portNumber": 1,
                        "mac": "02:00:00:00:00:10",
                        "virtualPorts": [
                            {"portFunction": "a", "mac": "02:00:00:00:00:11"},
                            {"portFunction": "b", "mac": "02:00:00:00:00:12"},
                        ],
                    }
                ],
            }
        ]
    }
}


def test_port_map_lookup():
    assert conns.port_id_for_mac(SERVER, "02:00:00:00:00:12") == "Mezz 3:1-b"
    assert conns.port_id_for_mac(SERVER, "02:00:00:00:00:10") == "Mezz 3:1-a"
    assert conns.port_id_for_mac(SERVER, "02:00:00:00:00:99") is None


def _deploy() -> list[dict[str, Any]]:
    return [
        {
            "id": 1,
            "name": "deploy-1",
            "mac": "02:00:00:00:00:11",
            "portId": "Mezz 3:1-a",
            "networkUri": "/rest/ethernet-networks/deploy",
            "boot": {"priority": "Primary"},
        }
    ]


def test_attach_records_history_and_detach_restores_it():
    connections = _deploy()
    assert conns.attach(
        connections, port_id=PORT, mac="02:00:00:00:00:11", network_uri="/n/a", hw_port=None
    )
    assert connections[0]["name"] == f"Neutron [{PORT}] was deploy deploy-1"
    assert not conns.attach(
        connections, port_id=PORT, mac="02:00:00:00:00:11", network_uri="/n/a", hw_port=None
    )
    assert conns.wired(connections, PORT, "/n/a")
    # another port takes it over: the history stays, the owner changes
    conns.attach(
        connections, port_id=PORT2, mac="02:00:00:00:00:11", network_uri="/n/b", hw_port=None
    )
    assert connections[0]["name"] == f"Neutron [{PORT2}] was deploy deploy-1"
    assert not conns.detach(connections, port_id=PORT)
    assert conns.detach(connections, port_id=PORT2)
    assert connections == _deploy()


def test_attach_adds_a_connection_by_port_map_and_detach_removes_it():
    connections = _deploy()
    assert conns.attach(
        connections,
        port_id=PORT,
        mac="02:00:00:00:00:12",
        network_uri="/n/a",
        hw_port="Mezz 3:1-b",
        pxe=True,
    )
    added = connections[1]
    assert (added["portId"], added["boot"]["priority"]) == ("Mezz 3:1-b", "Secondary")
    assert conns.detach(connections, port_id=PORT)
    assert connections == _deploy()


def test_attach_refuses_an_unknown_mac():
    with pytest.raises(conns.UnknownMac, match="02:00:00:00:00:99"):
        conns.attach(
            _deploy(), port_id=PORT, mac="02:00:00:00:00:99", network_uri="/n", hw_port=None
        )


def _port(profile: Any, vnic: str = "baremetal") -> dict[str, Any]:
    return {
        "id": PORT,
        "mac_address": "fa:16:3e:00:00:01",
        "binding:vnic_type": vnic,
        "binding:profile": profile,
    }


@pytest.mark.parametrize(
    "profile",
    [
        {"local_link_information": {"port_id": "x"}},
        {"local_link_information": ["x"]},
        {"local_link_information": [{}, {}]},
    ],
)
def test_bad_binding_profiles_are_400s(profile):
    with pytest.raises(n_exc.InvalidInput, match="local_link_information"):
        validation.check_port(_port(profile), mapped=True)


def test_binding_profiles_the_driver_does_not_judge():
    validation.check_port(_port({"local_link_information": "x"}), mapped=False)
    validation.check_port(_port({"local_link_information": "x"}, vnic="normal"), mapped=True)
    validation.check_port(_port({}), mapped=True)
    validation.check_port(_port({"local_link_information": [{"port_id": "a"}]}), mapped=True)


def test_segmentation_id_change_is_refused_only_for_mirrored_networks():
    old = {"id": NET, "provider:segmentation_id": 5}
    new = {"id": NET, "provider:segmentation_id": 6}
    with pytest.raises(n_exc.InvalidInput, match="from 5 to 6"):
        validation.check_network_update(new, old, lambda _n: True)
    validation.check_network_update(new, old, lambda _n: False)
