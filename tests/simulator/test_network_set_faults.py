"""Faults on the issue-15 writes (network-set create/update/delete, template PUT): each ends the
way a client must handle, and a failed network-set task leaves the set as it was."""

from __future__ import annotations

import pytest
import requests
from test_connection_bandwidth import template_of
from test_faults import arm, fired
from test_network_sets import create_set, tagged

from oneview_openstack.simulator.testing import error_of


def test_a_stale_etag_on_a_set_put_is_412(api):
    net_set = create_set(api, "s", tagged(api, "Storage"))
    arm(api, kind="etag_conflict", method="PUT", path=net_set["uri"])
    net_set["networkUris"].append(tagged(api, "Management")[0])
    error_of(api.put(net_set["uri"], json=net_set), 412, "PRECONDITION_FAILED")
    assert fired(api) == {"etag_conflict": 1}
    assert len(api.get(net_set["uri"]).json()["networkUris"]) == 1


def test_a_failed_set_update_task_restores_the_members(api):
    net_set = create_set(api, "s", tagged(api, "Storage"))
    arm(api, kind="task_error", method="PUT", path=net_set["uri"], params={"error_code": "X"})
    net_set["networkUris"].append(tagged(api, "Management")[0])
    task = api.wait(api.put(net_set["uri"], json=net_set))
    assert (task["taskState"], task["taskErrors"][0]["errorCode"]) == ("Error", "X")
    assert api.get(net_set["uri"]).json()["networkUris"] == tagged(api, "Storage")


def test_a_failed_set_create_task_leaves_no_set_and_no_template(api):
    templates = len(api.members("connection-templates"))
    arm(api, kind="task_error", method="POST", path="/rest/network-sets")
    task = api.wait(api.post("/rest/network-sets", json={"name": "s", "networkUris": []}))
    assert task["taskState"] == "Error"
    assert api.members("network-sets", filter="name='s'") == []
    assert len(api.members("connection-templates")) == templates


def test_a_set_that_vanished_is_404_and_its_template_went_with_it(api):
    net_set = create_set(api, "s", [])
    arm(api, kind="vanish", method="PUT", path=net_set["uri"])
    error_of(api.put(net_set["uri"], json=net_set), 404, "RESOURCE_NOT_FOUND")
    assert api.get(net_set["connectionTemplateUri"]).status_code == 404


@pytest.mark.parametrize("status", [500, 503])
def test_a_template_put_that_errors_changes_nothing(api, status):
    template = template_of(api, tagged(api, "Storage")[0])
    arm(api, kind="http_error", method="PUT", path=template["uri"], params={"status": status})
    template["bandwidth"]["maximumBandwidth"] = 5000
    assert api.put(template["uri"], json=template).status_code == status
    assert api.get(template["uri"]).json()["bandwidth"]["maximumBandwidth"] == 20000


def test_a_template_put_whose_answer_is_lost_has_landed(api):
    template = template_of(api, tagged(api, "Storage")[0])
    arm(api, kind="lost_answer", method="PUT", path=template["uri"])
    template["bandwidth"]["maximumBandwidth"] = 5000
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put(template["uri"], json=template)
    assert api.get(template["uri"]).json()["bandwidth"]["maximumBandwidth"] == 5000
