"""The hardware manager of a simulated server, as ironic-python-agent sees it (pure logic).

It must report the described server (never this machine), answer every method IPA's own
managers have (a method it lacks would fall through to the generic manager, which works on the
real disks), refuse what the simulated server cannot do with an error naming the step and the
server, and erase only its own disk file.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oneview_openstack.sandbox import agent_hardware
from oneview_openstack.sandbox.agent_hardware import (
    REFUSED,
    SimulatedServerHardwareManager,
    SimulatedServerRefusal,
    erase_metadata,
)
from oneview_openstack.sandbox.agents import DESCRIPTION_ENV, write_shims

from ironic_python_agent import errors, hardware  # isort: skip (after agent_hardware: config)

MIB = 1024**2
MACS = ["02:62:d8:2c:07:e6", "02:62:d8:2c:07:e7"]


def description(disk: Path) -> dict[str, Any]:
    return {
        "server": {
            "uri": "/rest/server-hardware/abc",
            "name": "Encl1, bay 3",
            "serialNumber": "CN7000001",
            "model": "ProLiant BL460c Gen10",
            "romVersion": "I41 v2.40",
            "mpIpAddress": "172.18.1.3",
            "processorType": "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz",
            "processorCount": 2,
            "processorCoreCount": 16,
            "processorSpeedMhz": 2100,
            "memoryMb": 262144,
        },
        "bootMode": "uefi",
        "interfaces": [
            {"name": "eth0", "mac": MACS[0], "label": "Mezz 3:1-a"},
            {"name": "eth1", "mac": MACS[1], "label": "Mezz 3:2-a"},
        ],
        "disk": {"path": str(disk), "sizeBytes": disk.stat().st_size, "serial": "CN7-0"},
    }


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    path = tmp_path / "disk.img"
    with open(path, "wb") as sparse:
        sparse.truncate(64 * MIB)
    return path


@pytest.fixture
def manager(disk: Path) -> SimulatedServerHardwareManager:
    return SimulatedServerHardwareManager(description(disk))


def test_without_a_description_it_reports_nothing(monkeypatch):
    monkeypatch.delenv(DESCRIPTION_ENV, raising=False)
    idle = SimulatedServerHardwareManager()
    assert idle.evaluate_hardware_support() == hardware.HardwareSupport.NONE
    with pytest.raises(SimulatedServerRefusal, match=DESCRIPTION_ENV):
        idle.list_block_devices()


def test_it_outranks_every_manager_ipa_ships(manager):
    assert manager.evaluate_hardware_support() > hardware.HardwareSupport.SERVICE_PROVIDER


def test_the_inventory_is_the_described_server(manager, disk):
    inventory = manager.list_hardware_info()
    assert [(i.name, i.mac_address) for i in inventory["interfaces"]] == [
        ("eth0", MACS[0]),
        ("eth1", MACS[1]),
    ]
    (root,) = inventory["disks"]
    assert (root.name, root.size) == (str(disk), 64 * MIB)
    assert manager.get_os_install_device() == str(disk)
    assert (inventory["cpu"].count, inventory["cpu"].architecture) == (32, "x86_64")
    assert inventory["memory"].physical_mb == 262144
    assert inventory["system_vendor"].serial_number == "CN7000001"
    assert inventory["system_vendor"].manufacturer == "HPE"
    assert inventory["boot"].current_boot_mode == "uefi"
    assert inventory["boot"].pxe_interface == MACS[0]
    assert inventory["bmc_address"] == "172.18.1.3"
    assert inventory["hostname"] == "Encl1, bay 3"
    assert manager.get_interface_info("eth1").mac_address == MACS[1]


def test_every_method_of_ipas_managers_is_answered_here():
    """A method inherited (or missing) would run IPA's generic code on this machine."""
    from ironic_python_agent.hardware_managers import cna, container, mlnx

    shipped = (
        hardware.HardwareManager,
        hardware.GenericHardwareManager,
        cna.IntelCnaHardwareManager,
        mlnx.MellanoxDeviceHardwareManager,
        container.ContainerHardwareManager,
    )
    names = {
        name
        for manager in shipped
        for name, value in vars(manager).items()
        if not name.startswith("_") and callable(value) and name != "evaluate_hardware_support"
    }
    missing = sorted(n for n in names if n not in vars(SimulatedServerHardwareManager))
    assert missing == []


