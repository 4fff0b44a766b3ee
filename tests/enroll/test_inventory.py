"""Pure enrollment logic on the simulator's real inventory documents (read once, no Ironic)."""

from __future__ import annotations

import copy
import re

from oneview_openstack.enroll import inventory
from oneview_openstack.simulator.testing import ApplianceClient, named


def test_templates_that_cannot_back_ironic_nodes_say_why(api: ApplianceClient):
    checks = {
        t["name"]: inventory.check_template(t) for t in api.members("server-profile-templates")
    }
    assert checks["ironic-EG-1"].ready
    assert "manageBoot" in checks["no-manage-boot-EG-1"].problems[0]
    assert "Virtual MACs" in checks["ironic-virtual-mac-EG-1"].problems[0]
    assert checks["ironic-dl360"].ready  # OneView manages a DL Gen10's boot order
    assert "manageBoot" in checks["ironic-dl360-gen9"].problems[0]


def test_compatibility_follows_hardware_type_and_enclosure_group(api: ApplianceClient):
    blade = named(api, "server-hardware", "Encl1, bay 1")
    rack = named(api, "server-hardware", "rack-dl360-1")
    blade_template = named(api, "server-profile-templates", "ironic-EG-1")
    rack_template = named(api, "server-profile-templates", "ironic-dl360")
    assert inventory.compatible(blade, blade_template)
    assert not inventory.compatible(rack, blade_template)
    assert inventory.compatible(rack, rack_template)  # no enclosure group to match
    elsewhere = dict(blade, serverGroupUri="/rest/enclosure-groups/other")
    assert not inventory.compatible(elsewhere, blade_template)


def test_rack_servers_get_an_unmanaged_link_and_their_nic_mac(api: ApplianceClient):
    rack = named(api, "server-hardware", "rack-dl360-1")
    template = named(api, "server-profile-templates", "ironic-dl360")
    (port,) = inventory.port_bodies(rack, template, {})
    first = rack["portMap"]["deviceSlots"][0]["physicalPorts"][0]
    assert port["address"] == first["mac"].lower()
    assert port["local_link_connection"] == {"network_type": "unmanaged"}
    node = inventory.node_body(rack, template)
    assert "enclosure_group_uri" not in node["properties"]["capabilities"]


def test_all_ports_and_the_pxe_port(api: ApplianceClient):
    blade = named(api, "server-hardware", "Encl1, bay 1")
    template = named(api, "server-profile-templates", "ironic-EG-1")
    ports = inventory.port_bodies(blade, template, {}, all_ports=True)
    assert [p["extra"]["oneview_port_id"] for p in ports] == ["Mezz 3:1-a", "Mezz 3:2-a"]
    assert [p["pxe_enabled"] for p in ports] == [True, False]


def test_plan_skips_enrolled_owned_and_unfit_servers(api: ApplianceClient):
    servers = api.members("server-hardware")
    templates = [inventory.check_template(t) for t in api.members("server-profile-templates")]
    first = named(api, "server-hardware", "Encl1, bay 1")
    plan = {c.name: c for c in inventory.plan(servers, templates, {first["uri"]: "node-1"})}
    assert plan["Encl1, bay 1"].skip_reason == "already enrolled as node node-1"
    assert "in use by OneView" in (plan["Encl2, bay 1"].skip_reason or "")
    assert plan["Encl1, bay 2"].skip_reason is None
    assert plan["Encl1, bay 2"].template is not None
    assert plan["Encl1, bay 2"].template["name"] == "ironic-EG-1"
    assert list(plan)[:3] == ["Encl1, bay 1", "Encl1, bay 2", "Encl1, bay 3"]


def test_node_body_carries_no_secret_and_the_interfaces_asked_for(api: ApplianceClient):
    blade = copy.deepcopy(named(api, "server-hardware", "Encl1, bay 10"))
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = inventory.node_body(
        blade, template, interfaces={"deploy": "oneview-direct"}, local_gb=100
    )
    assert body["name"] == "encl1-bay-10"
    assert body["deploy_interface"] == "oneview-direct"
    assert body["properties"]["local_gb"] == 100
    assert "boot_mode:uefi" in body["properties"]["capabilities"]
    assert set(body["driver_info"]) == {"server_hardware_uri"}


def test_names_and_sorting():
    assert inventory.slug("Encl1, bay 3") == "encl1-bay-3"
    assert inventory.slug("***") == "server"
    names = ["bay 10", "bay 2", "bay 1"]
    assert sorted(names, key=inventory.natural) == ["bay 1", "bay 2", "bay 10"]
    assert inventory.resource_class({"name": "Ironic EG/1"}) == "oneview-ironic-eg-1"


