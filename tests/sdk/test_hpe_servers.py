"""hpeOneView 11.4.0, unchanged: login, sessions, version, server hardware and its sub-resources,
server hardware types, firmware drivers and tasks, checked against the simulator's own view."""

from __future__ import annotations

from typing import Any

import pytest
from hpeOneView.exceptions import HPEOneViewException
from hpeOneView.oneview_client import OneViewClient as HpeClient

from oneview_openstack.simulator.server import SimulatorServer
from oneview_openstack.simulator.testing import ApplianceClient, Witness

from .conftest import hpe_config


def servers(witness: Witness) -> list[dict[str, Any]]:
    return witness.state("server-hardware")["server-hardware"]


def free_server(witness: Witness, power: str) -> dict[str, Any]:
    """A blade with no profile in this power state (the default inventory has both kinds)."""
    return next(
        s
        for s in servers(witness)
        if s["powerState"] == power and not s["serverProfileUri"] and s.get("locationUri")
    )


# -- login, sessions, version ---------------------------------------------------------------
def test_login_reuse_and_logout(simulator: SimulatorServer, witness: Witness) -> None:
    first = HpeClient(hpe_config(simulator))
    token = first.connection.get_session_id()
    assert token and witness.sim("GET", "state")["_simulator"]["activeSessions"] == 1

    # A second client re-uses the session (PUT /rest/login-sessions with the token): no new one.
    second = HpeClient(hpe_config(simulator), sessionID=token)
    assert second.connection.get_session_id() == token
    assert witness.sim("GET", "state")["_simulator"]["activeSessions"] == 1

    first.connection.logout()
    assert witness.sim("GET", "state")["_simulator"]["activeSessions"] == 0
    with pytest.raises(HPEOneViewException) as refused:
        second.server_hardware.get_all()
    assert refused.value.oneview_response["errorCode"] == "AUTHORIZATION", refused.value.msg


def test_bad_password_is_refused_without_echoing_it(simulator: SimulatorServer) -> None:
    config = hpe_config(simulator)
    config["credentials"]["password"] = "not-the-password"
    with pytest.raises(HPEOneViewException) as refused:
        HpeClient(config)
    assert refused.value.oneview_response["errorCode"] == "AUTHN_AUTH_FAIL"
    assert "not-the-password" not in str(refused.value)


def test_login_domain_is_accepted(simulator: SimulatorServer, witness: Witness) -> None:
    config = hpe_config(simulator)
    config["credentials"]["authLoginDomain"] = "corp.example"
    client = HpeClient(config)
    token = client.connection.get_session_id()
    # The SDK has no sessions resource: its raw GET is what a user of it calls.
    probe = client.connection.get("/rest/sessions", custom_headers={"Session-ID": token})
    assert probe["loginDomain"] == "corp.example"
    assert token not in str(probe)
    domains = client.connection.get("/rest/logindomains")
    assert {"LOCAL", "corp.example"} <= {d["name"] for d in domains["members"]}
    assert client.connection.get("/rest/sessions/idle-timeout")["idleTimeout"] > 0


def test_version_and_default_api_version(hpe: HpeClient, witness: Witness) -> None:
    version = witness("GET", "rest/version")
    assert hpe.versions.get_version() == version
    assert hpe.api_version == version["currentVersion"]


@pytest.mark.parametrize("api_version", [120, 800, 1800, 2800])
def test_explicit_api_versions_are_accepted(
    simulator: SimulatorServer, witness: Witness, api_version: int
) -> None:
    client = HpeClient(hpe_config(simulator, api_version=api_version))
    listed = client.server_hardware.get_all()
    assert len(listed) == len(servers(witness))
    client.connection.logout()


# -- server hardware -------------------------------------------------------------------------
def test_server_hardware_get_all_matches_the_appliance(hpe: HpeClient, witness: Witness) -> None:
    listed = hpe.server_hardware.get_all()
    assert [s["uri"] for s in listed] == [s["uri"] for s in servers(witness)]


def test_server_hardware_get_all_follows_pages(
    simulator: SimulatorServer, witness: Witness
) -> None:
    """40 servers are more than one page (the simulator caps server-hardware pages at 32)."""
    witness.sim("POST", "reset", {"servers": 40})
    client = HpeClient(hpe_config(simulator))
    listed = client.server_hardware.get_all()
    expected = [s["uri"] for s in servers(witness)]
    assert len(expected) > simulator.state.config.page_cap("server-hardware")
    assert [s["uri"] for s in listed] == expected
    assert [s["uri"] for s in client.server_hardware.get_all(start=30, count=5)] == expected[30:35]
    client.connection.logout()


def test_server_hardware_get_by_name_uri_and_id(hpe: HpeClient, witness: Witness) -> None:
    wanted = servers(witness)[1]
    by_name = hpe.server_hardware.get_by_name(wanted["name"])
    assert by_name is not None and by_name.data["uri"] == wanted["uri"]
    assert hpe.server_hardware.get_by_uri(wanted["uri"]).data["name"] == wanted["name"]
    assert hpe.server_hardware.get_by_id(wanted["uuid"]).data["uri"] == wanted["uri"]
    assert (
        hpe.server_hardware.get_by("serialNumber", wanted["serialNumber"])[0]["uri"]
        == (wanted["uri"])
    )
    assert hpe.server_hardware.get_by_name("no such server") is None


