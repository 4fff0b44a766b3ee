"""Collection GETs over real HTTPS: paging, filters, sort, query, per-category caps, tasks.

Contract §3 (collections, filter syntax) and §11 (page sizes). The grammar itself is pinned by
``test_query.py``; here the same parameters go through the HTTP layer, the store and the
``nextPageUri`` links a client follows.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.testing import ERROR_KEYS, ApplianceClient

TERMINAL = ("Completed", "Error", "Warning", "Killed", "Terminated", "Interrupted")


def assert_error(reply: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == ERROR_KEYS
    assert body["errorCode"] == code
    assert body["message"]
    assert body["recommendedActions"]
    return body


def reconfigure(simulator: Any, **settings: Any) -> None:
    settings.setdefault("time_scale", simulator.state.config.time_scale)
    with simulator.state.lock:
        simulator.state.reset(config=SimulatorConfig(**settings))


def logged_in(simulator: Any) -> ApplianceClient:
    client = ApplianceClient(simulator)
    client.login()
    return client


@pytest.fixture
def big(simulator):
    """1,000 servers: 100+ of everything that is capped (servers, templates)."""
    reconfigure(simulator, servers=1000)
    client = logged_in(simulator)
    yield client
    client.close()


def names(page: dict[str, Any]) -> list[str]:
    return [member["name"] for member in page["members"]]


def query_of(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(uri).query)


def walk(client: ApplianceClient, first: str, **params: Any) -> list[dict[str, Any]]:
    """Every page from ``first``, following nextPageUri as hpeOneView does."""
    pages = [client.get(first, params=params).json()]
    while pages[-1]["nextPageUri"] and pages[-1]["nextPageUri"] != pages[-1]["uri"]:
        assert len(pages) < 200, "nextPageUri never ends"
        reply = client.get(pages[-1]["nextPageUri"])
        assert reply.status_code == 200, reply.text
        pages.append(reply.json())
    return pages


# -- the page envelope ----------------------------------------------------------------------------


def test_a_collection_page_has_the_documented_envelope(api):
    page = api.get("/rest/server-hardware").json()
    for key in ("type", "category", "uri", "start", "count", "total", "members", "eTag"):
        assert key in page, key
    assert page["category"] == "server-hardware"
    assert page["start"] == 0
    assert page["total"] == 16
    assert page["count"] == len(page["members"]) == 16
    assert page["nextPageUri"] is None
    assert page["prevPageUri"] is None
    assert page["uri"].startswith("/rest/server-hardware?")
    assert query_of(page["uri"]) == {"start": ["0"], "count": ["16"]}
    assert len({m["uri"] for m in page["members"]}) == 16
    assert {m["category"] for m in page["members"]} == {"server-hardware"}


def test_start_and_count_select_a_window(api):
    everything = api.get("/rest/server-hardware").json()["members"]
    page = api.get("/rest/server-hardware", params={"start": 3, "count": 4}).json()
    assert page["start"] == 3
    assert page["count"] == 4
    assert page["total"] == 16
    assert [m["uri"] for m in page["members"]] == [m["uri"] for m in everything[3:7]]
    assert query_of(page["nextPageUri"]) == {"start": ["7"], "count": ["4"]}
    assert query_of(page["prevPageUri"]) == {"start": ["0"], "count": ["4"]}


def test_the_last_partial_page_has_no_next(api):
    page = api.get("/rest/server-hardware", params={"start": 14, "count": 5}).json()
    assert page["count"] == 2
    assert page["nextPageUri"] is None
    assert query_of(page["prevPageUri"]) == {"start": ["9"], "count": ["5"]}


def test_start_past_the_end_is_an_empty_page(api):
    page = api.get("/rest/server-hardware", params={"start": 500}).json()
    assert page["members"] == []
    assert page["total"] == 16
    assert page["nextPageUri"] is None


def test_count_minus_one_returns_everything_under_the_cap(api):
    page = api.get("/rest/server-hardware", params={"count": -1}).json()
    assert page["count"] == page["total"] == 16
    assert page["nextPageUri"] is None


def test_an_empty_collection_is_200_with_no_members(api):
    page = api.get("/rest/tasks").json()
    assert page["members"] == []
    assert page["total"] == 0
    assert page["nextPageUri"] is None


@pytest.mark.parametrize("count", [1, 3, 5, 16])
def test_walking_next_page_uri_visits_every_member_once(api, count):
    pages = walk(api, "/rest/server-hardware", count=count)
    uris = [m["uri"] for page in pages for m in page["members"]]
    assert len(uris) == len(set(uris)) == 16
    assert len(pages) == -(-16 // count)
    assert all(page["total"] == 16 for page in pages)
    assert [page["start"] for page in pages] == list(range(0, 16, count))


def test_walking_back_with_prev_page_uri(api):
    page = api.get("/rest/server-hardware", params={"start": 12, "count": 4}).json()
    seen = [m["uri"] for m in page["members"]]
    while page["prevPageUri"]:
        page = api.get(page["prevPageUri"]).json()
        seen = [m["uri"] for m in page["members"]] + seen
    assert page["start"] == 0
    assert len(set(seen)) == 16


# -- per-category page caps -----------------------------------------------------------------------


def test_server_hardware_pages_are_capped_at_32(big):
    page = big.get("/rest/server-hardware", params={"count": -1}).json()
    assert page["total"] == 1000
    assert page["count"] == len(page["members"]) == 32
    assert query_of(page["nextPageUri"]) == {"start": ["32"], "count": ["32"]}
    assert len(big.get("/rest/server-hardware", params={"count": 100}).json()["members"]) == 32
    assert len(big.get("/rest/server-hardware").json()["members"]) == 32
    assert len(big.get("/rest/server-hardware", params={"count": 10}).json()["members"]) == 10


def test_walking_a_capped_collection_reaches_every_server(big):
    pages = walk(big, "/rest/server-hardware", count=-1)
    uris = [m["uri"] for page in pages for m in page["members"]]
    assert len(uris) == len(set(uris)) == 1000
    assert len(pages) == 32  # 31 full pages of 32 and one of 8
    assert len(big.members("server-hardware")) == 1000


def test_templates_pages_are_capped_at_64(big):
    page = big.get("/rest/server-profile-templates", params={"count": -1}).json()
    assert page["total"] > 64
    assert page["count"] == 64
    assert page["nextPageUri"] is not None
    assert (
        len(big.get("/rest/server-profile-templates", params={"count": 300}).json()["members"])
        == 64
    )
    pages = walk(big, "/rest/server-profile-templates", count=-1)
    assert sum(len(p["members"]) for p in pages) == page["total"]


def test_other_categories_use_the_default_cap(big):
    page = big.get("/rest/interconnects", params={"count": -1}).json()
    assert page["total"] > 64
    assert page["count"] == page["total"]  # under the default cap of 256
    profiles = big.get("/rest/server-profiles", params={"count": -1}).json()
    assert profiles["total"] > 32
    assert profiles["count"] == profiles["total"]


def test_page_caps_are_configurable(simulator):
    reconfigure(simulator, page_caps={"default": 3, "server-hardware": 5})
    client = logged_in(simulator)
    try:
        assert len(client.get("/rest/ethernet-networks?count=-1").json()["members"]) == 3
        assert len(client.get("/rest/server-hardware?count=100").json()["members"]) == 5
        assert len(client.members("server-hardware")) == 16
        assert len(client.members("ethernet-networks")) == 4
    finally:
        client.close()


# -- filter, sort, query --------------------------------------------------------------------------


def test_filter_selects_matching_members(api):
    everything = api.members("server-hardware")
    off = [m for m in everything if m["powerState"] == "Off"]
    assert 0 < len(off) < len(everything)
    page = api.get("/rest/server-hardware", params={"filter": "\"powerState='Off'\""}).json()
    assert page["total"] == len(off)
    assert {m["uri"] for m in page["members"]} == {m["uri"] for m in off}


def test_filter_by_name_as_hpeoneview_sends_it(api):
    target = api.members("server-hardware")[5]
    # hpeOneView: filter=%22name%3D%27x%27%22, i.e. the double quotes are part of the value.
    reply = api.get(
        f"/rest/server-hardware?filter=%22name%3D%27{requests.utils.quote(target['name'])}%27%22"
    )
    page = reply.json()
    assert [m["uri"] for m in page["members"]] == [target["uri"]]


def test_filter_without_quotes(api):
    racks = [m for m in api.members("server-hardware") if m["locationUri"] is None]
    page = api.get("/rest/server-hardware", params={"filter": "locationUri IS NULL"}).json()
    assert {m["uri"] for m in page["members"]} == {m["uri"] for m in racks}
    profiled = [m for m in api.members("server-hardware") if m["state"] == "ProfileApplied"]
    page = api.get("/rest/server-hardware", params={"filter": "state=ProfileApplied"}).json()
    assert {m["uri"] for m in page["members"]} == {m["uri"] for m in profiled}
    assert profiled


def test_repeated_filters_are_anded(api):
    everything = api.members("server-hardware")
    expected = {
        m["uri"] for m in everything if m["name"].startswith("Encl1") and m["position"] <= 4
    }
    params = [("filter", "\"name matches 'Encl1%'\""), ("filter", '"position le 4"')]
    page = api.get("/rest/server-hardware", params=params).json()
    assert {m["uri"] for m in page["members"]} == expected
    assert len(expected) == 4


def test_filter_on_nested_fields(api):
    profile = api.members("server-profiles")[0]
    network = profile["connectionSettings"]["connections"][0]["networkUri"]
    flt = f"\"connectionSettings.connections.networkUri='{network}'\""
    page = api.get("/rest/server-profiles", params={"filter": flt}).json()
    assert profile["uri"] in {m["uri"] for m in page["members"]}
    flt = "\"connectionSettings.connections.networkUri='/rest/ethernet-networks/none'\""
    assert api.get("/rest/server-profiles", params={"filter": flt}).json()["members"] == []


def test_not_filter_is_the_complement(api):
    total = api.get("/rest/ethernet-networks").json()["total"]
    yes = api.get("/rest/ethernet-networks", params={"filter": "\"ethernetNetworkType='Tagged'\""})
    no = api.get(
        "/rest/ethernet-networks", params={"filter": "\"NOT ethernetNetworkType='Tagged'\""}
    )
    assert yes.json()["total"] + no.json()["total"] == total
    assert yes.json()["total"] > 0


def test_filter_matching_nothing_is_an_empty_page(api):
    page = api.get("/rest/server-hardware", params={"filter": "\"name='no such server'\""}).json()
    assert page["members"] == []
    assert page["total"] == 0


def test_query_parameter_with_and_or(api):
    everything = api.members("server-hardware")
    expected = {
        m["uri"]
        for m in everything
        if m["powerState"] == "Off" and (m["position"] == 1 or m["position"] == 2)
    }
    query = "powerState EQ 'Off' AND (position EQ 1 OR position EQ 2)"
    page = api.get("/rest/server-hardware", params={"query": query}).json()
    assert {m["uri"] for m in page["members"]} == expected


def test_query_and_filter_combine(api):
    query = '"position EQ 1"'
    flt = "\"name matches 'Encl1%'\""
    page = api.get("/rest/server-hardware", params={"query": query, "filter": flt}).json()
    assert names(page) == ["Encl1, bay 1"]


@pytest.mark.parametrize("order", ["descending", "desc"])
def test_sort_descending(api, order):
    page = api.get("/rest/ethernet-networks", params={"sort": f"name:{order}"}).json()
    assert names(page) == sorted(names(page), reverse=True)


def test_sort_ascending_by_a_number_then_name(api):
    page = api.get(
        "/rest/server-hardware",
        params={"sort": "position:ascending,name:desc", "filter": "position IS NOT NULL"},
    )
    members = page.json()["members"]
    keys = [(m["position"], m["name"]) for m in members]
    assert len(keys) == 14  # the blades
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    for (pos_a, name_a), (pos_b, name_b) in itertools.pairwise(keys):
        if pos_a == pos_b:
            assert name_a >= name_b


def test_natural_sort(api):
    page = api.get(
        "/rest/server-hardware",
        params={"sort": "name:natural", "filter": "\"name matches 'Encl1%'\""},
    ).json()
    bays = [int(name.rsplit(" ", 1)[1]) for name in names(page)]
    assert bays == sorted(bays)
    assert bays[:3] == [1, 2, 3]  # not 1, 10, 11


def test_paging_carries_filter_and_sort(api):
    params = {"filter": "\"name matches 'Encl1%'\"", "sort": "name:natural", "count": 3}
    pages = walk(api, "/rest/server-hardware", **params)
    walked = [name for page in pages for name in names(page)]
    whole = api.get(
        "/rest/server-hardware",
        params={"filter": params["filter"], "sort": params["sort"], "count": -1},
    ).json()
    assert walked == names(whole)
    assert len(pages) > 1
    assert all("filter" in query_of(p["uri"]) for p in pages)


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flt",
    [
        '"name==\'"',
        '"name = "',
        "\"name frobnicates 'x'\"",
        "\"(name='x'\"",
        "\"name='x' AND\"",
        '""',
        "\"name IN ('a', \"",
    ],
)
def test_bad_filter_is_400_invalid_filter(api, flt):
    reply = api.get("/rest/server-hardware", params={"filter": flt})
    body = assert_error(reply, 400, "INVALID_FILTER")
    assert body["message"].startswith("Listing resources failed. Unable to parse filters")


def test_bad_query_is_400_invalid_filter(api):
    reply = api.get("/rest/server-hardware", params={"query": "powerState EQ"})
    assert_error(reply, 400, "INVALID_FILTER")


def test_bad_sort_is_400(api):
    reply = api.get("/rest/server-hardware", params={"sort": "name:sideways"})
    body = assert_error(reply, 400, "INVALID_FILTER")
    assert "sort" in body["message"]


@pytest.mark.parametrize(
    ("name", "value"), [("start", "-1"), ("start", "x"), ("count", "-2"), ("count", "1.5")]
)
def test_bad_start_or_count_is_400(api, name, value):
    body = assert_error(
        api.get("/rest/server-hardware", params={name: value}), 400, "INVALID_PARAMETER"
    )
    assert name in body["message"]


def test_bad_filter_on_tasks_is_400(api):
    assert_error(api.get("/rest/tasks", params={"filter": "taskState="}), 400, "INVALID_FILTER")


# -- the tasks collection -------------------------------------------------------------------------


def _power_on(api: ApplianceClient, server: dict[str, Any]) -> requests.Response:
    return api.put(server["uri"] + "/powerState", json={"powerState": "On"})


def test_tasks_collection_filters_on_task_state(api):
    servers = [m for m in api.members("server-hardware") if m["powerState"] == "Off"][:3]
    done = [api.wait(_power_on(api, s)) for s in servers[:2]]
    api.sim("POST", "faults", json={"kind": "task_stuck", "params": {"percent": 40}})
    stuck = _power_on(api, servers[2]).json()

    page = api.get("/rest/tasks").json()
    assert page["type"] == "TaskResourceCollectionV2"
    assert page["total"] == 3
    running = api.get("/rest/tasks", params={"filter": "\"taskState='Running'\""}).json()
    assert [m["uri"] for m in running["members"]] == [stuck["uri"]]
    assert running["members"][0]["percentComplete"] == 40
    completed = api.get("/rest/tasks", params={"filter": "\"taskState='Completed'\""}).json()
    assert {m["uri"] for m in completed["members"]} == {t["uri"] for t in done}
    assert all(m["percentComplete"] == 100 for m in completed["members"])


def test_tasks_collection_filters_on_associated_resource(api):
    server = next(m for m in api.members("server-hardware") if m["powerState"] == "Off")
    power = api.wait(_power_on(api, server))
    network = api.get(api.members("ethernet-networks")[0]["uri"]).json()
    update = api.wait(api.put(network["uri"], json=network))
    params = [
        ("filter", "\"taskState='Completed'\""),
        ("filter", "\"associatedResource.resourceCategory='server-hardware'\""),
    ]
    page = api.get("/rest/tasks", params=params).json()
    assert [m["uri"] for m in page["members"]] == [power["uri"]]
    flt = f"\"associatedResource.resourceUri='{network['uri']}'\""
    page = api.get("/rest/tasks", params={"filter": flt}).json()
    assert [m["uri"] for m in page["members"]] == [update["uri"]]


def test_tasks_collection_pages_and_sorts(api):
    servers = api.members("server-hardware")[:5]
    for server in servers:
        api.wait(api.put(server["uri"] + "/refreshState", json={"refreshState": "RefreshPending"}))
    pages = walk(api, "/rest/tasks", count=2)
    assert sum(len(p["members"]) for p in pages) == 5
    assert all(m["taskState"] in TERMINAL for p in pages for m in p["members"])
    page = api.get("/rest/tasks", params={"sort": "created:descending"}).json()
    created = [m["created"] for m in page["members"]]
    assert created == sorted(created, reverse=True)


# -- collection types ---------------------------------------------------------------------------

# Envelope types real appliance pages show (schemas/_types.json cites each source).
KNOWN_COLLECTION_TYPES = {
    "server-hardware": "server-hardware-list-3",
    "ethernet-networks": "NetworkCollectionV3",
    "logical-interconnects": "LogicalInterconnectCollectionV5",
    "enclosures": "EnclosureListV7",
    "server-profiles": "ServerProfileListV1",
    "server-profile-templates": "ServerProfileTemplateListV1",
}


@pytest.mark.parametrize("category", sorted(KNOWN_COLLECTION_TYPES))
@pytest.mark.parametrize("version", [120, 600, 2800])
def test_collection_type_is_the_one_appliances_show(api, category, version):
    page = api.get(f"/rest/{category}", headers={"X-API-Version": str(version)}).json()
    assert page["type"] == KNOWN_COLLECTION_TYPES[category]
    assert page["category"] == category


def test_every_served_collection_has_a_type_and_category(api):
    for category in api.sim("GET", "state"):
        if category.startswith("_") or category in ("tasks",):
            continue
        reply = api.get(f"/rest/{category}")
        if reply.status_code == 404:  # kept in the state, not served as a collection
            continue
        page = reply.json()
        assert page["type"] and not page["type"].startswith("None"), category
        assert page["category"] == category
