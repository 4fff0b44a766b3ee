"""Ethernet networks, with OneView's rules: unique names, VLAN ranges, a VLAN change checked
against the uplink sets carrying the network, and no deleting a network a profile still uses
(uplink sets and LIGs: uplink_sets.py; network sets: network_sets.py)."""

from __future__ import annotations

import re
from typing import Any

from .. import networking_shapes as shapes
from ..errors import BadRequest, Conflict, invalid_field
from ..store import Resource
from ..tasks import Task
from .connection_templates import checked_bandwidth, new_template
from .core import Core
from .network_sets import NetworkSets
from .uplink_sets import NETWORK_TYPES, UplinkSets

PURPOSES = ("General", "Management", "VMMigration", "FaultTolerance", "ISCSI")
NETWORK_FIELDS = ("name", "description", "purpose", "smartLink", "privateNetwork", "vlanId")


def _vlan_error(value: Any) -> BadRequest:
    return BadRequest(
        f"Value is out of range: vlanId {value!r} must be an integer from 1 to 4094.",
        error_code="CRM_VALUE_OUT_OF_RANGE",
        error_source="ethernet-networks",
    )


class Networking:
    def __init__(self, core: Core, network_sets: NetworkSets, uplink_sets: UplinkSets) -> None:
        self._core = core
        self._sets = network_sets
        self._uplinks = uplink_sets

    # -- Ethernet networks ----------------------------------------------------------------
    def _network_fields(self, body: Any, *, existing: Resource | None = None) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest("The network body must be a JSON object.", error_code="INVALID_JSON")
        base = existing or {}
        name = body.get("name", base.get("name"))
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        self._core.unique_name(
            "ethernet-networks",
            name,
            exclude=base.get("uri"),
            error_code="CRM_DUPLICATE_NETWORK_NAME",
            message=f"A network with the name {name} already exists.",
        )
        kind = body.get("ethernetNetworkType", base.get("ethernetNetworkType", "Tagged"))
        if kind not in NETWORK_TYPES:
            raise invalid_field("ethernetNetworkType", kind, f"one of {NETWORK_TYPES}")
        if existing and kind != existing.get("ethernetNetworkType"):
            raise invalid_field(
                "ethernetNetworkType", kind, "the network's current type (it cannot change)"
            )
        vlan = body.get("vlanId", base.get("vlanId")) if kind == "Tagged" else 0
        if kind == "Tagged":
            if vlan is None:
                raise BadRequest(
                    f"The tagged network {name} needs a VLAN ID.",
                    error_code="CRM_MISSING_VLAN_ID_IN_NETWORK",
                    error_source="ethernet-networks",
                )
            if not isinstance(vlan, int) or isinstance(vlan, bool) or not 1 <= vlan <= 4094:
                raise _vlan_error(vlan)
        purpose = body.get("purpose", base.get("purpose", "General"))
        if purpose not in PURPOSES:
            raise invalid_field("purpose", purpose, f"one of {PURPOSES}")
        fields = {"name": name, "ethernetNetworkType": kind, "vlanId": vlan, "purpose": purpose}
        for flag, default in (("smartLink", False), ("privateNetwork", False)):
            value = body.get(flag, base.get(flag, default))
            if not isinstance(value, bool):
                raise invalid_field(flag, value, "true or false")
            fields[flag] = value
        for key in ("subnetUri", "ipv6SubnetUri"):
            if body.get(key) is not None:
                raise invalid_field(
                    key, body[key], "null (the simulator models no id-pools subnets to point at)"
                )
        description = body.get("description", base.get("description"))
        if description is not None and not isinstance(description, str):
            raise invalid_field("description", description, "a string or null")
        fields["description"] = description
        return fields

    def _new_network(
        self, fields: dict[str, Any], bandwidth: dict[str, int] | None = None
    ) -> Resource:
        core = self._core
        nid = core.new_id()
        template = new_template(core, fields["name"], bandwidth)
        uri = f"/rest/ethernet-networks/{nid}"
        fabric = next(core.store.iter("fabrics"), None)
        return core.store.add(
            {
                "uri": uri,
                "category": "ethernet-networks",
                **fields,
                "state": shapes.NETWORK_STATE,
                "status": "OK",
                "connectionTemplateUri": template["uri"],
                "fabricUri": fabric["uri"] if fabric else None,
                **shapes.ethernet_network_extras(uri),
            }
        )

    def create_network(self, body: Any) -> Task:
        fields = self._network_fields(body)
        set_uris = body.get("networkSetUris")
        if set_uris and fields["ethernetNetworkType"] != "Tagged":
            raise invalid_field(
                "networkSetUris",
                set_uris,
                "[] for an Untagged or Tunnel network (sets hold Tagged)",
            )
        bandwidth = checked_bandwidth(body["bandwidth"]) if "bandwidth" in body else None
        network = self._new_network(fields, bandwidth)
        core = self._core
        try:
            sets = self._sets.join(network, set_uris)
        except Exception:
            self._forget_network(network)
            raise
        self._sets.add_member(sets, network["uri"])  # OneView answers with the set already joined

        def failed(_task: Task) -> None:
            self._forget_network(network)

        return core.run_task(
            kind="network",
            name="Create",
            resource=network,
            status_text=f"Create Ethernet network: {network['name']}",
            on_failure=failed,
            hide_resource_until_running=True,
        )

    def create_bulk(self, body: Any) -> Task:
        if not isinstance(body, dict):
            raise BadRequest("The bulk body must be a JSON object.", error_code="INVALID_JSON")
        prefix, ranges = body.get("namePrefix"), body.get("vlanIdRange")
        if not isinstance(prefix, str) or not prefix:
            raise invalid_field("namePrefix", prefix, "a non-empty string")
        if not isinstance(ranges, str) or not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", ranges):
            raise invalid_field("vlanIdRange", ranges, "a range list such as '1-3,5,7'")
        vlans: list[int] = []
        for part in ranges.split(","):
            low, _, high = part.partition("-")
            if int(high or low) < int(low):
                # A backwards range would silently create nothing.
                raise invalid_field("vlanIdRange", ranges, f"ascending ranges ({part!r} is not)")
            vlans.extend(range(int(low), int(high or low) + 1))
        shared = {k: body[k] for k in ("purpose", "smartLink", "privateNetwork") if k in body}
        bandwidth = checked_bandwidth(body["bandwidth"]) if "bandwidth" in body else None
        all_fields: list[dict[str, Any]] = []
        for vlan in vlans:
            fields = self._network_fields(
                {
                    "name": f"{prefix}_{vlan}",
                    "vlanId": vlan,
                    "ethernetNetworkType": "Tagged",
                    **shared,
                }
            )
            if any(f["name"].casefold() == fields["name"].casefold() for f in all_fields):
                raise BadRequest(
                    f"A network with the name {fields['name']} already exists.",
                    error_code="CRM_DUPLICATE_NETWORK_NAME",
                )
            all_fields.append(fields)
        created = [self._new_network(fields, bandwidth) for fields in all_fields]

        def failed(_task: Task) -> None:
            for network in created:
                self._forget_network(network)

        return self._core.run_task(
            kind="network",
            name="Create",
            resource=None,
            resource_uri="/rest/ethernet-networks",
            status_text=f"Create {len(created)} Ethernet networks",
            on_failure=failed,
        )

    def update_network(self, uri: str, body: Any, if_match: str | None) -> Task:
        core = self._core
        network = core.store.get(uri)
        if isinstance(body, dict):
            core.check_etag(network, body.get("eTag"), if_match)
        fields = self._network_fields(body, existing=network)
        if fields["vlanId"] != network.get("vlanId"):
            for uplink_set in self.uplink_sets_with(uri):
                self._uplinks.check_vlans(
                    uplink_set, uplink_set["networkUris"], changed={uri: fields["vlanId"]}
                )
        network.update(fields)
        core.store.touch(network)
        return core.run_task(
            kind="network",
            name="Update",
            resource=network,
            status_text=f"Update Ethernet network: {network['name']}",
        )

    def profiles_using(self, network_uri: str) -> list[str]:
        return [
            profile["uri"]
            for profile in self._core.store.iter("server-profiles")
            if any(
                conn.get("networkUri") == network_uri
                for conn in (profile.get("connectionSettings") or {}).get("connections", [])
            )
        ]

    def uplink_sets_with(self, network_uri: str) -> list[Resource]:
        return [
            us
            for us in self._core.store.iter("uplink-sets")
            if network_uri in (us.get("networkUris") or [])
        ]

    def delete_network(self, uri: str) -> Task:
        core = self._core
        network = core.store.get(uri)
        users = self.profiles_using(uri)
        if users:
            raise Conflict(
                f"The network {network['name']} is used by {len(users)} server profile connection(s).",
                error_code="CRM_NETWORK_IN_USE_BY_PROFILES",
                details=", ".join(users[:10]),
                recommended_actions=["Move or remove the profile connections first."],
            )
        network["state"] = "Deleting"
        core.store.touch(network)
        return core.run_task(
            kind="network",
            name="Delete",
            resource=network,
            status_text=f"Delete Ethernet network: {network['name']}",
            on_success=lambda _t: self._forget_network(network),
            on_failure=lambda _t: self._restore(network),
        )

    def delete_bulk(self, body: Any) -> Task:
        uris = body.get("networkUris") if isinstance(body, dict) else None
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise invalid_field("networkUris", uris, "a list of Ethernet network URIs")
        networks = [self._core.reference("networkUris", u, "ethernet-networks") for u in uris]
        for network in networks:
            if self.profiles_using(network["uri"]):
                raise Conflict(
                    f"The network {network['name']} is used by server profiles.",
                    error_code="CRM_NETWORK_IN_USE_BY_PROFILES",
                )

        def done(_task: Task) -> None:
            for network in networks:
                self._forget_network(network)

        return self._core.run_task(
            kind="network",
            name="Delete",
            resource=None,
            resource_uri="/rest/ethernet-networks",
            status_text=f"Delete {len(networks)} Ethernet networks",
            on_success=done,
        )

    def _restore(self, network: Resource) -> None:
        network["state"] = shapes.NETWORK_STATE
        self._core.store.touch(network)

    def _forget_network(self, network: Resource) -> None:
        """Deleting a network also takes it out of uplink sets, LIGs and network sets."""
        store = self._core.store
        uri = network["uri"]
        for category in ("uplink-sets", "network-sets"):
            for holder in store.iter(category):
                if uri in (holder.get("networkUris") or []):
                    holder["networkUris"] = [u for u in holder["networkUris"] if u != uri]
                    if holder.get("nativeNetworkUri") == uri:
                        holder["nativeNetworkUri"] = None
                    store.touch(holder)
        for lig in store.iter("logical-interconnect-groups"):
            changed = False
            for template in lig.get("uplinkSets") or []:
                if uri in (template.get("networkUris") or []):
                    template["networkUris"] = [u for u in template["networkUris"] if u != uri]
                    changed = True
            if changed:
                store.touch(lig)
        store.remove(network.get("connectionTemplateUri") or "/rest/x/none")
        store.remove(uri)

    def associated_uplink_sets(self, uri: str) -> list[str]:
        self._core.store.get(uri)
        return [us["uri"] for us in self.uplink_sets_with(uri)]

    def associated_profiles(self, uri: str) -> list[str]:
        self._core.store.get(uri)
        return self.profiles_using(uri)
