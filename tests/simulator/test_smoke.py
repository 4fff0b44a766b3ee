"""The fixture itself: HTTPS verified against the simulator's CA, login, a task to completion."""

from __future__ import annotations

import requests


def test_https_needs_the_simulator_ca(simulator, anonymous):
    assert simulator.url.startswith("https://127.0.0.1:")
    assert anonymous.get("/rest/version").json()["currentVersion"] == 2800
    with requests.Session() as plain:
        plain.trust_env = False
        try:
            plain.get(simulator.url + "/rest/version", timeout=5)
        except requests.exceptions.SSLError:
            pass
        else:
            raise AssertionError("a client without the simulator CA must fail TLS verification")


def test_power_on_task_completes(api):
    server = next(m for m in api.members("server-hardware") if m["powerState"] == "Off")
    task = api.wait(api.put(server["uri"] + "/powerState", json={"powerState": "On"}))
    assert task["taskState"] == "Completed"
    assert task["percentComplete"] == 100
    assert api.get(server["uri"]).json()["powerState"] == "On"
