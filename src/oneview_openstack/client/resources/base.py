"""What every resource family shares: URIs, reads, filtered/paged lists, async calls, creates.

A create is a POST, and a POST is never blindly repeated: when it fails without a clear answer
(connection lost, 500, 503) the family looks for the resource by name first, and sends the POST
again only if it is not there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from ..connector import Connector, members_of
from ..errors import OneViewConnectionError, OneViewError, ServerError
from ..etag import Change, UpdateResult, task_of, update_with_etag
from ..retry import RETRYABLE_STATUS
from ..tasks import TaskWaiter, resource_uri
from ..transport import malformed

LOG = logging.getLogger(__name__)
CREATE_ATTEMPTS = 2


def quote(value: str) -> str:
    """A string literal for OneView's filter grammar (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def name_filter(name: str) -> str:
    return f'"name={quote(name)}"'


def _count(body: dict[str, Any], key: str, default: int, path: str) -> int:
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise malformed(f"{key} {value!r} is not an integer", "GET", path)
    return value


@dataclass
class Page:
    members: list[dict[str, Any]]
    total: int
    start: int
    next_page_uri: str | None


class ResourceFamily:
    """One OneView category, e.g. ``ethernet-networks``."""

    category = ""

    def __init__(self, connector: Connector, waiter: TaskWaiter) -> None:
        self._connector = connector
        self._waiter = waiter

    @property
    def path(self) -> str:
        return f"/rest/{self.category}"

    def uri(self, id_or_uri: str) -> str:
        """Accept either an id or a URI of this category; refuse another category's URI."""
        if id_or_uri.startswith("/rest/"):
            if not id_or_uri.startswith(self.path + "/"):
                raise OneViewError(f"{id_or_uri} is not a {self.category} URI.")
            return id_or_uri
        return f"{self.path}/{id_or_uri}"

    # -- reads ---------------------------------------------------------------------------
    def get(self, id_or_uri: str) -> dict[str, Any]:
        return self._connector.get_object(self.uri(id_or_uri))

    @staticmethod
    def _params(
        filters: list[str] | str | None, sort: str | None, query: str | None
    ) -> list[tuple[str, str]]:
        if isinstance(filters, str):
            filters = [filters]
        params = [("filter", f) for f in filters or []]
        if sort:
            params.append(("sort", sort))
        if query:
            params.append(("query", query))
        return params

    def page(
        self,
        *,
        filters: list[str] | str | None = None,
        sort: str | None = None,
        query: str | None = None,
        start: int = 0,
        count: int = -1,
    ) -> Page:
        """One page of the collection (OneView may return fewer than ``count``)."""
        params = [*self._params(filters, sort, query), ("start", str(start)), ("count", str(count))]
        body = self._connector.get_object(self.path, params)
        next_page_uri = body.get("nextPageUri") or None
        if next_page_uri is not None and not isinstance(next_page_uri, str):
            raise malformed(f"nextPageUri {next_page_uri!r} is not a URI", "GET", self.path)
        return Page(
            members=members_of(body, self.path),
            total=_count(body, "total", 0, self.path),
            start=_count(body, "start", start, self.path),
            next_page_uri=next_page_uri,
        )

    def iter(
        self,
        *,
        filters: list[str] | str | None = None,
        sort: str | None = None,
        query: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every member, page after page (``count=-1``: as many per page as OneView allows)."""
        params = [*self._params(filters, sort, query), ("start", "0"), ("count", "-1")]
        for members in self._connector.pages(self.path, params):
            yield from members

    def list(self, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self.iter(**kwargs))

    def find_by_name(self, name: str) -> dict[str, Any] | None:
        """The member with exactly this name (OneView's filter, re-checked here), or None."""
        for member in self.iter(filters=name_filter(name)):
            if member.get("name") == name:
                return member
        return None

    # -- writes --------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """An asynchronous call: the finished task with ``wait``, else the started task."""
        reply = self._connector.request(method, path, json=json, params=params)
        task = task_of(reply)
        if task is None:
            if reply.body is not None and not isinstance(reply.body, dict):
                raise malformed("expected a task or an object", method, path, reply.status)
            return reply.body or {}
        return self._waiter.wait(task, timeout=timeout) if wait else task

    def _update(self, id_or_uri: str, change: Change, *, wait: bool = True) -> UpdateResult:
        return update_with_etag(
            self._connector, self.uri(id_or_uri), change, waiter=self._waiter if wait else None
        )

    def _create(
        self,
        body: dict[str, Any],
        *,
        find: Callable[[], dict[str, Any] | None],
        path: str | None = None,
        params: Any = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """POST, wait, return the new resource; an unclear failure checks ``find`` first."""
        path = path or self.path
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                reply = self._connector.request("POST", path, json=body, params=params)
            except (OneViewConnectionError, ServerError) as error:
                unclear = isinstance(error, OneViewConnectionError) or (
                    error.status in RETRYABLE_STATUS
                )
                if not unclear:
                    raise
                existing = find()
                if existing is not None:
                    LOG.warning(
                        "POST %s failed (%s) but the resource was created: %s",
                        path,
                        error,
                        existing.get("uri"),
                    )
                    return self._settled(existing) if wait else existing
                if attempt == CREATE_ATTEMPTS:
                    raise
                LOG.warning(
                    "POST %s failed (%s) and created nothing; sending it once more", path, error
                )
                continue
            task = task_of(reply)
            if task is None:
                return reply.body
            if not wait:
                return task
            done = self._waiter.wait(task)
            created = resource_uri(done)
            return self._connector.get(created) if created else done
        raise AssertionError("unreachable")  # pragma: no cover

    def _settled(self, resource: dict[str, Any]) -> dict[str, Any]:
        """A resource found after an unclear create: wait for its own task if it has one."""
        task_uri = resource.get("taskUri")
        if resource.get("inProgress") and task_uri:
            self._waiter.wait(task_uri)
            return self.get(resource["uri"])
        return resource
