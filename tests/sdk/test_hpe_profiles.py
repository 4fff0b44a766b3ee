"""hpeOneView 11.4.0, unchanged: server profile templates and their new-profile, server profiles
created, edited and deleted through the SDK's own TaskMonitor (Ironic's claim and release), and
that monitor waiting through every pending task state the simulator shows."""

from __future__ import annotations

from typing import Any

import pytest
from hpeOneView.exceptions import HPEOneViewException, HPEOneViewTaskError
from hpeOneView.oneview_client import OneViewClient as HpeClient

from oneview_openstack.simulator.server import SimulatorServer
from oneview_openstack.simulator.testing import ApplianceClient, Witness

from .conftest import hpe_config

TEMPLATE = "ironic-EG-1"


def stored(witness: Witness, category: str) -> list[dict[str, Any]]:
    return witness.state(category)[category]


def free_server_for(witness: Witness, template: dict[str, Any], power: str = "Off") -> str:
    """A server the template fits, with no profile, in this power state."""
    return next(
        s["uri"]
        for s in stored(witness, "server-hardware")
        if s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
        and not s["serverProfileUri"]
        and s["powerState"] == power
    )


def connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """Profile connections where the API version puts them (``connectionSettings`` from 600)."""
    if "connectionSettings" in profile:
        found: list[dict[str, Any]] = profile["connectionSettings"]["connections"]
        return found
    return list(profile["connections"])


def claim(hpe: HpeClient, witness: Witness, name: str) -> Any:
    """Ironic's claim: the template's new-profile, named and placed, POSTed and waited for."""
    template = hpe.server_profile_templates.get_by_name(TEMPLATE)
    body = template.get_new_profile()
    body["name"] = name
    body["serverHardwareUri"] = free_server_for(witness, template.data)
    return hpe.server_profiles.create(body)


# -- templates -------------------------------------------------------------------------------
def test_templates_get_all_and_get_by_name(hpe: HpeClient, witness: Witness) -> None:
    expected = stored(witness, "server-profile-templates")
    listed = hpe.server_profile_templates.get_all()
    assert [t["uri"] for t in listed] == [t["uri"] for t in expected]
    template = hpe.server_profile_templates.get_by_name(TEMPLATE)
    assert template.data["uri"] == next(t["uri"] for t in expected if t["name"] == TEMPLATE)


def test_template_new_profile(hpe: HpeClient, api: ApplianceClient) -> None:
    template = hpe.server_profile_templates.get_by_name(TEMPLATE)
    body = template.get_new_profile()
    assert body == api.get(f"{template.data['uri']}/new-profile").json()
    assert body["category"] == "server-profiles"
    assert body["serverProfileTemplateUri"] == template.data["uri"]
    assert body["serverHardwareTypeUri"] == template.data["serverHardwareTypeUri"]
    assert [c["networkUri"] for c in connections(body)] == [
        c["networkUri"] for c in connections(template.data)
    ]


def test_template_create_and_update(hpe: HpeClient, api: ApplianceClient) -> None:
    source = hpe.server_profile_templates.get_by_name(TEMPLATE).data
    body = {
        key: source[key]
        for key in ("serverHardwareTypeUri", "enclosureGroupUri", "boot", "bootMode")
        if key in source
    }
    body["name"] = "sdk-template"
    created = hpe.server_profile_templates.create(body)
    assert created.data["uri"].startswith("/rest/server-profile-templates/")
    assert created.data["name"] == "sdk-template"
    updated = created.update({"description": "from hpeOneView"})
    assert api.get(created.data["uri"]).json()["description"] == "from hpeOneView"
    assert updated.data["description"] == "from hpeOneView"


# -- profiles through the TaskMonitor --------------------------------------------------------
def test_profile_create_update_delete(hpe: HpeClient, witness: Witness) -> None:
    """Claim, edit, release: each call waits for its task in the SDK's TaskMonitor."""
    profile = claim(hpe, witness, "sdk-claimed")
    uri = profile.data["uri"]
    server_uri = profile.data["serverHardwareUri"]
    server = hpe.server_hardware.get_by_uri(server_uri).data
    assert server["serverProfileUri"] == uri
    assert hpe.server_profiles.get_by_name("sdk-claimed").data["uri"] == uri

    edited = profile.update({"description": "edited through hpeOneView"})
    assert edited.data["description"] == "edited through hpeOneView"
    assert next(p for p in stored(witness, "server-profiles") if p["uri"] == uri)[
        "description"
    ] == ("edited through hpeOneView")

    assert profile.delete() is True
    assert uri not in {p["uri"] for p in stored(witness, "server-profiles")}
    assert hpe.server_hardware.get_by_uri(server_uri).data["serverProfileUri"] is None


