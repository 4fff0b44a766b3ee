"""OneView tasks as a collection (waiting for one is ``client.tasks.wait``)."""

from __future__ import annotations

from typing import Any

from .base import ResourceFamily


class Tasks(ResourceFamily):
    category = "tasks"

    def wait(self, task: dict[str, Any] | str, *, timeout: float | None = None) -> dict[str, Any]:
        """Wait (bounded) for a task given as its body or URI; the finished task.

        :raises TaskFailed: the task ended in error.
        :raises TaskTimeout: it did not end within the polling limits or ``timeout``.
        :raises ForeignOriginError: the task URI is not on the appliance's origin.
        """
        return self._waiter.wait(task, timeout=timeout)
