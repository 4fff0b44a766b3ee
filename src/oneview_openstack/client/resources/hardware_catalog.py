"""Read-only descriptions the drivers validate against: server hardware types, enclosure groups."""

from __future__ import annotations

from .base import ResourceFamily


class ServerHardwareTypes(ResourceFamily):
    """Models: boot modes, boot capabilities and adapters a server of this type offers."""

    category = "server-hardware-types"


class EnclosureGroups(ResourceFamily):
    """A server's enclosure group is its ``serverGroupUri``; templates must match it."""

    category = "enclosure-groups"
