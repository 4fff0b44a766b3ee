"""A minimal Ironic API for the driver's node lookups: version documents and ``GET /v1/nodes/<id>``.

Only what openstacksdk's ``baremetal.get_node`` asks for; tests put nodes in ``nodes`` and can
make the service "unreachable" by setting ``down`` (503 on every request).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_VERSION = "1.99"


class IronicStandIn:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.down = False
        self.requests: list[str] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                standin.requests.append(self.path)
                status, body = standin.answer(self.path.split("?")[0])
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

    def answer(self, path: str) -> tuple[int, Any]:
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
        if path.startswith("/v1/nodes/"):
            ident = path.rsplit("/", 1)[1]
            for node in self.nodes.values():
                if ident in (node["uuid"], node.get("name")):
                    return 200, node
            error = {"faultstring": f"Node {ident} could not be found.", "faultcode": "Client"}
            return 404, {"error_message": json.dumps(error)}
        return 404, {"error_message": "not found"}

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

    def start(self) -> IronicStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
