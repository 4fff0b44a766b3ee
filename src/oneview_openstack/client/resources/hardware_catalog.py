"""Read-only descriptions the drivers validate against: hardware types, enclosure groups, interconnects."""

from __future__ import annotations

from .base import ResourceFamily


class ServerHardwareTypes(ResourceFamily):
    """Models: boot modes, boot capabilities and adapters a server of this type offers."""

    category = "server-hardware-types"


class EnclosureGroups(ResourceFamily):
    """A server's enclosure group is its ``serverGroupUri``; templates must match it."""

    category = "enclosure-groups"


class Interconnects(ResourceFamily):
    """Interconnect modules: a server port's downlink names one (for ``local_link_connection``)."""

    category = "interconnects"
