"""Server hardware: reads, power with its task, sub-resources (sensors, storage, BIOS,
firmware), PATCH. Sub-resources come back as OneView's bodies; ``client.configuration`` parses
them (``current_bios``, ``firmware_components``, ``local_storage``).

A fleet-wide read is ``list()``/``iter()`` (OneView serves up to 32 servers per page); the
power-state sync's snapshot of it lives in ``ironic/snapshot.py``.
"""

from __future__ import annotations

from typing import Any

from . import json_patch
from .base import ResourceFamily

POWER_STATES = ("On", "Off")
POWER_CONTROLS = ("MomentaryPress", "PressAndHold", "ColdBoot", "Reset")
ONE_TIME_BOOT = ("Normal", "CD", "Floppy", "USB", "HDD", "Network")
UID_STATES = ("On", "Off", "Blink")


class ServerHardware(ResourceFamily):
    category = "server-hardware"

    def power_state(self, id_or_uri: str) -> str | None:
        return self.get(id_or_uri).get("powerState")

    def set_power_state(
        self,
        id_or_uri: str,
        power_state: str,
        power_control: str | None = None,
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """``PUT .../powerState``; returns the finished (or, without ``wait``, started) task.

        On + ColdBoot is a hard reset, On + Reset a warm one, Off + PressAndHold a forced off,
        Off + MomentaryPress a graceful shutdown.
        """
        if power_state not in POWER_STATES:
            raise ValueError(f"power_state must be one of {POWER_STATES}, got {power_state!r}")
        if power_control is not None and power_control not in POWER_CONTROLS:
            raise ValueError(
                f"power_control must be one of {POWER_CONTROLS}, got {power_control!r}"
            )
        body: dict[str, Any] = {"powerState": power_state}
        if power_control:
            body["powerControl"] = power_control
        return self._call(
            "PUT", self.uri(id_or_uri) + "/powerState", json=body, wait=wait, timeout=timeout
        )

    def environmental_configuration(self, id_or_uri: str) -> dict[str, Any]:
        return self._connector.get(self.uri(id_or_uri) + "/environmentalConfiguration") or {}

    def utilization(self, id_or_uri: str, fields: list[str] | None = None) -> dict[str, Any]:
        params = [("fields", ",".join(fields))] if fields else None
        return self._connector.get(self.uri(id_or_uri) + "/utilization", params) or {}

    def local_storage(self, id_or_uri: str) -> dict[str, Any]:
        """What OneView knows of the local disks (``localStorageV2``; may be empty)."""
        return self._connector.get(self.uri(id_or_uri) + "/localStorageV2") or {}

    def bios(self, id_or_uri: str) -> dict[str, Any]:
        """The BIOS values the server has now (``…/bios``: ``settings`` of ``{id, value}``)."""
        return self._connector.get_object(self.uri(id_or_uri) + "/bios")

    def firmware(self, id_or_uri: str) -> dict[str, Any]:
        """The installed firmware (``…/firmware``: ``components`` with name and version)."""
        return self._connector.get_object(self.uri(id_or_uri) + "/firmware")

    def patch(
        self, id_or_uri: str, operations: list[dict[str, Any]], *, wait: bool = True
    ) -> dict[str, Any]:
        """``PATCH`` the server (``replace`` of ``/uidState`` or ``/oneTimeBoot``); the task."""
        return json_patch.patch(
            self._connector, self._waiter, self.uri(id_or_uri), operations, wait=wait
        )

    def set_one_time_boot(self, id_or_uri: str, device: str, *, wait: bool = True) -> dict:
        """The device for the next boot only (``Normal`` clears it); OneView's own override."""
        if device not in ONE_TIME_BOOT:
            raise ValueError(f"device must be one of {ONE_TIME_BOOT}, got {device!r}")
        return self.patch(
            id_or_uri, [{"op": "replace", "path": "/oneTimeBoot", "value": device}], wait=wait
        )

    def set_uid_state(self, id_or_uri: str, state: str, *, wait: bool = True) -> dict:
        """The UID (identify) LED: ``On``, ``Off`` or ``Blink``."""
        if state not in UID_STATES:
            raise ValueError(f"state must be one of {UID_STATES}, got {state!r}")
        return self.patch(
            id_or_uri, [{"op": "replace", "path": "/uidState", "value": state}], wait=wait
        )
