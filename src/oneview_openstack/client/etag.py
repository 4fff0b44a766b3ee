"""eTag-safe read-modify-write, the only way the client updates a whole OneView resource.

OneView replaces a resource with the PUT body. Two writers that both read, edit and write lose one
edit, unless the PUT carries the eTag it was based on: OneView then answers 412 to the late one,
which reads again, re-applies its change to the fresh body and writes again, a bounded number of
times. A change that finds nothing to do sends no PUT at all.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from .connector import Connector, Reply, is_version_refusal
from .errors import PreconditionFailed
from .tasks import TaskWaiter, is_task
from .transport import malformed

LOG = logging.getLogger(__name__)

# Mutates the body it is given in place; returns True when it changed something.
Change = Callable[[dict[str, Any]], bool]


@dataclass
class UpdateResult:
    resource: dict[str, Any]
    task: dict[str, Any] | None
    changed: bool
    attempts: int


def compose(changes: list[Change]) -> Change:
    """One change applying several in order (how coalesced requests become one write)."""

    def combined(body: dict[str, Any]) -> bool:
        changed = False
        for change in changes:
            changed = bool(change(body)) or changed
        return changed

    return combined


def task_of(reply: Reply) -> dict[str, Any] | None:
    """The task a 202 started: its body, or the ``Location`` it points to."""
    if is_task(reply.body):
        return reply.body
    if reply.status == 202 and isinstance(reply.location, str) and reply.location:
        return {"uri": reply.location}
    return None


def update_with_etag(
    connector: Connector,
    uri: str,
    change: Change,
    *,
    attempts: int | None = None,
    waiter: TaskWaiter | None = None,
    params: Any = None,
) -> UpdateResult:
    """GET ``uri``, apply ``change``, PUT with the eTag; on 412 start over (bounded).

    With a ``waiter`` the PUT's task is waited for (TaskFailed/TaskTimeout propagate).
    """
    attempts = attempts or connector.settings.etag_update_attempts
    for attempt in range(1, attempts + 1):
        read = connector.request("GET", uri)
        current = read.body
        if not isinstance(current, dict):
            raise malformed("the resource to update is not a JSON object", "GET", uri)
        desired = copy.deepcopy(current)
        if not change(desired):
            return UpdateResult(current, None, changed=False, attempts=attempt)
        etag = current.get("eTag")
        headers = {"If-Match": read.etag or f'"{etag}"'} if (read.etag or etag) else None
        try:
            written = connector.request("PUT", uri, json=desired, headers=headers, params=params)
        except PreconditionFailed as error:
            if is_version_refusal(error):
                raise
            connector.metrics.count("etag_conflicts")
            if attempt == attempts:
                error.message += (
                    f" (gave up after {attempts} read-modify-write attempts: {uri} keeps "
                    "changing under us)"
                )
                raise
            LOG.info(
                "%s changed since it was read (412); re-reading (attempt %d of %d)",
                uri,
                attempt + 1,
                attempts,
            )
            time.sleep(random.uniform(0, 0.01 * attempt))  # noqa: S311 - de-synchronise writers
            continue
        task = task_of(written)
        if task is not None and waiter is not None:
            task = waiter.wait(task)
        return UpdateResult(desired, task, changed=True, attempts=attempt)
    raise AssertionError("unreachable")  # pragma: no cover
