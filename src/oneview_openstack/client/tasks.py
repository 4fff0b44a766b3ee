"""Bounded, adaptive waits for OneView tasks.

Every wait ends: after ``max_polling_attempts`` polls or ``task_timeout`` seconds, whichever comes
first, with a TaskTimeout naming the task. Polls start short (a power task is noticed within about
a second) and back off geometrically to a cap (a 30-minute profile apply costs a few hundred
polls, not thousands). When the task reports progress, the next poll is brought forward to when
that progress says the task will end, so the end of a short task is not overshot by a whole
back-off step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TaskView:
    """A task body read once: what waits, errors and logs need, each field of the right type."""

    uri: str | None
    name: str | None
    state: str | None
    status: str | None
    percent: float | None
    errors: tuple[Mapping[str, Any], ...]
    resource_uri: str | None

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> TaskView:
        associated = body.get("associatedResource")
        target = associated.get("resourceUri") if isinstance(associated, Mapping) else None
        percent = body.get("percentComplete")
        errors = body.get("taskErrors")
        return cls(
            uri=_text_or_none(body.get("uri")),
            name=_text_or_none(body.get("name")),
            state=_text_or_none(body.get("taskState")),
            status=_text_or_none(body.get("taskStatus")),
            percent=(
                float(percent)
                if isinstance(percent, int | float) and not isinstance(percent, bool)
                else None
            ),
            errors=tuple(e for e in errors if isinstance(e, Mapping))
            if isinstance(errors, list)
            else (),
            resource_uri=_text_or_none(target),
        )

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL

    @property
    def failed(self) -> bool:
        return self.state in FAILED

    def reason(self) -> str:
        """OneView's own words for the outcome: ``errorCode: message; ...`` or the status."""
        said = "; ".join(f"{e.get('errorCode')}: {e.get('message')}" for e in self.errors)
        return said or self.status or ""


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def resource_uri(task: Mapping[str, Any]) -> str | None:
    """The task's ``associatedResource.resourceUri`` (None while a create is New)."""
    return TaskView.of(task).resource_uri


def is_task(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("category") == "tasks" or "taskState" in body)


class TaskWaiter:
    """Waits for OneView tasks, bounded by polls and time (see the module docstring)."""

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
        """The finished task body (Completed or Warning), given the task or its URI.

        :raises TaskFailed: the task ended Error, Killed, Terminated or Interrupted.
        :raises TaskTimeout: still running after ``max_polls`` polls or ``timeout`` seconds.
        :raises ForeignOriginError: the task URI is on another origin than the appliance's.
        :raises MalformedResponse: the task has no usable URI or no ``taskState``.
        """
        settings = self._settings
        timeout = settings.task_timeout if timeout is None else timeout
        max_polls = settings.max_polling_attempts if max_polls is None else max_polls
        current = task if isinstance(task, dict) else None
        given = task.get("uri") if isinstance(task, dict) else task
        uri = given if isinstance(given, str) and given else None
        pauses = poll_intervals(
            settings.task_poll_interval, settings.task_poll_factor, settings.task_poll_max_interval
        )
        started = time.monotonic()
        polls = 0
        self._metrics.count("tasks_waited")
        while True:
            view = TaskView.of(current) if current is not None else None
            if current is not None and view is not None and view.finished:
                return self._outcome(current, view)
            remaining = started + timeout - time.monotonic()
            if polls >= max_polls or remaining <= 0:
                raise self._timeout(view, current, uri, polls, time.monotonic() - started, timeout)
            if uri is None:
                raise malformed(f"a running task without a /rest/ uri ({given!r})", "GET", "?")
            if view is not None:
                pause = paced(
                    next(pauses),
                    time.monotonic() - started,
                    view.percent,
                    settings.task_poll_interval,
                )
                time.sleep(min(pause, remaining))
            path = self._connector.transport.origin.path_of(uri)  # refuses a foreign origin
            if not path.startswith("/rest/"):
                raise malformed(f"a running task without a /rest/ uri ({uri!r})", "GET", "?")
            current = self._connector.get_object(path)
            if not isinstance(current.get("taskState"), str):
                raise malformed(
                    f"the task has no taskState (got {current.get('taskState')!r})", "GET", path
                )
            polls += 1
            self._metrics.count("task_polls")

    @staticmethod
    def _outcome(task: dict[str, Any], view: TaskView) -> dict[str, Any]:
        if view.failed:
            raise TaskFailed.from_task(task)
        if view.state == "Warning":
            LOG.warning(
                "OneView task '%s' (%s) on %s ended with a warning: %s",
                view.name,
                view.uri,
                view.resource_uri,
                view.reason(),
            )
        return task

    def _timeout(
        self,
        view: TaskView | None,
        task: dict[str, Any] | None,
        uri: str | None,
        polls: int,
        elapsed: float,
        timeout: float,
    ) -> TaskTimeout:
        target = view.resource_uri if view else None
        percent = view.percent if view else None
        return TaskTimeout(
            f"OneView task '{(view and view.name) or 'unknown'}' ({uri})"
            + (f" on {target}" if target else "")
            + f" is still {(view and view.state) or 'unknown'}"
            + (f" at {percent:g}%" if percent is not None else "")
            + f" after {polls} polls in {elapsed:.1f} s (limits: max_polling_attempts="
            f"{self._settings.max_polling_attempts}, task_timeout={timeout:g} s).",
            task=task or {"uri": uri},
            error_code="TASK_TIMEOUT",
            recommended_actions=[
                "The task may still finish: check it in OneView before retrying the operation."
            ],
        )
