"""Ethernet networks: create, find by name, update, delete, and which uplink sets carry one."""

from __future__ import annotations

from typing import Any

from .base import ResourceFamily

NETWORK_TYPES = ("Tagged", "Untagged", "Tunnel")


class EthernetNetworks(ResourceFamily):
    category = "ethernet-networks"

    def create(
        self,
        name: str,
        vlan_id: int | None = None,
        *,
        network_type: str = "Tagged",
        purpose: str = "General",
        smart_link: bool = False,
        private_network: bool = False,
        extra: dict[str, Any] | None = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """Create and return the network (after its task ends, with ``wait``)."""
        if network_type not in NETWORK_TYPES:
            raise ValueError(f"network_type must be one of {NETWORK_TYPES}, got {network_type!r}")
        body: dict[str, Any] = {
            "name": name,
            "ethernetNetworkType": network_type,
            "purpose": purpose,
            "smartLink": smart_link,
            "privateNetwork": private_network,
            **(extra or {}),
        }
        if network_type == "Tagged":
            body["vlanId"] = vlan_id
        return self._create(body, find=lambda: self.find_by_name(name), wait=wait)

    def update(self, id_or_uri: str, **fields: Any) -> dict[str, Any]:
        """eTag-safe update of top-level fields (``name=...``, ``smartLink=...``)."""

        def change(network: dict[str, Any]) -> bool:
            changed = {k: v for k, v in fields.items() if network.get(k) != v}
            network.update(changed)
            return bool(changed)

        return self._update(id_or_uri, change).resource

    def delete(self, id_or_uri: str, *, wait: bool = True) -> dict[str, Any]:
        return self._call("DELETE", self.uri(id_or_uri), wait=wait)

    def associated_uplink_sets(self, id_or_uri: str) -> list[str]:
        return list(self._connector.get(self.uri(id_or_uri) + "/associatedUplinkGroups") or [])
