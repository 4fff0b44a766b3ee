"""``/_sim/boots`` (what each power-on booted from) and the OS-initiated power-off, over HTTPS.

The one-time override wins over the profile's boot order, and is used up by the boot; the OS
power-off is no OneView task and needs the server on.
"""

from __future__ import annotations

from typing import Any

from oneview_openstack.simulator.testing import ApplianceClient, Witness, error_of, named

BLADE = "Encl1, bay 3"  # Off and free in the default inventory


def power(api: ApplianceClient, server: dict[str, Any], state: str) -> dict[str, Any]:
    return api.wait(api.put(server["uri"] + "/powerState", json={"powerState": state}))


def apply_profile(api: ApplianceClient, server: dict[str, Any], order: list[str]) -> None:
    template = named(api, "server-profile-templates", "ironic-EG-1")
    body = api.get(template["uri"] + "/new-profile").json()
    body.update(name="booted", serverHardwareUri=server["uri"])
    body["boot"] = {"manageBoot": True, "order": order}
    task = api.wait(api.post("/rest/server-profiles", json=body))
    assert task["taskState"] == "Completed", task


def test_each_power_on_records_the_boot_order_device(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    assert blade["powerState"] == "Off"
    apply_profile(api, blade, ["PXE", "HardDisk"])
    before = witness.boots()
    assert power(api, blade, "On")["taskState"] == "Completed"
    (boot,) = witness.boots(since=before[-1]["sequence"] if before else 0)
    assert boot["serverUri"] == blade["uri"]
    assert boot["serverName"] == BLADE
    assert (boot["device"], boot["source"]) == ("Network", "bootOrder")
    assert boot["at"].endswith("Z")
    # Already on: no new boot. Off and on again: a second one, later in the sequence.
    power(api, blade, "On")
    assert witness.boots(blade["uri"], since=boot["sequence"]) == []
    power(api, blade, "Off")
    power(api, blade, "On")
    (again,) = witness.boots(blade["uri"], since=boot["sequence"])
    assert again["sequence"] > boot["sequence"]
    assert [b["sequence"] for b in witness.boots(blade["uri"])] == [
        boot["sequence"],
        again["sequence"],
    ]


def test_a_one_time_boot_wins_and_is_used_up(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    apply_profile(api, blade, ["HardDisk", "PXE"])
    task = api.wait(api.patch(blade["uri"], json=[
        {"op": "replace", "path": "/oneTimeBoot", "value": "Network"}]))  # fmt: skip
    assert task["taskState"] == "Completed", task
    power(api, blade, "On")
    power(api, blade, "Off")
    power(api, blade, "On")
    devices = [(b["device"], b["source"]) for b in witness.boots(blade["uri"])]
    assert devices == [("Network", "oneTimeBoot"), ("HardDisk", "bootOrder")]


def test_a_reset_is_a_boot_and_no_profile_is_unmanaged(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    power(api, blade, "On")
    reply = api.put(
        blade["uri"] + "/powerState", json={"powerState": "On", "powerControl": "ColdBoot"}
    )
    assert api.wait(reply)["taskState"] == "Completed"
    boots = witness.boots(blade["uri"])
    assert [b["device"] for b in boots] == ["Unmanaged", "Unmanaged"]


def test_an_out_of_band_power_on_is_a_boot(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    witness.action("set_power", uri=blade["uri"], powerState="On")
    witness.action("set_power", uri=blade["uri"], powerState="On")  # already on: no boot
    assert len(witness.boots(blade["uri"])) == 1


def test_the_os_powers_the_server_off_without_a_task(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    power(api, blade, "On")
    tasks_before = len(api.members("tasks"))
    assert witness.os_power_off(blade["uri"]) == {"powerState": "Off"}
    assert api.get(blade["uri"]).json()["powerState"] == "Off"
    assert len(api.members("tasks")) == tasks_before
    # Off already: nothing runs that could shut it down.
    reply = api.post(f"/_sim/server-hardware/{blade['uri'].rsplit('/', 1)[-1]}/os-power-off")
    body = error_of(reply, 409, "SERVER_NOT_ON")
    assert BLADE in body["message"]


def test_the_os_reboot_is_an_off_and_a_new_boot(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    apply_profile(api, blade, ["PXE", "HardDisk"])
    power(api, blade, "On")
    (first,) = witness.boots(blade["uri"])
    result = witness.os_power_off(blade["uri"], restart=True)
    assert result["powerState"] == "On"
    assert result["boot"]["sequence"] > first["sequence"]
    assert [b["device"] for b in witness.boots(blade["uri"])] == ["Network", "Network"]
    assert api.get(blade["uri"]).json()["powerState"] == "On"


def test_bad_queries_name_the_field(api: ApplianceClient, simulator):
    body = error_of(api.get("/_sim/boots", params={"since": "soon"}), 400, "INVALID_PARAMETER")
    assert "since" in body["message"] and "soon" in body["message"]
    blade = named(api, "server-hardware", BLADE)
    power(api, blade, "On")
    path = f"/_sim/server-hardware/{blade['uri'].rsplit('/', 1)[-1]}/os-power-off"
    body = error_of(api.post(path, json={"restart": "yes"}), 400, "INVALID_PARAMETER")
    assert "restart" in body["message"]
    assert api.get(blade["uri"]).json()["powerState"] == "On"  # nothing happened
    missing = api.post("/_sim/server-hardware/no-such-server/os-power-off")
    assert missing.status_code == 404, missing.text


def test_local_storage_needs_no_session(simulator):
    witness = Witness.of(simulator)
    (blade,) = [s for s in witness.state("server-hardware")["server-hardware"]
                if s["name"] == BLADE]  # fmt: skip
    server_id = blade["uri"].rsplit("/", 1)[-1]
    storage = witness.sim("GET", f"server-hardware/{server_id}/local-storage")
    drives = [d for c in storage["data"] for d in c["PhysicalDrives"]]
    assert drives and all(d["CapacityGB"] > 0 for d in drives)


def test_a_reset_clears_the_boots_but_not_the_sequence(api: ApplianceClient, simulator):
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    power(api, blade, "On")
    (before,) = witness.boots(blade["uri"])
    witness.sim("POST", "reset", {})
    assert witness.boots() == []
    api.login()  # sessions went with the old state
    blade = named(api, "server-hardware", BLADE)  # a fresh inventory (same seed, same URI)
    power(api, blade, "On")
    (after,) = witness.boots(since=before["sequence"])
    assert after["sequence"] == before["sequence"] + 1


def test_the_values_ironics_boot_code_writes_name_the_devices(api: ApplianceClient, simulator):
    """What ironic/boot.py writes: oneTimeBoot ``HDD`` (Ironic's disk) and ``Network`` (PXE),
    boot order names ``PXE``, ``HardDisk``, ``CD``."""
    witness = Witness.of(simulator)
    blade = named(api, "server-hardware", BLADE)
    apply_profile(api, blade, ["CD", "PXE", "HardDisk"])
    for one_time in ("HDD", "Network", None):
        if one_time:
            task = api.wait(api.patch(blade["uri"], json=[
                {"op": "replace", "path": "/oneTimeBoot", "value": one_time}]))  # fmt: skip
            assert task["taskState"] == "Completed", task
        power(api, blade, "On")
        power(api, blade, "Off")
    devices = [(b["device"], b["source"]) for b in witness.boots(blade["uri"])]
    assert devices == [("HardDisk", "oneTimeBoot"), ("Network", "oneTimeBoot"), ("CD", "bootOrder")]