def test_server_hardware_get_by_uri_of_a_missing_server(hpe: HpeClient) -> None:
    with pytest.raises(HPEOneViewException) as missing:
        hpe.server_hardware.get_by_uri("/rest/server-hardware/00000000-0000-0000-0000-000000000000")
    assert missing.value.oneview_response["errorCode"] == "RESOURCE_NOT_FOUND"


def test_power_on_and_off_through_the_task_monitor(hpe: HpeClient, witness: Witness) -> None:
    """Ironic's ``set_power_state``: ``update_power_state`` waits for the task, then returns
    the server (the task's associated resource)."""
    target = free_server(witness, "Off")
    server = hpe.server_hardware.get_by_uri(target["uri"])
    on = server.update_power_state({"powerState": "On", "powerControl": "MomentaryPress"})
    assert on["uri"] == target["uri"] and on["powerState"] == "On"
    now = {s["uri"]: s for s in servers(witness)}[target["uri"]]
    assert now["powerState"] == "On"
    off = server.update_power_state({"powerState": "Off", "powerControl": "PressAndHold"})
    assert off["powerState"] == "Off"
    assert {s["uri"]: s for s in servers(witness)}[target["uri"]]["powerState"] == "Off"
    reset = server.update_power_state({"powerState": "On", "powerControl": "MomentaryPress"})
    assert reset["powerState"] == "On"


def test_power_task_error_reaches_the_sdk_caller(hpe: HpeClient, witness: Witness) -> None:
    """A bad power request is OneView's error answer, raised with its errorCode."""
    server = hpe.server_hardware.get_by_uri(free_server(witness, "Off")["uri"])
    with pytest.raises(HPEOneViewException) as refused:
        server.update_power_state({"powerState": "Sideways"})
    assert refused.value.oneview_response["errorCode"]
    assert "powerState" in refused.value.msg


def test_refresh_state_and_patch(hpe: HpeClient, witness: Witness) -> None:
    target = servers(witness)[0]
    server = hpe.server_hardware.get_by_uri(target["uri"])
    refreshed = server.refresh_state({"refreshState": "RefreshPending"})
    assert refreshed["uri"] == target["uri"]
    patched = server.patch("replace", "/uidState", "On")
    assert patched.data["uidState"] == "On"
    assert {s["uri"]: s for s in servers(witness)}[target["uri"]]["uidState"] == "On"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get_bios", "bios"),
        ("get_local_storage", "localStorageV2"),
        ("get_environmental_configuration", "environmentalConfiguration"),
        ("get_firmware", "firmware"),
        ("get_ilo_sso_url", "iloSsoUrl"),
        ("get_java_remote_console_url", "javaRemoteConsoleUrl"),
        ("get_remote_console_url", "remoteConsoleUrl"),
    ],
)
def test_server_hardware_sub_resources(
    hpe: HpeClient, api: ApplianceClient, witness: Witness, method: str, path: str
) -> None:
    target = servers(witness)[0]
    server = hpe.server_hardware.get_by_uri(target["uri"])
    body = getattr(server, method)()
    raw = api.get(f"{target['uri']}/{path}").json()
    # A console URL carries a new iLO session key each time; everything else is the same body.
    assert body and body.keys() == raw.keys(), body
    if "sessionkey=" not in str(raw):
        assert body == raw


def test_local_storage_reports_the_disks(hpe: HpeClient, witness: Witness) -> None:
    """Every server reports its local disks (issue 18): what a user of the SDK reads."""
    for target in servers(witness):
        storage = hpe.server_hardware.get_by_uri(target["uri"]).get_local_storage()
        drives = [d for controller in storage["data"] for d in controller.get("PhysicalDrives", [])]
        assert drives, f"{target['name']}: no physical drives in localStorageV2"


def test_utilization(hpe: HpeClient, witness: Witness) -> None:
    target = servers(witness)[0]
    utilization = hpe.server_hardware.get_by_uri(target["uri"]).get_utilization()
    assert utilization["uri"] == f"{target['uri']}/utilization"
    assert utilization["metricList"]


def test_server_hardware_types(hpe: HpeClient, witness: Witness) -> None:
    types = hpe.server_hardware_types.get_all()
    assert {t["uri"] for t in types} == {s["serverHardwareTypeUri"] for s in servers(witness)}
    first = types[0]
    assert hpe.server_hardware_types.get_by_name(first["name"]).data["uri"] == first["uri"]
    assert hpe.server_hardware_types.get_by_uri(first["uri"]).data["name"] == first["name"]


def test_firmware_drivers(hpe: HpeClient, api: ApplianceClient) -> None:
    drivers = hpe.firmware_drivers.get_all()
    assert [d["uri"] for d in drivers] == [d["uri"] for d in api.members("firmware-drivers")]
    named = hpe.firmware_drivers.get_by_name(drivers[0]["name"])
    assert named.data["uri"] == drivers[0]["uri"]


def test_tasks_get_all_and_get_by_uri(hpe: HpeClient, witness: Witness) -> None:
    server = hpe.server_hardware.get_by_uri(free_server(witness, "Off")["uri"])
    server.update_power_state({"powerState": "On", "powerControl": "MomentaryPress"})
    tasks = hpe.tasks.get_all(count=5, sort="created:descending")
    assert tasks and tasks[0]["category"] == "tasks"
    power = next(t for t in tasks if t["associatedResource"]["resourceUri"] == server.data["uri"])
    again = hpe.tasks.get_by_uri(power["uri"])
    assert again.data["taskState"] == "Completed" and again.data["percentComplete"] == 100
