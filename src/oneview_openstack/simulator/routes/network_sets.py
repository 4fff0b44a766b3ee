"""Network sets: create, full-body update (eTag) and delete; reads go through the generic routes."""

from __future__ import annotations

from typing import Any

from ..http import Call
from ..tasks import Task

SETS = "/rest/network-sets"


def create(call: Call) -> Task:
    return call.state.network_sets.create(call.body)


def update(call: Call) -> Task:
    return call.state.network_sets.update(
        f"{SETS}/{call.params['id']}", call.body, call.header("if-match")
    )


def delete(call: Call) -> Task:
    return call.state.network_sets.delete(f"{SETS}/{call.params['id']}")


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("POST", SETS, create, {}),
    ("PUT", f"{SETS}/{{id}}", update, {}),
    ("DELETE", f"{SETS}/{{id}}", delete, {}),
]
