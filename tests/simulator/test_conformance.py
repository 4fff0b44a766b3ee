"""Conformance: every body the simulator serves, at every API version it claims, against schemas/.

The walker reads every GET route over HTTPS on a simulator whose own check is on, and reads the
verdicts from ``/_sim/conformance``. A body that breaks its schema fails here always; a body with
no schema file fails only with ``OV_SIM_CONFORMANCE=enforce`` (until every room's schemas exist).
The rest proves the checker catches each kind of defect.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from oneview_openstack.simulator import versions
from oneview_openstack.simulator.cli import build_config, parse_args
from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.conformance import (
    SCHEMA_DIR,
    Answer,
    Conformance,
    SchemaSet,
    check_body,
)
from oneview_openstack.simulator.conformance.__main__ import main as conformance_main
from oneview_openstack.simulator.conformance.counts import counts
from oneview_openstack.simulator.conformance.mapping import Target, target_for
from oneview_openstack.simulator.conformance.summary import summary_lines
from oneview_openstack.simulator.conformance.walk import get_routes, walk
from oneview_openstack.simulator.routes import build_routes
from oneview_openstack.simulator.routes.generic import READABLE
from oneview_openstack.simulator.server import SimulatorServer
from oneview_openstack.simulator.testing import ApplianceClient, running_simulator

CLAIMED_VERSIONS: tuple[int, ...] = versions.CLAIMED_VERSIONS
TIME_SCALE = 0.0005
ENFORCE = os.environ.get("OV_SIM_CONFORMANCE", "report").strip().lower() == "enforce"
SERVED_TEMPLATES = get_routes(build_routes())


class HttpsWalkClient:
    """The walker's client: raw HTTPS at one API version."""

    def __init__(self, server: SimulatorServer, version: int) -> None:
        self.client = ApplianceClient(server, api_version=version)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        reply = self.client.request(method, path, json=body)
        return reply.status_code, reply.json() if reply.content else None

    def login(self) -> int:
        self.client.login()
        return 200

    def settle(self) -> None:
        self.client.sim("POST", "clock", json={"advance": 10_000})

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def checked_server() -> Iterator[SimulatorServer]:
    """A simulator of its own: the walk's report is not mixed with the session's."""
    with running_simulator(
        SimulatorConfig(time_scale=TIME_SCALE, check_conformance=True)
    ) as server:
        yield server


@pytest.fixture
def checked(checked_server: SimulatorServer) -> Iterator[ApplianceClient]:
    state = checked_server.state
    with state.lock:
        state.reset(config=SimulatorConfig(time_scale=TIME_SCALE, check_conformance=True))
    control = ApplianceClient(checked_server)
    control.sim("DELETE", "conformance")
    yield control
    control.close()


def readable(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        summary_lines({"checked": 0, "byBody": {}, "violations": violations, "unknown": []})
    )


# --- the walk -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", CLAIMED_VERSIONS)
def test_every_route_at_every_claimed_version_conforms(checked_server, checked, version):
    client = HttpsWalkClient(checked_server, version)
    try:
        visits = walk(client, SERVED_TEMPLATES, READABLE, str(version))
    finally:
        client.close()
    assert {v.route for v in visits if v.method == "GET"} >= set(SERVED_TEMPLATES)
    # Below the newest version a route may not exist yet (404, checked as an error body).
    allowed = {404} if version < max(CLAIMED_VERSIONS) else set()
    failed = [
        v
        for v in visits
        if v.status >= 300 and v.status not in allowed and not v.path.endswith("walk-missing")
    ]
    assert not failed, failed
    assert sum(v.route == "/rest/server-profiles" and v.status == 202 for v in visits) == 3
    report = checked.sim("GET", "conformance")
    assert report["checked"] >= len(visits)
    assert {"collection", "error", "tasks", "version", "login-sessions"} <= set(report["byBody"])
    assert not report["violations"], readable(report["violations"])
    if ENFORCE:
        assert not report["unknown"], report["unknown"]
        assert not report["schemaProblems"], report["schemaProblems"]


def test_every_schema_file_is_valid_and_cites_its_sources():
    schemas = SchemaSet()
    assert not schemas.problems, "\n".join(schemas.problems)


