"""Fault injection: what can go wrong, where, and how often.

A fault is armed at start-up (``SimulatorConfig.faults``) or through ``POST /_sim/faults``. It fires
on requests that match its method, path glob and resource, either on every match, ``times`` times,
or with a ``probability``. Request-stage faults act before the handler runs; task-stage faults
decide how the task that the request creates will end. A state-changing fault that a request
gives nothing to act on (no session to expire, no such server, not a login) stays armed.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from .errors import BadRequest

REQUEST_FAULTS: dict[str, str] = {
    "latency": "delay the response by params.seconds (+ params.jitter) real seconds",
    "http_error": "answer params.status (500, 503, 408, 409...) with an ErrorMessage",
    "reset": "drop the TCP connection with a reset before answering",
    "bad_status_line": "answer a malformed HTTP status line, then close",
    "lost_answer": "serve the request (its change lands, its task starts), then reset the "
    "connection instead of answering",
    "session_expired": "expire the caller's session first, so the request gets 401",
    "session_limit": "refuse a login as if the appliance's session limit were reached",
    "etag_conflict": "change the target out of band first, so the caller's eTag is stale",
    "vanish": "delete the target resource out of band first",
    "power_lock": "lock the target server's power for params.seconds simulated seconds",
    "applying_profile": "make the target server look busy applying a profile for params.seconds",
    "server_taken": "give the target server a profile owned by another OneView user",
    "api_version": "downgrade the appliance's currentVersion to params.current_version",
}
TASK_FAULTS: dict[str, str] = {
    "task_error": "end the task in params.state (Error, Killed, Terminated) with params.error_code",
    "task_warning": "end the task in Warning (a success for clients) with params.message",
    "task_interrupted": "end the task in Interrupted",
    "task_stuck": "leave the task Running forever at params.percent",
    "task_slow": "multiply the task's duration by params.factor",
    "power_anomaly": "leave a power task's server in params.final_state (e.g. Unknown)",
}
ALL_FAULTS = {**REQUEST_FAULTS, **TASK_FAULTS}
# At most one fault of each group fires per request: a request gets one answer (or none) and a
# task one ending. Stacking faults of a group queues them: the next request gets the next one.
EXCLUSIVE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"http_error", "reset", "bad_status_line", "lost_answer"}),
    frozenset({"task_error", "task_warning", "task_interrupted", "task_stuck"}),
)
POWER_ANOMALY_STATES = ("Unknown", "On", "Off", "PoweringOn", "PoweringOff", "Resetting")


@dataclass
class Fault:
    id: int
    kind: str
    method: str | None = None
    path: str | None = None
    resource: str | None = None
    times: int | None = 1
    probability: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)
    fired: int = 0

    @property
    def stage(self) -> str:
        return "task" if self.kind in TASK_FAULTS else "request"

    def matches(self, method: str, path: str, resources: tuple[str, ...]) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.path and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self.resource and not any(
            r and (r == self.resource or r.startswith(self.resource + "/")) for r in resources
        ):
            return False
        return self.times is None or self.times > 0

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "resource": self.resource,
            "timesLeft": self.times,
            "probability": self.probability,
            "params": self.params,
            "fired": self.fired,
        }


def _invalid(name: str, value: Any, expected: str) -> BadRequest:
    return BadRequest(
        f"Invalid fault field '{name}': {value!r}; expected {expected}.",
        error_code="INVALID_FAULT",
    )


class FaultRegistry:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed ^ 0x5F0A17)
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.fired_by_kind: dict[str, int] = {}

    def arm(self, spec: Any) -> Fault:
        """Validate a fault spec (from JSON) and arm it; errors name the field and the choices."""
        fault = self._build(spec)
        self._faults.append(fault)
        return fault

    def arm_all(self, specs: list[Any]) -> list[Fault]:
        """Arm a batch, all or nothing: an invalid spec arms none and its error names its index."""
        built = []
        for index, spec in enumerate(specs):
            try:
                built.append(self._build(spec))
            except BadRequest as error:
                error.message = f"[{index}] {error.message}"
                error.args = (error.message,)
                raise
        self._faults.extend(built)
        return built

    def _build(self, spec: Any) -> Fault:
        if not isinstance(spec, dict):
            raise _invalid("(body)", spec, "a JSON object")
        known = {"kind", "method", "path", "resource", "times", "probability", "params"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise _invalid(unknown[0], spec[unknown[0]], f"one of the fields {sorted(known)}")
        kind = spec.get("kind")
        if kind not in ALL_FAULTS:
            raise _invalid("kind", kind, f"one of {sorted(ALL_FAULTS)}")
        times = spec.get("times", 1)
        if times is not None and (
            not isinstance(times, int) or isinstance(times, bool) or times < 1
        ):
            raise _invalid("times", times, "a positive integer, or null for every match")
        probability = spec.get("probability", 1.0)
        if not isinstance(probability, int | float) or not 0 < probability <= 1:
            raise _invalid("probability", probability, "a number in (0, 1]")
        for name in ("method", "path", "resource"):
            if spec.get(name) is not None and not isinstance(spec[name], str):
                raise _invalid(name, spec[name], "a string")
        params = spec.get("params")
        params = {} if params is None else params
        if not isinstance(params, dict):
            raise _invalid("params", params, "a JSON object")
        self._check_params(kind, params)
        return Fault(
            id=next(self._ids),
            kind=kind,
            method=spec.get("method"),
            path=spec.get("path"),
            resource=spec.get("resource"),
            times=times,
            probability=float(probability),
            params=params,
        )

    @staticmethod
    def _check_params(kind: str, params: dict[str, Any]) -> None:
        def number(
            name: str, default: float | None = None, low: float = 0.0, high: float | None = None
        ) -> None:
            value = params.get(name, default)
            if (
                value is None
                or isinstance(value, bool)
                or not isinstance(value, int | float)
                or value < low
                or (high is not None and value > high)
            ):
                expected = f"a number >= {low}" if high is None else f"a number in {low}..{high}"
                raise _invalid(f"params.{name}", value, expected)

        for name in ("message", "error_code", "name"):
            if name in params and not isinstance(params[name], str):
                raise _invalid(f"params.{name}", params[name], "a string")
        if kind == "latency":
            number("seconds")
            number("jitter", 0.0)
        elif kind == "http_error":
            status = params.get("status", 500)
            if status not in (400, 403, 408, 409, 500, 502, 503, 504):
                raise _invalid(
                    "params.status", status, "one of 400, 403, 408, 409, 500, 502, 503, 504"
                )
        elif kind in ("power_lock", "applying_profile"):
            number("seconds", 30.0)
        elif kind == "api_version":
            number("current_version", low=1)
        elif kind == "task_stuck":
            number("percent", 50, high=99)
        elif kind == "task_slow":
            number("factor", low=0.0)
        elif kind == "task_error":
            state = params.get("state", "Error")
            if state not in ("Error", "Killed", "Terminated"):
                raise _invalid("params.state", state, "Error, Killed or Terminated")
        elif kind == "power_anomaly":
            final = params.get("final_state", "Unknown")
            if final not in POWER_ANOMALY_STATES:
                raise _invalid("params.final_state", final, f"one of {POWER_ANOMALY_STATES}")

    def take(self, stage: str, method: str, path: str, resources: tuple[str, ...]) -> list[Fault]:
        """The faults of ``stage`` that fire for this request; each firing uses up one ``times``."""
        fired = []
        taken_groups: set[frozenset[str]] = set()
        for fault in self._faults:
            if fault.stage != stage or not fault.matches(method, path, resources):
                continue
            group = next((g for g in EXCLUSIVE_GROUPS if fault.kind in g), None)
            if group is not None and group in taken_groups:
                continue  # this request already has its answer (or its task its ending)
            if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                continue
            if group is not None:
                taken_groups.add(group)
            fault.fired += 1
            self.fired_by_kind[fault.kind] = self.fired_by_kind.get(fault.kind, 0) + 1
            if fault.times is not None:
                fault.times -= 1
            fired.append(fault)
        self._faults = [f for f in self._faults if f.times is None or f.times > 0]
        return fired

    def refund(self, fault: Fault) -> None:
        """Undo one firing of ``fault`` that had no effect, re-arming it if it was used up."""
        fault.fired -= 1
        left = self.fired_by_kind.get(fault.kind, 0) - 1
        if left > 0:
            self.fired_by_kind[fault.kind] = left
        else:
            self.fired_by_kind.pop(fault.kind, None)
        if fault.times is not None:
            fault.times += 1
        if all(armed is not fault for armed in self._faults):
            self._faults.append(fault)
            self._faults.sort(key=lambda armed: armed.id)

    def describe(self) -> list[dict[str, Any]]:
        return [fault.describe() for fault in self._faults]

    def clear(self, fault_id: int | None = None) -> int:
        before = len(self._faults)
        self._faults = [f for f in self._faults if fault_id is not None and f.id != fault_id]
        return before - len(self._faults)

    def catalogue(self) -> dict[str, str]:
        return dict(ALL_FAULTS)
