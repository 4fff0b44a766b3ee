"""Logical interconnects and their groups (LIGs): where uplink sets and their templates live."""

from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..etag import UpdateResult
from .base import ResourceFamily


class LogicalInterconnects(ResourceFamily):
    category = "logical-interconnects"


class LogicalInterconnectGroups(ResourceFamily):
    category = "logical-interconnect-groups"

    def add_network_to_uplink_set(
        self, id_or_uri: str, uplink_set_name: str, network_uri: str, *, wait: bool = True
    ) -> UpdateResult:
        """Put ``network_uri`` into the LIG's uplink-set template named ``uplink_set_name``."""

        def change(lig: dict[str, Any]) -> bool:
            template = _template(lig, uplink_set_name)
            uris = template.setdefault("networkUris", [])
            if network_uri in uris:
                return False
            uris.append(network_uri)
            return True

        return self._update(id_or_uri, change, wait=wait)

    def remove_network_from_uplink_set(
        self, id_or_uri: str, uplink_set_name: str, network_uri: str, *, wait: bool = True
    ) -> UpdateResult:
        def change(lig: dict[str, Any]) -> bool:
            template = _template(lig, uplink_set_name)
            uris = template.get("networkUris") or []
            if network_uri not in uris:
                return False
            template["networkUris"] = [u for u in uris if u != network_uri]
            return True

        return self._update(id_or_uri, change, wait=wait)


def _template(lig: dict[str, Any], name: str) -> dict[str, Any]:
    for template in lig.get("uplinkSets") or []:
        if template.get("name") == name:
            return template
    names = [t.get("name") for t in lig.get("uplinkSets") or []]
    raise NotFound(
        f"The logical interconnect group {lig.get('name')} has no uplink set named {name!r} "
        f"(it has {names}).",
        error_code="UPLINK_SET_TEMPLATE_NOT_FOUND",
        uri=lig.get("uri"),
    )