def test_every_served_category_has_a_type_at_every_claimed_version():
    schemas = SchemaSet()
    missing = [
        (category, version)
        for category in READABLE
        for version in CLAIMED_VERSIONS
        if schemas.type_at(category, version) is None
    ]
    assert not missing


# --- the checker catches each kind of defect ---------------------------------------------------

COMMON = {
    "type": "widgetV6",
    "uri": "/rest/widgets/1",
    "category": "widgets",
    "name": "w-1",
    "description": None,
    "state": None,
    "status": "OK",
    "eTag": "1",
    "created": "2024-05-01T10:20:30.123Z",
    "modified": "2024-05-01T10:20:30.123Z",
}
WIDGET_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "widgets.json",
    "x-sources": ["tests/simulator/test_conformance.py: a made-up resource"],
    "x-resource": True,
    "type": "object",
    "properties": {
        "size": {"type": "integer"},
        "mac": {"$ref": "_defs.json#/$defs/mac"},
        "portCount": {"type": "integer", "x-since": 600},
        "legacyFlag": {"type": "boolean", "x-until": 599},
        "note": {"type": "string", "x-optional": True},
        "attributes": {"type": "object", "x-open": True, "properties": {"a": {"type": "string"}}},
        "ports": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": {"type": "integer"}}},
        },
        "speed": {
            "anyOf": [{"type": "string", "x-until": 599}, {"type": "integer", "x-since": 600}]
        },
    },
}
TYPES = {
    "$id": "_types.json",
    "x-sources": ["tests/simulator/test_conformance.py"],
    "types": {"widgets": [[120, "widgetV2"], [600, "widgetV6"]]},
    "collectionTypes": {"widgets": [[120, "widget-collection"]]},
}


def write_schemas(directory: Path, *schemas: dict[str, Any]) -> Path:
    for name in ("_defs.json", "_common.json"):
        shutil.copy(SCHEMA_DIR / name, directory / name)
    for schema in (TYPES, *schemas):
        (directory / schema["$id"]).write_text(json.dumps(schema))
    return directory


ENVELOPE_SCHEMA = {
    "$id": "collection.json",
    "x-sources": ["tests/simulator/test_conformance.py: a short envelope"],
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "category": {"type": "string"},
        "members": {"type": "array"},
    },
}


@pytest.fixture
def widgets(tmp_path: Path) -> SchemaSet:
    return SchemaSet(write_schemas(tmp_path, WIDGET_SCHEMA, ENVELOPE_SCHEMA))


