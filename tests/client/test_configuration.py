"""Configuration over real HTTPS: the views parse what the simulator serves, the builders' sections
are what it applies, and the new resource calls (BIOS, firmware, baselines, compliance, update
from template, an edit that does not wait) behave as OneView's do.
"""

from __future__ import annotations

import pytest

from oneview_openstack.client import BadRequest, configuration
from oneview_openstack.client.tasks import TaskView


def _types(client) -> dict[str, configuration.HardwareTypeConfig]:
    return {
        sht["name"]: configuration.hardware_type_config(sht)
        for sht in client.server_hardware_types.list()
    }


def _free_off_server(client, template):
    return next(
        s
        for s in client.server_hardware.list()
        if s["powerState"] == "Off"
        and not s["serverProfileUri"]
        and s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
    )


def _template(client):
    """The blade template: the inventory has the most free, powered-off servers of its type."""
    return client.server_profile_templates.find_by_name("ironic-EG-1")


def test_an_edit_without_wait_returns_the_started_task(client):
    template = _template(client)
    server = _free_off_server(client, template)
    profile = client.server_profiles.create_from_template(
        template["uri"], "nowait-1", server["uri"]
    )

    def rename(body):
        body["description"] = "edited without waiting"
        return True

    result = client.server_profiles.update(profile["uri"], rename, wait=False)
    assert result.changed and result.task is not None
    assert not TaskView.of(result.task).finished  # what the PUT answered: just started
    done = client.waiter.wait(result.task)
    assert TaskView.of(done).finished
    assert client.server_profiles.get(profile["uri"])["description"] == "edited without waiting"


def test_update_from_template_patches_template_compliance(client):
    template = _template(client)
    server = _free_off_server(client, template)
    linked = client.server_profiles.create_from_template(
        template["uri"], "linked-1", server["uri"], detach=False
    )
    assert linked["serverProfileTemplateUri"] == template["uri"]
    started = client.server_profiles.update_from_template(linked["uri"], wait=False)
    assert not TaskView.of(started).finished
    assert TaskView.of(client.waiter.wait(started)).finished
    assert client.server_profiles.get(linked["uri"])["templateCompliance"] == "Compliant"
    detached = client.server_profiles.create_from_template(
        template["uri"], "detached-1", _free_off_server(client, template)["uri"]
    )
    with pytest.raises(BadRequest) as caught:
        client.server_profiles.update_from_template(detached["uri"])
    assert caught.value.error_code == "PROFILE_NOT_ASSOCIATED_WITH_TEMPLATE"
