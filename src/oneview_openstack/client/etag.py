"""eTag-safe read-modify-write, the only way the client updates a whole OneView resource.

OneView replaces a resource with the PUT body. Two writers that both read, edit and write lose one
edit, unless the PUT carries the eTag it was based on: OneView then answers 412 to the late one,
which reads again, re-applies its change to the fresh body and writes again, a bounded number of
times. A change that finds nothing to do sends no PUT at all. A PUT whose answer was lost is
settled by reading again, never reported done before the task it started has ended.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from .connector import Connector, Reply, is_version_refusal, members_of
from .errors import OneViewConnectionError, OneViewError, PreconditionFailed, ServerError
from .retry import is_retryable
from .tasks import TaskView, TaskWaiter, is_task
from .transport import malformed

LOG = logging.getLogger(__name__)

# Mutates the body it is given in place; returns True when it changed something.
Change = Callable[[dict[str, Any]], bool]
TASKS_PATH = "/rest/tasks"
RECENT_TASKS = 4  # tasks of a resource looked at to find the one a lost PUT started


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

    A PUT whose answer is lost (connection error, 5xx) is not sent again blindly: the resource is
    read again. If the change is already there, that PUT landed (or another writer made the same
    change), so its task, still running on the appliance, is the caller's result: with a
    ``waiter`` it is waited for, so no caller hears "done" while OneView is still applying (or
    about to fail) the change. A change that finds nothing to do while the resource is busy
    (``inProgress`` with a ``taskUri``) likewise waits for that task.

    :raises PreconditionFailed: the resource kept changing for ``attempts`` read-modify-writes.
    :raises OneViewConnectionError: no answer to the PUT in ``attempts`` tries.
    :raises ServerError: OneView failed the PUT (a 5xx on the last try, or one not retried).
    :raises MalformedResponse: the resource is not a JSON object.
    :raises TaskFailed: the write's task (ours, or the one we waited for) ended in error.
    :raises TaskTimeout: that task did not end in time.
    """
    settings = connector.settings
    attempts = attempts or settings.etag_update_attempts
    unclear: OneViewError | None = None  # why an earlier PUT of this call may have landed
    for attempt in range(1, attempts + 1):
        read = connector.request("GET", uri)
        current = read.body
        if not isinstance(current, dict):
            raise malformed("the resource to update is not a JSON object", "GET", uri)
        desired = copy.deepcopy(current)
        if not change(desired):
            task = pending_task(connector, uri, current, landed=unclear is not None)
            if task is not None and waiter is not None:
                task = waiter.wait(task)
            if task is not None and unclear is not None:
                LOG.info("The PUT to %s landed although its answer was lost (%s)", uri, unclear)
            return UpdateResult(current, task, changed=unclear is not None, attempts=attempt)
        etag = current.get("eTag")
        headers = {"If-Match": read.etag or f'"{etag}"'} if (read.etag or etag) else None
        try:
            written = connector.request(
                "PUT", uri, json=desired, headers=headers, params=params, retry=False
            )
        except PreconditionFailed as error:
            if is_version_refusal(error):
                raise
            connector.metrics.count("etag_conflicts")
            if attempt == attempts:
                raise error.reworded(
                    f"{error.message} (gave up after {attempts} read-modify-write attempts: "
                    f"{uri} keeps changing under us)"
                ) from error
            LOG.info(
                "%s changed since it was read (412); re-reading (attempt %d of %d)",
                uri,
                attempt + 1,
                attempts,
            )
            time.sleep(random.uniform(0, 0.01 * attempt))  # noqa: S311 - de-synchronise writers
            continue
        except (OneViewConnectionError, ServerError) as error:
            if attempt == attempts or not is_retryable(error, idempotent=True):
                raise
            unclear = error
            connector.metrics.count("retries")
            LOG.warning(
                "PUT %s got no clear answer (%s); reading it again to see whether it landed "
                "(attempt %d of %d)",
                uri,
                error,
                attempt + 1,
                attempts,
            )
            pause = min(settings.retry_max_wait, settings.retry_wait * 2 ** (attempt - 1))
            time.sleep(random.uniform(0, pause))  # noqa: S311 - full jitter, as the transport
            continue
        task = task_of(written)
        if task is not None and waiter is not None:
            task = waiter.wait(task)
        return UpdateResult(desired, task, changed=True, attempts=attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def pending_task(
    connector: Connector, uri: str, resource: dict[str, Any], *, landed: bool
) -> dict[str, Any] | None:
    """The task still writing ``resource``: its ``taskUri`` while ``inProgress``, or else,
    when a PUT of ours may have ``landed``, the newest task OneView lists for ``uri``.

    :raises OneViewError: the task list could not be read.
    """
    task_uri = resource.get("taskUri")
    if resource.get("inProgress") and isinstance(task_uri, str) and task_uri:
        return {"uri": task_uri}
    if not landed:
        return None
    # Resources such as uplink sets do not point at their task: ask the task list for it.
    quoted = uri.replace("'", "''")
    params = [
        ("filter", f"\"associatedResource.resourceUri='{quoted}'\""),
        ("sort", "created:descending"),
        ("start", "0"),
        ("count", str(RECENT_TASKS)),
    ]
    recent = members_of(connector.get_object(TASKS_PATH, params), TASKS_PATH)
    running = [t for t in recent if not TaskView.of(t).finished]
    chosen = running[0] if running else (recent[0] if recent else None)
    return chosen if chosen is not None and isinstance(chosen.get("uri"), str) else None
