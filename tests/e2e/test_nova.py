"""Nova's front door with real processes: OneView servers through `openstack server create`.

One sandbox of its own (``Options(nova=True, database="mariadb")``: RabbitMQ, Placement, Glance,
Nova with its ironic driver, a real ironic-python-agent per boot; on MariaDB, as clouds run Nova:
on sqlite files Nova's conductor and API hit "database is locked" on a loaded machine) and one
run of the Nova scenario, judged from both sides: what Nova and Ironic say, and what the simulator saw (``/_sim/state``, ``/_sim/stats``),
never through the product's client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oneview_openstack.sandbox import nova_clients, nova_scenario, nova_servers, nova_setup
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.sandbox.nova_results import NovaResult, NovaStep, ServerView
from oneview_openstack.simulator.testing import Witness
from sandboxes import enrolled_sandbox, witness_of

from .conftest import E2E_TIME_SCALE

# The module's sandbox (about 2 minutes) and scenario (about 3) start inside the first test.
pytestmark = pytest.mark.timeout(900)
NODES = 4  # the trait's node, the front door's, the taken one and the one Nova reschedules to
TIMEOUT = 240.0


@pytest.fixture(scope="module")
def nova_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    options = Options(
        state_dir=tmp_path_factory.mktemp("nova-sandbox"),
        servers=6,
        time_scale=E2E_TIME_SCALE,
        nova=True,
        database="mariadb",
    )
    with enrolled_sandbox(options, NODES) as running:
        yield running


@pytest.fixture(scope="module")
def seen(nova_sandbox: Sandbox) -> Iterator[Witness]:
    with witness_of(nova_sandbox) as witness:
        yield witness


@pytest.fixture(scope="module")
def result(nova_sandbox: Sandbox, seen: Witness) -> NovaResult:
    ran = nova_scenario.run(nova_sandbox, timeout=TIMEOUT)
    assert ran.error is None, ran.error
    return ran


def step(result: NovaResult, title: str) -> NovaStep:
    found = result.step(title)
    assert found is not None, f"no step {title!r} in {[s.title for s in result.steps]}"
    return found


def server_of(found: NovaStep) -> ServerView:
    assert found.server is not None, found.title
    return found.server


def test_a_flavor_per_enrolled_resource_class(nova_sandbox: Sandbox, result: NovaResult) -> None:
    assert nova_sandbox.conn is not None
    classes = {str(n.resource_class) for n in nova_sandbox.conn.baremetal.nodes(details=True)}
    for resource_class in classes:
        asks = result.flavors[nova_setup.flavor_name(resource_class)]
        assert f"resources:{nova_setup.custom_resource_class(resource_class)}=1" in asks
        assert "resources:VCPU=0" in asks and "resources:DISK_GB=0" in asks


def test_server_create_is_active_on_a_oneview_server_with_its_profile_and_connection(
    result: NovaResult,
) -> None:
    front = step(result, "openstack server create")
    assert front.commands and front.commands[0].startswith("openstack server create --flavor")
    shown = server_of(front)
    assert shown.status == "ACTIVE"
    assert shown.node and shown.server_hardware and shown.profile
    assert any(nova_setup.TENANT_NETWORK in line for line in shown.connections), shown.connections
    assert front.oneview_requests.get("POST /rest/server-profiles") == 1, front.oneview_requests


def test_the_trait_flavor_claims_from_the_other_template(result: NovaResult) -> None:
    shown = server_of(step(result, "a server of the trait flavor"))
    assert shown.status == "ACTIVE"
    assert shown.template is not None and nova_setup.ALT_SUFFIX in shown.template, shown
    front = server_of(step(result, "openstack server create"))
    assert front.template is not None and nova_setup.ALT_SUFFIX not in front.template
    assert shown.server_hardware != front.server_hardware


def test_no_node_of_the_flavor_free_is_novalidhost_with_oneview_untouched(
    result: NovaResult,
) -> None:
    third = step(result, "the trait flavor again")
    shown = server_of(third)
    assert shown.status == "ERROR"
    assert shown.fault is not None and "No valid host" in shown.fault
    assert shown.node is None
    assert nova_clients.writes(third.oneview_requests) == {}


def test_a_server_taken_during_the_boot_fails_that_attempt_and_nova_reschedules(
    nova_sandbox: Sandbox, result: NovaResult, seen: Witness
) -> None:
    taken_step = step(result, "a OneView user takes the server")
    shown = server_of(taken_step)
    assert shown.status == "ACTIVE", shown
    # The attempt on the taken server failed (Neutron's driver would not wire a OneView user's
    # profile, so Ironic's port wait gave up) and Nova built the server again elsewhere.
    assert shown.builds == 2, shown
    taken_node = taken_step.notes[0].split()[1]
    assert shown.node != taken_node
    # Nova's record of the failed attempt (a rescheduled build keeps no fault and its event ends
    # in success, so nova-compute's "Failed to build and run instance" is where it is) carries
    # our driver's words, not Ironic's wait for Neutron's port binding.
    compute_log = (nova_sandbox.state_dir / "nova" / "nova-compute.out").read_text()
    failures = [line for line in compute_log.splitlines() if "Failed to provision instance" in line]
    assert failures, "nova-compute logged no failed provisioning"
    for line in failures:
        assert "A OneView user took the server during the deployment" in line, line
        assert "failed to reach status" not in line, line
    # The OneView user keeps the server: their profile is on it, and no Ironic one.
    assert nova_sandbox.conn is not None
    node = nova_sandbox.conn.baremetal.get_node(taken_node)
    profiles = seen.profiles_on(node.driver_info["server_hardware_uri"])
    assert [p["name"] for p in profiles] == [nova_servers.TAKER]


def test_server_delete_gives_every_server_back_to_oneview(
    nova_sandbox: Sandbox, result: NovaResult, seen: Witness
) -> None:
    assert result.clean
    assert nova_sandbox.conn is not None
    nodes = list(nova_sandbox.conn.baremetal.nodes(details=True))
    assert all(n.instance_id is None for n in nodes), [(n.name, n.instance_id) for n in nodes]
    held = {n.driver_info.get("applied_server_profile_uri") for n in nodes} - {None}
    assert held == set()
    names: list[Any] = [p["name"] for p in seen.state("server-profiles")["server-profiles"]]
    assert not [n for n in names if str(n).startswith("nova-")], names
