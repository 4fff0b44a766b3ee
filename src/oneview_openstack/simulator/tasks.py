"""The task engine: lazy and time-based, like sushy-tools' pending power states.

A task is a record of when it started, how long it takes and how it will end. Nothing runs in the
background: ``advance`` is called at the start of every request and finishes, in due order, every
task whose time has come, applying its effect. Reads compute New/Running/percent from the clock.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import SimClock

# The part of a task's time it spends Starting (chosen: no source gives the share).
STARTING_FRACTION = 0.1
TERMINAL_STATES = frozenset(
    {"Completed", "Error", "Warning", "Killed", "Terminated", "Interrupted"}
)
FAILED_STATES = frozenset({"Error", "Killed", "Terminated"})
# Keep this many finished tasks readable; older ones are forgotten (OneView also prunes).
TASK_RETENTION = 20_000


@dataclass
class Task:
    id: str
    name: str
    owner: str
    resource_uri: str | None
    resource_name: str | None
    resource_category: str | None
    status_text: str
    submitted: float
    duration: float
    outcome: str = "Completed"
    errors: list[dict[str, Any]] = field(default_factory=list)
    stuck_percent: int | None = None
    steps: list[str] = field(default_factory=list)
    on_done: Callable[[Task], None] | None = None
    ended: float | None = None
    final_status: str | None = None
    # A create's resource URI shows up once the task is Running (contract §4: null at first).
    hide_resource_until_running: bool = False
    # progressUpdates ids are appliance-wide sequence numbers; this task's steps start here.
    first_update_id: int = 1

    @property
    def uri(self) -> str:
        return f"/rest/tasks/{self.id}"

    @property
    def due(self) -> float:
        return self.submitted + self.duration

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_STATES


class TaskEngine:
    def __init__(self, clock: SimClock, id_source: Callable[[], int]) -> None:
        self._clock = clock
        self._ids = id_source
        self._tasks: OrderedDict[str, Task] = OrderedDict()
        self._pending: list[tuple[float, int, Task]] = []
        self._order = itertools.count()
        self._next_update_id = 1

    def submit(
        self,
        *,
        name: str,
        resource: dict[str, Any] | None,
        status_text: str,
        duration: float,
        owner: str = "Administrator",
        outcome: str = "Completed",
        errors: list[dict[str, Any]] | None = None,
        stuck_percent: int | None = None,
        steps: list[str] | None = None,
        on_done: Callable[[Task], None] | None = None,
        resource_uri: str | None = None,
        hide_resource_until_running: bool = False,
    ) -> Task:
        task = Task(
            id=str(uuid.UUID(int=self._ids(), version=4)).upper(),
            name=name,
            owner=owner,
            resource_uri=resource_uri or (resource or {}).get("uri"),
            resource_name=(resource or {}).get("name"),
            resource_category=(resource or {}).get("category"),
            status_text=status_text,
            submitted=self._clock.now(),
            duration=max(duration, 0.0),
            outcome=outcome,
            errors=errors or [],
            stuck_percent=stuck_percent,
            steps=steps or [status_text],
            on_done=on_done,
            hide_resource_until_running=hide_resource_until_running,
            first_update_id=self._next_update_id,
        )
        self._next_update_id += len(task.steps)
        self._tasks[task.id] = task
        while len(self._tasks) > TASK_RETENTION:
            oldest_id = next(iter(self._tasks))
            if self._tasks[oldest_id].ended is None:
                break
            self._tasks.pop(oldest_id)
        if stuck_percent is None:
            heapq.heappush(self._pending, (task.due, next(self._order), task))
        return task

    def schedule_internal(self, timer: Task) -> None:
        """Queue a hidden timer in the same due-ordered heap as the visible tasks."""
        heapq.heappush(self._pending, (timer.due, next(self._order), timer))

    def advance(self, now: float | None = None) -> None:
        """Finish every task that is due, oldest first, and apply its effect."""
        now = self._clock.now() if now is None else now
        while self._pending and self._pending[0][0] <= now:
            _, _, task = heapq.heappop(self._pending)
            self._finish(task)

    def _finish(self, task: Task) -> None:
        task.ended = task.due
        if task.on_done is not None:
            callback, task.on_done = task.on_done, None
            callback(task)

    def finish_now(self, task: Task) -> None:
        """End a task at once (used for zero-duration work and by tests)."""
        if task.ended is None:
            self._pending = [entry for entry in self._pending if entry[2] is not task]
            heapq.heapify(self._pending)
            task.duration = max(self._clock.now() - task.submitted, 0.0)
            self._finish(task)

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id.upper()) or self._tasks.get(task_id)

    def all(self) -> list[Task]:
        return list(self._tasks.values())

    def in_flight(self) -> int:
        return sum(1 for task in self._tasks.values() if task.ended is None)

    def state_of(self, task: Task, now: float | None = None) -> tuple[str, int]:
        """``(taskState, percentComplete)`` at ``now`` (the clock's time by default)."""
        if task.ended is not None:
            return task.outcome, 100
        if task.stuck_percent is not None:
            return "Running", task.stuck_percent
        if task.duration <= 0:
            return "Running", 99
        elapsed = (self._clock.now() if now is None else now) - task.submitted
        if elapsed <= 0:
            return "New", 0
        fraction = elapsed / task.duration
        if fraction < STARTING_FRACTION:
            return "Starting", 0
        return "Running", min(99, int(fraction * 10) * 10)

    def render(self, task: Task, *, as_submitted: bool = False) -> dict[str, Any]:
        """The TaskResourceV2 body (fields as oneview-golang test/ov/task_test.go shows them);
        ``as_submitted``: as it stood when it was accepted (the 202 answer shows it ``New``)."""
        now = task.submitted if as_submitted else self._clock.now()
        state, percent = self.state_of(task, now)
        shown_steps = self._visible_steps(task, percent)
        resource_uri = task.resource_uri
        if task.hide_resource_until_running and state in ("New", "Starting"):
            resource_uri = None
        ended = task.ended is not None
        return {
            "type": "TaskResourceV2",
            "uri": task.uri,
            "category": "tasks",
            "name": task.name,
            "owner": task.owner,
            "taskType": "User",
            "userInitiated": True,
            "hidden": False,
            "isCancellable": False,
            "taskState": state,
            "stateReason": state if state in ("Starting", "Running") else None,
            "taskStatus": task.final_status or task.status_text,
            "percentComplete": percent,
            "computedPercentComplete": percent,
            "expectedDuration": max(int(task.duration), 1),
            "totalSteps": len(task.steps),
            "completedSteps": len(shown_steps) if ended else len(shown_steps) - 1,
            "progressUpdates": [
                {
                    "id": task.first_update_id + i,
                    "timestamp": self._clock.iso(
                        task.submitted + task.duration * i / len(task.steps)
                    ),
                    "statusUpdate": text,
                }
                for i, text in enumerate(shown_steps)
            ],
            "associatedResource": {
                "resourceUri": resource_uri,
                "resourceName": task.resource_name,
                "resourceCategory": task.resource_category,
                "associationType": "MANAGED_BY",
            },
            "taskErrors": task.errors if ended else [],
            "taskOutput": [],
            "parentTaskUri": None,
            "associatedTaskUri": None,
            "data": None,
            # A counter that moves with every visible change (real task eTags: "2", "3", "10").
            "eTag": str(_revision(state, percent, ended)),
            "created": self._clock.iso(task.submitted),
            "modified": self._clock.iso(task.ended if ended else now),
        }

    @staticmethod
    def _visible_steps(task: Task, percent: int) -> list[str]:
        count = max(1, min(len(task.steps), 1 + percent * len(task.steps) // 100))
        return task.steps[:count]


def _revision(state: str, percent: int, ended: bool) -> int:
    if state == "New":
        return 1
    if state == "Starting":
        return 2
    return 3 + percent // 10 + (1 if ended else 0)
