"""Uplink sets and the uplink-set templates of logical interconnect groups, with OneView's rules:
one VLAN per Ethernet uplink set, one uplink set per network per logical interconnect, members of
the uplink set's network type, and one network at most in an Untagged or Tunnel uplink set."""

from __future__ import annotations

import copy
from typing import Any

from .. import networking_shapes as shapes
from ..errors import BadRequest, invalid_field
from ..store import Resource, Store
from ..tasks import Task
from . import topology
from .core import Core
from .uplink_ports import port_configs, port_uris, primary_location

NETWORK_TYPES = ("Tagged", "Untagged", "Tunnel")
#: Written fields with a closed vocabulary (oneview-golang uplink_set.go comments; Terraform docs).
CHOICES: dict[str, tuple[str, ...]] = {
    "connectionMode": ("Auto", "FailOver"),
    "lacpTimer": ("Short", "Long"),
    "networkType": ("Ethernet",),
    "fcMode": ("NONE", "TRUNK"),
}


def _follow_ports(store: Store, uplink_set_uri: str, uris: list[str]) -> None:
    """Interconnect uplink ports name the uplink set that uses them (associatedUplinkSetUri)."""
    topology.assign_uplink_ports(store, uplink_set_uri, uris)


#: What a LIG PUT cannot change: the appliance's bookkeeping (a client echoes it back).
LIG_READ_ONLY = frozenset(
    ("uri", "category", "type", "eTag", "created", "modified", "state", "status", "scopesUri")
)


def _lig_changes(lig: Resource, body: dict[str, Any]) -> dict[str, Any]:
    """A LIG PUT replaces the group: every field the group has, of the same JSON kind.

    :raises BadRequest: a field the group does not have, or a value of another JSON kind.
    """
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key in LIG_READ_ONLY or key == "uplinkSets":
            continue
        if key not in lig or key.startswith("_"):
            raise invalid_field(key, value, "a field of a logical interconnect group")
        current = lig[key]
        if current is not None and value is not None and type(value) is not type(current):
            raise invalid_field(key, value, f"a JSON {type(current).__name__} as the group has")
        if key == "name" and (not isinstance(value, str) or not value.strip()):
            raise invalid_field(key, value, "a non-empty string")
        changes[key] = copy.deepcopy(value)
    return changes


