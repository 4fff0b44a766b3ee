"""Which networks the sandbox makes for Ironic: every one its generated ironic.conf names."""

from __future__ import annotations

from pathlib import Path

from oneview_openstack.sandbox import configs, networks


def generated(tmp_path: Path) -> configs.Sections:
    layout = configs.Layout(tmp_path, 6385, 9696)
    access = configs.OneViewAccess("https://127.0.0.1:1", "Administrator", "secret")
    choices = configs.IronicChoices(*([["fake"]] * 7))
    return configs.ironic_conf(layout, access, choices)


def test_the_networks_ironic_is_configured_with_are_the_sandboxs(tmp_path: Path) -> None:
    assert networks.configured(generated(tmp_path)) == [configs.PROVISIONING_NETWORK]


def test_each_distinct_name_once_in_option_order(tmp_path: Path) -> None:
    conf = {**generated(tmp_path)}
    conf["neutron"] = {
        **conf["neutron"],
        "cleaning_network": "cleaning",
        "rescuing_network": "rescue",
        "inspection_network": "cleaning",
    }
    assert networks.configured(conf) == [configs.PROVISIONING_NETWORK, "cleaning", "rescue"]
