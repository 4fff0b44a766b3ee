"""python-oneviewclient 2.6.6 (the seed's library, last released 2017), unchanged, at its API
version 200: what Ironic's Newton-Pike driver called for power, boot, validation and dynamic
allocation, and ironic-oneview-cli's managers.

Not covered, because the simulator has no iLO: ``get_sh_mac_from_ilo`` and one-time boot
(``set_boot_device(..., onetime=True)``) speak iLO REST to the address in the server's
``remoteConsoleUrl``; only the parsing of that URL (``_get_ilo_access``) is exercised.
``ServerHardwareIndexManager`` reads ``/rest/index/resources``, which the simulator does not serve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from oneview_client import client as seed_client
from oneview_client import exceptions, states, utils

from oneview_openstack.simulator.server import SimulatorServer
from oneview_openstack.simulator.testing import ApplianceClient, Witness

from .conftest import sdk_config, seed_kwargs

TEMPLATE = "ironic-EG-1"


@dataclass
class IronicPort:
    """The attributes of an Ironic port the library reads (``address``, ``uuid``, ...)."""

    address: str
    uuid: str = "port-1"
    pxe_enabled: bool = True
    local_link_connection: dict[str, Any] = field(default_factory=dict)


def stored(witness: Witness, category: str) -> list[dict[str, Any]]:
    return witness.state(category)[category]


def template_named(witness: Witness, name: str) -> dict[str, Any]:
    return next(t for t in stored(witness, "server-profile-templates") if t["name"] == name)


def node_info(witness: Witness, power: str = "Off", template: str = TEMPLATE) -> dict[str, Any]:
    """driver_info + capabilities of a node on a free blade the template fits."""
    spt = template_named(witness, template)
    server = next(
        s
        for s in stored(witness, "server-hardware")
        if s["serverHardwareTypeUri"] == spt["serverHardwareTypeUri"]
        and not s["serverProfileUri"]
        and s["powerState"] == power
    )
    return {
        "server_hardware_uri": server["uri"],
        "server_hardware_type_uri": server["serverHardwareTypeUri"],
        "enclosure_group_uri": server["serverGroupUri"],
        "server_profile_template_uri": spt["uri"],
    }


def uuid_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


# -- sessions and version --------------------------------------------------------------------
def test_login_version_and_logout(seed: seed_client.Client, witness: Witness) -> None:
    assert seed.session_id
    assert seed.get_oneview_version() == witness("GET", "rest/version")
    seed.verify_oneview_version()  # 200 lies within minimumVersion..currentVersion
    assert seed.verify_credentials().status_code == 200
    before = witness.sim("GET", "state")["_simulator"]["activeSessions"]
    seed._logout()
    assert witness.sim("GET", "state")["_simulator"]["activeSessions"] == before - 1
    seed.session_id = seed.get_session()  # the fixture logs out again at the end


@pytest.mark.parametrize("status", [400, 401])
def test_bad_password_is_not_authorized(simulator: SimulatorServer, status: int) -> None:
    """400 is what the appliance it knew answered (it raises at once); on 401 it logs in again
    for the first request, and that request's 401 is the same exception."""
    with simulator.state.lock:
        simulator.state.reset(config=sdk_config(simulator, login_failure_status=status))
    settings = seed_kwargs(simulator)
    settings["password"] = "wrong-password"
    with pytest.raises(exceptions.OneViewNotAuthorizedException) as refused:
        client = seed_client.Client(**settings)
        client.get_server_hardware_by_uuid("anything")
    assert "wrong-password" not in str(refused.value)


def test_expired_session_is_renewed_once(seed: seed_client.Client, witness: Witness) -> None:
    """a67c6c9 "Re-authenticating on session invalidation": one new login, then the call."""
    old = seed.session_id
    logins = witness.stats()["logins"]
    witness.action("expire_sessions")
    server = stored(witness, "server-hardware")[0]
    assert seed.get_server_hardware_by_uuid(server["uuid"]).uri == server["uri"]
    assert seed.session_id != old
    assert witness.stats()["logins"] == logins + 1


def test_the_librarys_trailing_slash_urls_are_answered_directly(
    witness: Witness, api: ApplianceClient
) -> None:
    """Its managers list ``/rest/<category>/?start=0&count=9999999`` and it POSTs profiles to
    ``/rest/server-profiles/``: an appliance answers those paths itself, not with a redirect."""
    for category in (
        "server-hardware",
        "server-hardware-types",
        "enclosures",
        "enclosure-groups",
        "server-profile-templates",
        "server-profiles",
    ):
        reply = api.get(f"/rest/{category}/?start=0&count=9999999", allow_redirects=False)
        assert reply.status_code == 200, (category, reply.status_code)
        assert len(reply.json()["members"]) == len(stored(witness, category))
    info = node_info(witness)
    body = api.get(f"{info['server_profile_template_uri']}/new-profile").json()
    body.update(name="Ironic [slash]", serverHardwareUri=info["server_hardware_uri"])
    created = api.post("/rest/server-profiles/", json=body, allow_redirects=False)
    assert created.status_code == 202, created.text
    assert api.wait(created)["taskState"] == "Completed"


