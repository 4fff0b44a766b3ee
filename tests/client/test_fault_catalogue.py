"""Every simulator fault kind meets the client somewhere in tests/client.

The kinds not exercised elsewhere are tested here; ``test_every_fault_kind_is_exercised`` reads
the test sources and fails when a kind is added to the simulator without a client test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from oneview_openstack.client import Conflict, NotFound
from oneview_openstack.simulator.faults import ALL_FAULTS
from oneview_openstack.simulator.testing import wait_until

POWER = "/rest/server-hardware/*/powerState"


def _off_server(client):
    return next(
        s
        for s in client.server_hardware.list()
        if s["powerState"] == "Off" and not s["powerLock"] and not s["serverProfileUri"]
    )


def test_latency_is_only_slower(client, make_client, sim):
    assert client.api_version
    sim.arm("latency", method="GET", path="/rest/server-hardware", params={"seconds": 0.2})
    assert client.server_hardware.list()
    assert client.metrics["retries"] == 0  # a slow answer within read_timeout is not a failure
    assert sim.stats()["faultsFired"] == {"latency": 1}
    # The delay is real: a client that waits less than it for an answer times out and retries.
    impatient = make_client(read_timeout=0.25)
    assert impatient.enclosure_groups.list()  # negotiated and logged in before the fault
    retried_before = impatient.metrics["retries"]
    sim.arm("latency", method="GET", path="/rest/server-hardware", params={"seconds": 1.0})
    assert impatient.server_hardware.list()
    sent = impatient.metrics.requests("GET /rest/server-hardware")
    assert sent >= 2 and impatient.metrics["retries"] - retried_before == sent - 1
    assert sim.stats()["faultsFired"] == {"latency": 2}
    # The abandoned request is still served, late: let it finish inside this test.
    wait_until(lambda: sim.route("GET /rest/server-hardware") == 1 + sent, what="the late answer")


def test_vanished_resource_is_a_not_found_error(client, sim):
    network = client.ethernet_networks.create("vanishing", 240)
    sim.arm("vanish", method="GET", path=network["uri"])
    with pytest.raises(NotFound) as caught:
        client.ethernet_networks.get(network["uri"])
    assert caught.value.status == 404 and network["uri"] in str(caught.value)
    assert client.ethernet_networks.find_by_name("vanishing") is None


@pytest.mark.parametrize(
    ("kind", "state"), [("power_lock", "NoProfileApplied"), ("applying_profile", "ApplyingProfile")]
)
def test_busy_server_refuses_power_with_oneview_error_code(client, sim, kind, state):
    server = _off_server(client)
    sim.arm(kind, method="PUT", path=POWER, params={"seconds": 600})
    with pytest.raises(Conflict) as caught:
        client.server_hardware.set_power_state(server["uri"], "On")
    error = caught.value
    assert error.status == 409 and error.error_code == "POWER_CONTROL_NOT_ALLOWED"
    assert "POWER_CONTROL_NOT_ALLOWED" in str(error) and error.recommended_actions
    assert client.metrics.requests("PUT /rest/server-hardware/{id}/powerState") == 1  # no retry
    busy = client.server_hardware.get(server["uri"])
    assert busy["powerLock"] is True and busy["state"] == state


def test_server_taken_shows_as_a_profile_uri_change(client, sim):
    server = _off_server(client)
    assert not client.server_hardware.get(server["uri"])["serverProfileUri"]
    sim.arm("server_taken", method="GET", path=server["uri"])
    taken = client.server_hardware.get(server["uri"])
    assert taken["serverProfileUri"].startswith("/rest/server-profiles/")
    listed = {s["uri"]: s for s in client.server_hardware.list()}
    assert listed[server["uri"]]["serverProfileUri"] == taken["serverProfileUri"]


def test_power_anomaly_is_a_readable_outcome(client, sim):
    server = _off_server(client)
    sim.arm("power_anomaly", method="PUT", path=POWER, params={"final_state": "Unknown"})
    task = client.server_hardware.set_power_state(server["uri"], "On")
    assert task["taskState"] == "Completed"  # OneView says done...
    assert client.server_hardware.power_state(server["uri"]) == "Unknown"  # ...the server does not


# -- the catalogue ---------------------------------------------------------------------------


def _armed_kinds(source: str) -> set[str]:
    """Kinds passed to ``sim.arm(...)`` as literals or through a parametrized argument."""
    kinds: set[str] = set()
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef):
            continue
        params: dict[str, set[str]] = {}
        for decorator in function.decorator_list:
            if isinstance(decorator, ast.Call) and decorator.args[:2]:
                names = decorator.args[0]
                if isinstance(names, ast.Constant) and isinstance(names.value, str):
                    names = ast.Tuple([ast.Constant(n.strip()) for n in names.value.split(",")])
                values = decorator.args[1] if len(decorator.args) > 1 else None
                if not isinstance(names, ast.Tuple | ast.List) or values is None:
                    continue
                for index, name in enumerate(names.elts):
                    found = params.setdefault(name.value, set())
                    for value in getattr(values, "elts", []):
                        item = value.elts[index] if isinstance(value, ast.Tuple) else value
                        if isinstance(item, ast.Constant) and isinstance(item.value, str):
                            found.add(item.value)
        for node in ast.walk(function):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "arm"
                and node.args
            ):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant):
                kinds.add(first.value)
            elif isinstance(first, ast.Name):
                kinds |= params.get(first.id, set())
    return kinds


def test_every_fault_kind_is_exercised():
    here = Path(__file__).parent
    armed: set[str] = set()
    for path in sorted(here.glob("test_*.py")):
        armed |= _armed_kinds(path.read_text())
    missing = sorted(set(ALL_FAULTS) - armed)
    assert not missing, f"fault kinds no client test arms: {missing}"
