"""Uplink sets: membership of Ethernet networks, changed by coalesced eTag-checked writes.

Adding a network is GET, edit ``networkUris``, PUT the whole set: the classic lost update when two
Neutron workers do it at once. Here every membership change for one uplink set goes through a
:class:`Coalescer`: concurrent changes share one read-modify-write with the eTag, and a 412 from
someone outside this process re-reads and re-applies them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from ..coalesce import Coalescer
from ..connector import Connector
from ..etag import Change, UpdateResult, compose, update_with_etag
from ..tasks import TaskWaiter
from .base import ResourceFamily


def adding(network_uris: Iterable[str]) -> Change:
    wanted = list(dict.fromkeys(network_uris))

    def change(uplink_set: dict[str, Any]) -> bool:
        uris = uplink_set.setdefault("networkUris", [])
        missing = [uri for uri in wanted if uri not in uris]
        uris.extend(missing)
        return bool(missing)

    return change


def removing(network_uris: Iterable[str]) -> Change:
    unwanted = set(network_uris)

    def change(uplink_set: dict[str, Any]) -> bool:
        uris = uplink_set.get("networkUris") or []
        kept = [uri for uri in uris if uri not in unwanted]
        if len(kept) == len(uris):
            return False
        uplink_set["networkUris"] = kept
        if uplink_set.get("nativeNetworkUri") in unwanted:
            uplink_set["nativeNetworkUri"] = None
        return True

    return change


class UplinkSets(ResourceFamily):
    category = "uplink-sets"

    def __init__(self, connector: Connector, waiter: TaskWaiter) -> None:
        super().__init__(connector, waiter)
        self._coalescer: Coalescer[Change] = Coalescer(self._write, connector.metrics)

    def reset_after_fork(self) -> None:
        self._coalescer.reset_after_fork()

    def configure_coalescing(
        self,
        *,
        linger: float = 0.0,
        guard: Callable[[str], AbstractContextManager[Any]] | None = None,
    ) -> None:
        """Widen coalesced batches under contention (see :class:`Coalescer`)."""
        self._coalescer.linger = linger
        self._coalescer.guard = guard

    def _write(self, uri: str, changes: list[Change]) -> UpdateResult:
        return update_with_etag(self._connector, uri, compose(changes), waiter=self._waiter)

    def change_networks(self, id_or_uri: str, change: Change) -> UpdateResult:
        """Apply a membership change, coalesced with concurrent ones; waits for the task."""
        return self._coalescer.submit(self.uri(id_or_uri), change)

    def add_networks(self, id_or_uri: str, network_uris: Iterable[str]) -> UpdateResult:
        return self.change_networks(id_or_uri, adding(network_uris))

    def remove_networks(self, id_or_uri: str, network_uris: Iterable[str]) -> UpdateResult:
        return self.change_networks(id_or_uri, removing(network_uris))

    def networks(self, id_or_uri: str) -> list[str]:
        return list(self.get(id_or_uri).get("networkUris") or [])

    def for_logical_interconnect(self, li_uri: str) -> list[dict[str, Any]]:
        return [us for us in self.iter() if us.get("logicalInterconnectUri") == li_uri]