# -- ironic-oneview-cli's managers (ClientV2) ------------------------------------------------
def test_managers_list_and_get(seed_v2: seed_client.ClientV2, witness: Witness) -> None:
    servers = stored(witness, "server-hardware")
    listed = seed_v2.server_hardware.list()
    assert [s.uri for s in listed] == [s["uri"] for s in servers]
    first = seed_v2.server_hardware.get(servers[0]["uuid"])
    assert (first.name, first.power_state, first.memory_mb) == (
        servers[0]["name"],
        servers[0]["powerState"],
        servers[0]["memoryMb"],
    )
    assert first.cpus == servers[0]["processorCount"] * servers[0]["processorCoreCount"]
    assert [s.name for s in seed_v2.server_hardware.list(power_state="On")] == [
        s["name"] for s in servers if s["powerState"] == "On"
    ]
    assert {e.uri for e in seed_v2.enclosure.list()} == {
        e["uri"] for e in stored(witness, "enclosures")
    }
    templates = seed_v2.server_profile_template.list()
    assert {t.name for t in templates} == {
        t["name"] for t in stored(witness, "server-profile-templates")
    }
    assert {p.uri for p in seed_v2.server_profile.list()} == {
        p["uri"] for p in stored(witness, "server-profiles")
    }
    # The identity-map managers key their cache by uuid; each get is one GET by id.
    hardware_type = stored(witness, "server-hardware-types")[0]
    assert (
        seed_v2.server_hardware_type.get(uuid_of(hardware_type["uri"])).name
        == (hardware_type["name"])
    )
    group = stored(witness, "enclosure-groups")[0]
    assert seed_v2.enclosure_group.get(uuid_of(group["uri"])).uri == group["uri"]