def test_profile_connection_bandwidth_as_a_number(hpe: HpeClient, api: ApplianceClient) -> None:
    """An SDK user may write ``requestedMbps`` as a number: it is taken, and read back as the
    same value (answers carry it as appliances do, a string of digits)."""
    template = hpe.server_profile_templates.get_by_name(TEMPLATE)
    body = template.get_new_profile()
    body["name"] = "sdk-bandwidth"
    servers = api.members("server-hardware")
    body["serverHardwareUri"] = next(
        s["uri"]
        for s in servers
        if s["serverHardwareTypeUri"] == template.data["serverHardwareTypeUri"]
        and not s["serverProfileUri"]
        and s["powerState"] == "Off"
    )
    for connection in connections(body):
        connection["requestedMbps"] = 2000
    profile = hpe.server_profiles.create(body)
    for connection in connections(api.get(profile.data["uri"]).json()):
        assert int(connection["requestedMbps"]) == 2000, connection
    data = profile.data
    connections(data)[0]["requestedMbps"] = 3000
    edited = profile.update({"connectionSettings": data["connectionSettings"]})
    assert int(connections(edited.data)[0]["requestedMbps"]) == 3000


def test_profile_compliance_preview(hpe: HpeClient, witness: Witness) -> None:
    profile = claim(hpe, witness, "sdk-compliance")
    preview = profile.get_compliance_preview()
    assert {"isOnlineUpdate", "automaticUpdates", "manualUpdates"} <= preview.keys()


def test_profile_task_error_raises_the_task_error(hpe: HpeClient, witness: Witness) -> None:
    """A profile on a powered-on server: OneView refuses it, and the SDK says why."""
    template = hpe.server_profile_templates.get_by_name(TEMPLATE)
    body = template.get_new_profile()
    body["name"] = "sdk-refused"
    body["serverHardwareUri"] = free_server_for(witness, template.data, power="On")
    with pytest.raises((HPEOneViewException, HPEOneViewTaskError)) as refused:
        hpe.server_profiles.create(body)
    assert "power" in str(refused.value).lower(), refused.value
    assert "sdk-refused" not in {p["name"] for p in stored(witness, "server-profiles")}


@pytest.mark.parametrize("api_version", [800, 1800, 2800])
def test_claim_and_release_at_api_versions(
    simulator: SimulatorServer, witness: Witness, api_version: int
) -> None:
    """The SDK adds its DEFAULT_VALUES ``type`` for the version (none at 2800) to the POST."""
    client = HpeClient(hpe_config(simulator, api_version=api_version))
    profile = claim(client, witness, f"sdk-at-{api_version}")
    assert profile.data["name"] == f"sdk-at-{api_version}"
    assert profile.delete() is True
    client.connection.logout()


def test_profile_delete_all_by_filter(hpe: HpeClient, witness: Witness) -> None:
    claim(hpe, witness, "sdk-bulk-1")
    assert hpe.server_profiles.delete_all(filter="name='sdk-bulk-1'") is True
    assert "sdk-bulk-1" not in {p["name"] for p in stored(witness, "server-profiles")}


def test_profile_update_from_template_by_patch(hpe: HpeClient, api: ApplianceClient) -> None:
    """A template edit makes its profiles NonCompliant; the SDK's ``patch`` (json-patch
    ``replace /templateCompliance Compliant``, OneView's only profile PATCH) brings one back."""
    template = hpe.server_profile_templates.get_by_name(TEMPLATE)
    body = template.get_new_profile()
    body["name"] = "sdk-compliance-patch"
    body["serverHardwareUri"] = next(
        s["uri"]
        for s in api.members("server-hardware")
        if s["serverHardwareTypeUri"] == template.data["serverHardwareTypeUri"]
        and not s["serverProfileUri"]
        and s["powerState"] == "Off"
    )
    profile = hpe.server_profiles.create(body)
    assert profile.data["templateCompliance"] == "Compliant"
    boot = {
        **template.data["boot"],
        "order": list(reversed(template.data["boot"]["order"])),
        "complianceControl": "Checked",
    }
    template.update({"boot": boot})
    assert api.get(profile.data["uri"]).json()["templateCompliance"] == "NonCompliant"
    patched = profile.patch("replace", "/templateCompliance", "Compliant")
    assert patched.data["templateCompliance"] == "Compliant"
    assert api.get(profile.data["uri"]).json()["boot"]["order"] == boot["order"]