def widget(**changes: Any) -> dict[str, Any]:
    body = {
        **COMMON,
        "size": 4,
        "mac": "AA:BB:CC:DD:EE:FF",
        "portCount": 2,
        "attributes": {"a": "x", "free-form": 1},
        "ports": [{"id": 1}],
        "speed": 10,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()


def test_a_conforming_body_has_no_errors(widgets):
    assert check_body("widgets", widget(), 800, widgets) == []


def test_a_missing_field_is_caught(widgets):
    assert check_body("widgets", widget(size=DROP), 800, widgets) == [
        "(body): 'size' is a required property"
    ]


def test_a_missing_field_in_an_array_member_is_caught(widgets):
    assert check_body("widgets", widget(ports=[{"id": 1}, {}]), 800, widgets) == [
        "ports[1]: 'id' is a required property"
    ]


def test_a_missing_common_field_is_caught(widgets):
    assert check_body("widgets", widget(eTag=DROP), 800, widgets) == [
        "(body): 'eTag' is a required property"
    ]


def test_a_reused_verdict_names_where_the_value_sits(widgets):
    bad_ports = [{"id": 1}, {"id": "x"}, {"id": "x"}]
    assert check_body("widgets", widget(ports=bad_ports), 800, widgets) == [
        "ports[1].id: 'x' is not of type 'integer'",
        "ports[2].id: 'x' is not of type 'integer'",
    ]
    errors = check_body("widgets", widget(created="yesterday", modified="yesterday"), 800, widgets)
    assert [error.split(": ")[0] for error in errors] == ["created", "modified"]  # one schema
    assert all("'yesterday' does not match" in error for error in errors)


def test_an_optional_field_may_be_absent(widgets):
    assert check_body("widgets", widget(note=DROP), 800, widgets) == []


def test_a_wrong_json_type_is_caught(widgets):
    assert check_body("widgets", widget(size="4"), 800, widgets) == [
        "size: '4' is not of type 'integer'"
    ]


def test_a_wrong_value_format_is_caught(widgets):
    assert check_body("widgets", widget(mac="aa:bb:cc:dd:ee:ff"), 800, widgets) == [
        "mac: 'aa:bb:cc:dd:ee:ff' does not match '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$'"
    ]


def test_an_invented_field_is_caught(widgets):
    assert check_body("widgets", widget(inventedField=1), 800, widgets) == [
        "(body): Additional properties are not allowed ('inventedField' was unexpected)"
    ]


def test_an_invented_field_in_a_nested_object_is_caught(widgets):
    assert check_body("widgets", widget(ports=[{"id": 1, "speedy": True}]), 800, widgets) == [
        "ports[0]: Additional properties are not allowed ('speedy' was unexpected)"
    ]


def test_an_open_object_takes_any_extra_field(widgets):
    assert check_body("widgets", widget(attributes={"a": "x", "b": [1]}), 800, widgets) == []


def test_a_wrong_type_string_is_caught(widgets):
    assert check_body("widgets", widget(type="widgetV2"), 800, widgets) == [
        "type: 'widgetV2' is not the expected 'widgetV6'"
    ]


def test_the_type_string_follows_the_version(widgets):
    old = widget(type="widgetV2", portCount=DROP, legacyFlag=False, speed="10Gb")
    assert check_body("widgets", old, 300, widgets) == []


def test_a_category_without_a_type_at_that_version_is_caught(tmp_path):
    schemas = SchemaSet(write_schemas(tmp_path, {**WIDGET_SCHEMA, "$id": "gadgets.json"}))
    body = widget(category="gadgets", portCount=DROP, legacyFlag=False, speed="1")
    assert check_body("gadgets", body, 300, schemas) == [
        "type: 'widgetV6' is not the expected '<no type for gadgets at API 300 in _types.json>'"
    ]


def test_a_wrong_category_is_caught(widgets):
    assert check_body("widgets", widget(category="gadgets"), 800, widgets) == [
        "category: 'gadgets' is not the expected 'widgets'"
    ]


def test_a_field_before_its_x_since_version_is_caught(widgets):
    body = widget(type="widgetV2", legacyFlag=False, speed="10Gb")  # portCount is from 600
    assert check_body("widgets", body, 300, widgets) == [
        "(body): Additional properties are not allowed ('portCount' was unexpected)"
    ]


def test_a_field_after_its_x_until_version_is_caught(widgets):
    assert check_body("widgets", widget(legacyFlag=True), 800, widgets) == [
        "(body): Additional properties are not allowed ('legacyFlag' was unexpected)"
    ]


def test_a_field_missing_inside_its_version_range_is_caught(widgets):
    assert check_body("widgets", widget(portCount=DROP), 600, widgets) == [
        "(body): 'portCount' is a required property"
    ]


def test_a_json_type_that_changed_with_the_version_is_checked_per_version(widgets):
    errors = check_body("widgets", widget(speed="10Gb"), 800, widgets)
    assert errors == [
        "speed: '10Gb' is not valid under any of the given schemas "
        "(closest: speed: '10Gb' is not of type 'integer')"
    ]


def test_a_body_outside_its_files_versions_is_caught(tmp_path):
    schema = {**WIDGET_SCHEMA, "$id": "widgets.json", "x-since": 1000}
    schemas = SchemaSet(write_schemas(tmp_path, schema))
    assert check_body("widgets", widget(), 800, schemas) == [
        "widgets is not served at API 800 (x-since 1000, x-until None)"
    ]


def test_a_body_without_a_schema_file_is_named(widgets):
    assert check_body("gizmos", {}, 800, widgets) == [
        f"(body): no schema: {widgets.directory.name}/gizmos.json does not exist"
    ]


def test_schema_file_problems_are_listed(tmp_path):
    bad_id = {**WIDGET_SCHEMA, "$id": "gadget.json"}
    no_sources = {**WIDGET_SCHEMA, "$id": "gizmos.json", "x-sources": []}
    invalid = {**WIDGET_SCHEMA, "$id": "things.json", "type": "thing"}
    write_schemas(tmp_path, no_sources, invalid)
    (tmp_path / "widgets.json").write_text(json.dumps(bad_id))
    (tmp_path / "broken.json").write_text("{not json")
    problems = SchemaSet(tmp_path).problems
    assert [p.split(":")[0] for p in problems] == [
        "broken.json",
        "gizmos.json",
        "things.json",
        "widgets.json",
    ], problems
    assert "x-sources must list at least one source" in problems[1]
    assert "not a valid JSON schema" in problems[2]
    assert "$id is 'gadget.json', expected 'widgets.json'" in problems[3]


# --- the recorder: collections, headers, the verdict cache ------------------------------------

JSON_HEADERS = {"content-type": "application/json;charset=UTF-8"}


def answer(body: Any, version: int = 800, raw: bytes | None = None, **changes: Any) -> Answer:
    fields: dict[str, Any] = {
        "method": "GET",
        "path": "/rest/widgets/1",
        "template": "/rest/{category}/{id}",
        "path_params": {"category": "widgets"},
        "status": 200,
        "headers": JSON_HEADERS,
        "body": orjson.dumps(body) if raw is None else raw,
        "version": version,
    }
    fields.update(changes)
    return Answer(**fields)


def page(*members: dict[str, Any], kind: str = "widget-collection") -> dict[str, Any]:
    return {"type": kind, "category": "widgets", "members": list(members)}


def test_each_collection_member_is_checked_and_named_by_its_uri(widgets):
    conformance = Conformance(widgets)
    bad = widget(uri="/rest/widgets/2", size="big")
    errors = conformance.record(
        answer(page(widget(), bad), path="/rest/widgets", template="/rest/{category}")
    )
    assert errors == ["members[].size: 'big' is not of type 'integer'"]
    report = conformance.report()
    (violation,) = report["violations"]
    assert violation["member"] == "/rest/widgets/2"
    assert violation["route"] == "/rest/widgets"
    assert report["byBody"] == {"collection": 1, "widgets": 2}
    assert report["unknown"] == []


def test_a_wrong_collection_type_is_caught(widgets):
    errors = Conformance(widgets).record(
        answer(page(kind="WidgetList"), path="/rest/widgets", template="/rest/{category}")
    )
    assert errors == ["type: 'WidgetList' was expected to be 'widget-collection'"]


def test_a_body_not_sent_as_json_is_caught(widgets):
    errors = Conformance(widgets).record(answer(widget(), headers={"content-type": "text/html"}))
    assert errors == ["Content-Type header 'text/html' is not application/json"]


def test_an_etag_header_that_is_not_the_bodys_is_caught(widgets):
    headers = {**JSON_HEADERS, "etag": '"2"'}
    assert Conformance(widgets).record(answer(widget(), headers=headers)) == [
        "ETag header '\"2\"' does not carry the body's eTag '1'"
    ]
    assert Conformance(widgets).record(answer(widget(), headers={**headers, "etag": 'W/"1"'})) == []


def test_a_task_answer_whose_location_is_not_the_task_is_caught(widgets):
    task = {"uri": "/rest/tasks/1"}
    errors = Conformance(widgets).record(
        answer(
            task, status=202, method="PUT", headers={**JSON_HEADERS, "location": "/rest/tasks/2"}
        )
    )
    assert "Location header '/rest/tasks/2' is not the task's uri '/rest/tasks/1'" in errors


def test_a_redirect_is_caught(widgets):
    headers = {"location": "/rest/widgets"}
    errors = Conformance(widgets).record(answer(None, raw=b"", status=307, headers=headers))
    assert errors == ["status 307 to '/rest/widgets': an appliance answers this path itself"]


def test_a_trailing_slash_is_served_like_the_path_without_it(api):
    """python-oneviewclient's form: appliances answer it directly, with no redirect."""
    listed = api.get("/rest/server-hardware/?start=0&count=9999999", allow_redirects=False)
    assert listed.status_code == 200, listed.status_code
    assert len(listed.json()["members"]) == len(api.members("server-hardware"))
    member = listed.json()["members"][0]
    single = api.get(member["uri"] + "/", allow_redirects=False)
    assert (single.status_code, single.json()["uri"]) == (200, member["uri"])
    created = api.post("/rest/ethernet-networks/", json=network_body(), allow_redirects=False)
    assert created.status_code == 202, created.text


def network_body() -> dict[str, Any]:
    return {
        "name": "slash-net",
        "vlanId": 3998,
        "ethernetNetworkType": "Tagged",
        "purpose": "General",
        "smartLink": False,
        "privateNetwork": False,
    }


def test_an_answer_that_is_not_json_is_caught(widgets):
    errors = Conformance(widgets).record(answer(None, raw=b"<html>"))
    assert len(errors) == 1 and errors[0].startswith("(body): not JSON:")


def test_a_verdict_is_reused_only_where_the_schema_came_out_the_same(widgets):
    conformance = Conformance(widgets)
    body = widget()
    assert conformance.record(answer(body, 800)) == []
    assert conformance.record(answer(body, 1000)) == []  # the same schema as at 800
    assert "(body): Additional properties are not allowed ('portCount' was unexpected)" in (
        conformance.record(answer(body, 300))
    )
    cost = conformance.report()["cost"]
    assert (cost["validations"], cost["reused"]) == (2, 1)


def test_a_changed_timestamp_or_etag_reuses_the_fields_verdicts(widgets):
    conformance = Conformance(widgets)
    assert conformance.record(answer(widget())) == []
    kept = widgets.memo_size()
    assert conformance.record(answer(widget(eTag="2", modified="2025-01-02T03:04:05.678Z"))) == []
    assert widgets.memo_size() == kept  # same shapes: nothing validated again
    assert conformance.record(answer(widget(modified="2025-01-02T03:04:05Z"))) == []
    assert widgets.memo_size() == kept + 1  # a timestamp of another shape is checked anew


# --- route -> schema mapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "template", "status", "expected"),
    [
        (
            "GET",
            "/rest/{category}",
            200,
            Target("collection", "server-hardware", "server-hardware"),
        ),
        ("GET", "/rest/tasks", 200, Target("collection", "tasks", "tasks")),
        ("GET", "/rest/{category}/{id}", 200, Target("server-hardware")),
        ("GET", "/rest/{category}/{id}", 404, Target("error")),
        ("GET", "/rest/server-hardware/{id}/bios", 200, Target("server-hardware.bios")),
        ("GET", "/rest/sessions/idle-timeout", 200, Target("sessions.idle-timeout")),
        ("GET", "/rest/version", 200, Target("version")),
        ("POST", "/rest/login-sessions", 200, Target("login-sessions")),
        ("PUT", "/rest/server-hardware/{id}/powerState", 202, Target("tasks")),
        ("PUT", "/rest/server-profiles/{id}", 200, Target("server-profiles")),
        ("DELETE", "/rest/login-sessions", 204, None),
        ("GET", "/rest/{category}/{id}", 304, None),
    ],
)
def test_answers_map_to_the_plans_schema_names(method, template, status, expected):
    params = {"category": "server-hardware"} if "{category}" in template else {}
    assert target_for(method, template, template, status, params) == expected


