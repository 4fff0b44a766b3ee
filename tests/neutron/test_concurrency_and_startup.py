"""Many threads on one uplink set or one profile; start-up validation of the mappings; writer
locks and uplink-set batches across processes (each etcd test starts an etcd of its own)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import etcd3gw
import pytest
from ml2_case import FAST_CLIENT
from oslo_config import cfg

import lock_contenders
from etcd_server import running_etcd
from oneview_openstack import conf as ov_conf
from oneview_openstack.client import BadRequest, ClientSettings, OneViewClient
from oneview_openstack.neutron.batching import UplinkSetBatches
from oneview_openstack.neutron.coordination import Coordination, CoordinationUnavailable, check_url
from oneview_openstack.neutron.driver import OneViewMechanismDriver
from oneview_openstack.neutron.errors import OneViewMappingError
from oneview_openstack.neutron.ironic import IronicLookup, register_ironic_opts
from oneview_openstack.neutron.locking import LockTimeout, LockUnavailable, WriterLocks
from oneview_openstack.neutron.mappings import Mappings
from oneview_openstack.neutron.networks import NetworkSync
from oneview_openstack.neutron.ports import PortInfo, PortWiring
from oneview_openstack.simulator.testing import wait_until

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
    mappings.load_types(client)
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
    # Its own ports: a port belongs to one uplink set at most (Q1 is the first set's).
    body = {**tagged, "name": "US-Tagged-2", "networkUris": [], "portConfigInfos": []}
    for key in ("uri", "eTag", "created", "modified"):
        body.pop(key, None)
    second = api.wait(api.post("/rest/uplink-sets", json=body))["associatedResource"]["resourceUri"]
    neutron_conf(
        uplink_set_mappings=[f"physnet1:{_id(tagged)}", f"physnet1:{_id({'uri': second})}"]
    )
    with pytest.raises(OneViewMappingError, match="only one uplink set per logical interconnect"):
        OneViewMechanismDriver().initialize()


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


# -- writer locks and batches across processes ---------------------------------------------------
HOLD = """
import sys
from lock_contenders import make_locks
locks = make_locks(sys.argv[1], sys.argv[2])
with locks.hold(sys.argv[3], timeout=60):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def etcd(tmp_path: Any) -> Iterator[Any]:
    with running_etcd(tmp_path / "etcd") as server:
        yield server


@pytest.fixture
def member(etcd: Any) -> Iterator[Callable[[str], Coordination]]:
    """A coordinator per name on the test's etcd, each stopped before the etcd is."""
    made: list[Coordination] = []

    def make(name: str) -> Coordination:
        made.append(Coordination(etcd.url, member_prefix=name))
        return made[-1]

    yield make
    for coordination in made:
        coordination.stop()


@pytest.fixture
def lock_target(request: Any, tmp_path: Any) -> tuple[str, str]:
    """(kind, target) for ``lock_contenders.make_locks``: an etcd of its own, or a lock path."""
    if request.param == "etcd":
        return "etcd", request.getfixturevalue("etcd").url
    (tmp_path / "locks").mkdir()
    return "files", str(tmp_path / "locks")


@contextlib.contextmanager
def held_elsewhere(kind: str, target: str, key: str = lock_contenders.KEY) -> Iterator[None]:
    """Another process holds ``key``'s writer lock until the block ends."""
    tests = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")]))
    other = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", HOLD, kind, target, key],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        yield
        assert other.stdin is not None
        other.stdin.write("release\n")
        other.stdin.flush()
        assert other.wait(timeout=60) == 0
    finally:
        other.kill()
        other.wait(timeout=10)


def _locks(kind: str, target: str) -> WriterLocks:
    return WriterLocks(None, Coordination(target)) if kind == "etcd" else WriterLocks(target)


@pytest.mark.parametrize("lock_target", ["etcd", "files"], indirect=True)
def test_two_processes_never_hold_one_profile_lock_at_once(lock_target):
    kind, target = lock_target
    result = lock_contenders.run(kind, target, rounds=6)
    assert result == {"exit_codes": 0, "entries": 12, "overlaps": 0}


def test_the_overlap_check_catches_a_lock_that_does_not_reach_the_other_process():
    # Thread locks only: the same harness must see the two processes inside at once.
    result = lock_contenders.run("none", "", rounds=3)
    assert result["exit_codes"] == 0 and result["entries"] == 6
    assert result["overlaps"] >= 1


