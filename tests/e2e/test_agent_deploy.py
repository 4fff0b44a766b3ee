"""``oneview-direct`` with a real ironic-python-agent: the image on the disk, the boot to disk,
cleaning through the agent, and an agent that never answers.

The package's sandbox runs with cleaning off (enrollment provides without an agent per node);
these tests turn it on for the node they deploy, as the sandbox scenario does. OneView is judged
through the simulator's own record: ``/_sim/boots`` (what each power-on booted from),
``/_sim/edits`` (every profile write and how its task ended) and ``/_sim/state``. The simulator
refuses a boot order change while the server is on (OneView's rule), so a profile write whose
task completed was made with the server off.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oneview_openstack.ironic import common
from oneview_openstack.sandbox import images, scenario
from oneview_openstack.sandbox.configs import PHYSNET, AgentSettings
from oneview_openstack.sandbox.environment import Sandbox
from oneview_openstack.simulator.testing import Witness, wait_until

TIMEOUT = 240.0
AGENT_VLAN = 170  # in the sandbox's range, apart from the scenario's and the other suites'


@pytest.fixture(scope="module")
def network(sandbox: Sandbox) -> Iterator[Any]:
    conn = sandbox.conn
    assert conn is not None
    net = conn.network.create_network(
        name="agent-net",
        provider_network_type="vlan",
        provider_physical_network=PHYSNET,
        provider_segmentation_id=AGENT_VLAN,
    )
    conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.170.0.0/24")
    yield net
    scenario.delete_networks(sandbox, [], {"agent-net": net})


def server_of(witness: Witness, uri: str) -> dict[str, Any]:
    (server,) = [s for s in witness.state("server-hardware")["server-hardware"] if s["uri"] == uri]
    return server


def last_sequence(witness: Witness) -> int:
    return max((b["sequence"] for b in witness.boots()), default=0)


def partition_type(disk: Path) -> str:
    """util-linux's word on the disk's partition table ("" when there is none)."""
    blkid = shutil.which("blkid")
    assert blkid is not None, "blkid (util-linux) is missing"
    done = subprocess.run(  # noqa: S603 - fixed argv
        [blkid, "-p", "-o", "value", "-s", "PTTYPE", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def direct_node(sandbox: Sandbox, *, clean: bool) -> Any:
    """The first available node, switched to oneview-direct with cleaning on or off."""
    conn = sandbox.conn
    assert conn is not None
    (node,) = scenario.pick_nodes(sandbox, 1)
    return conn.baremetal.update_node(
        node, deploy_interface=scenario.DIRECT_DEPLOY, is_automated_clean_enabled=clean
    )


def give_back(sandbox: Sandbox, node: Any, vifs: list[Any]) -> None:
    """The node as enrollment left it, its VIFs gone (the network stays for the next test)."""
    conn = sandbox.conn
    assert conn is not None
    if conn.baremetal.get_node(node.id).provision_state in ("deploy failed", "active"):
        scenario.undeploy(sandbox, [node], TIMEOUT)  # a test that failed half-way
    for vif in vifs:
        scenario.detach_vif(conn, node, vif.id)
        conn.network.delete_port(vif.id, ignore_missing=True)
    scenario.restore_nodes(sandbox, [node])


@pytest.mark.timeout(900)
def test_direct_deploy_writes_the_image_boots_it_from_disk_and_cleaning_erases_it(
    sandbox: Sandbox, witness: Witness, network: Any
) -> None:
    conn, agents, image = sandbox.conn, sandbox.agents, sandbox.image
    assert conn is not None and agents is not None and image is not None
    node = direct_node(sandbox, clean=True)
    server_uri = node.driver_info["server_hardware_uri"]
    name = server_of(witness, server_uri)["name"]
    since, started_at = last_sequence(witness), time.time()
    vifs: list[Any] = []
    try:
        vifs = scenario.deploy(sandbox, [node], network, TIMEOUT)
        active = conn.baremetal.get_node(node.id)
        profile_uri = active.driver_info["applied_server_profile_uri"]
        assert (active.provision_state, active.power_state) == ("active", "power on")

        # 1. The agent wrote the image: its partition, byte for byte, and its GPT.
        disk = agents.disk(name)
        assert images.holds_image(disk, image)
        assert partition_type(disk) == "gpt"
        assert images.read_partition_table(disk).partitions == (image.partition_guid,)

        # 2. The agent's power-on booted from the network, the instance's from the disk; the
        #    boot order change to HardDisk was written (its task completed, so with the server
        #    off) after the agent's boot and finished before the instance's power-on.
        boots = witness.boots(server_uri, since=since)
        assert [b["device"] for b in boots] == ["Network", "HardDisk"]
        agent_boot, instance_boot = boots
        assert instance_boot["source"] == "bootOrder"
        between = [
            e
            for e in witness.edits(profile_uri)
            if agent_boot["simulatedSeconds"] <= e["arrived"] <= instance_boot["simulatedSeconds"]
        ]
        assert between, "no profile write between the agent's boot and the instance's"
        for edit in between:
            assert (edit["refused"], edit["taskState"]) == (None, "Completed"), edit
            assert edit["ended"] <= instance_boot["simulatedSeconds"], edit
        (profile,) = witness.profiles_on(server_uri)
        assert profile["uri"] == profile_uri
        assert profile["boot"]["order"][0] == "HardDisk"
        assert common.PENDING_BOOT_DEVICE not in active.driver_internal_info
        assert server_of(witness, server_uri)["powerState"] == "On"

        # 3. Undeploy cleans through an agent (the partition table erased), then releases.
        scenario.undeploy(sandbox, [node], TIMEOUT)
        released = conn.baremetal.get_node(node.id)
        assert released.driver_info.get(common.APPLIED_PROFILE_URI) is None
        assert witness.profiles_on(server_uri) == []
        assert partition_type(disk) == ""
        assert not images.read_partition_table(disk).gpt_header
        assert not images.holds_image(disk, image)
        # One more power-on, the cleaning agent's; nothing else switched the server on or off
        # (Ironic's power sync would have shown it as another boot).
        boots = witness.boots(server_uri, since=since)
        assert [b["device"] for b in boots] == ["Network", "HardDisk", "Network"]
        assert server_of(witness, server_uri)["powerState"] == "Off"
        ours = [e for e in agents.events if e.server == name and e.at >= started_at]
        assert [e.kind for e in ours if e.kind in ("started", "refused")] == ["started"] * 2
        assert agents.running().get(name) is None
    finally:
        give_back(sandbox, node, vifs)


@pytest.mark.timeout(900)
def test_an_agent_that_never_heartbeats_fails_the_deploy_and_undeploy_releases_the_server(
    sandbox: Sandbox, witness: Witness, network: Any
) -> None:
    conn, agents = sandbox.conn, sandbox.agents
    assert conn is not None and agents is not None
    # No cleaning at undeploy: it would boot the same silent ramdisk and wait again.
    node = direct_node(sandbox, clean=False)
    server_uri = node.driver_info["server_hardware_uri"]
    name = server_of(witness, server_uri)["name"]
    since, started_at = last_sequence(witness), time.monotonic()
    vifs: list[Any] = []
    agents.refuse(name)
    try:
        vif = conn.network.create_port(network_id=network.id, name=f"{node.name}-vif")
        vifs.append(vif)
        conn.baremetal.attach_vif_to_node(node, vif.id)
        conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox, node))
        conn.baremetal.set_node_provision_state(node, "active")
        # Ironic's bound (callback timeout + the conductor's check interval), plus the claim
        # and the power-on before the wait starts.
        check_interval = AgentSettings().check_interval
        bound = sandbox.options.callback_timeout + 2 * check_interval + 60
        failed = wait_until(
            lambda: _failed(conn.baremetal.get_node(node.id)),
            timeout=bound,
            what=f"node {node.name} deploy failed",
        )
        print(f"deploy failed {time.monotonic() - started_at:.0f} s after it started")
        assert "Timeout reached while waiting for callback" in str(failed.last_error)
        assert [e.kind for e in agents.events if e.server == name][-1:] == ["refused"]
        assert [b["device"] for b in witness.boots(server_uri, since=since)] == ["Network"]
        # A failed deployment keeps its profile (an operator may look at the server) until
        # undeploy gives the server back.
        assert [p["uri"] for p in witness.profiles_on(server_uri)] == [
            failed.driver_info[common.APPLIED_PROFILE_URI]
        ]
        scenario.undeploy(sandbox, [node], TIMEOUT)
        released = conn.baremetal.get_node(node.id)
        assert released.driver_info.get(common.APPLIED_PROFILE_URI) is None
        assert witness.profiles_on(server_uri) == []
        assert server_of(witness, server_uri)["powerState"] == "Off"
        assert [b["device"] for b in witness.boots(server_uri, since=since)] == ["Network"]
    finally:
        agents.allow(name)
        give_back(sandbox, node, vifs)


def _failed(fresh: Any) -> Any:
    assert fresh.provision_state in ("deploying", "wait call-back", "deploy failed"), (
        fresh.provision_state,
        fresh.last_error,
    )
    # The conductor records the failure first and its reason a moment later.
    return fresh if fresh.provision_state == "deploy failed" and fresh.last_error else None
