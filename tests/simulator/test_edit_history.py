"""The profile edit history (``GET /_sim/edits``) and the rule that judges it interleaved.

The record is what lets the multi-process tests say "no two edits of one profile interleaved"
precisely, beyond the 412 refusal a writer without an eTag never meets (the 409 for a write
during the profile's task it meets all the same).
"""

from __future__ import annotations

import contextlib
from typing import Any

from test_profiles import TEST_TIME_SCALE, applied, finish, put, reconfigure, set_power, slow_clock

from oneview_openstack.simulator.clock import SimClock
from oneview_openstack.simulator.errors import ApplianceError
from oneview_openstack.simulator.state.edit_history import EditHistory
from oneview_openstack.simulator.store import Store
from oneview_openstack.simulator.tasks import Task
from oneview_openstack.simulator.testing import ApplianceClient, error_of, interleaved_edits


def edits(api: ApplianceClient, uri: str | None = None) -> list[dict[str, Any]]:
    params = {"uri": uri} if uri else None
    reply = api.request("GET", "/_sim/edits", params=params)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()["edits"]
    return found


def renamed(api: ApplianceClient, uri: str, name: str, **kwargs: Any) -> dict[str, Any]:
    """Read the profile, rename it, PUT it (with its eTag unless told otherwise) and wait."""
    profile = api.get(uri).json()
    profile["name"] = name
    return finish(api, put(api, profile, **kwargs))


def test_chained_edits_of_two_sessions_are_recorded_with_their_etags(api, simulator):
    profile = applied(api)
    other = ApplianceClient(simulator)
    other.login()
    try:
        renamed(api, profile["uri"], "first")
        renamed(other, profile["uri"], "second")
    finally:
        other.close()
    first, second = edits(api, profile["uri"])
    assert (first["method"], second["method"]) == ("PUT", "PUT")
    assert first["session"] != second["session"], (first, second)
    assert first["sentETag"] == first["eTagBefore"] == profile["eTag"]
    assert second["sentETag"] == first["eTagAfter"] == second["eTagBefore"]
    assert second["eTagAfter"] == api.get(profile["uri"]).json()["eTag"]
    assert first["changed"] and second["changed"]
    assert first["ended"] is not None and second["arrived"] >= first["ended"]
    assert (first["taskState"], second["taskState"]) == ("Completed", "Completed")
    assert interleaved_edits([first, second]) == []


def test_a_put_based_on_oneview_s_own_change_is_not_judged_interleaved(api):
    """OneView changed the profile itself between two edits: the writer that re-read is right."""
    profile = applied(api)
    renamed(api, profile["uri"], "first")
    bumped = api.sim("POST", "actions/bump_etag", json={"uri": profile["uri"]})
    renamed(api, profile["uri"], "second")
    first, second = edits(api, profile["uri"])
    assert second["sentETag"] == second["eTagBefore"] == bumped["eTag"] != first["eTagAfter"]
    assert interleaved_edits([first, second]) == []


def test_the_record_names_sessions_by_number_never_by_token(api):
    profile = applied(api)
    renamed(api, profile["uri"], "renamed")
    reply = api.request("GET", "/_sim/edits")
    assert api.token and api.token not in reply.text
    (edit,) = reply.json()["edits"]
    assert isinstance(edit["session"], int) and edit["session"] >= 1


def test_a_put_without_an_etag_is_judged_interleaved(api):
    profile = applied(api)
    renamed(api, profile["uri"], "with-etag")
    body = api.get(profile["uri"]).json()
    body.pop("eTag")
    body["name"] = "blind"
    finish(api, put(api, body))
    renamed(api, profile["uri"], "star", headers={"If-Match": "*"})
    history = edits(api, profile["uri"])
    assert [e["sentETag"] for e in history][1:] == [None, "*"]
    problems = interleaved_edits(history)
    assert len(problems) == 2, problems
    assert "carried no eTag (None)" in problems[0]
    assert "carried no eTag ('*')" in problems[1]