@pytest.mark.parametrize("lock_target", ["etcd", "files"], indirect=True)
def test_a_lock_held_by_another_process_times_out_saying_how_long_we_waited(lock_target):
    kind, target = lock_target
    locks = _locks(kind, target)
    with held_elsewhere(kind, target):
        with pytest.raises(LockTimeout) as raised, locks.hold(lock_contenders.KEY, timeout=0.5):
            pytest.fail("entered a lock another process holds")
        message = str(raised.value)
        waited = float(re.search(r"waited (\d+\.\d) s for the lock on (\S+),", message)[1])
        assert waited >= 0.5
        assert f"for the lock on {lock_contenders.KEY}, held by another Neutron process" in message
        assert "(the limit is 0.5 s)" in message
        assert (target if kind == "etcd" else "on this host") in message
    with locks.hold(lock_contenders.KEY, timeout=30):  # free again once the other lets go
        pass
    if locks.coordination is not None:
        locks.coordination.stop()


def test_a_thread_of_this_process_holding_the_lock_is_named_in_the_timeout(tmp_path):
    locks = WriterLocks(str(tmp_path))
    inside, leave = threading.Event(), threading.Event()

    def holder() -> None:
        with locks.hold("/rest/server-profiles/abc", timeout=5):
            inside.set()
            leave.wait(timeout=30)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        waiting = pytest.raises(LockTimeout, match="held by another thread of this process")
        with waiting, locks.hold("/rest/server-profiles/abc", timeout=0.1):
            pytest.fail("entered a lock another thread holds")
    finally:
        leave.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_without_a_backend_or_lock_path_the_lock_is_this_process_only(tmp_path):
    locks = WriterLocks(None)
    assert locks.scope == "this process only"
    with locks.hold("/rest/server-profiles/abc", timeout=0.1):
        pass
    assert not list(tmp_path.iterdir())


def test_lock_files_are_oslo_concurrency_lock_files_named_after_the_profile(tmp_path):
    with WriterLocks(str(tmp_path), prefix="oneview-profile").hold("/rest/server-profiles/a-1", 1):
        assert [p.name for p in tmp_path.iterdir()] == ["oneview-profile-a-1"]


def test_a_backend_that_is_down_names_the_url_without_its_password_and_the_option():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"etcd3+http://neutron:s3cret-pw@127.0.0.1:{port}?timeout=2"
    locks = WriterLocks(None, Coordination(url))
    with pytest.raises(LockUnavailable) as raised, locks.hold("/rest/server-profiles/x", 5):
        pytest.fail("held a lock without a backend")
    message = str(raised.value)
    assert f"etcd3+http://neutron:***@127.0.0.1:{port}" in message
    assert "[oneview] coordination_backend_url" in message
    assert "/rest/server-profiles/x" in message
    assert "s3cret-pw" not in message


def test_a_url_no_tooz_driver_serves_stops_the_driver_at_start_up(neutron_conf, tagged):
    neutron_conf(
        uplink_set_mappings=[f"physnet1:{_id(tagged)}"],
        coordination_backend_url="nosuchbackend://user:pw-in-url@somewhere",
    )
    with pytest.raises(CoordinationUnavailable, match="names no usable tooz backend") as raised:
        OneViewMechanismDriver().initialize()
    assert "[oneview] coordination_backend_url = nosuchbackend://user:***@somewhere" in str(
        raised.value
    )
    assert "pw-in-url" not in str(raised.value)
    check_url("etcd3+http://127.0.0.1:2379")  # parsing only: nothing is contacted


def test_a_forked_worker_starts_its_own_coordinator(etcd):
    coordination = Coordination(etcd.url)
    parent = coordination.coordinator()
    assert str(os.getpid()).encode() in parent._member_id
    context = multiprocessing.get_context("fork")
    answers = context.Queue()

    def child() -> None:
        started = coordination.coordinator()  # not the parent's: the fork reset it
        answers.put((started is parent, started._member_id, os.getpid()))
        coordination.stop()

    worker = context.Process(target=child)
    worker.start()
    same, member, pid = answers.get(timeout=60)
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert not same and member.endswith(str(pid).encode()) and pid != os.getpid()
    lock = coordination.acquire("still-mine", timeout=5)  # the parent's still works
    assert lock is not None
    coordination.release(lock, "still-mine")
    coordination.stop()