@pytest.mark.parametrize("method", sorted(REFUSED))
def test_unsupported_methods_refuse_naming_the_step_and_the_server(manager, method):
    with pytest.raises(SimulatedServerRefusal) as refused:
        getattr(manager, method)({"uuid": "n1"}, [])
    assert not isinstance(refused.value, errors.IncompatibleHardwareMethodError)
    assert method in str(refused.value)
    assert "Encl1, bay 3" in str(refused.value)


def test_erasing_another_device_is_refused(manager, disk):
    device = hardware.BlockDevice("/dev/sda", "disk", 10**12, True)
    with pytest.raises(SimulatedServerRefusal, match="/dev/sda"):
        manager.erase_block_device({"uuid": "n1"}, device)


def test_clean_steps_are_the_erases_and_nothing_else(manager):
    steps = {s["step"]: s["priority"] for s in manager.get_clean_steps({}, [])}
    assert steps == {"erase_devices": 10, "erase_devices_metadata": 99, "erase_devices_express": 0}
    deploy = {s["step"] for s in manager.get_deploy_steps({}, [])}
    assert deploy == {"erase_devices_metadata", "write_image"}


def gpt_disk(path: Path, partition_lba: int = 2048) -> None:
    """A protective MBR, a GPT header at LBA 1 with one partition, and an ext4 superblock
    magic in that partition (what ``wipefs`` finds)."""
    with open(path, "r+b") as disk:
        mbr = bytearray(512)
        mbr[446 + 4] = 0xEE
        struct.pack_into("<I", mbr, 446 + 8, 1)
        mbr[510:512] = b"\x55\xaa"
        header = bytearray(512)
        header[:8] = b"EFI PART"
        struct.pack_into("<QII", header, 72, 2, 128, 128)
        entry = bytearray(128)
        entry[:16] = b"\x0f\xc6\x3d\xaf\x84\x83\x47\x72\x8e\x79\x3d\x69\xd8\x47\x7d\xe4"
        struct.pack_into("<QQ", entry, 32, partition_lba, partition_lba + 4096)
        disk.write(mbr + header + entry)
        disk.seek(partition_lba * 512 + 1080)
        disk.write(b"\x53\xef")
        disk.seek(partition_lba * 512 + 2 * MIB)
        disk.write(b"user data")
        disk.seek(-512, os.SEEK_END)
        disk.write(b"EFI PART")


def test_the_metadata_erase_wipes_tables_and_filesystem_signatures(manager, disk):
    gpt_disk(disk)
    result = manager.erase_devices_metadata({"uuid": "n1"}, [])
    assert "1 partitions" in result[str(disk)]
    data = disk.read_bytes()
    assert data[:MIB] == bytes(MIB)
    assert data[-MIB:] == bytes(MIB)
    start = 2048 * 512
    assert data[start : start + MIB] == bytes(MIB)
    assert data[start + 2 * MIB : start + 2 * MIB + 9] == b"user data"  # not a full erase
    assert disk.stat().st_size == 64 * MIB


def test_the_full_erase_zeroes_every_byte_and_keeps_the_size(manager, disk):
    gpt_disk(disk)
    manager.erase_devices({"uuid": "n1"}, [])
    assert disk.stat().st_size == 64 * MIB
    assert disk.read_bytes() == bytes(64 * MIB)


def test_erase_metadata_of_an_empty_disk_finds_no_partition(disk):
    assert erase_metadata(disk) == []


def test_a_real_agent_loads_this_manager_alone(tmp_path, disk):
    """In a fresh interpreter, as IPA loads managers (stevedore, entry points): with the
    description only ours is found; IPA's generic manager is never initialised."""
    path = tmp_path / "server.json"
    path.write_text(json.dumps(description(disk)))
    write_shims(tmp_path / "bin")
    probe = (
        "from ironic_python_agent import config\n"
        "from ironic_python_agent import hardware\n"
        "print([m['name'] for m in hardware.get_managers_detail()])\n"
        "print(hardware.dispatch_to_managers('get_os_install_device'))\n"
        "from ironic_python_agent import utils\n"
        "print(utils.execute.oneview_sandbox_guard)\n"
    )
    env = {
        **os.environ,
        DESCRIPTION_ENV: str(path),
        "PATH": f"{tmp_path / 'bin'}:{Path(sys.executable).parent}:/usr/sbin:/usr/bin:/bin",
    }
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines == ["['SimulatedServerHardwareManager']", str(disk), "True"], done.stdout


