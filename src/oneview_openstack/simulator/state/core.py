"""What every part of the appliance state shares: clock, store, tasks, faults, stats, the lock."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..clock import SimClock
from ..config import SimulatorConfig
from ..errors import BadRequest, Conflict, PreconditionFailed, missing_reference
from ..faults import Fault, FaultRegistry
from ..store import Resource, Store
from ..tasks import Task, TaskEngine


@dataclass
class CallContext:
    """The request being served, so task faults can match the call that created the task."""

    method: str = "GET"
    path: str = "/"
    resources: tuple[str, ...] = ()
    user: str = "Administrator"
    task_faults: list[Fault] = field(default_factory=list)


class Core:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock = SimClock(config.time_scale)
        self.rng = random.Random(config.seed)
        self.store = Store(self.clock)
        self.tasks = TaskEngine(self.clock, lambda: self.rng.getrandbits(128))
        self.faults = FaultRegistry(config.seed)
        self.current_version = config.current_api_version
        self.requests: Counter[tuple[str, str]] = Counter()
        self.counters: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()  # "<status> <errorCode>" of every error answer
        self.context = CallContext()
        self._mac_counter = 0

    # -- time and tasks -------------------------------------------------------------------
    def tick(self) -> None:
        self.tasks.advance()

    def duration(self, kind: str) -> float:
        low, high = self.config.task_duration_range(kind)
        return low if high <= low else self.rng.uniform(low, high)

    def run_task(
        self,
        *,
        kind: str,
        name: str,
        resource: Resource | None,
        status_text: str,
        on_success: Any = None,
        on_failure: Any = None,
        steps: list[str] | None = None,
        duration: float | None = None,
        hide_resource_until_running: bool = False,
        error: dict[str, Any] | None = None,
        resource_uri: str | None = None,
    ) -> Task:
        """Submit a task whose end is decided by ``error`` (a rule) or by an armed task fault."""
        outcome, errors, stuck = "Completed", [], None
        seconds = self.duration(kind) if duration is None else duration
        if error is not None:
            outcome, errors = "Error", [error]
        for fault in self.context.task_faults:
            params = fault.params
            if fault.kind == "task_error":
                outcome = params.get("state", "Error")
                errors = [
                    task_error(
                        params.get("error_code", "TASK_FAILED"),
                        params.get("message", f"The task '{name}' failed (injected fault)."),
                    )
                ]
            elif fault.kind == "task_warning":
                outcome = "Warning"
                errors = [
                    task_error(
                        params.get("error_code", "TASK_WARNING"),
                        params.get("message", f"The task '{name}' ended with a warning."),
                    )
                ]
            elif fault.kind == "task_interrupted":
                outcome = "Interrupted"
            elif fault.kind == "task_stuck":
                stuck = int(params.get("percent", 50))
            elif fault.kind == "task_slow":
                seconds *= float(params.get("factor", 1.0))

        def finish(task: Task) -> None:
            if task.failed:
                task.final_status = f"{status_text} failed."
                if on_failure is not None:
                    on_failure(task)
            elif on_success is not None:
                on_success(task)

        return self.tasks.submit(
            name=name,
            resource=resource,
            resource_uri=resource_uri,
            status_text=status_text,
            duration=seconds,
            owner=self.context.user,
            outcome=outcome,
            errors=errors,
            stuck_percent=stuck,
            steps=steps,
            on_done=finish,
            hide_resource_until_running=hide_resource_until_running,
        )

    def call_later(self, seconds: float, callback: Any) -> None:
        """An internal timer (e.g. a power lock that lifts); it is not a visible task."""
        timer = Task(
            id="",
            name="timer",
            owner="",
            resource_uri=None,
            resource_name=None,
            resource_category=None,
            status_text="",
            submitted=self.clock.now(),
            duration=seconds,
            on_done=lambda _task: callback(),
        )
        self.tasks.schedule_internal(timer)

    # -- identity -------------------------------------------------------------------------
    def new_id(self) -> str:
        return format_uuid(self.rng.getrandbits(128))

    def new_virtual_mac(self) -> str:
        """Virtual MACs come from a pool of their own (prefix 06:), never a physical one."""
        self._mac_counter += 1
        value = self._mac_counter
        octets = [
            0x06,
            0xAA,
            (value >> 24) & 0xFF,
            (value >> 16) & 0xFF,
            (value >> 8) & 0xFF,
            value & 0xFF,
        ]
        return ":".join(f"{o:02X}" for o in octets)

    # -- lookups --------------------------------------------------------------------------
    def reference(self, field_name: str, uri: Any, category: str | None = None) -> Resource:
        """A URI from a request body: a missing target is a 400, not a 404 (contract §3)."""
        if not isinstance(uri, str) or not uri:
            raise BadRequest(
                f"The field '{field_name}' must be a resource URI, got {uri!r}.",
                error_code="INVALID_PARAMETER",
            )
        resource = self.store.find(uri)
        if resource is None or (category and resource.get("category") != category):
            raise missing_reference(field_name, uri)
        return resource

    def unique_name(
        self, category: str, name: str, *, exclude: str | None = None, error_code: str, message: str
    ) -> None:
        folded = name.casefold()
        for other in self.store.iter(category):
            if other["uri"] != exclude and str(other.get("name", "")).casefold() == folded:
                raise BadRequest(message, error_code=error_code, error_source=category)

    def check_etag(self, resource: Resource, body_etag: Any, if_match: str | None) -> None:
        """If-Match or the body's eTag must be current; ``*`` bypasses; neither given passes."""
        candidates = [tag for tag in (if_match, body_etag) if tag not in (None, "")]
        if not candidates or "*" in candidates:
            return
        current = resource["eTag"]
        for tag in candidates:
            if str(tag).strip('"').removeprefix("W/").strip('"') != current:
                raise_precondition(resource, str(tag))

    def busy(self, resource: Resource, what: str) -> Conflict:
        return Conflict(
            f"The {what} '{resource.get('name')}' is busy with another operation.",
            error_code="RESOURCE_LOCKED",
            recommended_actions=[
                "Try the operation later after the current operation has completed."
            ],
        )


def raise_precondition(resource: Resource, tag: str) -> None:
    raise PreconditionFailed(
        "The resource has been modified since it was read: its eTag no longer matches.",
        details=f"eTag sent: {tag}; current eTag of {resource['uri']}: {resource['eTag']}",
        recommended_actions=["Read the resource again, apply the change, and resend the request."],
    )


def task_error(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {
        "errorCode": code,
        "message": message,
        "details": details,
        "recommendedActions": ["Correct the problem and retry the operation."],
        "nestedErrors": [],
        "errorSource": None,
        "data": {},
    }


def format_uuid(value: int) -> str:
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:32]}"