def test_refused_writes_are_recorded_and_change_nothing(api):
    profile = applied(api)
    api.sim("POST", "actions/bump_etag", json={"uri": profile["uri"]})
    error_of(put(api, {**profile, "name": "stale"}), 412, "PRECONDITION_FAILED")
    slow_clock(api)  # the next edit's task keeps running, so a second write meets it
    fresh = api.get(profile["uri"]).json()
    assert put(api, {**fresh, "name": "slow"}).status_code == 202
    running = api.get(profile["uri"]).json()
    error_of(put(api, {**running, "name": "meanwhile"}), 409, "RESOURCE_LOCKED")
    api.sim("POST", "clock", json={"advance": 10_000, "time_scale": TEST_TIME_SCALE})
    stale, slow, busy = edits(api, profile["uri"])
    assert (stale["refused"], stale["changed"]) == ("412 PRECONDITION_FAILED", False)
    assert (slow["refused"], slow["changed"]) == (None, True)
    assert (busy["refused"], busy["changed"]) == ("409 RESOURCE_LOCKED", False)
    assert busy["arrived"] < slow["ended"]
    assert interleaved_edits([stale, slow, busy]) == []


def test_a_write_whose_task_fails_at_once_changes_nothing(api, simulator):
    """OneView's refusal in a failed task (powered on, "task" channel) is no change in flight."""
    reconfigure(simulator, api, powered_on_error_channel="task")
    profile = applied(api)
    set_power(api, {"uri": profile["serverHardwareUri"]}, "On")
    profile["boot"]["order"] = ["HardDisk", "PXE"]
    assert finish(api, put(api, profile))["taskState"] == "Error"
    (failed,) = edits(api, profile["uri"])
    assert (failed["refused"], failed["changed"], failed["taskState"]) == (None, False, "Error")
    assert failed["eTagAfter"] == failed["eTagBefore"] == profile["eTag"]


def test_deletes_are_recorded_and_stats_reset_clears_the_record(api):
    profile = applied(api)
    reply = api.delete(profile["uri"], params={"force": "true"})
    finish(api, reply)
    (deleted,) = edits(api, profile["uri"])
    assert (deleted["method"], deleted["changed"], deleted["eTagAfter"]) == ("DELETE", True, None)
    assert api.request("DELETE", "/_sim/stats").status_code == 200
    assert edits(api) == []


def edit(seq: int, **fields: Any) -> dict[str, Any]:
    base = {
        "seq": seq,
        "uri": "/rest/server-profiles/p",
        "method": "PUT",
        "session": seq,
        "sentETag": str(seq),
        "eTagBefore": str(seq),
        "eTagAfter": str(seq + 1),
        "arrived": float(seq * 10),
        "ended": float(seq * 10 + 5),
        "changed": True,
        "refused": None,
    }
    return {**base, **fields}


def test_overlapping_and_stale_based_edits_are_judged_interleaved():
    chained = [edit(1), edit(2)]
    assert interleaved_edits(chained) == []
    overlapping = [edit(1), edit(2, arrived=12.0)]
    (problem,) = interleaved_edits(overlapping)
    assert "write 2" in problem and "while write 1's task still ran" in problem
    still_running = [edit(1, ended=None), edit(2, method="DELETE")]
    assert len(interleaved_edits(still_running)) == 1
    stale = [edit(1), edit(2, sentETag="1")]
    (problem,) = interleaved_edits(stale)
    assert "based on eTag 1, not on 2 the profile had when it arrived" in problem
    accepted_stale = [edit(1), edit(2, sentETag="1", eTagBefore="7")]
    (problem,) = interleaved_edits(accepted_stale)
    assert "based on eTag 1, not on 7" in problem and "write 1 left 2" in problem
    changed_by_oneview = [edit(1), edit(2, sentETag="7", eTagBefore="7")]
    assert interleaved_edits(changed_by_oneview) == []
    other_profile = [edit(1), edit(2, uri="/rest/server-profiles/q", sentETag="9", eTagBefore="9")]
    assert interleaved_edits(other_profile) == []
    unchanged = [edit(1), edit(2, changed=False, arrived=11.0, sentETag=None)]
    assert interleaved_edits(unchanged) == []


def test_the_record_keeps_only_its_newest_writes():
    """A long soak must not grow it without bound: the oldest writes are forgotten."""
    history = EditHistory(Store(SimClock()), lambda: 0.0, kept=3)

    def refused() -> Task:
        raise ApplianceError("no", error_code="NOPE")

    for _ in range(5):
        with contextlib.suppress(ApplianceError):
            history.record("/rest/server-profiles/p", "PUT", 1, "1", refused)
    assert [e["seq"] for e in history.render()] == [3, 4, 5]
