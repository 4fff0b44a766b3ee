"""Task waits: bounded, adaptive, and every outcome mapped (over HTTPS to the simulator)."""

from __future__ import annotations

import logging

import pytest

from oneview_openstack.client import TaskFailed, TaskTimeout

POWER = "/rest/server-hardware/*/powerState"


def _off_server(client):
    return next(s for s in client.server_hardware.list() if s["powerState"] == "Off")


def test_power_on_completes_with_few_polls(client, sim):
    server = _off_server(client)
    task = client.server_hardware.set_power_state(server["uri"], "On")
    assert task["taskState"] == "Completed" and task["percentComplete"] == 100
    assert client.server_hardware.power_state(server["uri"]) == "On"
    # A power task lasts 5-20 simulated s (2.5-10 ms here); polls start at 2 ms and grow x1.5.
    assert 1 <= client.metrics["task_polls"] <= 6
    assert sim.route("GET /rest/tasks/{id}") == client.metrics["task_polls"]


def test_long_task_is_polled_logarithmically_not_linearly(client, sim):
    server = _off_server(client)
    sim.arm("task_slow", method="PUT", path=POWER, params={"factor": 40})  # 0.1-0.4 s
    client.server_hardware.set_power_state(server["uri"], "On")
    polls = client.metrics["task_polls"]
    # Polling every 2 ms would take 50-200 polls; backing off to 20 ms takes ~10-25.
    assert polls <= 30, polls


def test_task_error_carries_oneview_task_errors(client, sim):
    server = _off_server(client)
    sim.arm(
        "task_error",
        method="PUT",
        path=POWER,
        params={"error_code": "POWER_FAILURE", "message": "The power supply tripped."},
    )
    with pytest.raises(TaskFailed) as caught:
        client.server_hardware.set_power_state(server["uri"], "On")
    error = caught.value
    assert error.error_code == "POWER_FAILURE"
    assert error.task_state == "Error"
    assert error.task_errors[0]["message"] == "The power supply tripped."
    assert error.resource_uri == server["uri"]
    text = str(error)
    assert "POWER_FAILURE" in text and "Power on" in text and server["uri"] in text
    assert "ended Error" in text


@pytest.mark.parametrize("state", ["Killed", "Terminated"])
def test_killed_and_terminated_tasks_fail(client, sim, state):
    server = _off_server(client)
    sim.arm("task_error", method="PUT", path=POWER, params={"state": state})
    with pytest.raises(TaskFailed, match=f"ended {state}"):
        client.server_hardware.set_power_state(server["uri"], "On")


def test_interrupted_task_is_not_reported_as_success(client, sim):
    server = _off_server(client)
    sim.arm("task_interrupted", method="PUT", path=POWER)
    with pytest.raises(TaskFailed, match="ended Interrupted"):
        client.server_hardware.set_power_state(server["uri"], "On")


def test_warning_is_a_success_with_a_logged_warning(client, sim, caplog):
    caplog.set_level(logging.WARNING)
    server = _off_server(client)
    sim.arm("task_warning", method="PUT", path=POWER, params={"message": "Fan 3 is degraded."})
    task = client.server_hardware.set_power_state(server["uri"], "On")
    assert task["taskState"] == "Warning"
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Fan 3 is degraded." in m and task["uri"] in m for m in logged)


def test_stuck_task_times_out_after_max_polling_attempts(make_client, sim):
    client = make_client(max_polling_attempts=5)
    server = _off_server(client)
    sim.arm("task_stuck", method="PUT", path=POWER, params={"percent": 40})
    with pytest.raises(TaskTimeout) as caught:
        client.server_hardware.set_power_state(server["uri"], "On")
    error = caught.value
    assert client.metrics["task_polls"] == 5
    text = str(error)
    assert error.task_uri in text and "'Power on'" in text and server["uri"] in text
    assert "still Running at 40%" in text and "max_polling_attempts=5" in text


def test_stuck_task_times_out_after_the_overall_timeout(make_client, sim):
    client = make_client(task_timeout=0.15)
    server = _off_server(client)
    sim.arm("task_stuck", method="PUT", path=POWER)
    with pytest.raises(TaskTimeout, match=r"task_timeout=0.15 s"):
        client.server_hardware.set_power_state(server["uri"], "On")
    assert client.metrics["task_polls"] < 20


def test_wait_is_bounded_per_call_too(client, sim):
    server = _off_server(client)
    sim.arm("task_stuck", method="PUT", path=POWER)
    task = client.server_hardware.set_power_state(server["uri"], "On", wait=False)
    assert task["taskState"] in ("New", "Starting", "Running")
    with pytest.raises(TaskTimeout):
        client.tasks.wait(task["uri"], timeout=0.05)


def test_a_starting_task_is_waited_for_like_a_running_one(client, sim):
    server = _off_server(client)
    # A simulated second now lasts days: the task stays where the test moves the clock.
    sim.http.post(sim.server.url + "/_sim/clock", json={"time_scale": 1e6}).raise_for_status()
    task = client.server_hardware.set_power_state(server["uri"], "On", wait=False)
    assert task["taskState"] == "New"
    step = {"advance": task["expectedDuration"] * 0.05}
    sim.http.post(sim.server.url + "/_sim/clock", json=step).raise_for_status()
    assert client.tasks.get(task["uri"])["taskState"] == "Starting"
    with pytest.raises(TaskTimeout):
        client.tasks.wait(task["uri"], timeout=0.05)
    end = {"advance": task["expectedDuration"] + 1}
    sim.http.post(sim.server.url + "/_sim/clock", json=end).raise_for_status()
    done = client.tasks.wait(task["uri"], timeout=5)
    assert done["taskState"] == "Completed"
