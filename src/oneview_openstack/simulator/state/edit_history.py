"""Every write to a server profile, in arrival order: who sent it, on which eTag, how it ended.

OneView's own guards refuse the races they see (409 for any write while the profile's task
runs, 412 for a stale eTag), but a writer that sends no eTag, or ``*``, passes the second. This
record lets a test judge what it cannot see from the answers alone (``GET /_sim/edits``; see
``testing.interleaved_edits``): which session wrote, the eTag the write was based on, the eTag
the profile had then, and the eTag its task left when it ended.

Recording changes no answer: it reads the profile before and after, never writes it. Like all
simulator state it is guarded by the state lock (every route and task callback runs under it).
Its size is bounded (``KEPT``, about 370 bytes an edit: ~7 MB when full), so a long soak forgets
its oldest writes instead of growing. Bulk deletes (``DELETE /rest/server-profiles?filter=``) are
not in it; the product never sends them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ApplianceError
from ..store import Store
from ..tasks import Task

KEPT = 20_000  # newest writes kept (a long soak writes more; older ones are forgotten)


def bare_etag(tag: Any) -> str | None:
    """``W/"3"`` and ``"3"`` are the eTag ``3``; None when nothing was sent."""
    if tag in (None, ""):
        return None
    return str(tag).strip('"').removeprefix("W/").strip('"')


@dataclass
class Edit:
    seq: int
    uri: str
    method: str
    session: int | None  # the login's number (never its token)
    sent_etag: str | None  # If-Match, else the body's eTag; None: the write was not eTag-checked
    etag_before: str | None  # the profile's eTag when the write arrived
    arrived: float  # simulated seconds
    refused: str | None = None  # "<status> <errorCode>" of a synchronous refusal
    changed: bool = False  # the write started a change of the profile (not a failed-at-once task)
    task_uri: str | None = None  # not the Task: the record outlives the engine's retention
    task_state: str | None = None  # its outcome, once it ended
    etag_after: str | None = None  # the eTag the write's task left when it ended
    ended: float | None = None

    def render(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "uri": self.uri,
            "method": self.method,
            "session": self.session,
            "sentETag": self.sent_etag,
            "eTagBefore": self.etag_before,
            "arrived": self.arrived,
            "refused": self.refused,
            "changed": self.changed,
            "taskUri": self.task_uri,
            "taskState": self.task_state,
            "ended": self.ended,
            "eTagAfter": self.etag_after,
        }


class EditHistory:
    def __init__(self, store: Store, now: Callable[[], float], kept: int = KEPT) -> None:
        self._store = store
        self._now = now
        self._edits: deque[Edit] = deque(maxlen=kept)
        self._seq = 0

    def record(
        self,
        uri: str,
        method: str,
        session: int | None,
        sent_etag: Any,
        write: Callable[[], Task],
    ) -> Task:
        """Run ``write`` (the profile route's work) and keep what happened to it."""
        profile = self._store.find(uri)
        self._seq += 1
        edit = Edit(
            seq=self._seq,
            uri=uri,
            method=method,
            session=session,
            sent_etag=bare_etag(sent_etag),
            etag_before=(profile or {}).get("eTag"),
            arrived=self._now(),
        )
        self._edits.append(edit)
        try:
            task = write()
        except ApplianceError as error:
            edit.refused = f"{error.status} {error.error_code}"
            raise
        edit.task_uri = task.uri
        edit.changed = bool((profile or {}).get("inProgress"))
        if task.ended is not None:
            self._ended(edit, task)
        else:
            inner = task.on_done

            def done(finished: Task) -> None:
                if inner is not None:
                    inner(finished)
                self._ended(edit, finished)

            task.on_done = done
        return task

    def _ended(self, edit: Edit, task: Task) -> None:
        edit.ended = task.ended
        edit.task_state = task.outcome
        current = self._store.find(edit.uri)  # None: the write deleted it
        edit.etag_after = current.get("eTag") if current is not None else None

    def render(self, uri: str | None = None) -> list[dict[str, Any]]:
        return [e.render() for e in self._edits if uri is None or e.uri == uri]

    def clear(self) -> None:
        self._edits.clear()
