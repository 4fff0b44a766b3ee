"""The hardware type ``oneview``: Ironic's generic hardware with OneView power, boot and allocation.

Deploy is only through the two allocating interfaces, so a ``oneview`` node never deploys on a
server it has not claimed. ``fake`` boot is listed last (never a default) for test beds with
``oneview-direct``; it lacks the ``ramdisk_boot`` capability, so ``oneview-ramdisk`` needs PXE,
iPXE or virtual media (the sandbox uses PXE with placeholder images).
"""

from __future__ import annotations

from ironic.drivers import generic
from ironic.drivers.modules import fake, inspector, noop

from .bios import OneViewBIOS
from .deploy import OneViewAgentDeploy, OneViewRamdiskDeploy
from .firmware import OneViewFirmware
from .inspect import OneViewInspect
from .management import OneViewManagement
from .power import OneViewPower
from .raid import OneViewRAID


class OneViewHardware(generic.GenericHardware):
    """Servers managed by HPE OneView."""

    @property
    def supported_power_interfaces(self) -> list[type]:
        return [OneViewPower]

    @property
    def supported_management_interfaces(self) -> list[type]:
        return [OneViewManagement]

    @property
    def supported_deploy_interfaces(self) -> list[type]:
        return [OneViewAgentDeploy, OneViewRamdiskDeploy]

    @property
    def supported_inspect_interfaces(self) -> list[type]:
        return [OneViewInspect, inspector.AgentInspect, noop.NoInspect]

    # Ours first, so they are the defaults wherever an operator enables them; Ironic's own
    # stay selectable (``no-bios`` and friends, ``agent`` RAID with its in-band steps).
    @property
    def supported_bios_interfaces(self) -> list[type]:
        return [OneViewBIOS, *super().supported_bios_interfaces]

    @property
    def supported_raid_interfaces(self) -> list[type]:
        return [OneViewRAID, *super().supported_raid_interfaces]

    @property
    def supported_firmware_interfaces(self) -> list[type]:
        return [OneViewFirmware, *super().supported_firmware_interfaces]

    @property
    def supported_boot_interfaces(self) -> list[type]:
        # ``fake`` stays, last (so never a default, and only usable if an operator enables it):
        # Ironic's test base (tests/ironic, benchmarks/power_sync.py) deploys and cleans
        # ``oneview`` nodes through it, because PXE there would need TFTP, DHCP and images.
        # Ironic 39 accepts only a node's hardware type's own interfaces, so it cannot go
        # without breaking those test beds; the sandbox and production use ``pxe``/``ipxe``.
        return [*super().supported_boot_interfaces, fake.FakeBoot]
