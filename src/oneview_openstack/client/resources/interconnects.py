"""Logical interconnects and their groups (LIGs): where uplink sets and their templates live.

Read-only here (``get``, ``list``): the product changes uplink sets, never their templates.
"""

from __future__ import annotations

from .base import ResourceFamily


class LogicalInterconnects(ResourceFamily):
    category = "logical-interconnects"


class LogicalInterconnectGroups(ResourceFamily):
    category = "logical-interconnect-groups"