class UplinkSets:
    def __init__(self, core: Core) -> None:
        self._core = core

    # -- uplink sets ----------------------------------------------------------------------
    def check_vlans(
        self, uplink_set: Resource, network_uris: list[str], changed: dict[str, Any] | None = None
    ) -> None:
        if uplink_set.get("ethernetNetworkType") != "Tagged":
            return
        seen: dict[Any, str] = {}
        for uri in network_uris:
            network = self._core.store.find(uri) or {}
            vlan = (changed or {}).get(uri, network.get("vlanId"))
            if vlan in seen:
                raise BadRequest(
                    f"Duplicate VLAN IDs are not allowed in the same uplink set: VLAN {vlan} is used "
                    f"by {seen[vlan]} and {network.get('name')} in {uplink_set.get('name')}.",
                    error_code="CRM_DUPLICATE_VLAN_IDS_UPLINK_SET",
                    error_source="uplink-sets",
                    data={"vlanId": vlan, "networkUris": [uri]},
                )
            seen[vlan] = str(network.get("name"))

    def _uplink_fields(self, body: Any, existing: Resource | None) -> dict[str, Any]:
        core = self._core
        if not isinstance(body, dict):
            raise BadRequest(
                "The uplink set body must be a JSON object.", error_code="INVALID_JSON"
            )
        base = existing or {}
        li_uri = body.get("logicalInterconnectUri", base.get("logicalInterconnectUri"))
        core.reference("logicalInterconnectUri", li_uri, "logical-interconnects")
        if existing and li_uri != existing["logicalInterconnectUri"]:
            raise invalid_field(
                "logicalInterconnectUri", li_uri, "the uplink set's own (it cannot change)"
            )
        kind = body.get("ethernetNetworkType", base.get("ethernetNetworkType", "Tagged"))
        if kind not in NETWORK_TYPES:
            raise invalid_field("ethernetNetworkType", kind, f"one of {NETWORK_TYPES}")
        name = body.get("name", base.get("name"))
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        uris = body.get("networkUris", base.get("networkUris", []))
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise invalid_field("networkUris", uris, "a list of Ethernet network URIs")
        if len(set(uris)) != len(uris):
            raise invalid_field("networkUris", uris, "each network at most once")
        for uri in uris:
            network = core.reference("networkUris", uri, "ethernet-networks")
            if network.get("ethernetNetworkType") != kind:
                raise BadRequest(
                    f"The network {network['name']} is {network.get('ethernetNetworkType')}; "
                    f"the uplink set {name} carries {kind} networks only.",
                    error_code="CRM_INVALID_NETWORK_TYPE_FOR_UPLINK_SET",
                )
        if kind in ("Untagged", "Tunnel") and len(uris) > 1:
            # A Tunnel network already carries every VLAN of the uplink set (OV help, Tunnel).
            raise invalid_field("networkUris", uris, f"at most one network in a {kind} uplink set")
        for other in core.store.iter("uplink-sets"):
            if other["uri"] == base.get("uri") or other.get("logicalInterconnectUri") != li_uri:
                continue
            if other.get("name", "").casefold() == name.casefold():
                raise BadRequest(
                    f"An uplink set named {name} already exists on the logical interconnect.",
                    error_code="CRM_DUPLICATE_UPLINK_SET_NAME",
                )
            shared = set(uris) & set(other.get("networkUris") or [])
            if shared:
                raise BadRequest(
                    f"Another uplink set is using one of the networks: {other['name']} already "
                    f"carries {sorted(shared)[0]}.",
                    error_code="CRM_NETWORK_ALREADY_ASSIGNED",
                    error_source="uplink-sets",
                )
        native = body.get("nativeNetworkUri", base.get("nativeNetworkUri"))
        if native is not None and native not in uris:
            raise invalid_field("nativeNetworkUri", native, "one of the set's networkUris or null")
        fields: dict[str, Any] = {}
        for key, allowed in CHOICES.items():
            value = body.get(key, base.get(key, shapes.uplink_set_settings()[key]))
            if value not in allowed:
                raise invalid_field(key, value, f"one of {allowed}")
            fields[key] = value
        for key in ("fcNetworkUris", "fcoeNetworkUris", "privateVlanDomains"):
            if body.get(key) not in (None, []):
                raise invalid_field(key, body[key], "[] (an Ethernet uplink set without PVLANs)")
        # oneview-golang sends the primary port as primaryPort; the appliance names it
        # primaryPortLocation (oneview-sdk-ruby api200/uplink_set.rb).
        primary = primary_location(
            body.get(
                "primaryPortLocation", body.get("primaryPort", base.get("primaryPortLocation"))
            )
        )
        configs = port_configs(
            core.store,
            str(li_uri),
            body.get("portConfigInfos", base.get("portConfigInfos")),
            base.get("uri"),
        )
        description = body.get("description", base.get("description"))
        if description is not None and not isinstance(description, str):
            raise invalid_field("description", description, "a string or null")
        fields.update(
            name=name,
            description=description,
            networkUris=list(uris),
            nativeNetworkUri=native,
            logicalInterconnectUri=li_uri,
            ethernetNetworkType=kind,
            portConfigInfos=configs,
            primaryPortLocation=primary,
            reachability=shapes.reachability(configs),
        )
        return fields

    def create_uplink_set(self, body: Any) -> Task:
        core = self._core
        fields = self._uplink_fields(body, None)
        uplink_set = {
            "uri": f"/rest/uplink-sets/{core.new_id()}",
            "category": "uplink-sets",
            **shapes.uplink_set_settings(),
            "state": "Normal",
            "status": "OK",
            **fields,
        }
        self.check_vlans(uplink_set, fields["networkUris"])
        core.store.add(uplink_set)
        _follow_ports(core.store, uplink_set["uri"], port_uris(uplink_set))

        def failed(_task: Task) -> None:
            core.store.remove(uplink_set["uri"])
            _follow_ports(core.store, uplink_set["uri"], [])

        return core.run_task(
            kind="uplink_set",
            name="Create",
            resource=uplink_set,
            status_text=f"Create uplink set: {uplink_set['name']}",
            on_failure=failed,
            hide_resource_until_running=True,
        )

    def update_uplink_set(self, uri: str, body: Any, if_match: str | None) -> Task:
        core = self._core
        uplink_set = core.store.get(uri)
        if isinstance(body, dict):
            core.check_etag(uplink_set, body.get("eTag"), if_match)
        fields = self._uplink_fields(body, uplink_set)
        self.check_vlans({**uplink_set, **fields}, fields["networkUris"])
        before = {key: copy.deepcopy(uplink_set.get(key)) for key in fields}
        uplink_set.update(fields)
        core.store.touch(uplink_set)
        _follow_ports(core.store, uri, port_uris(uplink_set))
        revision = uplink_set["_revision"]

        def failed(_task: Task) -> None:
            if uplink_set["_revision"] == revision:  # nobody changed it since: undo
                uplink_set.update(before)
                core.store.touch(uplink_set)
                _follow_ports(core.store, uri, port_uris(uplink_set))

        return core.run_task(
            kind="uplink_set",
            name="Update",
            resource=uplink_set,
            status_text=f"Update uplink set: {uplink_set['name']}",
            on_failure=failed,
        )

    def delete_uplink_set(self, uri: str) -> Task:
        core = self._core
        uplink_set = core.store.get(uri)
        return core.run_task(
            kind="uplink_set",
            name="Delete",
            resource=uplink_set,
            status_text=f"Delete uplink set: {uplink_set['name']}",
            on_success=lambda _t: self._forget(uri),
        )

    def _forget(self, uri: str) -> None:
        self._core.store.remove(uri)
        _follow_ports(self._core.store, uri, [])

    # -- logical interconnect groups ------------------------------------------------------
    def update_lig(self, uri: str, body: Any, if_match: str | None) -> Task:
        core = self._core
        lig = core.store.get(uri)
        if not isinstance(body, dict):
            raise BadRequest(
                "The logical interconnect group body must be a JSON object.",
                error_code="INVALID_JSON",
            )
        core.check_etag(lig, body.get("eTag"), if_match)
        templates = body.get("uplinkSets", lig.get("uplinkSets"))
        if not isinstance(templates, list):
            raise invalid_field("uplinkSets", templates, "a list of uplink set templates")
        for index, template in enumerate(templates):
            if not isinstance(template, dict):
                raise invalid_field(
                    f"uplinkSets[{index}]", template, "an uplink set template object"
                )
            net_uris = template.get("networkUris") or []
            if not isinstance(net_uris, list):
                raise invalid_field(
                    f"uplinkSets[{index}].networkUris", net_uris, "a list of Ethernet network URIs"
                )
            for net_uri in net_uris:
                core.reference(f"uplinkSets[{index}].networkUris", net_uri, "ethernet-networks")
        changes = _lig_changes(lig, body)
        changes["uplinkSets"] = copy.deepcopy(templates)
        lig.update(changes)
        core.store.touch(lig)

        def done(_task: Task) -> None:
            for li in core.store.iter("logical-interconnects"):
                if li.get("logicalInterconnectGroupUri") == uri:
                    li["consistencyStatus"] = "NOT_CONSISTENT"
                    core.store.touch(li)

        return core.run_task(
            kind="lig",
            name="Update",
            resource=lig,
            status_text=f"Update logical interconnect group: {lig['name']}",
            on_success=done,
        )
