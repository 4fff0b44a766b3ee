"""The forms a real appliance sends that both libraries must accept, unchanged (issue 18):
``Content-Type: application/json;charset=UTF-8`` on every JSON answer, and tasks that pass
through ``Starting`` before ``Running``. The waiting tests stop the simulator's clock and move it
by hand, so each library is seen polling a task while it is ``Starting``; they cost the
libraries' own sleeps (hpeOneView 1 s then 2 s, python-oneviewclient 1 s)."""

from __future__ import annotations

import threading
from typing import Any

from hpeOneView.oneview_client import OneViewClient as HpeClient
from hpeOneView.resources.task_monitor import TASK_PENDING_STATES
from oneview_client import client as seed_client

from oneview_openstack.simulator.testing import ApplianceClient, Witness, wait_until

from .conftest import STOPPED

APPLIANCE_JSON = "application/json;charset=UTF-8"


def stored(witness: Witness, category: str) -> list[dict[str, Any]]:
    return witness.state(category)[category]


def free_server(witness: Witness, power: str) -> dict[str, Any]:
    return next(
        s
        for s in stored(witness, "server-hardware")
        if s["powerState"] == power and not s["serverProfileUri"]
    )


def test_both_libraries_parse_json_with_a_charset(
    hpe: HpeClient, seed: seed_client.Client, api: ApplianceClient, witness: Witness
) -> None:
    """hpeOneView json.loads the body whatever the header; python-oneviewclient uses requests'
    ``json()``: both get the dict, with the charset parameter a real appliance sends."""
    for path in ("/rest/version", "/rest/server-hardware", "/rest/tasks"):
        assert api.get(path).headers["Content-Type"] == APPLIANCE_JSON, path
    assert isinstance(hpe.connection.get("/rest/server-hardware"), dict)
    assert hpe.server_hardware.get_all()
    assert seed.get_oneview_version() == witness("GET", "rest/version")
    server = stored(witness, "server-hardware")[0]
    assert seed.get_server_hardware_by_uuid(server["uuid"]).name == server["name"]


def test_task_monitor_waits_through_starting(hpe: HpeClient, witness: Witness) -> None:
    """The simulator's clock stands still, and is moved by hand: the SDK keeps polling a task
    it sees ``Starting`` (issue 18), and returns once the task is ``Completed``."""
    server_uri = free_server(witness, "Off")["uri"]
    server = hpe.server_hardware.get_by_uri(server_uri)
    witness.sim("POST", "clock", {"time_scale": STOPPED})
    result: dict[str, Any] = {}
    sdk = threading.Thread(
        target=lambda: result.update(
            server.update_power_state({"powerState": "On", "powerControl": "MomentaryPress"})
        ),
        name="hpeOneView-power",
    )
    polls = "GET /rest/tasks/{id}"
    before = witness.route(polls)
    sdk.start()

    def task() -> dict[str, Any] | None:
        return next(
            (
                t
                for t in stored(witness, "tasks")
                if t["associatedResource"]["resourceUri"] == server_uri
                and t["taskState"] not in ("Completed", "Error")
            ),
            None,
        )

    pending = wait_until(task, timeout=30, what="the power task")
    # The SDK reads the task after the POST (Location) and at once in its monitor, then sleeps.
    wait_until(lambda: witness.route(polls) >= before + 2, timeout=30, what="the first polls")
    witness.sim("POST", "clock", {"advance": 0.01 * pending["expectedDuration"]})
    pending = wait_until(task, timeout=30, what="the power task")
    assert pending["taskState"] == "Starting" and "Starting" in TASK_PENDING_STATES
    polled = witness.route(polls)
    wait_until(lambda: witness.route(polls) > polled, timeout=30, what="a poll while Starting")
    assert sdk.is_alive(), "the SDK stopped waiting on a Starting task"
    witness.sim("POST", "clock", {"advance": 2.0 * pending["expectedDuration"] + 1})
    sdk.join(timeout=60)
    assert not sdk.is_alive()
    assert result["uri"] == server_uri and result["powerState"] == "On"
    assert witness.route(polls) - before >= 4


def test_task_wait_goes_through_starting(seed: seed_client.Client, witness: Witness) -> None:
    """The library polls ``percentComplete`` every second until 100: a task the simulator shows
    ``Starting`` (percent 0) is waited for, and the call returns once it is Completed."""
    info = {"server_hardware_uri": free_server(witness, "Off")["uri"]}
    witness.sim("POST", "clock", {"time_scale": STOPPED})
    polls = "GET /rest/tasks/{id}"
    before = witness.route(polls)
    done = threading.Event()
    caller = threading.Thread(
        target=lambda: (seed.power_on(info), done.set()), name="seed-power-on"
    )
    caller.start()
    wait_until(lambda: witness.route(polls) > before, timeout=30, what="the first task poll")
    task = next(
        t
        for t in stored(witness, "tasks")
        if t["associatedResource"]["resourceUri"] == info["server_hardware_uri"]
        and t["taskState"] != "Completed"
    )
    witness.sim("POST", "clock", {"advance": 0.01 * task["expectedDuration"]})
    assert next(t for t in stored(witness, "tasks") if t["uri"] == task["uri"])["taskState"] == (
        "Starting"
    )
    polled = witness.route(polls)
    wait_until(lambda: witness.route(polls) > polled, timeout=30, what="a poll while Starting")
    assert not done.is_set() and caller.is_alive()
    witness.sim("POST", "clock", {"advance": 2.0 * task["expectedDuration"] + 1})
    caller.join(timeout=30)
    assert not caller.is_alive()
    assert done.is_set()
