"""The real ML2 plugin (Neutron's test base, sqlite) with ``oneview`` talking to the simulator.

Mappings used by every test: physnet1 → the Tagged uplink set, physnet3 → the Untagged uplink set,
flat physnet2 → the existing OneView network ``Native``.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from neutron.tests.unit.plugins.ml2 import test_plugin
from neutron_lib.api.definitions import port as port_def
from neutron_lib.api.definitions import portbindings
from neutron_lib.api.definitions import provider_net as pnet
from neutron_lib.db import resource_extend
from neutron_lib.utils import helpers
from oslo_config import cfg

from oneview_openstack import conf as ov_conf
from oneview_openstack.neutron.ironic import register_ironic_opts
from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.testing import ApplianceClient, named

FAST_CLIENT = {
    "task_poll_interval": 0.002,
    "task_poll_max_interval": 0.02,
    "task_timeout": 20.0,
    "max_polling_attempts": 2000,
    "connect_timeout": 5.0,
    "read_timeout": 20.0,
}
LLI = [{"switch_id": "aa:bb:cc:dd:ee:ff", "port_id": "Mezz 3:1", "switch_info": "frame1"}]
POWER_PUTS = "PUT /rest/server-hardware/{id}/powerState"


def port_extension_in_bulk_mode(case: Any, function_name: str) -> None:
    """Run the port extension ``function_name`` in its ``bulk`` mode for this test.

    Some of Neutron's port extensions (the trunk plugin's ``trunk_details``, the QoS plugin's
    ``resource_request``) read through a new admin context while ML2 is inside a port's write
    transaction. With MySQL that is another connection; with the test base's single shared
    sqlite connection, that session's end rolls the port's write back. Their ``bulk`` mode
    skips only those reads.
    """
    funcs = resource_extend._resource_extend_functions.get(port_def.COLLECTION_NAME, [])
    for index, ref in enumerate(list(funcs)):
        func = helpers.resolve_ref(ref)
        if getattr(func, "__name__", "") != function_name:
            continue

        def bulk(port_res: dict[str, Any], port_db: Any, _func: Any = func) -> Any:
            had = "bulk" in port_res
            port_res["bulk"] = True
            try:
                return _func(port_res, port_db)
            finally:
                if not had:
                    port_res.pop("bulk", None)

        funcs[index] = bulk
        case.addCleanup(funcs.__setitem__, index, ref)


def oneview_opts(**values: Any) -> Any:
    """A stand-in for ``CONF.oneview`` holding only the mappings, for ``Mappings.from_conf``."""
    base = {"uplink_set_uuids": [], "uplink_set_mappings": [], "flat_network_mappings": []}
    return SimpleNamespace(**{**base, **values})


class OneViewMl2TestCase(test_plugin.Ml2PluginV2TestCase):
    _mechanism_drivers = ["oneview"]
    oneview_overrides: dict[str, Any] = {}
    simulator_settings: dict[str, Any] = {}  # SimulatorConfig fields for this class's tests
    sim_server: Any
    ironic: Any

    def preSetUp(self) -> None:
        if self.simulator_settings:
            state = self.sim_server.state
            with state.lock:
                state.reset(config=SimulatorConfig(time_scale=0.0005, **self.simulator_settings))
        self.ov = ApplianceClient(self.sim_server)
        self.ov.login()
        self.addCleanup(self.ov.close)
        uplink_sets = self.ov.members("uplink-sets")
        self.tagged_us = next(u for u in uplink_sets if u["ethernetNetworkType"] == "Tagged")
        self.untagged_us = next(u for u in uplink_sets if u["ethernetNetworkType"] == "Untagged")
        self.native = named(self.ov, "ethernet-networks", "Native")
        ov_conf.register_opts(cfg.CONF, "neutron")
        config = self.sim_server.state.config
        values: dict[str, Any] = {
            "manager_url": self.sim_server.url,
            "username": config.username,
            "password": config.password,
            "tls_cacert_file": str(self.sim_server.ca_file),
            "uplink_set_mappings": [
                f"physnet1:{_id(self.tagged_us)}",
                f"physnet3:{_id(self.untagged_us)}",
            ],
            "flat_network_mappings": [f"physnet2:{_id(self.native)}"],
            "profile_busy_timeout": 5.0,
            **FAST_CLIENT,
            **self.oneview_overrides,
        }
        for name, value in values.items():
            cfg.CONF.set_override(name, value, group="oneview")
        register_ironic_opts(cfg.CONF)
        cfg.CONF.set_override("auth_type", "none", group="ironic")
        cfg.CONF.set_override("endpoint_override", self.ironic.url, group="ironic")

    # -- Neutron helpers -------------------------------------------------------------------
    def create_network(
        self,
        network_type: str,
        physnet: str | None,
        vlan: int | None = None,
        status: int = 201,
        name: str = "net",
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {pnet.NETWORK_TYPE: network_type}
        if physnet:
            kwargs[pnet.PHYSICAL_NETWORK] = physnet
        if vlan is not None:
            kwargs[pnet.SEGMENTATION_ID] = vlan
        res = self._create_network(
            self.fmt, name, True, arg_list=tuple(kwargs), as_admin=True, **kwargs
        )
        body = self.deserialize(self.fmt, res)
        self.assertEqual(status, res.status_int, body)
        return body.get("network") or body

    def delete_network(self, network_id: str) -> None:
        self._delete("networks", network_id, as_admin=True)

    def create_port(
        self,
        network: dict[str, Any],
        *,
        mac: str,
        host: str | None,
        profile: Any = None,
        status: int = 201,
        device_owner: str = "compute:nova",
        vnic: str = portbindings.VNIC_BAREMETAL,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            portbindings.VNIC_TYPE: vnic,
            "mac_address": mac,
            "device_owner": device_owner,
        }
        if host is not None:
            kwargs[portbindings.HOST_ID] = host
        kwargs[portbindings.PROFILE] = (
            {"local_link_information": LLI} if profile is None else profile
        )
        res = self._create_port(
            self.fmt, network["id"], is_service=True, arg_list=tuple(kwargs), **kwargs
        )
        body = self.deserialize(self.fmt, res)
        self.assertEqual(status, res.status_int, body)
        return body.get("port") or body

    def update_port(self, port_id: str, **fields: Any) -> dict[str, Any]:
        return self._update("ports", port_id, {"port": fields}, as_service=True)["port"]

    def show_port(self, port_id: str) -> dict[str, Any]:
        return self._show("ports", port_id, as_admin=True)["port"]

    # -- OneView helpers -------------------------------------------------------------------
    def ov_network(self, network_id: str) -> dict[str, Any] | None:
        found = self.ov.members("ethernet-networks", filter=f"\"name='Neutron [{network_id}]'\"")
        return found[0] if found else None

    def members_of(self, uplink_set: dict[str, Any]) -> list[str]:
        return self.ov.get(uplink_set["uri"]).json()["networkUris"]

    def stats(self) -> dict[str, int]:
        return self.ov.sim("GET", "stats")["byRoute"]

    def power_puts(self) -> int:
        """``PUT .../powerState`` requests the simulator has answered so far."""
        return self.stats().get(POWER_PUTS, 0)

    def mech(self) -> Any:
        """The ``oneview`` mechanism driver object the ML2 plugin loaded."""
        return self.driver.mechanism_manager.mech_drivers["oneview"].obj

    def reconcile_once(self, **policy: Any) -> Any:
        """One reconciliation pass of the driver's own parts with ``Policy(**policy)``."""
        from oneview_openstack.neutron.reconcile import NeutronReads, Policy, Reconciler

        driver = self.mech()
        reconciler = Reconciler(
            client=driver.client,
            mappings=driver.mappings,
            networks=driver.networks,
            ports=driver.ports,
            policy=Policy(**policy),
        )
        return reconciler.run(NeutronReads(self.context, self.driver))

    def writes(self) -> int:
        """OneView writes so far (PUT/POST/DELETE/PATCH under /rest, logins excluded)."""
        return sum(
            count
            for route, count in self.stats().items()
            if route.split(" ")[0] in ("PUT", "POST", "DELETE", "PATCH")
            and "/rest/login-sessions" not in route
        )

    def arm(self, kind: str, **spec: Any) -> None:
        reply = self.ov.post("/_sim/faults", json={"kind": kind, **spec})
        assert reply.status_code in (200, 201), reply.text

    def server_with_profile(self, power: str = "Off") -> tuple[dict[str, Any], dict[str, Any]]:
        """A free blade, given a profile from the ironic template (as Ironic's claim would)."""
        servers = [
            s
            for s in self.ov.members("server-hardware")
            if not s.get("serverProfileUri") and s.get("locationUri")
        ]
        server = servers[0]
        if server["powerState"] != "Off":
            self.ov.wait(
                self.ov.put(
                    server["uri"] + "/powerState",
                    json={"powerState": "Off", "powerControl": "PressAndHold"},
                )
            )
        template = next(
            t
            for t in self.ov.members("server-profile-templates")
            if t["name"].startswith("ironic-EG")
        )
        body = self.ov.get(template["uri"] + "/new-profile").json()
        body.update(
            name=f"ironic-{uuid.uuid4().hex[:8]}",
            serverHardwareUri=server["uri"],
            serverProfileTemplateUri="",
        )
        task = self.ov.wait(self.ov.post("/rest/server-profiles", json=body))
        assert task["taskState"] == "Completed", task
        profile = self.ov.get(task["associatedResource"]["resourceUri"]).json()
        if power == "On":
            self.ov.wait(self.ov.put(server["uri"] + "/powerState", json={"powerState": "On"}))
        return self.ov.get(server["uri"]).json(), profile

    def connections(self, profile: dict[str, Any]) -> list[dict[str, Any]]:
        return self.ov.get(profile["uri"]).json()["connectionSettings"]["connections"]


def _id(resource: dict[str, Any]) -> str:
    return resource["uri"].rsplit("/", 1)[1]
