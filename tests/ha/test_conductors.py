"""Two Ironic conductors on one MariaDB: each works on its own nodes, and one killed is replaced.

The sandbox runs ``ironic-api`` apart and two ``ironic-conductor`` processes over json-rpc
(``Options.ironic_conductors = 2``). Ironic's hash ring gives each conductor its nodes; the
driver's periodics and power snapshot must touch only those. Then one conductor gets SIGKILL (its
host lost power) while OneView applies the profiles of the claims it holds: after
``[conductor]heartbeat_timeout`` the other conductor takes its nodes over, fails their
interrupted deployments (Ironic's "aborted due to conductor take over"), and one OneView periodic
pass records the profiles OneView finished applying as the nodes' own, so none leaks; undeploy
then releases them, and the conductor started again rejoins the ring and gets nodes back. Judged
from Ironic's API, the conductors' logs and the simulator's state; the logs, with every OneView
request at DEBUG, hold no password or session token.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from oneview_openstack.sandbox import conductors, scenario
from oneview_openstack.sandbox.configs import TENANT_NETWORK
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness, wait_until
from sandboxes import enrolled_sandbox, witness_of
from soak import check

pytestmark = pytest.mark.slow

TIME_SCALE = 0.005  # a 2-minute profile apply takes 0.6 s
NODES = 12  # the hash ring leaves a conductor without nodes once in 2,000 runs
PERIODIC_CHECK_INTERVAL = 3  # seconds between the OneView periodic checks in Ironic
# Claims of the conductor to be killed stay Running this many times longer (then the
# simulator's clock is moved on, so that OneView finishes them after the kill).
SLOW_APPLY = 100.0
CLOCK_JUMP = 300.0 * SLOW_APPLY  # simulated seconds: past the longest profile apply, slowed
HANG_GUARD = 180.0  # seconds; far beyond any step, only so that nothing hangs
POLL = 0.2
TAKEOVER_ERROR = "aborted due to conductor take over"  # Ironic's abort_on_conductor_take_over
SERVER_PATH = re.compile(r"OneView [A-Z]+ (/rest/server-hardware/[0-9a-fA-F-]+)")
LOGIN_PATH = "/rest/login-sessions"
SNAPSHOT = re.compile(r"Power snapshot of (\d+) servers taken from OneView for the (\d+) ")


@dataclass(frozen=True)
class Conductor:
    index: int
    hostname: str  # as Ironic registers it, and as a node's ``conductor`` names it
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def servers_touched(self) -> set[str]:
        """Every server whose own URI one of this conductor's OneView requests named."""
        return set(SERVER_PATH.findall(self.text()))

    def snapshots(self) -> list[tuple[int, int]]:
        """(servers listed, servers this conductor asked about) of each of its power snapshots."""
        return [(int(listed), int(asked)) for listed, asked in SNAPSHOT.findall(self.text())]


def record(stage: str, **facts: Any) -> None:
    """One line of what the test saw (shown with ``pytest -s``)."""
    print(json.dumps({"test": "ha conductors", "stage": stage, **facts}, default=str))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    options = Options(
        state_dir=tmp_path_factory.mktemp("ha-conductors"),
        time_scale=TIME_SCALE,
        database="mariadb",
        ironic_conductors=2,
        oneview_settings={"periodic_check_interval": PERIODIC_CHECK_INTERVAL},
    )
    with enrolled_sandbox(options, NODES) as running:
        yield running


@pytest.fixture(scope="module")
def witness(sandbox: Sandbox) -> Iterator[Witness]:
    with witness_of(sandbox) as seen:
        yield seen


def conductors_of(sandbox: Sandbox) -> list[Conductor]:
    assert sandbox.layout is not None
    return [
        Conductor(
            index, conductors.host(port), sandbox.layout.path(f"{conductors.name(index)}.log")
        )
        for index, port in enumerate(sandbox.layout.ironic_rpc_ports, start=1)
    ]


