"""A minimal Ironic API for the driver's lookups: version documents, nodes, ports, port groups.

Serves what openstacksdk's ``baremetal.get_node``, ``nodes(fields=...)`` and
``ports(portgroup=..., fields=...)`` ask for, as Ironic 39 answers them: ``GET /v1/nodes/<id>``,
``GET /v1/nodes`` (paged with a ``next`` link when ``page_size`` is set), ``GET /v1/ports``
(filters ``portgroup``, ``node``), ``GET /v1/portgroups/<id>`` and ``/v1/portgroups/<id>/ports``
(404 for an unknown port group, as Ironic's ``get_rpc_portgroup``). Tests put nodes in ``nodes``
(``add_node``) and port groups with their member ports in ``portgroups``/``ports``
(``add_portgroup``), and can make the service "unreachable" by setting ``down`` (503 on every
request).
"""

from __future__ import annotations

import json
import threading
import uuid as uuidlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

MAX_VERSION = "1.99"


class IronicStandIn:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.portgroups: dict[str, dict[str, Any]] = {}
        self.ports: dict[str, dict[str, Any]] = {}
        self.page_size: int | None = None  # like Ironic's [api] max_limit: list pages
        self.down = False
        self.requests: list[str] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                standin.requests.append(self.path)
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                status, body = standin.answer(url.path, query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("OpenStack-API-Version", f"baremetal {MAX_VERSION}")
                self.send_header("X-OpenStack-Ironic-API-Maximum-Version", MAX_VERSION)
                self.send_header("X-OpenStack-Ironic-API-Minimum-Version", "1.1")
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _version(self) -> dict[str, Any]:
        return {
            "id": "v1",
            "links": [{"href": f"{self.url}/v1/", "rel": "self"}],
            "status": "CURRENT",
            "min_version": "1.1",
            "version": MAX_VERSION,
        }

    def answer(self, path: str, query: dict[str, str] | None = None) -> tuple[int, Any]:
        query = query or {}
        if self.down:
            return 503, {"error_message": "Ironic is down (stand-in)"}
        path = path.rstrip("/")
        if path == "":
            return 200, {
                "name": "OpenStack Ironic API",
                "versions": [self._version()],
                "default_version": self._version(),
            }
        if path == "/v1":
            return 200, {"id": "v1", "version": self._version(), "links": []}
        if path in ("/v1/nodes", "/v1/nodes/detail"):
            return self._listing("nodes", list(self.nodes.values()), query)
        if path.startswith("/v1/nodes/"):
            node = _find(self.nodes, path.split("/")[3])
            return (200, node) if node else _not_found("Node", path.split("/")[3])
        if path in ("/v1/ports", "/v1/ports/detail"):
            return self._ports(query.pop("portgroup", None), query)
        if path.startswith("/v1/portgroups/"):
            parts = path.split("/")
            if len(parts) == 4:
                group = _find(self.portgroups, parts[3])
                return (200, group) if group else _not_found("Portgroup", parts[3])
            if len(parts) == 5 and parts[4] in ("ports", "ports/detail"):
                return self._ports(parts[3], query)
        return 404, {"error_message": "not found"}

    def _ports(self, portgroup: str | None, query: dict[str, str]) -> tuple[int, Any]:
        ports = list(self.ports.values())
        if portgroup is not None:
            group = _find(self.portgroups, portgroup)
            if group is None:
                return _not_found("Portgroup", portgroup)
            ports = [p for p in ports if p["portgroup_uuid"] == group["uuid"]]
        node = query.pop("node", None) or query.pop("node_uuid", None)
        if node is not None:
            found = _find(self.nodes, node)
            ports = [p for p in ports if found and p["node_uuid"] == found["uuid"]]
        return self._listing("ports", ports, query)

    def _listing(
        self, key: str, items: list[dict[str, Any]], query: dict[str, str]
    ) -> tuple[int, Any]:
        """A collection page: ``fields`` honoured, ``limit``/``marker`` paging as Ironic does."""
        items = sorted(items, key=lambda item: item["uuid"])
        marker = query.get("marker")
        if marker:
            items = [item for item in items if item["uuid"] > marker]
        limit = min(int(query.get("limit") or 10**6), self.page_size or 10**6)
        page, more = items[:limit], len(items) > limit
        fields = query.get("fields")
        if fields:
            wanted = fields.split(",")
            page = [{f: item.get(f) for f in wanted} for item in page]
        body: dict[str, Any] = {key: page}
        if more:
            rest = {**query, "limit": str(limit), "marker": items[limit - 1]["uuid"]}
            body["next"] = f"{self.url}/v1/{key}?{urlencode(rest)}"
        return 200, body

    def add_node(self, uuid: str, profile_uri: str | None, **extra: Any) -> dict[str, Any]:
        driver_info = {"server_hardware_uri": extra.pop("server_hardware_uri", None)}
        if profile_uri is not None:
            driver_info["applied_server_profile_uri"] = profile_uri
        node = {
            "uuid": uuid,
            "name": extra.pop("name", f"node-{uuid[:8]}"),
            "driver": "oneview",
            "driver_info": driver_info,
            "provision_state": "deploying",
            "power_state": "power on",
            "links": [],
            **extra,
        }
        self.nodes[uuid] = node
        return node

    def add_portgroup(
        self,
        node_uuid: str,
        members: list[dict[str, Any]],
        *,
        mode: str = "active-backup",
        address: str | None = None,
        name: str | None = None,
        properties: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A port group of ``node_uuid`` and its member ports.

        ``members``: one dict per member port, with ``address`` and optionally
        ``local_link_connection``, ``physical_network``, ``uuid``.
        """
        group_uuid = extra.pop("uuid", None) or str(uuidlib.uuid4())
        group = {
            "uuid": group_uuid,
            "name": name,
            "node_uuid": node_uuid,
            "address": address,
            "mode": mode,
            "properties": properties or {},
            "standalone_ports_supported": True,
            "links": [],
            **extra,
        }
        self.portgroups[group_uuid] = group
        for member in members:
            self.add_port(node_uuid, portgroup_uuid=group_uuid, **member)
        return group

    def add_port(self, node_uuid: str, address: str, **extra: Any) -> dict[str, Any]:
        port_uuid = extra.pop("uuid", None) or str(uuidlib.uuid4())
        port = {
            "uuid": port_uuid,
            "address": address,
            "node_uuid": node_uuid,
            "portgroup_uuid": extra.pop("portgroup_uuid", None),
            "local_link_connection": extra.pop("local_link_connection", {}),
            "physical_network": extra.pop("physical_network", None),
            "pxe_enabled": True,
            "links": [],
            **extra,
        }
        self.ports[port_uuid] = port
        return port

    def clear(self) -> None:
        """Forget every node, port group and port, and come back up."""
        self.nodes.clear()
        self.portgroups.clear()
        self.ports.clear()
        self.page_size = None
        self.down = False
        self.requests.clear()

    def start(self) -> IronicStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _find(table: dict[str, dict[str, Any]], ident: str) -> dict[str, Any] | None:
    return next(
        (item for item in table.values() if ident in (item["uuid"], item.get("name"))), None
    )


def _not_found(kind: str, ident: str) -> tuple[int, Any]:
    error = {"faultstring": f"{kind} {ident} could not be found.", "faultcode": "Client"}
    return 404, {"error_message": json.dumps(error)}
