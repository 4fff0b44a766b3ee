"""One fork-safety rule for every singleton that holds locks, sockets or sessions.

Neutron's API and periodic workers and Ironic's conductor fork after import. A lock another
thread held at fork time is never released in the child, and a parent's socket or session must not
be shared with it. Any object that owns such state registers once; after a fork, the child calls
each registered object's ``reset_after_fork()`` (weakly held: a collected object is forgotten).
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Protocol


class ForkSafe(Protocol):
    def reset_after_fork(self) -> None:
        """Drop locks, sockets and sessions inherited from the parent."""


_REGISTRY: weakref.WeakSet[ForkSafe] = weakref.WeakSet()
_GUARD = threading.Lock()


def register(obj: ForkSafe) -> ForkSafe:
    """Reset ``obj`` in every forked child; returns it, so a constructor can end with it."""
    with _GUARD:
        _REGISTRY.add(obj)
    return obj


def registered() -> list[ForkSafe]:
    """What a child would reset now (tests use it to check that a singleton is covered)."""
    with _GUARD:
        return list(_REGISTRY)


def _reset_in_child() -> None:
    global _GUARD
    _GUARD = threading.Lock()  # the parent's may have been held by another thread
    for obj in list(_REGISTRY):
        obj.reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)
