"""Pure logic, no simulator: backoff schedule, version choice, retry policy, errors, settings."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from oneview_openstack.client import errors
from oneview_openstack.client.coalesce import Coalescer
from oneview_openstack.client.metrics import ClientMetrics, route_of
from oneview_openstack.client.retry import is_retryable
from oneview_openstack.client.settings import MINIMUM_API_VERSION, ClientSettings
from oneview_openstack.client.tasks import TaskView, paced, poll_intervals
from oneview_openstack.client.version import choose_version
from oneview_openstack.simulator.testing import wait_until


def schedule(initial: float, factor: float, cap: float, polls: int) -> list[float]:
    return list(itertools.islice(poll_intervals(initial, factor, cap), polls))


def test_backoff_schedule_starts_short_grows_geometrically_and_caps():
    pauses = schedule(1.0, 1.5, 10.0, 10)
    assert pauses[:5] == [1.0, 1.5, 2.25, 3.375, 5.0625]
    assert pauses[-3:] == [10.0, 10.0, 10.0]
    assert all(b >= a for a, b in itertools.pairwise(pauses))
    # A 20 s power task is seen done within 6 polls; a 30 min profile apply costs < 200 polls.
    assert sum(pauses[:6]) >= 20
    elapsed, polls = 0.0, 0
    for pause in schedule(1.0, 1.5, 10.0, 1000):
        elapsed += pause
        polls += 1
        if elapsed >= 1800:
            break
    assert polls < 200


def test_backoff_schedule_never_exceeds_cap_even_when_initial_is_larger():
    assert schedule(5.0, 2.0, 3.0, 3) == [3.0, 3.0, 3.0]


def test_progress_brings_the_next_poll_forward_to_the_predicted_end():
    # 50% on a 10% grid after 1 s: 50-60% done, so the end is taken 45/55 s from now; the
    # back-off step (1.5 s) would overshoot.
    assert paced(1.5, 1.0, 50, 1.0) == pytest.approx(1.0 * 45 / 55 * 1.02)
    # A finer value is taken as it is: 53% after 1 s ends 47/53 s from now.
    assert paced(1.5, 1.0, 53, 1.0) == pytest.approx(1.0 * 47 / 53 * 1.02)
    # Far from the end the back-off step is shorter, so it stays.
    assert paced(1.5, 1.0, 10, 1.0) == 1.5


def test_progress_never_makes_polling_faster_than_a_quarter_of_the_first_interval():
    assert paced(5.0, 3.0, 99, 1.0) == 0.25
    assert paced(5.0, 3.0, 90, 1.0) == 0.25  # 95% assumed: 0.16 s predicted


@pytest.mark.parametrize("percent", [None, 0, 100, -5, "50", True, 150])
def test_missing_or_odd_progress_leaves_the_back_off_alone(percent):
    assert paced(2.25, 3.0, percent, 1.0) == 2.25


def test_version_choice_takes_the_highest_common_version():
    assert choose_version(2800, 120) == 2800
    assert choose_version(2800, 120, ceiling=1200) == 1200
    assert choose_version(99999, 120) == 8600


@pytest.mark.parametrize(
    ("current", "minimum", "ceiling", "code"),
    [
        (500, 120, None, "API_VERSION_TOO_OLD"),
        (9000, 8800, None, "API_VERSION_TOO_NEW"),
        (2800, 2000, 1200, "API_VERSION_TOO_NEW"),
    ],
)
def test_version_choice_refuses_with_a_clear_error(current, minimum, ceiling, code):
    with pytest.raises(errors.ApiVersionError) as caught:
        choose_version(current, minimum, ceiling, url="https://ov")
    assert caught.value.error_code == code
    assert "https://ov" in str(caught.value)
    assert "Recommended:" in str(caught.value)


def test_retry_policy():
    conn = errors.OneViewConnectionError("reset")
    never_sent = errors.OneViewConnectionError("refused", sent=False)
    busy = errors.ServiceUnavailable("busy", status=503)
    internal = errors.ServerError("boom", status=500)
    assert is_retryable(conn, idempotent=True)
    assert not is_retryable(conn, idempotent=False)  # a POST that may have arrived
    assert is_retryable(never_sent, idempotent=False)  # a POST that cannot have arrived
    assert is_retryable(busy, idempotent=True) and is_retryable(internal, idempotent=True)
    assert not is_retryable(busy, idempotent=False)
    assert not is_retryable(errors.TLSVerificationError("bad cert"), idempotent=True)
    assert not is_retryable(errors.NotFound("gone", status=404), idempotent=True)
    assert not is_retryable(errors.ServerError("nope", status=501), idempotent=True)


def test_errors_map_status_and_code_and_read_well():
    body = {
        "errorCode": "CRM_DUPLICATE_NETWORK_NAME",
        "message": "A network with the name net-a already exists.",
        "details": "",
        "recommendedActions": ["Verify parameters and try again."],
    }
    error = errors.from_body(400, body, "POST", "/rest/ethernet-networks")
    assert isinstance(error, errors.BadRequest)
    assert str(error) == (
        "POST /rest/ethernet-networks: HTTP 400 CRM_DUPLICATE_NETWORK_NAME: A network with the "
        "name net-a already exists. Recommended: Verify parameters and try again."
    )
    assert isinstance(
        errors.from_body(401, {"errorCode": "AUTHN_AUTH_FAIL"}, "POST", "/x"),
        errors.AuthenticationError,
    )
    limit = errors.from_body(403, {"errorCode": "SESSION_LIMIT_EXCEEDED"}, "POST", "/x")
    assert isinstance(limit, errors.SessionLimitReached)
    assert isinstance(errors.from_body(412, {}, "PUT", "/x"), errors.PreconditionFailed)
    assert isinstance(errors.from_body(503, None, "GET", "/x", "down"), errors.ServiceUnavailable)
    assert isinstance(errors.from_body(502, None, "GET", "/x"), errors.ServerError)
    assert "down" in str(errors.from_body(503, None, "GET", "/x", "down"))


def test_task_failed_carries_task_errors():
    task = {
        "uri": "/rest/tasks/T1",
        "name": "Create",
        "taskState": "Error",
        "taskStatus": "Create profile: p1 failed.",
        "associatedResource": {"resourceUri": "/rest/server-profiles/P1"},
        "taskErrors": [
            {
                "errorCode": "ProfileAlreadyExistsInServer",
                "message": "A profile is already assigned to the server hardware.",
                "recommendedActions": ["Choose another server."],
            }
        ],
    }
    error = errors.TaskFailed.from_task(task)
    assert error.error_code == "ProfileAlreadyExistsInServer"
    assert error.task_uri == "/rest/tasks/T1" and error.task_errors == task["taskErrors"]
    text = str(error)
    assert "'Create' (/rest/tasks/T1) on /rest/server-profiles/P1 ended Error" in text
    assert "ProfileAlreadyExistsInServer" in text and "Choose another server." in text


def test_route_templates():
    assert route_of("put", "/rest/uplink-sets/9c63-16b9?x=1") == "PUT /rest/uplink-sets/{id}"
    assert route_of("GET", "/rest/server-hardware") == "GET /rest/server-hardware"
    assert (
        route_of("GET", "/rest/server-profile-templates/1f0c/new-profile")
        == "GET /rest/server-profile-templates/{id}/new-profile"
    )
    assert route_of("POST", "/rest/ethernet-networks/bulk") == "POST /rest/ethernet-networks/bulk"


def test_settings_validate_and_hide_the_password():
    settings = ClientSettings("ov.example.com/ui", "admin", "s3cret")
    assert settings.manager_url == "https://ov.example.com"
    assert "s3cret" not in repr(settings)
    with pytest.raises(errors.ConfigurationError, match="password"):
        ClientSettings("https://ov", "admin", "")
    with pytest.raises(errors.ConfigurationError, match="plain http"):
        ClientSettings("http://ov", "admin", "pw")
    with pytest.raises(errors.ConfigurationError, match="tls_cacert_file"):
        ClientSettings("https://ov", "admin", "pw", tls_cacert_file="/nonexistent/ca.pem")
    with pytest.raises(errors.ConfigurationError, match="max_api_version"):
        ClientSettings("https://ov", "admin", "pw", max_api_version=MINIMUM_API_VERSION - 1)


def test_coalescer_falls_back_to_one_by_one_when_a_batch_is_refused():
    calls: list[list[str]] = []

    def runner(key: str, changes: list[str]) -> str:
        calls.append(list(changes))
        if "bad" in changes:
            raise errors.BadRequest("bad change", status=400)
        return "+".join(changes)

    metrics = ClientMetrics()
    coalescer: Coalescer[str] = Coalescer(runner, metrics)
    assert coalescer.submit("k", "a") == "a"
    with pytest.raises(errors.BadRequest):
        coalescer.submit("k", "bad")
    assert calls == [["a"], ["bad"]]
    assert metrics["coalesced_writes"] == 2


def test_coalescer_batches_concurrent_changes_and_isolates_a_bad_one():
    import threading

    release = threading.Event()
    calls: list[list[str]] = []

    def runner(key: str, changes: list[str]) -> str:
        calls.append(list(changes))
        if changes == ["first"]:
            release.wait(5)
        if "bad" in changes:
            raise errors.BadRequest("bad change", status=400)
        return "+".join(changes)

    coalescer: Coalescer[str] = Coalescer(runner)
    results: dict[str, object] = {}

    def submit(change: str) -> None:
        try:
            results[change] = coalescer.submit("k", change)
        except errors.OneViewError as error:
            results[change] = error

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    wait_until(lambda: calls, what="the first write in flight")
    others = [threading.Thread(target=submit, args=(c,)) for c in ("a", "bad", "b")]
    for thread in others:
        thread.start()
    wait_until(lambda: coalescer.queued("k") == 3, what="three changes queued behind it")
    release.set()
    for thread in [first, *others]:
        thread.join(5)
        assert not thread.is_alive()
    assert calls[0] == ["first"]
    assert sorted(calls[1]) == ["a", "b", "bad"]  # one batched write for the three...
    assert sorted(map(tuple, calls[2:])) == [("a",), ("b",), ("bad",)]  # ...refused, so one by one
    assert results["a"] == "a" and results["b"] == "b"
    assert isinstance(results["bad"], errors.BadRequest)


def test_task_view_reads_a_body_once_and_defensively():
    body = {
        "uri": "/rest/tasks/T1",
        "name": "Update",
        "taskState": "Warning",
        "taskStatus": "Update uplink set: US-1",
        "percentComplete": 100,
        "associatedResource": {"resourceUri": "/rest/uplink-sets/U1"},
        "taskErrors": [{"errorCode": "FAN", "message": "Fan 3 is degraded."}, "junk"],
    }
    view = TaskView.of(body)
    assert (view.uri, view.name, view.state, view.percent) == (
        "/rest/tasks/T1",
        "Update",
        "Warning",
        100.0,
    )
    assert view.resource_uri == "/rest/uplink-sets/U1"
    assert view.finished and not view.failed
    assert view.reason() == "FAN: Fan 3 is degraded."
    odd = TaskView.of({"taskState": 7, "percentComplete": True, "associatedResource": "x"})
    assert (odd.state, odd.percent, odd.resource_uri, odd.errors) == (None, None, None, ())
    assert not odd.finished
    assert TaskView.of({"taskState": "Interrupted"}).failed
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.state = "Completed"  # type: ignore[misc]


def test_errors_are_reworded_into_new_errors_not_edited():
    first = errors.PreconditionFailed("stale eTag", status=412, method="PUT", uri="/rest/x")
    second = first.reworded("stale eTag (gave up after 5 attempts)")
    assert type(second) is errors.PreconditionFailed and second is not first
    assert str(first) == "PUT /rest/x: HTTP 412 stale eTag"  # the original is untouched
    assert str(second) == "PUT /rest/x: HTTP 412 stale eTag (gave up after 5 attempts)"
    assert second.args == (second.message,) and second.status == 412
