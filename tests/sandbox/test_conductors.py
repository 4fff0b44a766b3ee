"""The split Ironic shape's configuration: refused on sqlite, one overlay per conductor."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from oneview_openstack.sandbox import conductors, configs, services
from oneview_openstack.sandbox.processes import SandboxError, Supervisor

ACCESS = configs.OneViewAccess("https://127.0.0.1:1", "Administrator", "secret-pw")
CHOICES = configs.IronicChoices(
    hardware_types=["oneview"], power=["oneview"], management=["oneview"], inspect=["oneview"],
    deploy=["oneview-ramdisk"], boot=["pxe"], network=["neutron"],
)  # fmt: skip


def layout(tmp_path: Path, rpc_ports: tuple[int, ...]) -> configs.Layout:
    return configs.Layout(tmp_path, 6385, 9696, ironic_rpc_ports=rpc_ports)


def test_several_conductors_on_sqlite_are_refused_naming_the_option_to_use() -> None:
    with pytest.raises(SandboxError, match=r"--ironic-conductors 2 needs --db mariadb"):
        conductors.check(2, "sqlite")
    with pytest.raises(SandboxError, match="at least 1"):
        conductors.check(0, "mariadb")
    conductors.check(1, "sqlite")
    conductors.check(3, "mariadb")


def test_the_sandbox_refuses_that_shape_before_starting_any_process(tmp_path: Path) -> None:
    from oneview_openstack.sandbox.environment import Options, Sandbox

    sandbox = Sandbox(Options(tmp_path / "state", ironic_conductors=2, use_oneview_drivers=False))
    with pytest.raises(SandboxError, match="needs --db mariadb"):
        sandbox.start()
    assert sandbox.supervisor.services == []
    assert not (tmp_path / "state").exists()


def test_one_conductor_keeps_the_combined_process_without_rpc(tmp_path: Path) -> None:
    conf = configs.ironic_conf(layout(tmp_path, ()), ACCESS, CHOICES)
    assert conf["DEFAULT"]["rpc_transport"] == "none"
    assert "json_rpc" not in conf
    assert "heartbeat_timeout" not in conf["conductor"]


def test_split_shape_shares_json_rpc_and_gives_each_conductor_its_own_port_log_and_locks(
    tmp_path: Path,
) -> None:
    shape = layout(tmp_path, (8101, 8102))
    shared = configs.ironic_conf(shape, ACCESS, CHOICES, database_url="mysql+pymysql://x/ironic")
    assert shared["DEFAULT"]["rpc_transport"] == "json-rpc"
    assert shared["json_rpc"]["host_ip"] == "127.0.0.1"
    assert shared["conductor"]["heartbeat_timeout"] == conductors.HEARTBEAT_TIMEOUT
    assert shared["conductor"]["sync_power_state_interval"] == 30  # the base config is kept
    assert shared["database"]["connection"] == "mysql+pymysql://x/ironic"

    files = conductors.overlays(shape)
    assert sorted(files) == ["ironic-api", "ironic-conductor1", "ironic-conductor2"]
    second = files["ironic-conductor2"]
    assert second["json_rpc"]["port"] == 8102
    # The name it registers and reserves nodes with, and the address json-rpc calls it at.
    assert second["DEFAULT"]["host"] == conductors.host(8102) == "127.0.0.1:8102"
    assert second["DEFAULT"]["log_file"] == tmp_path / "ironic-conductor2.log"
    assert second["oslo_concurrency"]["lock_path"] == tmp_path / "locks-ironic-conductor2"
    assert files["ironic-api"]["DEFAULT"]["log_file"] == tmp_path / "ironic-api.log"
    # An overlay holds only what differs: the OneView password stays in the shared file.
    for sections in files.values():
        assert "oneview" not in sections and "database" not in sections


def test_overlays_render_to_files_oslo_config_reads_after_the_shared_one(tmp_path: Path) -> None:
    shape = layout(tmp_path, (8101, 8102))
    text = configs.render(conductors.overlays(shape)["ironic-conductor1"])
    parser = configparser.ConfigParser()
    parser.read_string(text)
    assert parser.get("json_rpc", "port") == "8101"
    assert parser.get("DEFAULT", "host") == "127.0.0.1:8101"


def test_each_conductor_binds_ports_through_its_own_neutron_host_in_turn(tmp_path: Path) -> None:
    shape = configs.Layout(
        tmp_path, 6385, 9696, other_neutron_ports=(9697,), ironic_rpc_ports=(8101, 8102, 8103)
    )
    files = conductors.overlays(shape)
    bound = [files[conductors.name(i)]["neutron"]["endpoint_override"] for i in (1, 2, 3)]
    assert bound == ["http://127.0.0.1:9696", "http://127.0.0.1:9697", "http://127.0.0.1:9696"]
    one_host = conductors.overlays(layout(tmp_path, (8101, 8102)))
    assert {
        f["neutron"]["endpoint_override"] for n, f in one_host.items() if n != "ironic-api"
    } == {"http://127.0.0.1:9696"}


def test_a_conductor_that_exits_while_starting_is_named_with_the_end_of_its_output_and_log(
    tmp_path: Path,
) -> None:
    (tmp_path / "ironic-conductor1.log").write_text("ERROR ironic.conductor NoDriversLoaded\n")
    supervisor = Supervisor()
    try:
        dead = supervisor.start(
            conductors.service_name(1),
            [sys.executable, "-c", "print('oslo.config: bad value'); raise SystemExit(3)"],
            log_path=tmp_path / "ironic-conductor1.out",
        )
        assert dead.process is not None
        assert dead.process.wait(timeout=60) == 3
        with pytest.raises(SandboxError) as refused:
            services._wait_conductors_alive(supervisor, layout(tmp_path, (8101,)), timeout=60)
    finally:
        supervisor.stop_all()
    message = str(refused.value)
    assert message.startswith("Ironic conductor 1 exited while starting"), message
    assert "oslo.config: bad value" in message and "NoDriversLoaded" in message, message
