"""What each server booted from at each power-on, and the operating system switching it off.

A real server reads its one-time boot override (``oneTimeBoot``) first and its profile's boot
order after; OneView shows neither as a history. The sandbox needs one: its agent launcher starts
ironic-python-agent only for a server that booted from the network, and tests judge that a boot
order change reached the server before the power-on that used it. ``GET /_sim/boots`` is that
record, oldest first, each with a ``sequence`` that only grows (per simulator; a reset clears the
history, not the sequence), so a poller asks for ``?since=<last sequence>`` and never misses or
repeats one.

The OS-initiated power-off is what ``poweroff`` inside the server does: no OneView task, no power
lock, just ``powerState`` Off (and, for a ``reboot``, a new power-on right away).

Bounded like the edit history: the newest ``KEPT`` boots are kept.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from ..errors import Conflict
from ..store import Resource
from .core import Core

KEPT = 20_000
# oneTimeBoot values and profile boot-order names -> the device the server booted from.
ONE_TIME_DEVICES = {"Network": "Network", "HDD": "HardDisk", "CD": "CD", "USB": "USB",
                    "Floppy": "Floppy"}  # fmt: skip
ORDER_DEVICES = {"PXE": "Network", "HardDisk": "HardDisk", "CD": "CD", "USB": "USB",
                 "Floppy": "Floppy", "FibreChannelHba": "FibreChannelHba"}  # fmt: skip
# A server without a profile that manages its boot order boots from its own BIOS setting.
UNMANAGED = "Unmanaged"


@dataclass(frozen=True)
class Boot:
    sequence: int
    server_uri: str
    server_name: str
    device: str
    source: str  # "oneTimeBoot", "bootOrder" or "unmanaged": which setting chose the device
    at: str  # ISO time (the simulator's clock)
    simulated_seconds: float

    def render(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "serverUri": self.server_uri,
            "serverName": self.server_name,
            "device": self.device,
            "source": self.source,
            "at": self.at,
            "simulatedSeconds": self.simulated_seconds,
        }


class Boots:
    def __init__(self, core: Core, kept: int = KEPT, *, after: Boots | None = None) -> None:
        """``after``: the record this one replaces (``/_sim/reset``): its history goes, its
        sequence carries on, so a poller holding ``since`` still sees every later boot."""
        self._core = core
        self._boots: deque[Boot] = deque(maxlen=kept)
        self._sequence: int = after.last_sequence if after is not None else 0

    @property
    def last_sequence(self) -> int:
        return self._sequence

    def device_for(self, server: Resource) -> tuple[str, str]:
        """(device, source) the server boots from now: one-time override, else boot order."""
        one_time = server.get("oneTimeBoot")
        if one_time not in (None, "Normal"):
            return ONE_TIME_DEVICES.get(str(one_time), str(one_time)), "oneTimeBoot"
        profile = self._core.store.find(server.get("serverProfileUri"))
        boot = (profile or {}).get("boot") or {}
        order = boot.get("order") or []
        if boot.get("manageBoot") and order:
            return ORDER_DEVICES.get(str(order[0]), str(order[0])), "bootOrder"
        return UNMANAGED, "unmanaged"

    def powered_on(self, server: Resource) -> Boot:
        """The server has just come on: record what it booted from (before the one-time boot
        override is used up)."""
        device, source = self.device_for(server)
        self._sequence += 1
        clock = self._core.clock
        boot = Boot(
            sequence=self._sequence,
            server_uri=server["uri"],
            server_name=str(server.get("name")),
            device=device,
            source=source,
            at=clock.iso(),
            simulated_seconds=clock.now(),
        )
        self._boots.append(boot)
        return boot

    def render(self, server_uri: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return [
            b.render()
            for b in self._boots
            if b.sequence > since and (server_uri is None or b.server_uri == server_uri)
        ]

    def os_power_off(self, server: Resource, *, restart: bool = False) -> dict[str, Any]:
        """The operating system shut the server down (``poweroff``) or restarted it (``reboot``).

        :raises: Conflict when the server is not on (an OS that is not running cannot shut
            anything down).
        """
        if server.get("powerState") != "On":
            raise Conflict(
                f"The server '{server.get('name')}' is {server.get('powerState')}, not On: "
                "no operating system runs on it to power it off.",
                error_code="SERVER_NOT_ON",
                recommended_actions=["Power the server on first."],
            )
        server["powerState"] = "Off"
        self._core.store.touch(server)
        result: dict[str, Any] = {"powerState": "Off"}
        if restart:
            server["powerState"] = "On"
            boot = self.powered_on(server)
            if server.get("oneTimeBoot") not in (None, "Normal"):
                server["oneTimeBoot"] = "Normal"
            self._core.store.touch(server)
            result = {"powerState": "On", "boot": boot.render()}
        return result
