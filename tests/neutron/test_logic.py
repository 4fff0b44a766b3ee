"""Pure logic: mapping parsing and plans, connection edits, MACs, request checks, options."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from ml2_case import oneview_opts
from neutron_lib import exceptions as n_exc
from oslo_config import cfg

from oneview_openstack import conf as ov_conf
from oneview_openstack.client import forksafe, views
from oneview_openstack.neutron import connections as conns
from oneview_openstack.neutron import validation
from oneview_openstack.neutron.errors import MappingsNotLoaded, OneViewMappingError
from oneview_openstack.neutron.ironic import IronicLookup
from oneview_openstack.neutron.mappings import (
    Mappings,
    UplinkSetFacts,
    neutron_id_of,
    oneview_name,
)
from oneview_openstack.neutron.reconcile import Policy

US1 = "11111111-1111-1111-1111-111111111111"
US2 = "22222222-2222-2222-2222-222222222222"
NET = "33333333-3333-3333-3333-333333333333"
PORT = "44444444-4444-4444-4444-444444444444"
PORT2 = "55555555-5555-5555-5555-555555555555"


def _conf(**values: Any) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    ov_conf.register_opts(conf, "neutron")
    conf([], project="neutron")
    for name, value in values.items():
        conf.set_override(name, value, group="oneview")
    return conf


def test_options_are_registered_for_neutron_and_keep_the_seed_name():
    conf = _conf()
    assert conf.oneview.uplink_set_uuids == []
    assert conf.oneview.reconcile_interval == 600
    assert conf.oneview.allow_power_cycle_for_connection_changes is False
    assert Policy.from_conf(conf.oneview) == Policy(False, False, 600.0)


def test_delete_orphans_is_the_deprecated_default_of_both_switches(caplog):
    caplog.set_level(logging.WARNING, logger="oneview_openstack.neutron.reconcile")
    assert Policy.from_conf(_conf(delete_orphans=True).oneview) == Policy(True, True, 600.0)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "delete_orphans is deprecated" in record.getMessage()
    assert "delete_orphan_networks and undo_stale_connections" in record.getMessage()
    # a new switch set explicitly wins over the old one; the other still follows it
    opts = _conf(delete_orphans=True, delete_orphan_networks=False).oneview
    assert Policy.from_conf(opts) == Policy(False, True, 600.0)
    caplog.clear()
    opts = _conf(undo_stale_connections=True, reconcile_interval=30).oneview
    assert Policy.from_conf(opts) == Policy(False, True, 30.0)
    assert caplog.records == []  # the old option unset: nothing to warn about


def test_plans_follow_the_mappings():
    mappings = Mappings.from_conf(
        oneview_opts(
            uplink_set_uuids=[US1],
            uplink_set_mappings=[f"physnet3:{US2}"],
            flat_network_mappings=[f"physnet2:{NET}"],
        )
    )
    mappings.adopt({US1: UplinkSetFacts("Tagged", "li1"), US2: UplinkSetFacts("Untagged", "li1")})
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


def test_plans_wait_for_the_uplink_set_types():
    # A worker that started while OneView was down: it must not guess "Tagged" for physnet3,
    # whose only uplink set is Untagged, and bind a VLAN port there.
    mappings = Mappings.from_conf(oneview_opts(uplink_set_mappings=[f"physnet3:{US2}"]))
    assert not mappings.loaded
    with pytest.raises(MappingsNotLoaded, match="not read from OneView yet"):
        mappings.plan("vlan", "physnet3", 42)
    assert mappings.may_mirror("vlan", "physnet3", 42)  # precommit checks stay strict meanwhile
    assert not mappings.may_mirror("vlan", "physnet9", 42)
    mappings.adopt({US2: UplinkSetFacts("Untagged", "li1")})
    assert mappings.plan("vlan", "physnet3", 42) is None
    assert not mappings.may_mirror("vlan", "physnet3", 42)
    assert mappings.plan("flat", "physnet3", None).uplink_sets == (US2,)


def test_two_uplink_sets_of_one_type_on_one_interconnect_are_refused_before_adopting():
    mappings = Mappings.from_conf(
        oneview_opts(uplink_set_mappings=[f"physnet1:{US1}", f"physnet1:{US2}"])
    )
    facts = {US1: UplinkSetFacts("Tagged", "li1"), US2: UplinkSetFacts("Tagged", "li1")}
    with pytest.raises(OneViewMappingError, match="only one uplink set per logical interconnect"):
        mappings.check(facts)
    with pytest.raises(OneViewMappingError):
        mappings.adopt(facts)
    assert not mappings.loaded
    mappings.check({**facts, US2: UplinkSetFacts("Tagged", "li2")})  # another LI: fine


def test_mapping_uuids_are_normalised_and_repeats_merged():
    mappings = Mappings.from_conf(
        oneview_opts(
            uplink_set_uuids=[US1.upper()],
            uplink_set_mappings=[
                f"physnet1:{US1}",
                f" physnet1 : {US2.upper()} ",
                f"physnet1:{US1}",
            ],
        )
    )
    assert mappings.default_uplink_sets == (US1,)
    assert mappings.physnet_uplink_sets == {"physnet1": (US1, US2)}


def test_lock_holding_singletons_are_reset_in_a_forked_child():
    mappings = Mappings.from_conf(oneview_opts())
    lookup = IronicLookup(cfg.ConfigOpts())
    assert mappings in forksafe.registered() and lookup in forksafe.registered()
    lookup._conn = object()  # a session built by the parent
    held = (mappings._lock, lookup._lock)
    for lock in held:
        lock.acquire()  # as if another thread of the parent held them at fork time
    mappings.reset_after_fork()
    lookup.reset_after_fork()
    assert lookup._conn is None
    assert mappings._lock is not held[0] and not mappings._lock.locked()
    assert lookup._lock is not held[1] and not lookup._lock.locked()


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("uplink_set_uuids", ["not-a-uuid"], "'not-a-uuid'"),
        ("uplink_set_mappings", [US1], repr(US1)),
        ("uplink_set_mappings", [f":{US1}"], f"':{US1}'"),
        ("uplink_set_mappings", ["physnet1:not-a-uuid"], "'not-a-uuid' is not a UUID"),
        ("flat_network_mappings", [f"physnet2:{US1}", f"physnet2:{US2}"], "'physnet2' twice"),
    ],
)
def test_bad_mappings_name_the_entry(option, value, named):
    with pytest.raises(OneViewMappingError, match=option) as raised:
        Mappings.from_conf(oneview_opts(**{option: value}))
    assert named in str(raised.value)


def test_names():
    assert oneview_name(NET) == f"Neutron [{NET}]"
    assert neutron_id_of(f"Neutron [{NET.upper()}]") == NET
    assert neutron_id_of("Deploy") is None and neutron_id_of(None) is None


@pytest.mark.parametrize(
    "mac", ["aa:bb:cc:dd:ee:0f", "AA-BB-CC-DD-EE-0F", "aabb.ccdd.ee0f", "aabbccddee0f"]
)
def test_macs_are_normalised(mac):
    assert conns.normalise_mac(mac) == "aa:bb:cc:dd:ee:0f"


@pytest.mark.parametrize("mac", ["zz", "", None, "aa:bb:cc:dd:ee"])
def test_a_malformed_mac_is_named_malformed_not_unknown(mac):
    with pytest.raises(conns.MalformedMac, match=f"{mac!r} is not a MAC address") as raised:
        conns.normalise_mac(mac)
    assert not isinstance(raised.value, conns.UnknownMac)


SERVER = {
    "portMap": {
        "deviceSlots": [
            {
                "location": "Mezz",
                "slotNumber": 3,
                "physicalPorts": [
                    {
                        "portNumber": 1,
                        "type": "Ethernet",
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


def test_attach_finds_the_server_port_of_a_flexnic_mac_through_the_client_view():
    connections = _deploy()
    hw_port = views.port_for_mac(SERVER, conns.normalise_mac("02-00-00-00-00-12"))
    assert hw_port == "Mezz 3:1-b"
    assert conns.attach(
        connections, port_id=PORT, mac="02:00:00:00:00:12", network_uri="/n/a", hw_port=hw_port
    )
    assert connections[1]["portId"] == "Mezz 3:1-b"


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
    assert conns.wired(views.profile_connections({"connections": connections}), PORT, "/n/a")
    assert conns.owners(views.profile_connections({"connections": connections})) == {PORT}
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
        bootable=True,
    )
    added = connections[1]
    assert (added["portId"], added["boot"]["priority"]) == ("Mezz 3:1-b", "Secondary")
    assert conns.detach(connections, port_id=PORT)
    assert connections == _deploy()


def test_detach_can_leave_an_added_connection_unassigned_and_attach_records_that():
    connections = _deploy()
    conns.attach(
        connections, port_id=PORT, mac="02:00:00:00:00:12", network_uri="/n/a", hw_port="Mezz 3:1-b"
    )
    assert conns.detach(connections, port_id=PORT, unassign=True)
    assert (connections[1]["networkUri"], connections[1]["name"]) == (None, "")
    conns.attach(
        connections,
        port_id=PORT2,
        mac="02:00:00:00:00:12",
        network_uri="/n/b",
        hw_port="Mezz 3:1-b",
    )
    assert len(connections) == 2 and connections[1]["name"] == f"Neutron [{PORT2}] was unassigned"
    assert conns.detach(connections, port_id=PORT2)  # no unassign asked: it was there before
    assert (connections[1]["networkUri"], connections[1]["name"]) == (None, "")


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
