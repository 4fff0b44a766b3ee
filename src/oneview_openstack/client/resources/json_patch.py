"""PATCH the way OneView takes it: a JSON Patch document (RFC 6902) with its own content type.

Server hardware (``/uidState``, ``/oneTimeBoot``) and server profiles (``/templateCompliance``)
are patched this way; the answer is a task, waited for or returned as started.
"""

from __future__ import annotations

from typing import Any

from ..connector import Connector
from ..etag import task_of
from ..tasks import TaskWaiter
from ..transport import malformed

CONTENT_TYPE = "application/json-patch+json"


def patch(
    connector: Connector,
    waiter: TaskWaiter,
    uri: str,
    operations: list[dict[str, Any]],
    *,
    wait: bool = True,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Send ``operations``; the finished task with ``wait``, else the started one.

    :raises MalformedResponse: OneView answered without a task or an object.
    :raises OneViewError: OneView refused the patch, or its task failed (``wait``).
    """
    reply = connector.request("PATCH", uri, json=operations, headers={"Content-Type": CONTENT_TYPE})
    task = task_of(reply)
    if task is None:
        if not isinstance(reply.body, dict):
            raise malformed("a PATCH answered neither a task nor an object", "PATCH", uri)
        return reply.body
    return waiter.wait(task, timeout=timeout) if wait else task
