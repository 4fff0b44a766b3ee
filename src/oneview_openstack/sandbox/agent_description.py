"""What an agent is told about its simulated server: the JSON description the hardware manager
reports as the inventory (``agent_hardware``), built from the simulator's server hardware and
profile, and the size of the server's disk file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GIB = 1024**3
DEFAULT_DISK_GIB = 16  # a server whose local storage OneView does not know


def slug(server_name: str) -> str:
    """A file name for a server name such as ``Encl1, bay 3`` (``Encl1-bay-3``)."""
    return re.sub(r"[^A-Za-z0-9_.]+", "-", server_name).strip("-") or "server"


def server_interfaces(
    server: Mapping[str, Any], profile: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The NICs the server's OS sees: every FlexNIC of each Ethernet port (or the port itself
    without FlexNICs), with a profile connection's MAC where the profile assigns one."""
    assigned = {
        c.get("portId"): c.get("mac")
        for c in ((profile or {}).get("connectionSettings") or {}).get("connections") or []
        if c.get("portId") and c.get("mac")
    }
    found: list[dict[str, Any]] = []
    for slot in (server.get("portMap") or {}).get("deviceSlots") or []:
        for port in slot.get("physicalPorts") or []:
            if port.get("type") != "Ethernet":
                continue
            where = f"{slot.get('location')} {slot.get('slotNumber')}:{port.get('portNumber')}"
            functions = [
                (f"{where}-{v.get('portFunction')}", v.get("mac"))
                for v in port.get("virtualPorts") or []
            ] or [(f"{where}-a", port.get("mac"))]
            for label, mac in functions:
                mac = assigned.get(label) or mac
                if mac:
                    found.append({"label": label, "mac": str(mac).lower()})
    for index, interface in enumerate(found):
        interface["name"] = f"eth{index}"
    return found


def root_disk_bytes(storage: Mapping[str, Any]) -> int:
    """The root disk's size: the bootable logical drive, else the largest logical drive, else
    the largest physical drive (how the OS and Ironic's inspection see it); GiB as OneView's
    ``CapacityGB``."""
    controllers = storage.get("data") or []
    logical = [d for c in controllers for d in c.get("LogicalDrives") or [] if d.get("CapacityGB")]
    physical = [d for c in controllers for d in c.get("PhysicalDrives") or []]
    sizes = (
        [d["CapacityGB"] for d in logical if d.get("Bootable")]
        or [d["CapacityGB"] for d in logical]
        or [d["CapacityGB"] for d in physical if d.get("CapacityGB")]
    )
    return int(max(sizes) * GIB) if sizes else DEFAULT_DISK_GIB * GIB


def boot_mode(profile: Mapping[str, Any] | None) -> str:
    mode = (((profile or {}).get("bootMode") or {}).get("mode")) or "UEFI"
    return "bios" if mode == "BIOS" else "uefi"


def describe(
    server: Mapping[str, Any],
    profile: Mapping[str, Any] | None,
    interfaces: list[dict[str, Any]],
    disk: Path,
    boot: Mapping[str, Any],
    size: int,
) -> dict[str, Any]:
    """What the hardware manager reports: the simulated server, not this machine."""
    keys = ("uri", "name", "uuid", "serialNumber", "model", "romVersion", "mpFirmwareVersion",
            "mpIpAddress", "processorType", "processorCount", "processorCoreCount",
            "processorSpeedMhz", "memoryMb")  # fmt: skip
    return {
        "server": {key: server.get(key) for key in keys},
        "bootMode": boot_mode(profile),
        "interfaces": interfaces,
        "disk": {
            "path": str(disk),
            "sizeBytes": size,
            "model": "LOGICAL VOLUME",
            "serial": f"{server.get('serialNumber') or 'disk'}-0",
        },
        "boot": dict(boot),
    }
