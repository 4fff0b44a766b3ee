"""The fault catalogue the soak arms: every kind the simulator knows, at rates a bad day might see.

Rates are chosen so that each kind fires a few times in two minutes while most operations still
succeed: the soak is about what a failure leaves behind, not about failing everything. Faults
that last (``api_version``, ``server_taken``) are bounded by ``times``; ``task_stuck`` is bounded
by the short ``task_timeout`` the soak configures.
"""

from __future__ import annotations

from typing import Any

SERVER_PROFILES = "/rest/server-profiles*"
POWER = "/rest/server-hardware/*/powerState"
NETWORKS = "/rest/ethernet-networks*"
UPLINK_SETS = "/rest/uplink-sets/*"
TAKEN_PROFILE = "soak-oneview-user"


def spec(
    kind: str,
    *,
    method: str | None = None,
    path: str | None = None,
    probability: float = 1.0,
    times: int | None = 1,
    **params: Any,
) -> dict[str, Any]:
    fault: dict[str, Any] = {"kind": kind, "probability": probability, "times": times}
    if method:
        fault["method"] = method
    if path:
        fault["path"] = path
    if params:
        fault["params"] = params
    return fault


def catalogue(taken_server: str, scale: float = 1.0) -> list[dict[str, Any]]:
    """All 19 kinds; ``scale`` multiplies the counts for longer soaks (rates stay the same).

    ``server_taken`` is aimed at one server, at the first read of it after the faults are armed
    (Ironic's claim of a free server: a OneView user gets there first). Aimed at any server it
    would also unassign deployed nodes' profiles, which no driver can prevent.
    """

    def n(count: int) -> int:
        return max(1, round(count * scale))

    return [
        spec("latency", method="GET", path="/rest/*", probability=0.03, times=None,
             seconds=0.05, jitter=0.05),
        spec("http_error", method="GET", path="/rest/*", probability=0.01, times=n(20),
             status=503),
        spec("http_error", method="POST", path=NETWORKS, probability=0.1, times=n(2),
             status=500, error_code="SOAK_INJECTED", message="Injected network create failure."),
        spec("reset", method="GET", path="/rest/*", probability=0.005, times=n(6)),
        spec("bad_status_line", method="GET", path="/rest/*", probability=0.005, times=n(6)),
        # A PUT that lands but whose answer is lost: the client settles it by reading back.
        spec("lost_answer", method="PUT", path=UPLINK_SETS, probability=0.1, times=n(2)),
        spec("lost_answer", method="PUT", path=SERVER_PROFILES, probability=0.05, times=n(2)),
        spec("session_expired", path="/rest/*", probability=0.01, times=n(3)),
        # Logins are rare (one per process, then one per expiry): refuse the first re-login.
        spec("session_limit", method="POST", path="/rest/login-sessions", times=n(1)),
        spec("etag_conflict", method="PUT", path=SERVER_PROFILES, probability=0.2, times=n(3)),
        spec("etag_conflict", method="PUT", path=UPLINK_SETS, probability=0.1, times=n(2)),
        spec("vanish", method="DELETE", path="/rest/ethernet-networks/*", probability=0.2,
             times=n(2)),
        spec("power_lock", method="PUT", path=POWER, probability=0.1, times=n(3), seconds=20),
        spec("applying_profile", method="PUT", path=POWER, probability=0.1, times=n(2),
             seconds=20),
        {**spec("server_taken", method="GET", path="/rest/server-hardware/*",
                name=TAKEN_PROFILE), "resource": taken_server},
        spec("api_version", method="GET", path="/rest/server-hardware*", probability=0.01,
             times=1, current_version=2400),
        spec("task_error", method="POST", path=SERVER_PROFILES, probability=0.1, times=n(2),
             error_code="SOAK_INJECTED", message="Injected profile apply failure."),
        spec("task_error", method="PUT", path=UPLINK_SETS, probability=0.1, times=n(1),
             error_code="SOAK_INJECTED", message="Injected uplink set failure."),
        spec("task_warning", method="PUT", path="/rest/*", probability=0.05, times=n(5),
             message="Injected warning."),
        spec("task_interrupted", method="PUT", path=SERVER_PROFILES, probability=0.1,
             times=n(1)),
        spec("task_stuck", method="PUT", path=POWER, probability=0.05, times=n(1), percent=40),
        spec("task_slow", path="/rest/*", probability=0.05, times=n(5), factor=3),
        spec("power_anomaly", method="PUT", path=POWER, probability=0.05, times=n(1),
             final_state="Unknown"),
    ]  # fmt: skip


KINDS = sorted({fault["kind"] for fault in catalogue("")})
