"""The sandbox's pure parts: the OneView diff in its report, and its config rendering."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from oneview_openstack.sandbox import configs
from oneview_openstack.sandbox.report import changes, show_scenario
from oneview_openstack.sandbox.scenario import OneViewView, ScenarioResult, Step, same


def view(**kwargs) -> OneViewView:
    base = {"profiles": [], "networks": {"Deploy": 100}, "uplink_sets": {"US": ["Deploy"]}}
    return OneViewView(**{**base, **kwargs})


def test_changes_name_networks_uplink_sets_profiles_and_moved_connections():
    before = view(
        profiles=[
            {"name": "p", "server": "bay 1", "connections": [{"portId": "1-a", "network": "A"}]}
        ]
    )
    after = view(
        networks={"Deploy": 100, "Neutron [x]": 150},
        uplink_sets={"US": ["Deploy", "Neutron [x]"]},
        profiles=[
            {
                "name": "p",
                "server": "bay 1",
                "connections": [{"portId": "1-a", "network": "Neutron [x]"}],
            },
            {"name": "q", "server": "bay 2", "connections": []},
        ],
    )
    lines = changes(before, after, lambda n: n.upper())
    assert "+ Ethernet network NEUTRON [X] (VLAN 150)" in lines
    assert "+ uplink set US now carries NEUTRON [X]" in lines
    assert "+ server profile 'q' applied to bay 2" in lines
    assert "~ profile 'p': connection 1-a moved A -> NEUTRON [X]" in lines
    back = changes(after, before)
    assert "- Ethernet network Neutron [x] deleted" in back
    assert "- server profile 'q' removed from bay 2" in back
    assert same(before, before) and not same(before, after)


def test_changes_name_a_trunks_network_set_its_members_and_its_deletion():
    trunk = "Neutron trunk [t]"
    before = view(networks={"Deploy": 100, "A": 150, "B": 151, "C": 152})
    after = view(networks=before.networks, network_sets={trunk: ["A", "B", "C"]})
    assert changes(before, after) == ["+ network set Neutron trunk [t]: native A, tagged B, C"]
    grown = view(networks=before.networks, network_sets={trunk: ["A", "C", "D"]})
    assert changes(after, grown) == [
        "+ network set Neutron trunk [t] now carries D",
        "- network set Neutron trunk [t] no longer carries B",
    ]
    assert changes(grown, before) == ["- network set Neutron trunk [t] deleted"]
    assert not same(before, after)


def test_rendered_configs_keep_secrets_private(tmp_path: Path):
    layout = configs.Layout(tmp_path, 6385, 9696)
    access = configs.OneViewAccess("https://ov", "Administrator", "s3cret", "/ca.pem")
    assert "s3cret" not in repr(access)
    choices = configs.IronicChoices(["oneview"], ["oneview"], ["oneview"], ["no-inspect"],
                                    ["oneview-ramdisk"], ["pxe"], ["neutron"])  # fmt: skip
    files = configs.write_all(
        layout,
        configs.ironic_conf(layout, access, choices),
        configs.neutron_conf(layout, access, mechanism_drivers=["oneview"], uplink_sets=["u1"]),
    )
    ironic = files["ironic.conf"].read_text()
    assert "rpc_transport = none" in ironic
    assert "enabled_deploy_interfaces = oneview-ramdisk" in ironic
    neutron = files["neutron.conf"].read_text()
    assert "uplink_set_mappings = physnet1:u1" in neutron
    assert "service_plugins = trunk,qos,segments" in neutron
    assert "type_drivers = flat,vlan" in neutron
    assert "extension_drivers = port_security,qos" in neutron
    assert "network_vlan_ranges = physnet1:101:199,physnet2" in neutron
    assert "slave_connection = sqlite:///" in neutron  # reads get an engine of their own
    assert "endpoint_override = http://127.0.0.1:6385" in neutron
    for name in ("ironic.conf", "neutron.conf"):
        assert files[name].stat().st_mode & 0o077 == 0
    assert configs.render({"s": {"a": None, "b": True, "c": [1, 2]}}) == "[s]\nb = true\nc = 1,2\n"


def test_the_report_prints_bracketed_names_verbatim():
    name = "Neutron [bccb4940-c61f-4a22-8679-8fdcef5039a8]"
    after = view(networks={"Deploy": 100, name: 150}, uplink_sets={"US": ["Deploy", name]})
    result = ScenarioResult(
        steps=[Step("Created [networks]", 1.0, after)],
        baseline=view(),
        network_names={name: "tenant"},
    )
    console = Console(record=True, width=200)
    show_scenario(console, result, result.label)
    text = console.export_text()
    assert f"+ Ethernet network {name} ('tenant') (VLAN 150)" in text
    assert "1. Created [networks]" in text


def test_explore_lists_endpoints_and_commands_without_the_password():
    from oneview_openstack.sandbox.report import show_explore

    endpoints = {
        "OneView (simulator)": "https://127.0.0.1:8443",
        "Ironic API": "http://127.0.0.1:6385",
        "Neutron API": "http://127.0.0.1:9696",
        "state folder": "/srv/sandbox",
    }
    console = Console(record=True, width=300)
    show_explore(console, endpoints, "/srv/sandbox/simulator/ca.pem", "/srv/sandbox")
    text = console.export_text()
    assert "baremetal --os-endpoint http://127.0.0.1:6385 --os-auth-type none node list" in text
    assert "openstack --os-endpoint http://127.0.0.1:9696 --os-auth-type none network list" in text
    assert "oneview-sim" not in text


def test_explore_in_the_production_shape_names_every_log_and_one_neutron_endpoint(tmp_path):
    from oneview_openstack.sandbox.report import show_explore

    for name in ("ironic-api.log", "ironic-conductor1.log", "ironic-conductor2.log",
                 "neutron.log", "neutron-host2.log", "simulator.log"):  # fmt: skip
        (tmp_path / name).write_text("")
    endpoints = {
        "OneView (simulator)": "https://127.0.0.1:8443",
        "Ironic API": "http://127.0.0.1:6385",
        "Neutron API": "http://127.0.0.1:9696, http://127.0.0.1:9697",
        "state folder": str(tmp_path),
    }
    console = Console(record=True, width=400)
    show_explore(console, endpoints, str(tmp_path / "ca.pem"), str(tmp_path))
    text = console.export_text()
    assert "--os-endpoint http://127.0.0.1:9696 --os-auth-type none network list" in text
    tail = next(line for line in text.splitlines() if "tail -f" in line)
    assert tail.split()[2:] == [
        str(tmp_path / n)
        for n in ("ironic-api.log", "ironic-conductor1.log", "ironic-conductor2.log",
                  "neutron-host2.log", "neutron.log")
    ]  # fmt: skip


def test_the_cli_dispatches_both_subcommands():
    from oneview_openstack.cli import build_parser

    sandbox = build_parser().parse_args(["sandbox", "--exit-after-scenario", "--servers", "4"])
    assert (sandbox.command, sandbox.exit_after_scenario, sandbox.servers) == ("sandbox", True, 4)
    enroll = build_parser().parse_args(["enroll", "--dry-run", "-t", "a", "-t", "b"])
    assert (enroll.command, enroll.dry_run, enroll.template) == ("enroll", True, ["a", "b"])


def test_production_shape_stands_for_mariadb_two_conductors_two_hosts_and_etcd():
    from oneview_openstack.cli import build_parser
    from oneview_openstack.sandbox.arguments import expand_shape

    args = build_parser().parse_args(expand_shape(["sandbox", "--production-shape"]))
    shape = (args.db, args.ironic_conductors, args.neutron_hosts, args.neutron_workers, args.etcd)
    assert shape == ("mariadb", 2, 2, 2, True)
    later = build_parser().parse_args(
        expand_shape(["sandbox", "--production-shape", "--ironic-conductors", "3"])
    )
    assert later.ironic_conductors == 3  # what comes after it wins
