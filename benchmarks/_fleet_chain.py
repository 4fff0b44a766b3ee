"""The physical limit of a fleet lifecycle: the longest chain of OneView tasks one node needs.

One node's OneView work is sequential (power off, profile apply, connection edits, power on,
and back), so no scheduling, however clever, can finish that node before the sum of its own
tasks' durations. The simulator's task records give those durations (created -> modified, in
simulated seconds); times its time scale, that is real seconds. The fleet cannot finish before
its slowest node: the limit is the longest chain. Tasks are tied to a node by the server
hardware they act on (power) or the server profile they act on (profile create, edit, delete).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _seconds(stamp: str) -> float:
    """A simulator timestamp (``2026-12-01T17:02:37.123Z``) as epoch seconds."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


@dataclass
class Chains:
    """Each node's chain of OneView task time, in simulated seconds, by server hardware URI."""

    by_server: dict[str, float] = field(default_factory=dict)
    tasks_by_server: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, float] = field(default_factory=dict)  # task name -> simulated seconds, all
    unassigned: int = 0  # tasks in the window tied to no node (networks, uplink sets, ...)

    def longest(self) -> tuple[str | None, float]:
        if not self.by_server:
            return None, 0.0
        server = max(self.by_server, key=lambda s: self.by_server[s])
        return server, self.by_server[server]


def chains(
    tasks: list[dict[str, Any]],
    profile_servers: dict[str, str],
    servers: set[str],
    earlier: set[str],
) -> Chains:
    """The chains of ``servers`` from the ``tasks`` not in ``earlier`` (task URIs before the run).

    ``profile_servers`` maps a profile URI to its server hardware URI (profiles deleted during
    the run are no longer in OneView: the caller keeps the map from when they were).
    """
    by_server: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    kinds: dict[str, float] = defaultdict(float)
    unassigned = 0
    for task in tasks:
        if task["uri"] in earlier:
            continue
        seconds = max(_seconds(task["modified"]) - _seconds(task["created"]), 0.0)
        uri = (task.get("associatedResource") or {}).get("resourceUri") or ""
        server = uri if uri in servers else profile_servers.get(uri)
        if server is None:
            unassigned += 1
            continue
        by_server[server] += seconds
        counts[server] += 1
        kinds[str(task.get("name"))] += seconds
    return Chains(dict(by_server), dict(counts), dict(kinds), unassigned)
