"""Bounded, adaptive waits for OneView tasks.

Every wait ends: after ``max_polling_attempts`` polls or ``task_timeout`` seconds, whichever comes
first, with a TaskTimeout naming the task. Polls start short (a power task is noticed within about
a second) and back off geometrically to a cap (a 30-minute profile apply costs a few hundred
polls, not thousands). When the task reports progress, the next poll is brought forward to when
that progress says the task will end, so the end of a short task is not overshot by a whole
back-off step.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

from oslo_log import log as logging

from .connector import Connector
from .errors import TaskFailed, TaskTimeout
from .transport import malformed

LOG = logging.getLogger(__name__)

SUCCEEDED = frozenset({"Completed", "Warning"})
FAILED = frozenset({"Error", "Killed", "Terminated", "Interrupted"})
TERMINAL = SUCCEEDED | FAILED
STEP = 10  # percentComplete granularity of many OneView tasks


def poll_intervals(initial: float, factor: float, cap: float) -> Iterator[float]:
    """Pauses before each poll: initial, initial*factor, ... never more than ``cap``."""
    interval = min(initial, cap)
    while True:
        yield interval
        interval = min(interval * factor, cap)


def schedule(initial: float, factor: float, cap: float, polls: int) -> list[float]:
    """The first ``polls`` pauses (for documentation, tests and capacity planning)."""
    return list(itertools.islice(poll_intervals(initial, factor, cap), polls))


def paced(pause: float, elapsed: float, percent: Any, floor: float) -> float:
    """``pause``, or sooner if ``percent`` done after ``elapsed`` s predicts an earlier end.

    OneView often reports progress in 10% steps: a value on that grid says the task is
    somewhere in the next step, so the middle of it (p + 5) is taken; finer values are taken as
    they are. Aiming at the middle may land a poll just before the end, so the next pause may
    be as short as a quarter of ``floor`` (the first interval); a stalled task still cannot make
    polling faster than that, and a pause is never longer than the back-off step. 2% margin so
    the poll lands after the end.
    """
    if isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 < percent < 100:
        return pause
    done = percent + STEP / 2 if percent % STEP == 0 else percent
    predicted = elapsed * (100 - done) / done * 1.02
    return min(pause, max(predicted, floor / 4))


def resource_uri(task: dict[str, Any]) -> str | None:
    associated = task.get("associatedResource")
    uri = associated.get("resourceUri") if isinstance(associated, dict) else None
    return uri if isinstance(uri, str) and uri else None


def is_task(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("category") == "tasks" or "taskState" in body)


class TaskWaiter:
    def __init__(self, connector: Connector) -> None:
        self._connector = connector
        self._settings = connector.settings
        self._metrics = connector.metrics

    def wait(
        self,
        task: dict[str, Any] | str,
        *,
        timeout: float | None = None,
        max_polls: int | None = None,
    ) -> dict[str, Any]:
        """The finished task (Completed or Warning); raises TaskFailed or TaskTimeout."""
        settings = self._settings
        timeout = settings.task_timeout if timeout is None else timeout
        max_polls = settings.max_polling_attempts if max_polls is None else max_polls
        current = task if isinstance(task, dict) else None
        uri = task.get("uri") if isinstance(task, dict) else task
        pauses = poll_intervals(
            settings.task_poll_interval, settings.task_poll_factor, settings.task_poll_max_interval
        )
        started = time.monotonic()
        polls = 0
        self._metrics.count("tasks_waited")
        while True:
            state = current.get("taskState") if current is not None else None
            if isinstance(state, str) and state in TERMINAL:
                return self._outcome(current)
            remaining = started + timeout - time.monotonic()
            if polls >= max_polls or remaining <= 0:
                raise self._timeout(current, uri, polls, time.monotonic() - started, timeout)
            if not isinstance(uri, str) or not uri.startswith(("/rest/", "https://", "http://")):
                raise malformed(f"a running task without a /rest/ uri ({uri!r})", "GET", "?")
            if current is not None:
                pause = paced(
                    next(pauses),
                    time.monotonic() - started,
                    current.get("percentComplete"),
                    settings.task_poll_interval,
                )
                time.sleep(min(pause, remaining))
            current = self._connector.get_object(uri)
            if not isinstance(current.get("taskState"), str):
                raise malformed(
                    f"the task has no taskState (got {current.get('taskState')!r})", "GET", uri
                )
            polls += 1
            self._metrics.count("task_polls")

    @staticmethod
    def _outcome(task: dict[str, Any]) -> dict[str, Any]:
        state = task.get("taskState")
        if state in FAILED:
            raise TaskFailed.from_task(task)
        if state == "Warning":
            errors = task.get("taskErrors") or []
            reason = "; ".join(
                f"{e.get('errorCode')}: {e.get('message')}" for e in errors if isinstance(e, dict)
            )
            LOG.warning(
                "OneView task '%s' (%s) on %s ended with a warning: %s",
                task.get("name"),
                task.get("uri"),
                resource_uri(task),
                reason or task.get("taskStatus"),
            )
        return task

    def _timeout(
        self,
        task: dict[str, Any] | None,
        uri: str,
        polls: int,
        elapsed: float,
        timeout: float,
    ) -> TaskTimeout:
        task = task or {"uri": uri}
        target = resource_uri(task)
        percent = task.get("percentComplete")
        return TaskTimeout(
            f"OneView task '{task.get('name') or 'unknown'}' ({uri})"
            + (f" on {target}" if target else "")
            + f" is still {task.get('taskState') or 'unknown'}"
            + (f" at {percent}%" if percent is not None else "")
            + f" after {polls} polls in {elapsed:.1f} s (limits: max_polling_attempts="
            f"{self._settings.max_polling_attempts}, task_timeout={timeout:g} s).",
            task=task,
            error_code="TASK_TIMEOUT",
            recommended_actions=[
                "The task may still finish: check it in OneView before retrying the operation."
            ],
        )
