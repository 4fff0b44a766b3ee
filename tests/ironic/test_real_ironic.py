"""A real ``ironic`` process (sqlite, noauth, rpc_transport=none, 127.0.0.1) driven by openstacksdk.

The conductor loads the ``oneview`` hardware type through its entry points and talks to the
test session's HTTPS simulator; PXE boot writes its files into a temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
import requests

from oneview_openstack.simulator.testing import wait_until

SYNC_INTERVAL = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(work: Path, port: int, simulator: Any) -> Path:
    config = simulator.state.config
    for name in ("tftp", "http", "master", "locks", "images"):
        (work / name).mkdir()
    text = f"""
[DEFAULT]
auth_strategy = noauth
rpc_transport = none
host = oneview-test-conductor
log_file = {work}/ironic.log
debug = true
enabled_hardware_types = oneview
enabled_power_interfaces = oneview
enabled_management_interfaces = oneview
enabled_deploy_interfaces = oneview-ramdisk,oneview-direct
enabled_inspect_interfaces = oneview,no-inspect
enabled_boot_interfaces = pxe
enabled_network_interfaces = noop
default_network_interface = noop
enabled_raid_interfaces = oneview,no-raid
enabled_rescue_interfaces = no-rescue
enabled_vendor_interfaces = no-vendor
enabled_bios_interfaces = oneview,no-bios
enabled_console_interfaces = no-console
enabled_firmware_interfaces = oneview,no-firmware
enabled_storage_interfaces = noop
[api]
host_ip = 127.0.0.1
port = {port}
api_workers = 1
[database]
connection = sqlite:///{work}/ironic.db
[conductor]
sync_power_state_interval = {SYNC_INTERVAL}
force_power_state_during_sync = false
automated_clean = false
file_url_allowed_paths = {work}/images
[service_catalog]
endpoint_override = http://127.0.0.1:{port}
[dhcp]
dhcp_provider = none
[pxe]
tftp_root = {work}/tftp
tftp_master_path = {work}/master
images_path = {work}/master/images
instance_master_path = {work}/master/instance
[deploy]
http_root = {work}/http
http_url = http://127.0.0.1:1/
[oslo_concurrency]
lock_path = {work}/locks
[oneview]
manager_url = {simulator.url}
username = {config.username}
password = {config.password}
tls_cacert_file = {simulator.ca_file}
task_poll_interval = 0.005
task_poll_max_interval = 0.05
power_lock_poll_interval = 0.01
power_state_cache_ttl = 0.5
periodic_check_interval = 0
"""
    path = work / "ironic.conf"
    path.write_text(text)
    return path


@contextlib.contextmanager
def running_ironic(
    tmp_path: Path, conf: Path, port: int
) -> Iterator[openstack.connection.Connection]:
    """``ironic`` with this config on ``port`` (schema created first), stopped on exit."""
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    subprocess.run(  # noqa: S603 - our venv's tool, fixed arguments
        [str(bindir / "ironic-dbsync"), "--config-file", str(conf), "create_schema"],
        check=True,
        capture_output=True,
        timeout=120,
        env=env,
    )
    with open(tmp_path / "ironic.out", "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our venv's tool, fixed arguments
            [str(bindir / "ironic"), "--config-file", str(conf)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:

        def answers() -> bool:
            assert process.poll() is None, (tmp_path / "ironic.out").read_text()[-3000:]
            try:
                return requests.get(f"http://127.0.0.1:{port}/v1", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(answers, timeout=60, interval=0.2, what="ironic answering on /v1")
        yield openstack.connection.Connection(
            auth_type="none",
            baremetal_endpoint_override=f"http://127.0.0.1:{port}",
            baremetal_api_version="1.115",
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def ironic(
    tmp_path: Path, simulator: Any
) -> Iterator[tuple[openstack.connection.Connection, Path]]:
    port = _free_port()
    with running_ironic(tmp_path, _config(tmp_path, port, simulator), port) as conn:
        yield conn, tmp_path


def create_blade_node(
    bm: Any, work: Path, server: dict[str, Any], template: dict[str, Any], name: str, **fields: Any
) -> Any:
    """A ``oneview-ramdisk`` node of a simulated blade, with placeholder images under ``work``.

    ``fields`` go to Ironic as they are (interfaces, e.g. ``inspect_interface="oneview"``).
    """
    for image in ("deploy.kernel", "deploy.ramdisk", "kernel", "ramdisk"):
        (work / "images" / image).write_bytes(b"not really an image")
    return bm.create_node(
        driver="oneview",
        name=name,
        deploy_interface="oneview-ramdisk",
        driver_info={
            "server_hardware_uri": server["uri"],
            "deploy_kernel": f"file://{work}/images/deploy.kernel",
            "deploy_ramdisk": f"file://{work}/images/deploy.ramdisk",
        },
        properties={
            "capabilities": f"server_hardware_type_uri:{server['serverHardwareTypeUri']},"
            f"server_profile_template_uri:{template['uri']},"
            f"enclosure_group_uri:{server['serverGroupUri']}"
        },
        **fields,
    )


def _wait_for(predicate, what: str, timeout: float = 30.0) -> None:
    wait_until(predicate, timeout=timeout, interval=0.2, what=what)


def test_real_ironic_drives_the_oneview_hardware_type(ironic, simulator):
    from ov_base import GOOD_TEMPLATE, Sim

    conn, work = ironic
    bm = conn.baremetal
    sim = Sim(simulator)
    try:
        template = sim.template(GOOD_TEMPLATE)
        server = sim.free_blade(template)
        node = create_blade_node(bm, work, server, template, "ov-real", inspect_interface="oneview")
        result = bm.validate_node(node, required=("power", "management", "inspect"))
        assert result["power"].result and result["management"].result, result

        bm.set_node_power_state(node, "power off", wait=True, timeout=30)
        assert sim.get(server["uri"])["powerState"] == "Off"
        bm.set_node_power_state(node, "power on", wait=True, timeout=30)
        assert sim.get(server["uri"])["powerState"] == "On"

        bm.set_node_boot_device(node, "pxe", persistent=False)
        assert bm.get_node_boot_device(node) == {"boot_device": "pxe", "persistent": False}
        supported = bm.get_node_supported_boot_devices(node)
        supported = supported.get("supported_boot_devices", supported)
        assert set(supported) == {"pxe", "disk", "cdrom"}

        bm.set_node_provision_state(node, "manage", wait=True, timeout=60)
        bm.set_node_provision_state(node, "inspect", wait=True, timeout=60)
        node = bm.get_node(node.id)
        assert node.properties["cpu_arch"] == "x86_64" and node.properties["memory_mb"]
        ports = list(bm.ports(node_id=node.id, details=True))
        assert len(ports) == 2 and all(p.local_link_connection.get("switch_id") for p in ports)

        bm.set_node_provision_state(node, "provide", wait=True, timeout=60)
        bm.update_node(
            node,
            instance_info={
                "kernel": f"file://{work}/images/kernel",
                "ramdisk": f"file://{work}/images/ramdisk",
            },
        )
        bm.set_node_provision_state(node, "active", wait=True, timeout=120)
        node = bm.get_node(node.id)
        applied = node.driver_info["applied_server_profile_uri"]
        assert sim.get(server["uri"])["serverProfileUri"] == applied
        assert node.power_state == "power on"

        bm.set_node_provision_state(node, "deleted", wait=True, timeout=120)
        node = bm.get_node(node.id)
        assert "applied_server_profile_uri" not in node.driver_info
        assert not sim.exists(applied)

        # The periodic power sync notices a change made behind Ironic's back.
        bm.set_node_power_state(node, "power off", wait=True, timeout=30)
        sim.action("set_power", uri=server["uri"], powerState="On")
        _wait_for(
            lambda: bm.get_node(node.id).power_state == "power on",
            "power sync",
            timeout=SYNC_INTERVAL * 10,
        )
    except Exception:
        sys.stderr.write((work / "ironic.log").read_text()[-6000:])
        raise
    finally:
        sim.close()
