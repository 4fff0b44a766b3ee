"""Collection reads: start/count/filter/query/sort, ``nextPageUri`` paging and per-category caps.

Pages are assembled from each member's cached JSON, so a 10,000-server walk costs little more
than copying bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson

from ..errors import BadRequest
from ..query import QueryError, build_predicate, resolve_window, sort_members
from ..versions import collection_type
from .core import Core

PASSED_ON = ("filter", "query", "sort", "view", "fields", "scopeUris")


def _first(values: Sequence[str] | None) -> str | None:
    return values[-1] if values else None


class Collections:
    def __init__(self, core: Core) -> None:
        self._core = core

    def select(
        self, members: list[dict[str, Any]], params: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]:
        """Filter and sort; malformed expressions are OneView's 400 INVALID_FILTER."""
        try:
            predicate = build_predicate(list(params.get("filter", [])), _first(params.get("query")))
            if predicate is not None:
                members = [member for member in members if predicate(member)]
            return sort_members(members, _first(params.get("sort")))
        except QueryError as error:
            raise BadRequest(
                str(error),
                error_code="INVALID_FILTER",
                recommended_actions=["Correct the filter syntax and resend the request."],
            ) from error

    def page(
        self,
        category: str,
        path: str,
        params: Mapping[str, Sequence[str]],
        version: int,
        members: list[dict[str, Any]] | None = None,
    ) -> bytes:
        store = self._core.store
        rows = self.select(store.members(category) if members is None else members, params)
        cap = self._core.config.page_cap(category)
        raw_start, raw_count = _first(params.get("start")), _first(params.get("count"))
        try:
            start, end = resolve_window(raw_start, raw_count, total=len(rows), cap=cap)
        except QueryError as error:
            raise BadRequest(str(error), error_code="INVALID_PARAMETER") from error
        size = end - start
        # Links keep the page size the client asked for (capped), not this page's size: the page
        # before a short last page is a full one.
        requested = cap if raw_count is None or int(raw_count) == -1 else min(int(raw_count), cap)
        step = requested if requested > 0 else cap
        carried = [(key, value) for key in PASSED_ON for value in params.get(key, [])]

        def link(at: int) -> str:
            return f"{path}?{urlencode([*carried, ('start', at), ('count', step)])}"

        if category == "tasks":
            encoded = [
                orjson.dumps(self._core.tasks.render(row["_task"])) for row in rows[start:end]
            ]
        else:
            encoded = [store.render_bytes(row, version) for row in rows[start:end]]
        meta = {
            "type": collection_type(category, version),
            "category": category,
            "uri": f"{path}?{urlencode([*carried, ('start', start), ('count', size)])}",
            "start": start,
            "count": size,
            "total": len(rows),
            "prevPageUri": link(max(start - step, 0)) if start > 0 else None,
            "nextPageUri": link(end) if end < len(rows) else None,
            # A real ethernet-networks page carries null eTag, created and modified
            # (oneview-sdk-ruby ethernet_networks_members.json); a server-hardware page an epoch-ms
            # eTag (oneview-golang ov/server_hardware.go ServerHardwareList).
            "eTag": str(self._core.clock.wall_ms()) if category == "server-hardware" else None,
            "created": None,
            "modified": None,
        }
        return orjson.dumps(meta)[:-1] + b',"members":[' + b",".join(encoded) + b"]}"

    def tasks_page(self, path: str, params: Mapping[str, Sequence[str]]) -> bytes:
        """Tasks are rendered from the clock, so their filterable form is built per request."""
        rows = []
        for task in self._core.tasks.all():
            row = self._core.tasks.render(task)
            row["_task"] = task
            rows.append(row)
        return self.page("tasks", path, params, self._core.current_version, members=rows)