def test_every_served_route_maps_to_a_schema_name():
    unmapped = [
        (method, route.path)
        for route in build_routes()
        if route.path.startswith("/rest/")
        for method in route.methods - {"HEAD"}
        if (target := target_for(method, route.path, route.path, 200, {"category": "x"}))
        and target.body.startswith("unmapped:")
    ]
    assert not unmapped


# --- the middleware over HTTPS -----------------------------------------------------------------


def test_the_middleware_catches_a_served_body_that_breaks_its_schema(tmp_path):
    strict_version = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "version.json",
        "x-sources": ["tests/simulator/test_conformance.py: currentVersion made a string"],
        "type": "object",
        "properties": {"currentVersion": {"type": "string"}, "minimumVersion": {"type": "integer"}},
    }
    config = SimulatorConfig(
        time_scale=TIME_SCALE,
        check_conformance=True,
        conformance_schemas=str(write_schemas(tmp_path, strict_version)),
    )
    with running_simulator(config) as server:
        client = ApplianceClient(server, api_version=600)
        assert client.get("/rest/version").status_code == 200
        assert client.get("/rest/enclosures").status_code == 401
        report = client.sim("GET", "conformance")
        cleared = client.sim("DELETE", "conformance")
        client.close()
    (violation,) = report["violations"]
    assert violation == {
        "body": "version",
        "version": 600,
        "method": "GET",
        "path": "/rest/version",
        "route": "/rest/version",
        "status": 200,
        "errors": ["currentVersion: 2800 is not of type 'string'"],
        "count": 1,
    }
    assert report["unknown"] == [
        {"method": "GET", "route": "/rest/enclosures", "body": "error", "count": 1}
    ]
    assert report["byBody"] == {"error": 1, "version": 1}
    assert cleared["checked"] == 0 and not cleared["violations"]


