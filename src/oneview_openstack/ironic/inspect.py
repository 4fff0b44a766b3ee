"""Inspect interface ``oneview``: out-of-band, from what OneView knows, without claiming a profile.

CPUs, memory and architecture come from the server hardware, the local disk size from
``localStorageV2`` when OneView knows the disks (the root logical drive, else the largest drive,
less Ironic's 1 GiB; else 0, Ironic's word for "disk-less or unknown", never a guess), boot modes from the hardware type. Each physical Ethernet port becomes an Ironic
port whose ``local_link_connection`` names the interconnect (its MAC as ``switch_id``, its URI as
``switch_info``) and the downlink port (``port_id``), which is what the ML2 driver binds by; a
port OneView knows no switch for (rack servers) is ``{"network_type": "unmanaged"}``. The port
walk, MAC rule, link shape and architecture rule are the client's views, shared with enrollment.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception, states
from ironic.common import utils as ironic_utils
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base
from ironic.drivers import utils as drivers_utils
from ironic.objects.port import Port
from oslo_log import log as logging

from ..client import OneViewError, configuration, views
from . import common, validation
from .view import View, view_of

LOG = logging.getLogger(__name__)
UNMANAGED = {"network_type": "unmanaged"}


def local_gb(inventory: configuration.StorageInventory) -> int:
    """The root disk's size in GiB, less 1 for partitioning (Ironic's ``[inspector]
    disk_partitioning_spacing``, as its root-device hook does); 0 when OneView knows no disk.

    The root disk is the bootable logical drive; else the largest logical drive (in RAID mode
    the operating system sees logical drives only); else the largest physical drive.
    """
    logical = [d for d in inventory.logical_drives if d.size_gb]
    root = [d.size_gb for d in logical if d.bootable]
    sizes = root or [d.size_gb for d in logical] or [d.size_gb for d in inventory.drives]
    known = [size for size in sizes if size]
    if not known:
        return 0
    size = max(known)
    return max(size - 1, 0) if common.CONF.inspector.disk_partitioning_spacing else size


class OneViewInspect(base.InspectInterface):
    """Out-of-band inspection from OneView's inventory."""

    def get_properties(self) -> dict[str, str]:
        """The node contract's fields.

        :returns: dictionary of <property name>:<property description> entries.
        """
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract and its consistency with OneView.

        :param task: a TaskManager instance containing the node to act on.
        :raises: MissingParameterValue if a field of the node contract is missing.
        :raises: InvalidParameterValue if a field is malformed, disagrees with OneView, or
            OneView cannot be read.
        """
        validation.validate(task)

    def inspect_hardware(self, task: TaskManager) -> str:
        """Properties and ports from OneView's inventory, without claiming the server.

        :param task: a TaskManager instance containing the node to act on.
        :returns: states.MANAGEABLE
        :raises: HardwareInspectionFailure when OneView cannot be read, lacks the CPU, memory or
            architecture facts, or the node's capabilities do not parse; with OneView's words.
        """
        view = view_of(task)
        uri = view.info.server_hardware_uri
        try:
            server = view.server_hardware()
            hardware_type = view.hardware_type()
            storage = configuration.local_storage(view.client.server_hardware.local_storage(uri))
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
        self,
        task: TaskManager,
        server: dict[str, Any],
        hardware_type: dict[str, Any],
        storage: configuration.StorageInventory,
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
        arch = views.cpu_arch(server)
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
                "Node %s: OneView knows no local disk of %s (localStorageV2); local_gb=0",
                task.node.uuid,
                server.get("uri"),
            )
        modes = {m for m in hardware_type.get("bootModes") or []}
        if modes and not drivers_utils.get_node_capability(task.node, "boot_mode"):
            mode = "uefi" if modes & {"UEFI", "UEFIOptimized"} else "bios"
            current = (task.node.properties or {}).get("capabilities")
            try:
                found["capabilities"] = ironic_utils.get_updated_capabilities(
                    current, {"boot_mode": mode}
                )
            except ValueError as error:
                raise exception.HardwareInspectionFailure(
                    error=f"Node {task.node.uuid}: properties/capabilities {current!r} does "
                    f"not parse ({error}); expected a 'key:value,key:value' string."
                ) from error
        return found

    def _create_ports(self, task: TaskManager, view: View, server: dict[str, Any]) -> None:
        interconnect_macs: dict[str, str | None] = {}
        existing = {views.normalise_mac(p.address): p for p in task.ports or []}
        for ethernet in views.ethernet_ports(server):
            lli = views.local_link(
                ethernet, self._interconnect_mac(view, ethernet, interconnect_macs)
            )
            port = existing.get(ethernet.mac)
            if port is not None:
                if _better_link(lli, port.local_link_connection):
                    port.local_link_connection = lli
                    port.save()
                continue
            port = Port(
                task.context,
                address=ethernet.mac,
                node_id=task.node.id,
                local_link_connection=lli,
                pxe_enabled=True,
            )
            try:
                port.create()
                LOG.info(
                    "Node %s: port %s (%s) created (%s)",
                    task.node.uuid,
                    ethernet.mac,
                    ethernet.label,
                    lli,
                )
            except exception.MACAlreadyExists:
                LOG.warning(
                    "Node %s: MAC %s is already another node's port", task.node.uuid, ethernet.mac
                )

    @staticmethod
    def _interconnect_mac(
        view: View, ethernet: views.EthernetPort, cache: dict[str, str | None]
    ) -> str | None:
        """The MAC of the interconnect the port is wired to (read once per interconnect)."""
        uri = ethernet.interconnect_uri
        if not uri or ethernet.downlink is None:
            return None  # a rack server: OneView does not know its switch
        if uri not in cache:
            try:
                cache[uri] = view.client.interconnects.get(uri).get("interconnectMAC")
            except OneViewError as error:
                LOG.warning(
                    "Interconnect %s unreadable, port left unlinked: %s", uri, error.summary
                )
                cache[uri] = None
        return cache[uri]


def _better_link(new: dict[str, str], current: dict[str, Any] | None) -> bool:
    """Whether inspection replaces a port's link: an empty one always, an unmanaged one by a real
    link (the interconnect may have been unreadable last time); a real link is kept."""
    if not current:
        return True
    return current == UNMANAGED and new != UNMANAGED
