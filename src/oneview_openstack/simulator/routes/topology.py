"""Sub-resources of frames and their fabric: an enclosure's environmental configuration,
interconnect ports, logical-interconnect settings blocks and internal VLANs, and LIG settings,
read as hpeOneView's getters read them."""

from __future__ import annotations

from typing import Any

from ..http import Call
from ..state import topology

LI = "/rest/logical-interconnects/{id}"
IC = "/rest/interconnects/{id}"
LIG = "/rest/logical-interconnect-groups"


def _store(call: Call) -> Any:
    return call.state.core.store


def li_setting(call: Call) -> dict[str, Any]:
    leaf = call.path.rstrip("/").rsplit("/", 1)[-1]
    li_uri = f"/rest/logical-interconnects/{call.params['id']}"
    return topology.li_setting(_store(call), li_uri, leaf)


def li_telemetry(call: Call) -> dict[str, Any]:
    li_uri = f"/rest/logical-interconnects/{call.params['id']}"
    return topology.li_telemetry(_store(call), li_uri, call.params["setting_id"])


def ports(call: Call) -> dict[str, Any]:
    return topology.interconnect_ports(_store(call), f"/rest/interconnects/{call.params['id']}")


def port(call: Call) -> dict[str, Any]:
    ic_uri = f"/rest/interconnects/{call.params['id']}"
    return topology.interconnect_port(_store(call), ic_uri, call.params["port_id"])


def internal_vlans(call: Call) -> dict[str, Any]:
    li_uri = f"/rest/logical-interconnects/{call.params['id']}"
    return topology.li_internal_vlans(_store(call), li_uri)


def environment(call: Call) -> dict[str, Any]:
    enclosure_uri = f"/rest/enclosures/{call.params['id']}"
    return topology.enclosure_environment(_store(call), enclosure_uri)


def lig_settings(call: Call) -> dict[str, Any]:
    return topology.lig_settings(_store(call), f"{LIG}/{call.params['id']}", call.version)


def lig_default_settings(call: Call) -> dict[str, Any]:
    return topology.lig_settings(_store(call), None, call.version)


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    *[("GET", f"{LI}/{leaf}", li_setting, {}) for leaf in topology.LI_SETTINGS],
    ("GET", f"{LI}/telemetry-configurations/{{setting_id}}", li_telemetry, {}),
    ("GET", f"{LI}/internalVlans", internal_vlans, {}),
    ("GET", "/rest/enclosures/{id}/environmentalConfiguration", environment, {}),
    ("GET", f"{IC}/ports", ports, {}),
    ("GET", f"{IC}/ports/{{port_id}}", port, {}),
    ("GET", f"{LIG}/defaultSettings", lig_default_settings, {}),
    ("GET", f"{LIG}/{{id}}/settings", lig_settings, {}),
]
