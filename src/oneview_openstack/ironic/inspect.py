"""Inspect interface ``oneview``: out-of-band, from what OneView knows, without claiming a profile.

CPUs, memory and architecture come from the server hardware, the local disk size from
``localStorageV2`` when OneView knows the disks (else 0, Ironic's word for "disk-less or unknown",
never a guess), boot modes from the hardware type. Each physical Ethernet port becomes an Ironic
port whose ``local_link_connection`` names the interconnect (its MAC as ``switch_id``, its URI as
``switch_info``) and the downlink port (``port_id``), which is what the ML2 driver binds by.
"""

from __future__ import annotations

from typing import Any

from ironic import objects
from ironic.common import exception, states
from ironic.drivers import base
from ironic.drivers import utils as drivers_utils
from oslo_log import log as logging

from ..client import OneViewError
from . import common, validation
from .view import View, view_of

LOG = logging.getLogger(__name__)


def cpu_arch(processor_type: str | None) -> str | None:
    """The architecture a processor model name implies, or None when it does not say."""
    text = (processor_type or "").lower()
    if any(word in text for word in ("intel", "amd", "xeon", "epyc", "x86")):
        return "x86_64"
    if any(word in text for word in ("arm", "ampere", "aarch64", "neoverse")):
        return "aarch64"
    return None


def local_gb(storage: dict[str, Any]) -> int:
    """Largest physical drive in GiB, minus one for partitioning (Ironic's rule); 0 if unknown."""
    sizes = [
        drive.get("CapacityGB")
        for controller in storage.get("data") or []
        for drive in controller.get("PhysicalDrives") or []
        if isinstance(drive.get("CapacityGB"), int | float)
    ]
    return max(int(max(sizes)) - 1, 0) if sizes else 0


def port_links(server: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per physical Ethernet port: its MAC and where it is wired (may be None)."""
    links = []
    for slot in (server.get("portMap") or {}).get("deviceSlots") or []:
        for port in slot.get("physicalPorts") or []:
            if port.get("type") != "Ethernet":
                continue
            virtual = [v for v in port.get("virtualPorts") or [] if v.get("portFunction") == "a"]
            mac = (virtual[0] if virtual else port).get("mac")
            if not mac:
                continue
            links.append(
                {
                    "mac": mac.lower(),
                    "interconnect": port.get("interconnectUri"),
                    "downlink": port.get("interconnectPort"),
                    "port_name": f"{slot.get('location')} {slot.get('slotNumber')}:"
                    f"{port.get('portNumber')}" + ("-a" if virtual else ""),
                }
            )
    return links


class OneViewInspect(base.InspectInterface):
    """Out-of-band inspection from OneView's inventory."""

    def get_properties(self) -> dict[str, str]:
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        validation.validate(task)

    def inspect_hardware(self, task: Any) -> str:
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            server = view.server_hardware()
            hardware_type = view.hardware_type()
            storage = view.client.server_hardware.local_storage(uri)
        except (OneViewError, common.OneViewDriverError) as error:
            raise exception.HardwareInspectionFailure(
                error=f"Reading server hardware {uri} from OneView failed: {error}"
            ) from error
        properties = dict(task.node.properties or {})
        properties.update(self._properties(task, server, hardware_type, storage))
        task.node.properties = properties
        task.node.save()
        self._create_ports(task, view, server)
        LOG.info("Node %s inspected out-of-band from OneView: %s", task.node.uuid, properties)
        return states.MANAGEABLE

    def _properties(
        self, task: Any, server: dict[str, Any], hardware_type: dict[str, Any], storage: dict
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}
        missing = []
        count, cores = server.get("processorCount"), server.get("processorCoreCount")
        if isinstance(count, int) and isinstance(cores, int):
            found["cpus"] = count * cores
        else:
            missing.append("processorCount/processorCoreCount")
        if isinstance(server.get("memoryMb"), int):
            found["memory_mb"] = server["memoryMb"]
        else:
            missing.append("memoryMb")
        arch = cpu_arch(server.get("processorType"))
        if arch:
            found["cpu_arch"] = arch
        else:
            missing.append(f"an architecture in processorType {server.get('processorType')!r}")
        if missing:
            raise exception.HardwareInspectionFailure(
                error=f"Server hardware {server.get('uri')} of node {task.node.uuid} lacks "
                f"{', '.join(missing)} in OneView."
            )
        found["local_gb"] = local_gb(storage)
        if not found["local_gb"]:
            LOG.warning(
                "Node %s: OneView knows no local disk of %s (localStorageV2 %s); local_gb=0",
                task.node.uuid,
                server.get("uri"),
                storage.get("collectionState"),
            )
        modes = {m for m in hardware_type.get("bootModes") or []}
        if modes and not drivers_utils.get_node_capability(task.node, "boot_mode"):
            mode = "uefi" if modes & {"UEFI", "UEFIOptimized"} else "bios"
            capabilities = common.parse_capabilities(task.node)
            capabilities["boot_mode"] = mode
            found["capabilities"] = ",".join(f"{k}:{v}" for k, v in capabilities.items())
        return found

    def _create_ports(self, task: Any, view: View, server: dict[str, Any]) -> None:
        interconnects: dict[str, dict[str, Any]] = {}
        existing = {p.address.lower(): p for p in task.ports or []}
        for link in port_links(server):
            lli = self._link(view, link, interconnects)
            port = existing.get(link["mac"])
            if port is not None:
                if lli and not port.local_link_connection:
                    port.local_link_connection = lli
                    port.save()
                continue
            port = objects.Port(
                task.context,
                address=link["mac"],
                node_id=task.node.id,
                local_link_connection=lli or {},
                pxe_enabled=True,
            )
            try:
                port.create()
                LOG.info("Node %s: port %s created (%s)", task.node.uuid, link["mac"], lli)
            except exception.MACAlreadyExists:
                LOG.warning(
                    "Node %s: MAC %s is already another node's port", task.node.uuid, link["mac"]
                )

    @staticmethod
    def _link(view: View, link: dict[str, Any], cache: dict[str, dict]) -> dict[str, str] | None:
        uri = link["interconnect"]
        if not uri or link["downlink"] is None:
            return None  # a rack server: OneView does not know its switch
        if uri not in cache:
            try:
                cache[uri] = view.client.interconnects.get(uri)
            except OneViewError as error:
                LOG.warning("Interconnect %s unreadable, port left unlinked: %s", uri, error)
                cache[uri] = {}
        mac = cache[uri].get("interconnectMAC")
        if not mac:
            return None
        return {"switch_id": mac.lower(), "port_id": f"d{link['downlink']}", "switch_info": uri}
