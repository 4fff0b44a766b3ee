"""Network sets: a group of Tagged Ethernet networks a profile connection carries as a VLAN trunk.

OneView's rules kept here: Tagged members only, unique VLAN IDs, the native network is a member
(or null), Regular/Large member limits, one connection template per set, and a set that profile
connections use may only hold networks their logical interconnects carry (POSH-HPEOneView#170:
join the uplink set first). Changing a set's members needs no power change of those servers.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import networking_shapes as shapes
from ..errors import BadRequest, Conflict, invalid_field
from ..store import Resource
from ..tasks import Task
from ..versions import connections_of
from .connection_templates import new_template
from .core import Core
from .topology import networks_on_interconnect

SET_TYPES = ("Regular", "Large")
#: Members per set on Synergy (the simulator is a Synergy frame): Regular 1000, Large 4000.
MAX_MEMBERS = {"Regular": 1000, "Large": 4000}
SOURCE = "network-sets"


class NetworkSets:
    def __init__(self, core: Core) -> None:
        self._core = core

    # -- validation -----------------------------------------------------------------------
    def _fields(self, body: Any, existing: Resource | None) -> dict[str, Any]:
        core = self._core
        if not isinstance(body, dict):
            raise BadRequest(
                "The network set body must be a JSON object.", error_code="INVALID_JSON"
            )
        base = existing or {}
        name = body.get("name", base.get("name"))
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        core.unique_name(
            SOURCE,
            name,
            exclude=base.get("uri"),
            error_code="CRM_DUPLICATE_NETWORK_SET_NAME",
            message=f"A network set with the name {name} already exists.",
        )
        kind = body.get("networkSetType", base.get("networkSetType", "Regular"))
        if kind not in SET_TYPES:
            raise invalid_field("networkSetType", kind, f"one of {SET_TYPES}")
        if existing and kind != existing.get("networkSetType", "Regular"):
            raise invalid_field("networkSetType", kind, "the set's current type (it cannot change)")
        uris = body.get("networkUris", base.get("networkUris", []))
        if uris is None:
            uris = []
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise invalid_field("networkUris", uris, "a list of Ethernet network URIs")
        if len(set(uris)) != len(uris):
            twice = next(u for u in uris if uris.count(u) > 1)
            raise invalid_field("networkUris", twice, "each network at most once in a set")
        if len(uris) > MAX_MEMBERS[kind]:
            raise BadRequest(
                f"The network set {name} would hold {len(uris)} networks; a {kind} network set "
                f"holds at most {MAX_MEMBERS[kind]}.",
                error_code="CRM_NETWORK_SET_MAX_NETWORKS_EXCEEDED",
                error_source=SOURCE,
                details=f"networkUris: {len(uris)} networks, networkSetType={kind}",
                recommended_actions=[
                    f"Keep at most {MAX_MEMBERS[kind]} networks, or use networkSetType Large "
                    f"(up to {MAX_MEMBERS['Large']})."
                ],
            )
        self._check_members(name, uris)
        native = body.get("nativeNetworkUri", base.get("nativeNetworkUri"))
        if native == "":
            native = None  # HPE's Terraform examples send "" for "no native network"
        if native is not None and native not in uris:
            raise invalid_field("nativeNetworkUri", native, "one of the set's networkUris or null")
        template_uri = body.get("connectionTemplateUri")
        if existing is not None:
            own = existing.get("connectionTemplateUri")
            if template_uri not in (None, own):
                raise invalid_field(
                    "connectionTemplateUri", template_uri, f"the set's own template {own} or null"
                )
        elif template_uri is not None:
            core.reference("connectionTemplateUri", template_uri, "connection-templates")
        scopes = body.get("initialScopeUris", [])
        if existing is None and (
            not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)
        ):
            raise invalid_field("initialScopeUris", scopes, "a list of scope URIs")
        description = body.get("description", base.get("description"))
        if description is not None and not isinstance(description, str):
            raise invalid_field("description", description, "a string or null")
        return {
            "name": name,
            "networkUris": list(uris),
            "nativeNetworkUri": native,
            "networkSetType": kind,
            "description": description,
        }

    def _check_members(self, set_name: str, uris: list[str]) -> None:
        seen: dict[Any, str] = {}
        for index, uri in enumerate(uris):
            network = self._core.reference(f"networkUris[{index}]", uri, "ethernet-networks")
            kind = network.get("ethernetNetworkType")
            if kind != "Tagged":
                raise BadRequest(
                    f"The network {network['name']} is a {kind} network; a network set holds "
                    "Tagged networks only.",
                    error_code="CRM_INVALID_NETWORK_TYPE_FOR_NETWORK_SET",
                    error_source=SOURCE,
                    details=f"networkUris[{index}]={uri} (ethernetNetworkType={kind})",
                    recommended_actions=[
                        "Remove Untagged and Tunnel networks from the set; connect them directly."
                    ],
                )
            vlan = network.get("vlanId")
            if vlan in seen:
                raise BadRequest(
                    f"Duplicate VLAN IDs are not allowed in the same network set: VLAN {vlan} is "
                    f"used by {seen[vlan]} and {network['name']} in {set_name}.",
                    error_code="CRM_DUPLICATE_VLAN_IDS_NETWORK_SET",
                    error_source=SOURCE,
                    details=f"networkUris[{index}]={uri} (vlanId={vlan})",
                    data={"vlanId": vlan, "networkUris": [uri]},
                )
            seen[vlan] = str(network["name"])

    def users(self, set_uri: str) -> list[tuple[Resource, dict[str, Any]]]:
        """(profile, connection) pairs whose connection points at the set."""
        found = []
        for profile in self._core.store.iter("server-profiles"):
            for conn in connections_of(profile) or []:
                if conn.get("networkUri") == set_uri:
                    found.append((profile, conn))
        return found

    def _check_carried(self, network_set: Resource, uris: list[str]) -> None:
        """Every connection on the set must reach every member through its logical interconnect."""
        store = self._core.store
        for profile, conn in self.users(network_set["uri"]):
            carried = networks_on_interconnect(store, conn.get("interconnectUri"))
            missing = [uri for uri in uris if uri not in carried]
            if missing:
                network = store.find(missing[0]) or {}
                # OneView's message (POSH-HPEOneView#170); the errorCode is a guess from HPE's
                # QA dictionary, which lists CRM_NETWORK_SET_CONSTRAINT_A_VIOLATION unexplained.
                raise BadRequest(
                    "A network set referenced in one or more server profiles may only contain "
                    "networks which are defined as internal networks or associated with an "
                    "uplink set on the logical interconnects associated with the enclosure "
                    "containing these server profiles.",
                    error_code="CRM_NETWORK_SET_CONSTRAINT_A_VIOLATION",
                    error_source=SOURCE,
                    details=f"{network.get('name', missing[0])} ({missing[0]}) is not carried to "
                    f"connection {conn.get('id')} ({conn.get('portId')}) of server profile "
                    f"{profile['name']}; networkUris not carried: {', '.join(missing[:10])}",
                    recommended_actions=[
                        "Add the network to an uplink set of that logical interconnect first, "
                        "then to the network set."
                    ],
                )

    # -- operations -----------------------------------------------------------------------
    def create(self, body: Any) -> Task:
        core = self._core
        fields = self._fields(body, None)
        source = core.store.find(body.get("connectionTemplateUri"))
        sid = core.new_id()
        uri = f"/rest/network-sets/{sid}"
        template = new_template(core, fields["name"], source.get("bandwidth") if source else None)
        network_set = core.store.add(
            {
                "uri": uri,
                "category": SOURCE,
                **fields,
                "state": shapes.NETWORK_STATE,
                "status": "OK",
                "connectionTemplateUri": template["uri"],
                "scopesUri": f"/rest/scopes/resources{uri}",
            }
        )

        def failed(_task: Task) -> None:
            self._forget(network_set)

        return core.run_task(
            kind="network_set",
            name="Create",
            resource=network_set,
            status_text=f"Create network set: {network_set['name']}",
            on_failure=failed,
            hide_resource_until_running=True,
        )

    def update(self, uri: str, body: Any, if_match: str | None) -> Task:
        core = self._core
        network_set = core.store.get(uri)
        if isinstance(body, dict):
            core.check_etag(network_set, body.get("eTag"), if_match)
        fields = self._fields(body, network_set)
        self._check_carried(network_set, fields["networkUris"])
        before = {key: copy.deepcopy(network_set.get(key)) for key in fields}
        network_set.update(fields)
        core.store.touch(network_set)
        revision = network_set["_revision"]

        def failed(_task: Task) -> None:
            if network_set["_revision"] == revision:  # nobody changed it since: undo
                network_set.update(before)
                core.store.touch(network_set)

        return core.run_task(
            kind="network_set",
            name="Update",
            resource=network_set,
            status_text=f"Update network set: {network_set['name']}",
            on_failure=failed,
        )

    def delete(self, uri: str) -> Task:
        core = self._core
        network_set = core.store.get(uri)
        users = self.users(uri)
        if users:
            names = sorted({profile["name"] for profile, _ in users})
            raise Conflict(
                f"The network set {network_set['name']} is used by {len(users)} server profile "
                f"connection(s) ({', '.join(names[:5])}).",
                error_code="CRM_NETWORK_SET_IN_USE_BY_PROFILES",
                error_source=SOURCE,
                details=", ".join(sorted({profile["uri"] for profile, _ in users})[:10]),
                recommended_actions=["Move or remove the profile connections first."],
            )
        network_set["state"] = "Deleting"
        core.store.touch(network_set)

        def failed(_task: Task) -> None:
            network_set["state"] = shapes.NETWORK_STATE
            core.store.touch(network_set)

        return core.run_task(
            kind="network_set",
            name="Delete",
            resource=network_set,
            status_text=f"Delete network set: {network_set['name']}",
            on_success=lambda _t: self._forget(network_set),
            on_failure=failed,
        )

    def join(self, network: Resource, set_uris: Any) -> list[Resource]:
        """Checks for an Ethernet network POST's ``networkSetUris``; returns the sets to join."""
        if set_uris in (None, []):
            return []
        if not isinstance(set_uris, list) or not all(isinstance(u, str) for u in set_uris):
            raise invalid_field("networkSetUris", set_uris, "a list of network set URIs")
        sets = [
            self._core.reference(f"networkSetUris[{i}]", uri, SOURCE)
            for i, uri in enumerate(set_uris)
        ]
        for network_set in sets:
            uris = [*network_set.get("networkUris", []), network["uri"]]
            kind = network_set.get("networkSetType", "Regular")
            if len(uris) > MAX_MEMBERS[kind]:
                raise BadRequest(
                    f"The network set {network_set['name']} is full ({MAX_MEMBERS[kind]} "
                    f"networks for a {kind} set).",
                    error_code="CRM_NETWORK_SET_MAX_NETWORKS_EXCEEDED",
                    error_source=SOURCE,
                )
            self._check_members(network_set["name"], uris)
            self._check_carried(network_set, uris)
        return sets

    def add_member(self, sets: list[Resource], network_uri: str) -> None:
        for network_set in sets:
            if network_uri not in network_set["networkUris"]:
                network_set["networkUris"].append(network_uri)
                self._core.store.touch(network_set)

    def _forget(self, network_set: Resource) -> None:
        store = self._core.store
        for uplink_set in store.iter("uplink-sets"):
            if network_set["uri"] in (uplink_set.get("networkSetUris") or []):
                uplink_set["networkSetUris"].remove(network_set["uri"])
                store.touch(uplink_set)
        store.remove(network_set.get("connectionTemplateUri") or "/rest/x/none")
        store.remove(network_set["uri"])
