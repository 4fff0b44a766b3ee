"""Many threads on one uplink set or one profile; start-up validation of the mappings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from ml2_case import FAST_CLIENT
from oslo_config import cfg

from oneview_openstack import conf as ov_conf
from oneview_openstack.client import ClientSettings, OneViewClient
from oneview_openstack.neutron.driver import OneViewMechanismDriver
from oneview_openstack.neutron.errors import OneViewMappingError
from oneview_openstack.neutron.ironic import IronicLookup, register_ironic_opts
from oneview_openstack.neutron.mappings import Mappings
from oneview_openstack.neutron.networks import NetworkSync
from oneview_openstack.neutron.ports import PortInfo, PortWiring

MISSING = "99999999-9999-9999-9999-999999999999"


def _id(resource: dict[str, Any]) -> str:
    return resource["uri"].rsplit("/", 1)[1]


@pytest.fixture
def client(simulator: Any) -> Iterator[OneViewClient]:
    config = simulator.state.config
    settings = ClientSettings(
        manager_url=simulator.url,
        username=config.username,
        password=config.password,
        tls_cacert_file=str(simulator.ca_file),
        **FAST_CLIENT,
    )
    made = OneViewClient(settings)
    yield made
    made.close()


@pytest.fixture
def tagged(api: Any) -> dict[str, Any]:
    return next(u for u in api.members("uplink-sets") if u["ethernetNetworkType"] == "Tagged")


def test_sixteen_threads_on_one_uplink_set_lose_nothing(client, api, tagged):
    mappings = Mappings.from_conf(_opts(uplink_set_mappings=[f"physnet1:{_id(tagged)}"]))
    mappings.validate(client)
    sync = NetworkSync(client, mappings)
    networks = [
        {
            "id": str(uuid.uuid4()),
            "name": f"n{vlan}",
            "provider:network_type": "vlan",
            "provider:physical_network": "physnet1",
            "provider:segmentation_id": vlan,
        }
        for vlan in range(200, 216)
    ]
    api.sim("DELETE", "stats")
    with ThreadPoolExecutor(8) as pool:
        uris = list(pool.map(lambda n: sync.ensure(n, sync.plan_for(n)), networks))
    members = api.get(tagged["uri"]).json()["networkUris"]
    assert set(uris) <= set(members)
    writes = api.sim("GET", "stats")["byRoute"]["PUT /rest/uplink-sets/{id}"]
    assert writes < len(networks)


def test_one_profile_edited_by_many_threads_loses_nothing(client, api, simulator):
    server = next(
        s
        for s in api.members("server-hardware")
        if s.get("serverProfileUri") is None and s.get("locationUri")
    )
    api.wait(
        api.put(
            server["uri"] + "/powerState",
            json={"powerState": "Off", "powerControl": "PressAndHold"},
        )
    )
    template = next(
        t for t in api.members("server-profile-templates") if t["name"].startswith("ironic-EG")
    )
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="concurrent", serverHardwareUri=server["uri"])
    profile_uri = api.wait(api.post("/rest/server-profiles", json=body))["associatedResource"][
        "resourceUri"
    ]
    deploy = api.members("ethernet-networks", filter="\"name='Deploy'\"")[0]["uri"]
    node = str(uuid.uuid4())

    class Lookup(IronicLookup):  # a node without an Ironic API: pure data
        def node(self, host: str) -> Any:
            from oneview_openstack.neutron.ironic import Node

            return Node(host, None, profile_uri, server["uri"])

    wiring = PortWiring(client, Lookup(cfg.ConfigOpts()), busy_timeout=10.0)
    macs = [
        virtual["mac"]
        for port in server["portMap"]["deviceSlots"][0]["physicalPorts"]
        for virtual in port["virtualPorts"][:2]
    ]
    ports = [PortInfo(str(uuid.uuid4()), mac, node, False) for mac in macs]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: wiring.plug(p, deploy), ports))
    connections = api.get(profile_uri).json()["connectionSettings"]["connections"]
    owners = {c["name"].split("]")[0] + "]" for c in connections}
    assert {f"Neutron [{p.id}]" for p in ports} <= owners


def _opts(**values: Any) -> Any:
    from types import SimpleNamespace

    base = {"uplink_set_uuids": [], "uplink_set_mappings": [], "flat_network_mappings": []}
    return SimpleNamespace(**{**base, **values})


@pytest.fixture
def neutron_conf(simulator: Any) -> Iterator[Any]:
    ov_conf.register_opts(cfg.CONF, "neutron")
    register_ironic_opts(cfg.CONF)
    config = simulator.state.config
    values = {
        "manager_url": simulator.url,
        "username": config.username,
        "password": config.password,
        "tls_cacert_file": str(simulator.ca_file),
        **FAST_CLIENT,
    }
    for name, value in values.items():
        cfg.CONF.set_override(name, value, group="oneview")

    def override(**more: Any) -> None:
        for name, value in more.items():
            cfg.CONF.set_override(name, value, group="oneview")
            values[name] = value

    yield override
    for name in values:
        cfg.CONF.clear_override(name, group="oneview")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("uplink_set_mappings", [f"physnet1:{MISSING}"], f"uplink set {MISSING}"),
        ("uplink_set_uuids", [MISSING], f"uplink set {MISSING}"),
        ("flat_network_mappings", [f"physnet2:{MISSING}"], f"OneView network {MISSING}"),
        ("uplink_set_mappings", ["physnet1"], "'physnet1' is not <physnet>:<UUID>"),
    ],
)
def test_start_up_refuses_bad_mappings_without_writing(neutron_conf, api, option, value, message):
    neutron_conf(**{option: value})
    api.sim("DELETE", "stats")
    with pytest.raises(OneViewMappingError, match="Invalid \\[oneview\\] configuration") as raised:
        OneViewMechanismDriver().initialize()
    assert message in str(raised.value)
    routes = api.sim("GET", "stats")["byRoute"]
    assert not [r for r in routes if r.split()[0] in ("PUT", "DELETE", "PATCH")]


def test_two_uplink_sets_of_one_logical_interconnect_for_one_physnet(neutron_conf, api, tagged):
    body = {**tagged, "name": "US-Tagged-2", "networkUris": []}
    for key in ("uri", "eTag", "created", "modified"):
        body.pop(key, None)
    second = api.wait(api.post("/rest/uplink-sets", json=body))["associatedResource"]["resourceUri"]
    neutron_conf(
        uplink_set_mappings=[f"physnet1:{_id(tagged)}", f"physnet1:{_id({'uri': second})}"]
    )
    with pytest.raises(OneViewMappingError, match="only one uplink set per logical interconnect"):
        OneViewMechanismDriver().initialize()


def test_host_batching_across_processes_loses_nothing_and_isolates_a_bad_vlan(
    client, api, tagged, tmp_path
):
    from oneview_openstack.client import BadRequest
    from oneview_openstack.neutron.batching import HostBatcher

    deploy_vlan_twin = client.ethernet_networks.create("twin-of-deploy", 100)
    fresh = [client.ethernet_networks.create(f"fresh-{vlan}", vlan) for vlan in range(300, 312)]
    # two "processes" (batchers with their own state) sharing one lock directory
    batchers = [HostBatcher(client, str(tmp_path), linger=0.0) for _ in range(2)]
    api.sim("DELETE", "stats")

    def join(index_and_uri: tuple[int, str]) -> str | None:
        index, uri = index_and_uri
        try:
            batchers[index % 2].submit(tagged["uri"], "add", [uri])
        except BadRequest as error:
            return error.error_code
        return None

    uris = [n["uri"] for n in fresh] + [deploy_vlan_twin["uri"]]
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(join, enumerate(uris)))
    assert outcomes == [None] * 12 + ["CRM_DUPLICATE_VLAN_IDS_UPLINK_SET"]
    members = set(api.get(tagged["uri"]).json()["networkUris"])
    assert {n["uri"] for n in fresh} <= members
    assert deploy_vlan_twin["uri"] not in members
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".req", ".done")]


def test_start_up_with_oneview_unreachable_defers_the_validation(neutron_conf, tagged):
    neutron_conf(
        manager_url="https://127.0.0.1:9",  # nothing listens there
        request_retries=0,
        connect_timeout=1.0,
        uplink_set_mappings=[f"physnet1:{_id(tagged)}"],
    )
    driver = OneViewMechanismDriver()
    driver.initialize()  # logs an ERROR, does not stop Neutron
    assert driver.mappings.uplink_set_types == {}
    assert driver.mappings.physnet_uplink_sets == {"physnet1": (_id(tagged),)}
