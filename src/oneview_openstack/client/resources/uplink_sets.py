"""Uplink sets: membership of Ethernet networks, changed by coalesced eTag-checked writes.

Adding a network is GET, edit ``networkUris``, PUT the whole set: the classic lost update when two
Neutron workers do it at once. Here every membership change for one uplink set goes through a
:class:`Coalescer`: concurrent changes share one read-modify-write with the eTag, and a 412 from
someone outside this process re-reads and re-applies them all.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
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

    def configure_coalescing(self, *, linger: float = 0.0) -> None:
        """Deprecated: pass ``linger=`` to :meth:`add_networks` and friends instead.

        It changes the default of every caller sharing this client (action at a distance).
        """
        warnings.warn(
            "UplinkSets.configure_coalescing() is deprecated: pass linger= to add_networks(), "
            "remove_networks() or change_networks() instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        self._coalescer.linger = linger

    def _write(self, uri: str, changes: list[Change]) -> UpdateResult:
        return update_with_etag(self._connector, uri, compose(changes), waiter=self._waiter)

    def change_networks(
        self, id_or_uri: str, change: Change, *, linger: float | None = None
    ) -> UpdateResult:
        """Apply a membership change, coalesced with concurrent ones; waits for the task.

        :param linger: seconds a batch led by this call waits for more changes when it had to
            wait for a previous write (widens batches under contention; default none).
        :raises PreconditionFailed: the uplink set kept changing (``etag_update_attempts``).
        :raises BadRequest: OneView refused this change (e.g. a VLAN the set already carries).
        :raises TaskFailed: OneView's task for the write ended in error.
        :raises TaskTimeout: that task did not end in time.
        """
        return self._coalescer.submit(self.uri(id_or_uri), change, linger=linger)

    def add_networks(
        self, id_or_uri: str, network_uris: Iterable[str], *, linger: float | None = None
    ) -> UpdateResult:
        """Add networks to the uplink set (see :meth:`change_networks` for errors)."""
        return self.change_networks(id_or_uri, adding(network_uris), linger=linger)

    def remove_networks(
        self, id_or_uri: str, network_uris: Iterable[str], *, linger: float | None = None
    ) -> UpdateResult:
        """Remove networks from the uplink set (see :meth:`change_networks` for errors)."""
        return self.change_networks(id_or_uri, removing(network_uris), linger=linger)

    def networks(self, id_or_uri: str) -> list[str]:
        return list(self.get(id_or_uri).get("networkUris") or [])
