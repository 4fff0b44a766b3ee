"""Firmware baselines (``/rest/firmware-drivers``): read-only, with the collection behaviour
(filter, sort, paging, ETag and 304) every other category gets."""

from __future__ import annotations

from typing import Any

from ..http import Call, Reply
from .generic import _none_match

CATEGORY = "firmware-drivers"


def collection(call: Call) -> bytes:
    return call.state.collections.page(CATEGORY, call.path, call.query, call.version)


def single(call: Call) -> Reply:
    store = call.state.core.store
    resource = store.get(call.uri)
    etag = f'"{resource["eTag"]}"'
    if _none_match(call.header("if-none-match"), resource["eTag"]):
        return Reply(304, None, {"ETag": etag})
    return Reply(200, store.render_bytes(resource, call.version), {"ETag": etag})


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("GET", f"/rest/{CATEGORY}", collection, {}),
    ("GET", f"/rest/{CATEGORY}/{{id}}", single, {}),
]