def _fresh_networks(client: OneViewClient, vlans: range) -> list[str]:
    return [client.ethernet_networks.create(f"fresh-{vlan}", vlan)["uri"] for vlan in vlans]


def _requests_queued(etcd: Any, uplink_set_uri: str) -> int:
    """Requests waiting in etcd for a write of the uplink set (read with etcd's own client)."""
    host, port = etcd.client_url.rsplit("/", 1)[-1].split(":")
    prefix = f"/oneview/uplink-sets/{_id({'uri': uplink_set_uri})}/requests/"
    return len(etcd3gw.client(host=host, port=int(port)).get_prefix(prefix))


def test_two_hosts_changes_go_in_one_write_while_a_third_holds_the_lock(
    client, api, tagged, etcd, member
):
    uri = tagged["uri"]
    fresh = _fresh_networks(client, range(300, 302))
    holder = WriterLocks(None, member("holder"))
    hosts = [
        UplinkSetBatches(client, WriterLocks(None, member(name))) for name in ("host-a", "host-b")
    ]
    api.sim("DELETE", "stats")
    with ThreadPoolExecutor(2) as pool, holder.hold(uri, timeout=5):
        done = [pool.submit(host.add, uri, [net]) for host, net in zip(hosts, fresh, strict=True)]
        wait_until(lambda: _requests_queued(etcd, uri) == 2, what="both hosts' requests in etcd")
        assert not any(future.done() for future in done)
    results = [future.result() for future in done]
    assert set(fresh) <= set(api.get(uri).json()["networkUris"])
    assert api.sim("GET", "stats")["byRoute"]["PUT /rest/uplink-sets/{id}"] == 1
    assert sorted(result is None for result in results) == [False, True]  # one wrote for both
    assert _requests_queued(etcd, uri) == 0


def test_without_etcd_processes_take_turns_and_a_batch_fills_meanwhile(
    client, api, tagged, tmp_path
):
    uri = tagged["uri"]
    fresh = _fresh_networks(client, range(300, 306))
    ours = UplinkSetBatches(client, WriterLocks(str(tmp_path)))
    api.sim("DELETE", "stats")
    with ThreadPoolExecutor(6) as pool, held_elsewhere("files", str(tmp_path), uri):
        first = pool.submit(ours.add, uri, fresh[:1])
        wait_until(lambda: ours._batches.queued(uri) == 0, what="the first leader")
        rest = [pool.submit(ours.add, uri, [net]) for net in fresh[1:]]
        wait_until(lambda: ours._batches.queued(uri) == 5, what="five changes to queue up")
        assert not first.done()  # waiting for the other process's turn, not racing its eTag
    assert all(done.result().changed for done in [first, *rest])
    assert set(fresh) <= set(api.get(uri).json()["networkUris"])
    assert api.sim("GET", "stats")["byRoute"]["PUT /rest/uplink-sets/{id}"] == 2


def test_batches_of_two_hosts_lose_nothing_and_isolate_a_bad_vlan(client, api, tagged, member):
    twin_of_deploy = client.ethernet_networks.create("twin-of-deploy", 100)["uri"]
    fresh = _fresh_networks(client, range(300, 312))
    hosts = [
        UplinkSetBatches(client, WriterLocks(None, member(name))) for name in ("host-a", "host-b")
    ]

    def join(index_and_uri: tuple[int, str]) -> str | None:
        index, uri = index_and_uri
        try:
            hosts[index % 2].add(tagged["uri"], [uri])
        except BadRequest as error:
            return error.error_code
        return None

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(join, enumerate([*fresh, twin_of_deploy])))
    assert outcomes == [None] * 12 + ["CRM_DUPLICATE_VLAN_IDS_UPLINK_SET"]
    members = set(api.get(tagged["uri"]).json()["networkUris"])
    assert set(fresh) <= members and twin_of_deploy not in members


def test_an_uplink_set_write_goes_ahead_when_the_backend_is_down(client, api, tagged, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    batches = UplinkSetBatches(
        client, WriterLocks(None, Coordination(f"etcd3+http://127.0.0.1:{port}?timeout=2"))
    )
    (fresh,) = _fresh_networks(client, range(320, 321))
    assert batches.add(tagged["uri"], [fresh]).changed
    assert fresh in api.get(tagged["uri"]).json()["networkUris"]
    assert "without batching" in caplog.text and f"127.0.0.1:{port}" in caplog.text