def test_a_flexnic_without_a_mac_is_not_enrolled_under_the_physical_mac(api: ApplianceClient):
    """The rule inspection follows too (client.views): no FlexNIC MAC, no port."""
    blade = copy.deepcopy(named(api, "server-hardware", "Encl1, bay 1"))
    template = named(api, "server-profile-templates", "ironic-EG-1")
    physical = blade["portMap"]["deviceSlots"][0]["physicalPorts"][0]
    physical["virtualPorts"][0]["mac"] = None
    addresses = {p["address"] for p in inventory.port_bodies(blade, template, {}, all_ports=True)}
    assert physical["mac"].lower() not in addresses
    assert len(addresses) == len(blade["portMap"]["deviceSlots"][0]["physicalPorts"]) - 1


def test_cpu_arch_follows_the_processor_like_inspection(api: ApplianceClient):
    blade = named(api, "server-hardware", "Encl1, bay 1")
    template = named(api, "server-profile-templates", "ironic-EG-1")
    assert inventory.node_body(blade, template)["properties"]["cpu_arch"] == "x86_64"
    ampere = dict(blade, processorType="Ampere(R) Altra(R) Processor Q80-30")
    assert inventory.node_body(ampere, template)["properties"]["cpu_arch"] == "aarch64"
    unknown = dict(blade, processorType="")
    assert "cpu_arch" not in inventory.node_body(unknown, template)["properties"]


def _ready(template: dict) -> inventory.TemplateCheck:
    check = inventory.check_template(template)
    assert check.ready, check.problems
    return check


def test_template_traits_follow_ironics_custom_trait_rule():
    assert inventory.template_trait({"name": "ironic-EG-1"}) == "CUSTOM_OV_IRONIC_EG_1"
    odd = inventory.template_trait({"name": "Web tier / RAID 1+0 (ß)"})
    assert re.fullmatch(r"CUSTOM_[A-Z0-9_]+", odd), odd
    assert odd.startswith("CUSTOM_OV_WEB_TIER_RAID_1_0")
    assert len(inventory.template_trait({"name": "x" * 400})) == inventory.TRAIT_MAX_LENGTH


def test_a_trait_per_ready_template_that_fits_the_server(api: ApplianceClient):
    blade = named(api, "server-hardware", "Encl1, bay 1")
    rack = named(api, "server-hardware", "rack-dl360-1")
    default = named(api, "server-profile-templates", "ironic-EG-1")
    raid = dict(
        copy.deepcopy(default), name="ironic-EG-1 raid10", uri="/rest/server-profile-templates/raid"
    )
    other_group = dict(
        copy.deepcopy(default), name="elsewhere", uri="/rest/server-profile-templates/elsewhere",
        enclosureGroupUri="/rest/enclosure-groups/other",
    )  # fmt: skip
    checks = [inventory.check_template(t) for t in api.members("server-profile-templates")]
    checks += [_ready(raid), _ready(other_group)]
    traits = inventory.trait_map(checks)
    assert traits.problems == ()
    assert inventory.server_traits(blade, traits) == [
        "CUSTOM_OV_IRONIC_EG_1",
        "CUSTOM_OV_IRONIC_EG_1_RAID10",
    ]
    assert inventory.server_traits(rack, traits) == ["CUSTOM_OV_IRONIC_DL360"]
    gen9 = named(api, "server-hardware", "rack-dl360-2")
    assert inventory.server_traits(gen9, traits) == []  # its template does not manage boot
    assert "CUSTOM_OV_IRONIC_VIRTUAL_MAC_EG_1" not in traits.templates  # not Ironic-ready
    assert traits.templates["CUSTOM_OV_ELSEWHERE"]["uri"] == other_group["uri"]


def test_templates_whose_names_collide_get_no_trait():
    one = {"name": "web-1", "uri": "/rest/server-profile-templates/a"}
    two = {"name": "web 1", "uri": "/rest/server-profile-templates/b"}
    ready = {"boot": {"manageBoot": True}, "macType": "Physical", "serverHardwareTypeUri": "/x"}
    traits = inventory.trait_map([_ready({**one, **ready}), _ready({**two, **ready})])
    assert traits.templates == {}
    (problem,) = traits.problems
    assert "web 1, web-1" in problem and "CUSTOM_OV_WEB_1" in problem


def test_deploy_template_uses_the_template_step():
    template = {"name": "ironic-EG-1", "uri": "/rest/server-profile-templates/t1"}
    assert inventory.deploy_template("CUSTOM_OV_IRONIC_EG_1", template) == {
        "name": "CUSTOM_OV_IRONIC_EG_1",
        "steps": [
            {
                "interface": "deploy",
                "step": "apply_server_profile_template",
                "args": {"template": "/rest/server-profile-templates/t1"},
                "priority": 150,
            }
        ],
    }