def nodes_by_conductor(sandbox: Sandbox) -> dict[str, list[Any]]:
    """The nodes by the conductor Ironic's hash ring maps them to (as the API reports it)."""
    assert sandbox.conn is not None
    mapped: dict[str, list[Any]] = {}
    for node in sandbox.conn.baremetal.nodes(details=True):
        mapped.setdefault(str(node.conductor), []).append(node)
    return mapped


def server_of(node: Any) -> str:
    return str(node.driver_info["server_hardware_uri"])


def provision_states(sandbox: Sandbox, nodes: list[Any]) -> dict[str, str]:
    assert sandbox.conn is not None
    return {n.id: sandbox.conn.baremetal.get_node(n.id).provision_state for n in nodes}


@pytest.mark.timeout(400)  # with the sandbox's start
def test_each_conductor_reads_and_snapshots_only_the_servers_of_its_own_nodes(
    sandbox: Sandbox,
) -> None:
    both = conductors_of(sandbox)
    mapped = nodes_by_conductor(sandbox)
    assert sorted(mapped) == sorted(c.hostname for c in both), mapped  # the ring spread them
    for conductor in both:
        own = {server_of(n) for n in mapped[conductor.hostname]}
        count = len(own)
        # The first listing comes after a miss or two; the next power sync pass's listing counts
        # every server this conductor asked about since: its own nodes', and only theirs.
        wait_until(
            lambda c=conductor, n=count: [s for s in c.snapshots() if s[1] == n],
            timeout=HANG_GUARD,
            interval=POLL,
            what=f"a power snapshot by conductor {conductor.index} sized by its {count} nodes",
        )
        sized = conductor.snapshots()
        touched = conductor.servers_touched()
        record(
            "own nodes only",
            conductor=conductor.hostname,
            nodes=len(own),
            servers_touched=len(touched),
            snapshots=sized,
        )
        assert touched, f"conductor {conductor.index} made no request naming a server"
        assert touched <= own, (
            f"conductor {conductor.index} touched servers of the other's nodes: "
            f"{sorted(touched - own)}"
        )
        assert all(asked <= len(own) for _listed, asked in sized), (sized, len(own))