def test_the_conformance_report_says_when_the_check_is_off():
    with running_simulator(SimulatorConfig(time_scale=TIME_SCALE)) as server:
        client = ApplianceClient(server)
        reply = client.get("/_sim/conformance")
        client.close()
    assert reply.status_code == 400
    assert reply.json()["errorCode"] == "CONFORMANCE_CHECK_OFF"


def test_a_schema_directory_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"conformance_schemas must be a directory.*nowhere"):
        SimulatorConfig(conformance_schemas=str(tmp_path / "nowhere")).validate()


def test_the_command_line_switches_the_check_on():
    assert build_config(parse_args(["--check-conformance"])).check_conformance
    assert not build_config(parse_args([])).check_conformance


def test_the_summary_names_each_violation_and_each_missing_schema():
    report = {
        "checked": 3,
        "byBody": {"server-hardware": 2, "error": 1},
        "violations": [
            {
                "body": "server-hardware",
                "version": 300,
                "method": "GET",
                "path": "/rest/server-hardware",
                "route": "/rest/server-hardware",
                "member": "/rest/server-hardware/1",
                "status": 200,
                "errors": ["members[].mpModel: 4 is not of type 'string'"],
                "count": 2,
            }
        ],
        "unknown": [{"method": "GET", "route": "/rest/x", "body": "error", "count": 1}],
        "schemaProblems": [],
    }
    assert summary_lines(report) == [
        "checked 3 answers; bodies checked: server-hardware 2, error 1",
        "violations (1 distinct, 2 answers):",
        "  GET /rest/server-hardware -> server-hardware @ API 300, status 200, x2 "
        "member /rest/server-hardware/1:",
        "      members[].mpModel: 4 is not of type 'string'",
        "bodies without a schema (1 routes):",
        "  GET /rest/x -> schemas/error.json (x1)",
    ]