def test_an_agent_with_an_unreadable_description_gets_no_manager_at_all(tmp_path):
    """Set but unreadable: not ours (nothing described), and never IPA's generic one either
    (it would work on this machine): IPA finds no manager and stops."""
    path = tmp_path / "server.json"
    path.write_text("{not json")
    probe = (
        "from ironic_python_agent import config, errors, hardware\n"
        "try:\n"
        "    print([m['name'] for m in hardware.get_managers_detail()])\n"
        "except errors.HardwareManagerNotFound:\n"
        "    print('no manager')\n"
    )
    env = {**os.environ, DESCRIPTION_ENV: str(path)}
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == ["no manager"], done.stdout


def test_ipa_finds_the_manager_through_its_entry_point():
    (entry,) = [
        e
        for e in importlib.metadata.entry_points(group="ironic_python_agent.hardware_managers")
        if e.name == "oneview_sandbox"
    ]
    assert entry.load() is agent_hardware.SimulatedServerHardwareManager


def test_commands_the_path_shims_cannot_catch_are_refused(monkeypatch):
    """IPA's sysrq fallback is a shell line, and a program named by its absolute path skips
    PATH: inside the agent both refuse; any other command runs as IPA asked."""
    from ironic_python_agent import utils
    from oslo_concurrency import processutils

    ran: list[tuple[Any, ...]] = []

    def execute(*cmd: Any, **_kwargs: Any) -> tuple[str, str]:
        ran.append(cmd)
        return "", ""

    monkeypatch.setattr(utils, "execute", execute)
    agent_hardware.guard_commands()
    agent_hardware.guard_commands()  # once is enough: not wrapped twice
    for cmd, kwargs in ((("echo o > /proc/sysrq-trigger",), {"shell": True}),
                        (("/usr/sbin/mpathconf", "--enable"), {})):  # fmt: skip
        with pytest.raises(processutils.ProcessExecutionError, match="refused") as refused:
            utils.execute(*cmd, **kwargs)
        assert cmd[0] in str(refused.value)
    assert utils.try_execute("/sbin/modprobe", "ipmi_si") is None  # IPA's helper goes through it
    assert utils.execute("sgdisk", "-v", "disk.img") == ("", "")
    assert ran == [("sgdisk", "-v", "disk.img")]


def test_the_rescue_never_writes_this_machines_etc(monkeypatch):
    from ironic_python_agent.extensions import base

    monkeypatch.setattr(base, "_EXT_MANAGER", None)
    agent_hardware.refuse_host_commands("Encl1, bay 3")  # no agent: nothing to replace
    base.init_ext_manager(agent=None)
    agent_hardware.refuse_host_commands("Encl1, bay 3")
    rescue = base.get_extension("rescue")
    with pytest.raises(SimulatedServerRefusal, match=r"finalize_rescue.*Encl1, bay 3.*/etc"):
        rescue.execute("finalize_rescue", rescue_password="secret")
    with pytest.raises(SimulatedServerRefusal, match=r"execute_bootc_install.*/etc/containers"):
        base.get_extension("standby").execute("execute_bootc_install", image_source="oci://x")


def test_the_logs_ironic_collects_are_the_servers_not_this_machines(manager, monkeypatch, disk):
    monkeypatch.setenv(DESCRIPTION_ENV, str(disk.parent / "server.json"))
    io_dict: dict[str, Any] = {"journal": "this machine's journal"}
    file_list = ["/var/log"]
    manager.collect_system_logs(io_dict, file_list)
    assert (io_dict, file_list) == ({}, [str(disk.parent / "server.json")])


# An agent process (its own session, as the sandbox starts agents) loading the manager, started
# by a parent that waits until the manager is loaded and then dies without stopping it.
ORPHAN_AGENT = """
from ironic_python_agent import config
from oneview_openstack.sandbox.agent_hardware import SimulatedServerHardwareManager
SimulatedServerHardwareManager()
print("loaded", flush=True)
import threading
threading.Event().wait(600)
"""
DYING_PARENT = """
import subprocess, sys
agent = subprocess.Popen([sys.executable, "-c", sys.argv[1]], start_new_session=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
assert agent.stdout.readline() == "loaded\\n"
print(agent.pid, flush=True)
"""


def test_an_agent_whose_sandbox_died_ends_too(tmp_path, disk):
    import psutil

    from oneview_openstack.simulator.testing import wait_until

    path = tmp_path / "server.json"
    path.write_text(json.dumps(description(disk)))
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", DYING_PARENT, ORPHAN_AGENT],
        capture_output=True, text=True, timeout=120, env={**os.environ, DESCRIPTION_ENV: str(path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    orphan = int(done.stdout.strip())

    def gone() -> bool:
        try:
            return psutil.Process(orphan).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    wait_until(gone, timeout=60, what="the orphaned agent ending")
