"""``oneview-openstack enroll`` against a real Ironic process and the simulator."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.simulator.testing import ApplianceClient, named

from .conftest import RealIronic

# The default inventory: 14 blades (one carries a OneView user's profile) and 2 DL360s: the Gen10
# (rack-dl360-1) has a template that manages the boot order, the Gen9's does not.
READY_SERVERS = 14


def run(ironic: RealIronic, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    argv = ["--config-file", str(ironic.conf), "--ironic-url", ironic.url]
    argv += ["--driver", ironic.driver, "--format", "json", *extra]
    code = enroll(argv)
    out = capsys.readouterr()
    try:
        rows = json.loads(out.out) if out.out.strip() else []
    except ValueError:
        rows = out.out
    return code, rows if code != 2 else out.err


def by_result(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["result"], []).append(row)
    return found


def test_dry_run_plans_and_changes_nothing(clean_ironic, capsys):
    code, rows = run(clean_ironic, capsys, "--dry-run")
    assert code == 0
    results = by_result(rows)
    assert len(results["would enroll"]) == READY_SERVERS
    reasons = {row["server"]: row["detail"] for row in results["skipped"]}
    assert "in use by OneView" in reasons["Encl2, bay 1"]
    assert "does not manage the boot order" in reasons["rack-dl360-2"]
    assert "rack-dl360-1" in {row["server"] for row in results["would enroll"]}
    assert clean_ironic.nodes() == []


def test_enrolls_the_node_contract_and_is_idempotent(clean_ironic, capsys, api: ApplianceClient):
    code, rows = run(clean_ironic, capsys, "--physical-network", "physnet1")
    assert code == 0, rows
    assert len(by_result(rows)["enrolled"]) == READY_SERVERS
    nodes = {n.name: n for n in clean_ironic.nodes()}
    assert len(nodes) == READY_SERVERS

    server = named(api, "server-hardware", "Encl1, bay 3")
    template = named(api, "server-profile-templates", "ironic-EG-1")
    node = nodes["encl1-bay-3"]
    assert node.driver == clean_ironic.driver
    assert node.driver_info["server_hardware_uri"] == server["uri"]
    caps = dict(item.split(":", 1) for item in node.properties["capabilities"].split(","))
    assert caps["server_hardware_type_uri"] == server["serverHardwareTypeUri"]
    assert caps["server_profile_template_uri"] == template["uri"]
    assert caps["enclosure_group_uri"] == server["serverGroupUri"]
    assert node.properties["memory_mb"] == server["memoryMb"]
    assert node.properties["cpus"] == server["processorCount"] * server["processorCoreCount"]
    assert node.resource_class == "oneview-ironic-eg-1"
    assert node.traits == ["CUSTOM_OV_IRONIC_EG_1"]  # the one ready template of its type and group
    assert "password" not in json.dumps(node.driver_info).lower()

    (port,) = clean_ironic.conn.baremetal.ports(node_id=node.id, details=True)
    physical = server["portMap"]["deviceSlots"][0]["physicalPorts"][0]
    flexnic_a = physical["virtualPorts"][0]
    assert port.address == flexnic_a["mac"].lower()
    assert port.physical_network == "physnet1"
    assert port.is_pxe_enabled
    interconnect = api.get(physical["interconnectUri"]).json()
    assert port.local_link_connection == {
        "switch_id": interconnect["interconnectMAC"].lower(),
        "port_id": f"d{physical['interconnectPort']}",
        "switch_info": physical["interconnectUri"],
    }
    assert port.extra == {"oneview_port_id": "Mezz 3:1-a"}  # the template's primary boot port

    code, again = run(clean_ironic, capsys)
    assert code == 0
    assert {row["result"] for row in again} == {"skipped"}
    assert sum("already enrolled" in row["detail"] for row in again) == READY_SERVERS
    assert len(clean_ironic.nodes()) == READY_SERVERS


def test_limit_and_provide_through_the_hardware_type(clean_ironic, capsys):
    code, rows = run(clean_ironic, capsys, "--limit", "2", "--provide", "--timeout", "120")
    assert code == 0, rows
    results = by_result(rows)
    assert [row["detail"] for row in results["enrolled"]] == ["available", "available"]
    assert sum("over --limit 2" in row["detail"] for row in results["skipped"]) == 12
    states = {n.provision_state for n in clean_ironic.nodes()}
    assert states == {"available"}


def test_the_dl360_gen10_enrolls_and_is_provided_the_gen9_not(clean_ironic, capsys, api):
    """A rack server: its template manages the boot order, its ports have no interconnect."""
    code, rows = run(
        clean_ironic, capsys, "--server", "rack-dl360-1", "--provide", "--timeout", "120"
    )
    assert code == 0, rows
    (row,) = by_result(rows)["enrolled"]
    assert row["detail"] == "available"  # the hardware type's validation took it
    (node,) = clean_ironic.nodes()
    template = named(api, "server-profile-templates", "ironic-dl360")
    caps = dict(item.split(":", 1) for item in node.properties["capabilities"].split(","))
    assert caps["server_profile_template_uri"] == template["uri"]
    assert "enclosure_group_uri" not in caps
    assert node.traits == ["CUSTOM_OV_IRONIC_DL360"]
    (port,) = clean_ironic.conn.baremetal.ports(node_id=node.id, details=True)
    assert port.local_link_connection == {"network_type": "unmanaged"}

    code, rows = run(clean_ironic, capsys, "--server", "rack-dl360-2")
    assert code == 0, rows
    (skipped,) = by_result(rows)["skipped"]
    assert "does not manage the boot order" in skipped["detail"]
    assert len(clean_ironic.nodes()) == 1


def test_manage_inspect_provide(clean_ironic, capsys):
    if clean_ironic.driver != "oneview":
        pytest.skip("out-of-band inspection needs the oneview hardware type")
    code, rows = run(
        clean_ironic,
        capsys,
        "--server",
        "Encl1, bay 4",
        "--inspect",
        "--provide",
        "--timeout",
        "120",
    )
    assert code == 0, rows
    (row,) = by_result(rows)["enrolled"]
    assert row["detail"] == "available"
    (node,) = clean_ironic.nodes()
    assert node.inspect_interface == "oneview"
    assert "local_gb" in node.properties


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--template", "no-such-template"), "No server profile template named no-such-template"),
        (("--template", "no-manage-boot-EG-1"), "does not manage the boot order"),
        (("--template", "ironic-virtual-mac-EG-1"), "uses Virtual MACs"),
        (("--server", "Encl9, bay 99"), "No server hardware named Encl9, bay 99"),
        (("--interface", "deploy"), "use KIND=NAME"),
        (("--interface", "warp=drive"), "use KIND=NAME"),
    ],
)
def test_bad_input_is_one_clear_line(clean_ironic, capsys, extra, message):
    code, err = run(clean_ironic, capsys, *extra)
    assert code == 2
    assert message in err
    assert clean_ironic.nodes() == []


def test_wrong_password_is_reported_without_the_password(clean_ironic, capsys, monkeypatch):
    monkeypatch.setenv("ONEVIEW_PASSWORD", "not-the-password-42")
    server = clean_ironic.conf.read_text()
    url = next(
        line.split("=", 1)[1].strip() for line in server.splitlines() if "manager_url" in line
    )
    ca = next(line.split("=", 1)[1].strip() for line in server.splitlines() if "tls_cacert" in line)
    argv = ["--oneview-url", url, "--oneview-username", "Administrator", "--oneview-ca-file", ca]
    code = enroll([*argv, "--ironic-url", clean_ironic.url, "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert "401" in err or "AUTHENTICATION" in err.upper()
    assert "not-the-password-42" not in err


def test_missing_oneview_address(clean_ironic, capsys, monkeypatch):
    monkeypatch.delenv("ONEVIEW_URL", raising=False)
    code = enroll(["--ironic-url", clean_ironic.url])
    assert code == 2
    assert "--oneview-url" in capsys.readouterr().err


def test_missing_config_file(clean_ironic, capsys):
    code = enroll(["--config-file", "/nonexistent/ironic.conf", "--ironic-url", clean_ironic.url])
    assert code == 2
    assert "/nonexistent/ironic.conf is not a readable file" in capsys.readouterr().err


def test_unreachable_ironic(clean_ironic, capsys):
    code = enroll(["--config-file", str(clean_ironic.conf), "--ironic-url", "http://127.0.0.1:9"])
    assert code == 2
    assert "Cannot reach Ironic" in capsys.readouterr().err


def test_table_output_names_the_flavor_to_create(clean_ironic, capsys):
    argv = ["--config-file", str(clean_ironic.conf), "--ironic-url", clean_ironic.url]
    code = enroll([*argv, "--driver", clean_ironic.driver, "--dry-run", "--limit", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Enrollment plan (dry run: nothing changed)" in out
    assert "1 would enroll" in out
    assert "resources:CUSTOM_ONEVIEW_IRONIC_EG_1=1" in out


def test_printed_deploy_templates_are_accepted_by_ironic(
    clean_ironic, capsys, api: ApplianceClient
):
    """The command printed per trait is one Ironic takes as it is (trait name, step, args)."""
    argv = ["--config-file", str(clean_ironic.conf), "--ironic-url", clean_ironic.url]
    code = enroll([*argv, "--driver", clean_ironic.driver, "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if "deploy template create" in line]
    # The ready blade template and the DL360 Gen10's; the Gen9's manages no boot order.
    assert len(lines) == 2, out
    assert any("CUSTOM_OV_IRONIC_DL360 " in line for line in lines), out
    (line,) = [line for line in lines if "CUSTOM_OV_IRONIC_EG_1 " in line]
    words = shlex.split(line)
    assert words[:5] == ["openstack", "baremetal", "deploy", "template", "create"]
    name, steps = words[5], json.loads(words[words.index("--steps") + 1])
    template = named(api, "server-profile-templates", "ironic-EG-1")
    assert name == "CUSTOM_OV_IRONIC_EG_1"
    assert steps == [
        {
            "interface": "deploy",
            "step": "apply_server_profile_template",
            "args": {"template": template["uri"]},
            "priority": 150,
        }
    ]
    created = clean_ironic.conn.baremetal.create_deploy_template(name=name, steps=steps)
    try:
        assert clean_ironic.conn.baremetal.get_deploy_template(created.id).steps[0]["args"] == {
            "template": template["uri"]
        }
    finally:
        clean_ironic.conn.baremetal.delete_deploy_template(created.id)
