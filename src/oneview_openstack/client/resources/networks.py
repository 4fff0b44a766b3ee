"""Ethernet networks: create (one or in bulk), find by name, update, delete."""

from __future__ import annotations

from typing import Any

from .base import ResourceFamily, quote

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

    def create_bulk(
        self,
        name_prefix: str,
        vlan_id_range: str,
        *,
        purpose: str = "General",
        smart_link: bool = False,
        private_network: bool = False,
    ) -> list[dict[str, Any]]:
        """``POST .../bulk``: networks ``<prefix>_<vlan>`` for a range such as ``"10-12,15"``."""
        body = {
            "namePrefix": name_prefix,
            "vlanIdRange": vlan_id_range,
            "purpose": purpose,
            "smartLink": smart_link,
            "privateNetwork": private_network,
        }
        wanted = {f"{name_prefix}_{vlan}" for vlan in _vlans(vlan_id_range)}

        def created() -> list[dict[str, Any]]:
            # LIKE wildcards in the prefix only widen the match; the names are checked here.
            pattern = quote(name_prefix + "%")
            members = self.list(filters=f'"name matches {pattern}"', sort="vlanId:ascending")
            return [m for m in members if m.get("name") in wanted]

        def find() -> dict[str, Any] | None:
            found = created()
            return {"members": found} if found else None

        self._create(body, find=find, path=self.path + "/bulk")
        return created()

    def update(self, id_or_uri: str, **fields: Any) -> dict[str, Any]:
        """eTag-safe update of top-level fields (``name=...``, ``smartLink=...``)."""

        def change(network: dict[str, Any]) -> bool:
            changed = {k: v for k, v in fields.items() if network.get(k) != v}
            network.update(changed)
            return bool(changed)

        return self._update(id_or_uri, change).resource

    def delete(self, id_or_uri: str, *, wait: bool = True) -> dict[str, Any]:
        return self._call("DELETE", self.uri(id_or_uri), wait=wait)

    def delete_bulk(self, uris: list[str], *, wait: bool = True) -> dict[str, Any]:
        return self._call(
            "POST", self.path + "/bulk-delete", json={"networkUris": list(uris)}, wait=wait
        )

    def associated_uplink_sets(self, id_or_uri: str) -> list[str]:
        return list(self._connector.get(self.uri(id_or_uri) + "/associatedUplinkGroups") or [])

    def associated_profiles(self, id_or_uri: str) -> list[str]:
        return list(self._connector.get(self.uri(id_or_uri) + "/associatedProfiles") or [])


def _vlans(ranges: str) -> list[int]:
    vlans: list[int] = []
    for part in ranges.split(","):
        low, _, high = part.strip().partition("-")
        vlans.extend(range(int(low), int(high or low) + 1))
    return vlans