# --- the field-count report --------------------------------------------------------------------


def test_counts_give_documented_and_served_fields_per_schema_and_version(tmp_path):
    version_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "version.json",
        "x-sources": ["tests/simulator/test_conformance.py"],
        "type": "object",
        "properties": {"currentVersion": {"type": "integer"}},
    }
    result = counts([600], SchemaSet(write_schemas(tmp_path, version_schema)))
    assert result["version"][600] == {
        "documented": {"top": 1, "all": 1},
        "served": {"top": 2, "all": 2, "undocumented": 1},
    }
    envelope = result["collection"][600]["served"]
    assert envelope["all"] == envelope["top"] > 0  # members are counted under their own schema
    hardware = result["server-hardware"][600]["served"]
    assert hardware["all"] > hardware["top"] > 20


def test_the_counts_command_prints_a_row_per_schema_and_version(capsys):
    assert conformance_main(["counts", "--versions", "300,2800"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["schema", "API", "doc"]
    rows = {tuple(line.split()[:2]) for line in lines[1:]}
    assert {("server-hardware", "300"), ("server-hardware", "2800"), ("error", "300")} <= rows


def test_the_counts_command_refuses_bad_versions(capsys):
    assert conformance_main(["counts", "--versions", "6.0"]) == 2
    assert "--versions must be comma-separated integers, got '6.0'" in capsys.readouterr().err
