"""One module per OneView resource family; each is reached through ``OneViewClient``."""

from .base import Page, ResourceFamily
from .firmware_drivers import FirmwareDrivers
from .hardware_catalog import EnclosureGroups, ServerHardwareTypes
from .interconnects import LogicalInterconnectGroups, LogicalInterconnects
from .network_sets import NetworkSets
from .networks import EthernetNetworks
from .profile_templates import ServerProfileTemplates
from .profiles import ServerProfiles, connections_of
from .server_hardware import ServerHardware
from .tasks import Tasks
from .uplink_sets import UplinkSets

__all__ = [
    "EnclosureGroups",
    "EthernetNetworks",
    "FirmwareDrivers",
    "LogicalInterconnectGroups",
    "LogicalInterconnects",
    "NetworkSets",
    "Page",
    "ResourceFamily",
    "ServerHardware",
    "ServerHardwareTypes",
    "ServerProfileTemplates",
    "ServerProfiles",
    "Tasks",
    "UplinkSets",
    "connections_of",
]
