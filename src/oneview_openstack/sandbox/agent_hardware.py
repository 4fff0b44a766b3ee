"""The ironic-python-agent hardware manager of a simulated OneView server.

IPA runs as root on the machine that hosts the sandbox, not on the server it stands in for. Its
generic hardware manager would inventory and erase THIS machine's disks, load kernel modules,
assemble md arrays and write UEFI entries. This manager reports the simulated server instead
(its description, a JSON file written by ``sandbox.agents``, path in ``DESCRIPTION_ENV``) and
answers every method IPA dispatches, so nothing falls through to another manager:

- with a description it outranks every other manager, pins the other managers IPA ships to
  ``HardwareSupport.NONE`` (so their ``initialize`` never runs: no mdadm, modprobe, multipath)
  and drops any other manager from IPA's list;
- without one it reports ``HardwareSupport.NONE`` and does nothing;
- the root disk is the server's disk file; erasing it zeroes the file (a sparse hole), the
  metadata erase wipes the partition table(s) and each partition's first MiB;
- a step the simulated server cannot do answers ``SimulatedServerRefusal`` naming the step and
  the server, never ``IncompatibleHardwareMethodError`` (which would pass it on).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

# IPA's config first: it registers the options its hardware module reads at import.
from ironic_python_agent import config as _ipa_config  # noqa: F401
from ironic_python_agent import errors, hardware
from oslo_log import log

from .agent_erase import MIB, SECTOR, erase_all, erase_metadata
from .agent_guards import (
    SimulatedServerRefusal,
    exit_with_parent,
    guard_commands,
    pin_other_managers,
    refuse_host_commands,
)
from .agent_shims import DESCRIPTION_ENV

LOG = log.getLogger(__name__)
# Methods of IPA's managers that would act on real hardware or the host, or that the simulated
# server has no equivalent for: each answers with a refusal.
REFUSED = {
    "erase_pstore": "the simulated server keeps no pstore",
    "burnin_cpu": "burn-in needs real hardware",
    "burnin_gpu": "burn-in needs real hardware",
    "burnin_disk": "burn-in needs real hardware",
    "burnin_memory": "burn-in needs real hardware",
    "burnin_network": "burn-in needs real hardware",
    "clean_uefi_nvram": "OneView owns the boot order; there is no NVRAM to clean",
    "apply_configuration": "RAID is OneView's (the oneview raid interface), not software RAID",
    "create_configuration": "RAID is OneView's (the oneview raid interface), not software RAID",
    "delete_configuration": "RAID is OneView's (the oneview raid interface), not software RAID",
    "validate_configuration": "RAID is OneView's (the oneview raid interface), not software RAID",
    "execute_bootc_install": "bootc would run a container on the host",
    "inject_files": "injecting files mounts partitions on the host",
    "generate_tls_certificate": "automatic TLS is off for sandbox agents (enable_auto_tls)",
    "read_cpu_info": "the CPU is described, not read from /proc/cpuinfo",
    "get_cpu_cores": "the CPU is described, not read from /proc/cpuinfo",
    "create_cpu_info_dict": "the CPU is described, not read from /proc/cpuinfo",
    "update_nvidia_nic_firmware_image": "NIC firmware is OneView's (firmware baselines)",
    "update_nvidia_nic_firmware_settings": "NIC firmware is OneView's (firmware baselines)",
    "container_clean_step": "container steps would run containers on the host",
    "generic_container_step": "container steps would run containers on the host",
}
CLEAN_STEPS = (("erase_devices", 10), ("erase_devices_metadata", 99), ("erase_devices_express", 0))
CPU_FLAGS = ["fpu", "lm", "vmx", "aes", "sse4_2", "avx2", "pdpe1gb"]


def load_description(path: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        described: dict[str, Any] = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        LOG.error("Simulated server description %s is unreadable: %s", path, error)
        return None
    return described


class SimulatedServerHardwareManager(hardware.HardwareManager):
    """The inventory and steps of one simulated server (see the module's docstring)."""

    HARDWARE_MANAGER_NAME = "oneview_sandbox"
    HARDWARE_MANAGER_VERSION = "1.0"

    def __init__(self, description: dict[str, Any] | None = None) -> None:
        self.description = description or load_description(os.environ.get(DESCRIPTION_ENV))
        if description is None and os.environ.get(DESCRIPTION_ENV) and self.description is None:
            # A sandbox agent whose description is unreadable: no manager at all (IPA exits
            # with HardwareManagerNotFound), never IPA's own on this machine.
            pin_other_managers()
            guard_commands()
        elif self.description is not None and description is None:
            # A real agent (described through the environment).
            pin_other_managers()
            guard_commands()
            refuse_host_commands(str(self.server.get("name")))
            exit_with_parent()

    # -- who answers -----------------------------------------------------------------------
    def evaluate_hardware_support(self) -> int:
        if self.description is None:
            return hardware.HardwareSupport.NONE
        return hardware.HardwareSupport.SERVICE_PROVIDER + 10

    def initialize(self) -> None:
        """Drop every other manager from IPA's list (in place: IPA is iterating it to call
        ``initialize``), so no call can ever fall through to one."""
        managers = hardware._global_managers
        if managers:
            others = [m["name"] for m in managers if m["manager"] is not self]
            managers[:] = [m for m in managers if m["manager"] is self]
            if others:
                LOG.warning("Simulated server: dropped hardware managers %s", others)
        LOG.info(
            "Simulated server %s: disk %s, MACs %s",
            self.server.get("name"),
            self.disk_path,
            [i["mac"] for i in self.interfaces],
        )

    # -- the description -------------------------------------------------------------------
    def _described(self) -> dict[str, Any]:
        if self.description is None:
            raise SimulatedServerRefusal(f"no server description ({DESCRIPTION_ENV} unset)")
        return self.description

    @property
    def server(self) -> dict[str, Any]:
        found: dict[str, Any] = self._described().get("server") or {}
        return found

    @property
    def interfaces(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._described().get("interfaces") or []
        return found

    @property
    def disk_path(self) -> Path:
        """The server's disk file, at its described size (IPA's raw image writer truncates a
        file it opens; a disk keeps its size, so the file grows back, sparse)."""
        disk = self._described()["disk"]
        path, size = Path(disk["path"]), int(disk.get("sizeBytes") or 0)
        if path.is_file() and path.stat().st_size < size:
            with open(path, "r+b") as handle:
                handle.truncate(size)
        return path

    def refuse(self, what: str, why: str) -> SimulatedServerRefusal:
        return SimulatedServerRefusal(
            f"{what} on the simulated server {self.server.get('name')!r}: {why}"
        )

    def _own_disk(self, block_device: Any) -> Path:
        name = getattr(block_device, "name", block_device)
        if Path(str(name)) != self.disk_path:
            raise self.refuse(f"erasing {name}", f"its only disk is {self.disk_path}")
        return self.disk_path

    # -- inventory -------------------------------------------------------------------------
    def list_network_interfaces(self) -> list[hardware.NetworkInterface]:
        return [
            hardware.NetworkInterface(
                i["name"],
                i["mac"],
                has_carrier=True,
                vendor="0x14e4",
                product="0x16a2",
                speed_mbps=i.get("speedMbps") or 10000,
                driver="oneview-sandbox",
            )
            for i in self.interfaces
        ]

    def get_interface_info(self, interface_name: str) -> hardware.NetworkInterface:
        for interface in self.list_network_interfaces():
            if interface.name == interface_name:
                return interface
        raise self.refuse(f"interface {interface_name!r}", "no such NIC")

    def get_ipv4_addr(self, interface_id: str) -> None:
        return None  # the simulated NICs have no address; IPA advertises 127.0.0.1

    def get_ipv6_addr(self, interface_id: str) -> None:
        return None

    def get_bios_given_nic_name(self, interface_name: str) -> None:
        return None

    def collect_lldp_data(self, interface_names: Any = None) -> dict[str, Any]:
        return {}  # no switch speaks LLDP to a simulated NIC

    def get_cpus(self) -> hardware.CPU:
        server = self.server
        sockets = int(server.get("processorCount") or 1)
        cores = int(server.get("processorCoreCount") or 1)
        return hardware.CPU(
            model_name=server.get("processorType") or "unknown",
            frequency=str(server.get("processorSpeedMhz") or 0),
            count=sockets * cores,
            architecture="x86_64",
            flags=list(CPU_FLAGS),
            socket_count=sockets,
        )

    def get_memory(self) -> hardware.Memory:
        megabytes = int(self.server.get("memoryMb") or 0)
        return hardware.Memory(total=megabytes * MIB, physical_mb=megabytes)

    def _block_device(self) -> hardware.BlockDevice:
        disk = self._described()["disk"]
        return hardware.BlockDevice(
            name=str(self.disk_path),
            model=disk.get("model") or "LOGICAL VOLUME",
            size=self.disk_path.stat().st_size,
            rotational=False,
            serial=disk.get("serial"),
            vendor="HPE",
            wwn=None,
            hctl="0:1:0:0",
            by_path=None,
            logical_sectors=SECTOR,
            physical_sectors=SECTOR,
            tran="sas",
        )

    def list_block_devices(self, include_partitions: bool = False) -> list[hardware.BlockDevice]:
        return [self._block_device()]

    def list_block_devices_check_skip_list(
        self, node: Any, include_partitions: bool = False
    ) -> list[hardware.BlockDevice]:
        skip = self.get_skip_list_from_node_for_disks(node)
        return [d for d in self.list_block_devices(include_partitions) if d.name not in skip]

    def get_skip_list_from_node_for_disks(self, node: Any, block_devices: Any = None) -> set[str]:
        hints = ((node or {}).get("properties") or {}).get("skip_block_devices") or []
        names = {h.get("name") for h in hints if isinstance(h, dict)}
        return {str(self.disk_path)} & names

    def get_skip_list_from_node_for_raids(self, node: Any) -> set[str]:
        return set()

    def get_os_install_device(self, permit_refresh: bool = False) -> str:
        return str(self.disk_path)

    def wait_for_disks(self) -> None:
        if not self.disk_path.exists():
            raise errors.DeviceNotFound(f"the server's disk file {self.disk_path} is missing")

    def get_bmc_address(self) -> str:
        return str(self.server.get("mpIpAddress") or "0.0.0.0")  # noqa: S104 - not a bind

    def get_bmc_v6address(self) -> None:
        return None

    def get_bmc_mac(self) -> None:
        return None

    def any_ipmi_device_exists(self) -> bool:
        return False

    def get_system_vendor_info(self) -> hardware.SystemVendorInfo:
        server = self.server
        return hardware.SystemVendorInfo(
            product_name=server.get("model") or "",
            serial_number=server.get("serialNumber") or "",
            manufacturer="HPE",
            firmware=hardware.SystemFirmware(
                vendor="HPE", version=server.get("romVersion") or "", build_date=""
            ),
        )

    def get_boot_info(self) -> hardware.BootInfo:
        interfaces = self.interfaces
        return hardware.BootInfo(
            current_boot_mode=self._described().get("bootMode") or "uefi",
            pxe_interface=interfaces[0]["mac"] if interfaces else None,
        )

    def get_usb_devices(self) -> list[Any]:
        return []

    def list_hardware_info(self) -> dict[str, Any]:
        return {
            "interfaces": self.list_network_interfaces(),
            "cpu": self.get_cpus(),
            "disks": self.list_block_devices(),
            "memory": self.get_memory(),
            "bmc_address": self.get_bmc_address(),
            "bmc_v6address": None,
            "system_vendor": self.get_system_vendor_info(),
            "boot": self.get_boot_info(),
            "hostname": self.server.get("name") or "simulated-server",
        }

    def filter_device(self, device: Any) -> Any:
        return device

    def full_sync(self) -> None:
        with open(self.disk_path, "rb") as disk:
            os.fsync(disk.fileno())

    def collect_system_logs(self, io_dict: dict[str, Any], file_list: list[str]) -> None:
        """What Ironic keeps as the ramdisk's logs: the server's description, not this
        machine's journal or /var/log (IPA gathered those before asking its managers)."""
        io_dict.clear()
        file_list[:] = [os.environ.get(DESCRIPTION_ENV, "")]

    def get_version(self) -> dict[str, str]:
        return {"name": self.HARDWARE_MANAGER_NAME, "version": self.HARDWARE_MANAGER_VERSION}

    # -- steps -----------------------------------------------------------------------------
    def get_clean_steps(self, node: Any, ports: Any) -> list[dict[str, Any]]:
        return [
            {
                "step": step,
                "priority": priority,
                "interface": "deploy",
                "reboot_requested": False,
                "abortable": True,
            }
            for step, priority in CLEAN_STEPS
        ]

    def get_deploy_steps(self, node: Any, ports: Any) -> list[dict[str, Any]]:
        return [
            {"step": "erase_devices_metadata", "priority": 0, "interface": "deploy",
             "reboot_requested": False},
            {"step": "write_image", "priority": 0, "interface": "deploy",
             "reboot_requested": False},
        ]  # fmt: skip

    def get_service_steps(self, node: Any, ports: Any) -> list[dict[str, Any]]:
        return [
            {"step": "write_image", "priority": 0, "interface": "deploy",
             "reboot_requested": False},
        ]  # fmt: skip

    def erase_block_device(self, node: Any, block_device: Any) -> None:
        erase_all(self._own_disk(block_device))

    def erase_devices(self, node: Any, ports: Any) -> dict[str, str]:
        erase_all(self.disk_path)
        return {str(self.disk_path): "every byte zeroed"}

    def erase_devices_express(self, node: Any, ports: Any) -> dict[str, str]:
        return self.erase_devices(node, ports)

    def erase_devices_metadata(self, node: Any, ports: Any) -> dict[str, str]:
        starts = erase_metadata(self.disk_path)
        LOG.info("Erased the metadata of %s (partitions at %s)", self.disk_path, starts)
        return {str(self.disk_path): f"metadata erased ({len(starts)} partitions)"}

    def write_image(
        self, node: Any, ports: Any, image_info: dict[str, Any], configdrive: Any = None
    ) -> Any:
        """IPA's own image writer (standby ``prepare_image``), onto the disk file."""
        from ironic_python_agent.extensions import base

        command = base.get_extension("standby").prepare_image(
            image_info=image_info, configdrive=configdrive
        )
        return command.wait()


def _refusal(name: str, why: str) -> Callable[..., Any]:
    def refused(self: SimulatedServerHardwareManager, *_args: Any, **_kwargs: Any) -> Any:
        raise self.refuse(name, why)

    refused.__name__ = name
    refused.__doc__ = f"Refused: {why}."
    return refused


for _name, _why in REFUSED.items():
    setattr(SimulatedServerHardwareManager, _name, _refusal(_name, _why))
