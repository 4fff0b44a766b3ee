"""Network sets: the VLAN trunks a profile connection can point at.

A set lists Tagged networks (``networkUris``) and at most one of them travels untagged
(``nativeNetworkUri``). Like an uplink set, a PUT replaces the whole member list, so two writers
that read-edit-write at once lose one edit; every membership change here goes through a
:class:`Coalescer` and an eTag-checked write, and a 412 re-reads and re-applies the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..coalesce import Coalescer
from ..connector import Connector
from ..etag import Change, UpdateResult, compose, update_with_etag
from ..tasks import TaskWaiter
from .base import ResourceFamily
from .uplink_sets import adding, removing

SET_TYPES = ("Regular", "Large")

__all__ = ["SET_TYPES", "NetworkSets", "adding", "exactly", "removing"]


def exactly(network_uris: Iterable[str], native_uri: str | None) -> Change:
    """Members become ``network_uris`` (order kept) and the native network ``native_uri``."""
    wanted = list(dict.fromkeys(network_uris))
    if native_uri is not None and native_uri not in wanted:
        wanted.insert(0, native_uri)

    def change(network_set: dict[str, Any]) -> bool:
        current = list(network_set.get("networkUris") or [])
        same = set(current) == set(wanted) and network_set.get("nativeNetworkUri") == native_uri
        if same:
            return False
        network_set["networkUris"] = wanted
        network_set["nativeNetworkUri"] = native_uri
        return True

    return change


class NetworkSets(ResourceFamily):
    category = "network-sets"

    def __init__(self, connector: Connector, waiter: TaskWaiter) -> None:
        super().__init__(connector, waiter)
        self._coalescer: Coalescer[Change] = Coalescer(self._write, connector.metrics)

    def _write(self, uri: str, changes: list[Change]) -> UpdateResult:
        return update_with_etag(self._connector, uri, compose(changes), waiter=self._waiter)

    def create(
        self,
        name: str,
        network_uris: Iterable[str],
        native_uri: str | None,
        set_type: str = "Regular",
        *,
        extra: dict[str, Any] | None = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """Create the set and return it (after its task ends, with ``wait``).

        An unclear failure (connection lost, 5xx) looks for the set by name before sending the
        POST again (see :class:`ResourceFamily`).

        :raises ValueError: ``set_type`` is not Regular or Large.
        :raises BadRequest: OneView refused the members (an Untagged network, a VLAN twice...).
        :raises TaskFailed: OneView's task for the create ended in error.
        """
        if set_type not in SET_TYPES:
            raise ValueError(f"set_type must be one of {SET_TYPES}, got {set_type!r}")
        members = list(dict.fromkeys(network_uris))
        if native_uri is not None and native_uri not in members:
            members.insert(0, native_uri)
        body: dict[str, Any] = {
            "name": name,
            "networkUris": members,
            "nativeNetworkUri": native_uri,
            "networkSetType": set_type,
            **(extra or {}),
        }
        return self._create(body, find=lambda: self.find_by_name(name), wait=wait)

    def update_members(
        self, id_or_uri: str, change: Change, *, linger: float | None = None
    ) -> UpdateResult:
        """Apply a membership change (:func:`adding`, :func:`removing`, :func:`exactly`),
        coalesced with concurrent ones into one eTag-checked PUT; waits for its task.

        :param linger: seconds a batch led by this call waits for more changes when it had to
            wait for a previous write (widens batches under contention; default none).
        :raises PreconditionFailed: the set kept changing (``etag_update_attempts``).
        :raises BadRequest: OneView refused this change (e.g. a network its servers' logical
            interconnect does not carry).
        :raises TaskFailed: OneView's task for the write ended in error.
        :raises TaskTimeout: that task did not end in time.
        """
        return self._coalescer.submit(self.uri(id_or_uri), change, linger=linger)

    def members(self, id_or_uri: str) -> list[str]:
        return list(self.get(id_or_uri).get("networkUris") or [])

    def delete(self, id_or_uri: str, *, wait: bool = True) -> dict[str, Any]:
        """:raises Conflict: a profile connection still uses the set."""
        return self._call("DELETE", self.uri(id_or_uri), wait=wait)
