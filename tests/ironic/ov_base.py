"""Ironic's own test base (sqlite, task manager, real conductor) wired to the HTTPS simulator.

It imports Ironic's test package first (which selects oslo.service's threading
backend), then our driver modules, so stevedore never imports them lazily inside a test (which
would run ``ldconfig`` through the blocked subprocess module).
"""

from __future__ import annotations

import uuid
from typing import Any
from unittest import mock

import requests
from ironic.common import rpc
from ironic.conductor import task_manager
from ironic.tests.unit.conductor import mgr_utils
from ironic.tests.unit.db import base as db_base
from ironic.tests.unit.objects import utils as obj_utils

from oneview_openstack.client import OneViewClient
from oneview_openstack.ironic import (  # noqa: F401 - pre-import, see above
    allocation,
    deploy,
    hardware,
    inspect,
    management,
    periodics,
    power,
)
from oneview_openstack.ironic.common import CONF
from oneview_openstack.ironic.snapshot import SNAPSHOT
from oneview_openstack.ironic.view import forget_templates

GOOD_TEMPLATE = "ironic-EG-1"


class Sim:
    """The simulator: raw reads (independent of our client), faults, actions, request stats."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(server.ca_file)
        config = server.state.config
        reply = self.http.post(
            server.url + "/rest/login-sessions",
            json={"userName": config.username, "password": config.password},
            headers={"X-API-Version": "2800"},
            timeout=10,
        )
        reply.raise_for_status()
        self.http.headers.update({"Auth": reply.json()["sessionID"], "X-API-Version": "2800"})

    def get(self, uri: str) -> dict[str, Any]:
        reply = self.http.get(self.server.url + uri, timeout=10)
        reply.raise_for_status()
        return reply.json()

    def exists(self, uri: str) -> bool:
        return self.http.get(self.server.url + uri, timeout=10).status_code == 200

    def members(self, category: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        body = self.get(f"/rest/{category}?count=-1")
        found.extend(body["members"])
        while body.get("nextPageUri"):
            body = self.get(body["nextPageUri"])
            found.extend(body["members"])
        return found

    def template(self, name: str) -> dict[str, Any]:
        return next(t for t in self.members("server-profile-templates") if t["name"] == name)

    def free_blade(self, template: dict[str, Any], index: int = 0) -> dict[str, Any]:
        blades = [
            s
            for s in self.members("server-hardware")
            if not s.get("serverProfileUri")
            and s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
            and s.get("serverGroupUri") == template["enclosureGroupUri"]
        ]
        return blades[index]

    def stats(self) -> dict[str, Any]:
        return self.get("/_sim/stats")

    def reset_stats(self) -> None:
        self.http.delete(self.server.url + "/_sim/stats", timeout=10).raise_for_status()

    def requests(self) -> int:
        """OneView requests since the last reset (the /_sim API itself is not counted)."""
        return sum(n for route, n in self.stats()["byRoute"].items() if "/_sim" not in route)

    def arm(self, kind: str, **spec: Any) -> dict[str, Any]:
        reply = self.http.post(
            self.server.url + "/_sim/faults", json={"kind": kind, **spec}, timeout=10
        )
        reply.raise_for_status()
        return reply.json()["armed"][0]

    def fired(self, fault_id: int) -> int:
        """Requests an armed fault answered (they are not counted under byRoute)."""
        armed = self.get("/_sim/faults")["faults"]
        return next(f["fired"] for f in armed if f["id"] == fault_id)

    def action(self, action: str, **body: Any) -> Any:
        reply = self.http.post(self.server.url + f"/_sim/actions/{action}", json=body, timeout=10)
        reply.raise_for_status()
        return reply.json()

    def close(self) -> None:
        self.http.close()


class OneViewTestCase(db_base.DbTestCase):
    """A DB test case with the ``oneview`` hardware type enabled and [oneview] on the simulator."""

    simulator_server: Any = None

    def _clear_attrs(self) -> None:
        # Ironic's base deletes every instance attribute at cleanup; pytest's unittest
        # plugin then fails to delete the test method it set. Nothing to clear here.
        pass

    def setUp(self) -> None:
        super().setUp()
        server = self.simulator_server
        assert server is not None, "tests/ironic/conftest.py attaches the simulator"
        self.config(
            enabled_hardware_types=["oneview", "fake-hardware"],
            enabled_power_interfaces=["oneview", "fake"],
            enabled_management_interfaces=["oneview", "fake"],
            enabled_deploy_interfaces=["oneview-direct", "oneview-ramdisk", "fake"],
            enabled_inspect_interfaces=["oneview", "no-inspect"],
            enabled_boot_interfaces=["fake"],
            enabled_network_interfaces=["noop"],
            enabled_vendor_interfaces=["no-vendor"],
            enabled_raid_interfaces=["oneview", "no-raid"],
            enabled_rescue_interfaces=["no-rescue"],
            enabled_console_interfaces=["no-console"],
            enabled_bios_interfaces=["oneview", "no-bios"],
            enabled_firmware_interfaces=["oneview", "no-firmware"],
            enabled_storage_interfaces=["noop"],
        )
        config = server.state.config
        self.config(
            group="oneview",
            manager_url=server.url,
            username=config.username,
            password=config.password,
            tls_cacert_file=str(server.ca_file),
            task_poll_interval=0.002,
            task_poll_max_interval=0.02,
            task_timeout=10.0,
            power_lock_poll_interval=0.005,
            power_lock_timeout=5.0,
            power_state_cache_ttl=30.0,
        )
        self.config(automated_clean=False, group="conductor")
        self.config(endpoint_override="http://127.0.0.1:6385", group="service_catalog")
        self.config(auth_strategy="noauth")
        SNAPSHOT.clear()
        self.addCleanup(SNAPSHOT.clear)
        forget_templates()
        self.addCleanup(lambda: OneViewClient.from_conf(CONF).close())
        self.sim = Sim(server)
        self.addCleanup(self.sim.close)
        self.template = self.sim.template(GOOD_TEMPLATE)

    @property
    def client(self) -> OneViewClient:
        return OneViewClient.from_conf(CONF)

    def make_node(
        self,
        server: dict[str, Any] | None = None,
        template: dict[str, Any] | None = None,
        index: int = 0,
        **kwargs: Any,
    ) -> Any:
        """A ``oneview`` node on a free blade, with the node contract filled in."""
        template = template or self.template
        server = server or self.sim.free_blade(template, index)
        capabilities = (
            f"server_hardware_type_uri:{server['serverHardwareTypeUri']},"
            f"server_profile_template_uri:{template['uri']},"
            f"enclosure_group_uri:{server['serverGroupUri']}"
        )
        node_uuid = str(uuid.uuid4())
        attrs: dict[str, Any] = {
            "uuid": node_uuid,
            "name": f"node-{node_uuid[:8]}",
            "driver": "oneview",
            "power_interface": "oneview",
            "management_interface": "oneview",
            "deploy_interface": "oneview-ramdisk",
            "inspect_interface": "oneview",
            "boot_interface": "fake",
            "network_interface": "noop",
            "driver_info": {"server_hardware_uri": server["uri"]},
            "properties": {"capabilities": capabilities},
            "instance_uuid": None,
        }
        attrs.update(kwargs)
        return obj_utils.create_test_node(self.context, **attrs)

    def acquire(self, node: Any, shared: bool = False) -> Any:
        return task_manager.acquire(self.context, node.uuid, shared=shared)

    def server_of(self, node: Any) -> dict[str, Any]:
        node.refresh()
        return self.sim.get(node.driver_info["server_hardware_uri"])


class InProcessConductor(mgr_utils.ServiceSetUpMixin):
    """Ironic's conductor service in this process (mixed in before OneViewTestCase).

    Asynchronous steps resume through the conductor's own RPC API; with ``rpc_transport =
    none`` that API calls this service directly, as the ``ironic`` single process does.
    """

    def start_conductor(self) -> None:
        self.config(rpc_transport="none")
        self.config(host=self.hostname)
        patcher = mock.patch.object(rpc, "GLOBAL_MANAGER", None)
        patcher.start()
        self.addCleanup(patcher.stop)
        self._start_service()
        rpc.GLOBAL_MANAGER = self.service