@pytest.mark.timeout(400)
def test_conductor_killed_holding_claims_the_other_takes_over_and_no_profile_leaks(
    sandbox: Sandbox, witness: Witness
) -> None:
    conn = sandbox.conn
    assert conn is not None
    baseline = {p["uri"] for p in witness.state("server-profiles")["server-profiles"]}
    victim, survivor = conductors_of(sandbox)
    mapped = nodes_by_conductor(sandbox)
    doomed = [n for n in mapped.get(victim.hostname, []) if n.provision_state == "available"][:2]
    kept = [n for n in mapped.get(survivor.hostname, []) if n.provision_state == "available"][:1]
    assert doomed and kept, f"each conductor needs an available node: {mapped}"
    networks = scenario.create_networks(sandbox)
    vifs = {}
    for node in doomed:
        witness.arm(
            "task_slow",
            method="POST",
            path="/rest/server-profiles",
            resource=server_of(node),
            params={"factor": SLOW_APPLY},
        )
    for node in doomed + kept:
        vifs[node.id] = conn.network.create_port(
            network_id=networks[TENANT_NETWORK].id, name=f"{node.name}-vif"
        )
        conn.baremetal.attach_vif_to_node(node, vifs[node.id].id)
        conn.baremetal.update_node(node, instance_info=scenario.instance_info(sandbox))
    for node in doomed + kept:
        conn.baremetal.set_node_provision_state(node, "active")
    applying = {
        node.id: wait_until(
            lambda n=node: [
                p for p in witness.profiles_on(server_of(n)) if p["state"] == "Creating"
            ],
            timeout=HANG_GUARD,
            interval=POLL,
            what=f"the claim's profile of {node.name} applying",
        )[0]
        for node in doomed
    }
    assert set(provision_states(sandbox, doomed).values()) == {"deploying"}
    # Ironic's lock on each is held under the name the victim registered (the launcher's point:
    # Ironic 39 would reserve as one name and register another), so the survivor can clear it.
    held = {n.name: conn.baremetal.get_node(n.id).reservation for n in doomed}
    assert set(held.values()) == {victim.hostname}, held

    service = next(
        s for s in sandbox.supervisor.services if s.name == conductors.service_name(victim.index)
    )
    assert service.process is not None
    os.killpg(service.process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    service.process.wait(HANG_GUARD)
    witness.sim("POST", "clock", {"advance": CLOCK_JUMP})  # OneView finishes on its own

    # The survivor takes the nodes over and fails the deployments it cannot resume.
    wait_until(
        lambda: set(provision_states(sandbox, doomed).values()) == {"deploy failed"},
        timeout=HANG_GUARD,
        interval=POLL,
        what="the surviving conductor to fail the interrupted deployments",
    )
    takeover_seconds = time.monotonic() - killed_at
    for node in doomed:
        failed = conn.baremetal.get_node(node.id)
        assert TAKEOVER_ERROR in (failed.last_error or "").lower(), failed.last_error
        assert failed.reservation is None, failed.reservation
    # The API's ring drops the dead conductor at its own next refresh (it may lag the survivor's):
    # then every node of the victim, not only the ones it was deploying, is the survivor's.
    orphans = mapped[victim.hostname]
    wait_until(
        lambda: {conn.baremetal.get_node(n.id).conductor for n in orphans} == {survivor.hostname},
        timeout=HANG_GUARD,
        interval=POLL,
        what=f"the API to map the {len(orphans)} nodes of the dead conductor to the survivor",
    )
    scenario.wait_nodes(sandbox, kept, "active", HANG_GUARD)  # the survivor's own went on

    # One periodic pass: the profiles OneView finished are the nodes' own again; none leaks.
    def adopted() -> bool:
        return all(
            (conn.baremetal.get_node(n.id).driver_info or {}).get("applied_server_profile_uri")
            == applying[n.id]["uri"]
            for n in doomed
        )

    wait_until(adopted, timeout=HANG_GUARD, interval=POLL, what="the profiles to be adopted")
    adopted_seconds = time.monotonic() - killed_at
    assert check.drift(conn, witness.state(), baseline) == []
    assert "adopting profile" in survivor.text()
    record(
        "after takeover",
        killed=victim.hostname,
        nodes_failed=len(doomed),
        takeover_seconds=round(takeover_seconds, 1),
        adopted_seconds=round(adopted_seconds, 1),
        heartbeat_timeout=conductors.HEARTBEAT_TIMEOUT,
    )

    # Ironic recovers them the usual way: undeploy releases the profiles, through the survivor.
    scenario.undeploy(sandbox, doomed + kept, HANG_GUARD)
    for node in doomed + kept:
        assert witness.profiles_on(server_of(node)) == []
    assert check.drift(conn, witness.state(), baseline) == []
    scenario.delete_networks(sandbox, list(vifs.values()), networks)

    # The controller comes back: its conductor rejoins the ring and gets nodes again.
    sandbox.supervisor.restart(conductors.service_name(victim.index))
    back = wait_until(
        lambda: nodes_by_conductor(sandbox).get(victim.hostname),
        timeout=HANG_GUARD,
        interval=POLL,
        what=f"conductor {victim.index} to get nodes again",
    )
    record("after restart", conductor=victim.hostname, nodes=len(back))


def test_no_credential_reaches_a_log_line_of_the_api_or_the_conductors(sandbox: Sandbox) -> None:
    """The conductors log every OneView request at DEBUG: never a password or a session token."""
    assert sandbox.layout is not None and sandbox.simulator is not None
    assert sandbox.databases is not None and sandbox.databases.ironic is not None
    stems = ["ironic-api", *(conductors.name(c.index) for c in conductors_of(sandbox))]
    files = [sandbox.layout.path(f"{stem}.{kind}") for stem in stems for kind in ("log", "out")]
    logins = [c.text().count(f"OneView POST {LOGIN_PATH} -> 200") for c in conductors_of(sandbox)]
    assert all(logins), f"DEBUG request lines missing (logins per conductor: {logins})"
    secrets = [sandbox.simulator.password, urlsplit(sandbox.databases.ironic).password or ""]
    assert check.secrets_in_logs(files, secrets) == []