def test_server_macs_from_the_port_map(seed_v2: seed_client.ClientV2, witness: Witness) -> None:
    """``get_mac``: the first Ethernet port's FlexNIC a, as the driver matched node ports."""
    blade = next(s for s in stored(witness, "server-hardware") if s.get("locationUri"))
    server = seed_v2.server_hardware.get(blade["uuid"])
    mac = server.get_mac()
    first_ethernet = next(
        port
        for slot in blade["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
        if port["type"] == "Ethernet"
    )
    function_a = next(v for v in first_ethernet["virtualPorts"] if v["portFunction"] == "a")
    assert mac == function_a["mac"].lower()
    assert mac in utils.get_all_macs(server)


# -- power -----------------------------------------------------------------------------------
def test_power_on_and_off(seed: seed_client.Client, witness: Witness) -> None:
    info = node_info(witness, power="Off")
    assert seed.get_node_power_state(info) == states.ONEVIEW_POWER_OFF
    assert seed.power_on(info) == states.ONEVIEW_POWER_ON
    assert seed.get_node_power_state(info) == states.ONEVIEW_POWER_ON
    puts = witness.route("PUT /rest/server-hardware/{id}/powerState")
    assert seed.power_on(info) == states.ONEVIEW_POWER_ON  # already on: no request
    assert witness.route("PUT /rest/server-hardware/{id}/powerState") == puts
    assert seed.power_off(info) == states.ONEVIEW_POWER_OFF
    server = next(s for s in stored(witness, "server-hardware") if s["uri"] in info.values())
    assert server["powerState"] == "Off"


def test_ilo_address_and_token_from_the_console_url(
    seed: seed_client.Client, witness: Witness
) -> None:
    server = stored(witness, "server-hardware")[0]
    host, token = seed._get_ilo_access(server["uuid"])
    assert host in {a["address"] for a in server["mpHostInfo"]["mpIpAddresses"]}
    assert token and "&" not in token


# -- node validation -------------------------------------------------------------------------
def test_node_validation_passes_for_a_consistent_node(
    seed: seed_client.Client, witness: Witness
) -> None:
    info = node_info(witness)
    seed.validate_node_server_hardware_type(info)
    seed.validate_node_enclosure_group(info)
    seed.validate_node_server_profile_template(info)
    seed.validate_server_profile_template_mac_type(info["server_profile_template_uri"])
    spt = seed.get_server_profile_template(info)
    seed._validate_spt_boot_connections(spt)
    mac = seed.get_server_hardware(info).get_mac()
    seed.is_node_port_mac_compatible_with_server_hardware(info, [IronicPort(mac.upper())])


def test_node_validation_names_what_is_inconsistent(
    seed: seed_client.Client, witness: Witness
) -> None:
    info = node_info(witness)
    wrong_type = {**info, "server_hardware_type_uri": "/rest/server-hardware-types/other"}
    with pytest.raises(exceptions.OneViewInconsistentResource, match="server_hardware_type_uri"):
        seed.validate_node_server_hardware_type(wrong_type)
    virtual = template_named(witness, "ironic-virtual-mac-EG-1")
    with pytest.raises(exceptions.OneViewInconsistentResource, match="physical MAC"):
        seed.validate_server_profile_template_mac_type(virtual["uri"])
    no_boot = {
        **info,
        "server_profile_template_uri": template_named(witness, "no-manage-boot-EG-1")["uri"],
    }
    with pytest.raises(exceptions.OneViewInconsistentResource, match="manage boot"):
        seed.validate_node_server_profile_template(no_boot)
    with pytest.raises(exceptions.OneViewInconsistentResource, match="not compatible"):
        seed.is_node_port_mac_compatible_with_server_hardware(
            info, [IronicPort("aa:bb:cc:dd:ee:ff")]
        )


def test_ml2_port_validation(seed: seed_client.Client, witness: Witness) -> None:
    """``validate_connections`` for networking-oneview's ports (switch_info in the LLC)."""
    info = {**node_info(witness), "use_oneview_ml2_driver": True}
    server = seed.get_server_hardware(info)
    switch_info = json.dumps({"server_hardware_id": server.uuid, "bootable": "true"})
    port = IronicPort(server.get_mac(), local_link_connection={"switch_info": switch_info})
    seed.validate_connections(info, [port], "neutron")
    stranger = IronicPort("aa:bb:cc:dd:ee:ff", local_link_connection={"switch_info": switch_info})
    with pytest.raises(exceptions.OneViewInconsistentResource, match="aa:bb:cc:dd:ee:ff"):
        seed.validate_connections(info, [stranger], "neutron")


# -- dynamic allocation and boot -------------------------------------------------------------
def test_claim_boot_order_and_release(seed: seed_client.Client, witness: Witness) -> None:
    """clone_template_and_apply (new-profile, POST, task), the persistent boot device through a
    whole-profile PUT, the primary boot connection's MAC, and delete_server_profile."""
    info = node_info(witness)
    profile = seed.clone_template_and_apply(
        "Ironic [seed-node]",
        uuid_of(info["server_hardware_uri"]),
        uuid_of(info["server_profile_template_uri"]),
    )
    assert profile.name == "Ironic [seed-node]"
    assert profile.server_hardware_uri == info["server_hardware_uri"]
    seed.check_server_profile_is_applied(info)
    assert seed.get_server_profile_from_hardware(info).uri == profile.uri

    order = seed.get_boot_order(info)
    assert order[0] == "PXE"
    seed.set_boot_device(info, "HardDisk")
    assert seed.get_boot_order(info)[0] == "HardDisk"
    stored_profile = next(p for p in stored(witness, "server-profiles") if p["uri"] == profile.uri)
    assert stored_profile["boot"]["order"][0] == "HardDisk"
    seed.set_boot_device(info, "PXE")
    assert seed.get_boot_order(info) == order

    primary = next(
        c for c in profile.connections if (c.get("boot") or {}).get("priority") == "Primary"
    )
    seed.is_node_port_mac_compatible_with_server_profile(info, [IronicPort(primary["mac"])])

    assert seed.delete_server_profile(uuid_of(profile.uri)) == profile.uri
    assert profile.uri not in {p["uri"] for p in stored(witness, "server-profiles")}
    with pytest.raises(exceptions.OneViewServerProfileAssociatedError):
        seed.get_server_profile_from_hardware(info)


def test_claim_on_a_powered_on_server_is_an_assignment_error(
    simulator: SimulatorServer, witness: Witness
) -> None:
    """The appliance refuses in the task (``powered_on_error_channel="task"``): the library
    raises its assignment error. (A synchronous 409 it would retry 10 s apart.)"""
    with simulator.state.lock:
        simulator.state.reset(config=sdk_config(simulator, powered_on_error_channel="task"))
    client = seed_client.Client(**seed_kwargs(simulator))
    info = node_info(witness, power="On")
    with pytest.raises(exceptions.OneViewServerProfileAssignmentError):
        client.clone_template_and_apply(
            "Ironic [refused]",
            uuid_of(info["server_hardware_uri"]),
            uuid_of(info["server_profile_template_uri"]),
        )
    assert "Ironic [refused]" not in {p["name"] for p in stored(witness, "server-profiles")}
    client._logout()
