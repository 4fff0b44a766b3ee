"""Server hardware: reads, power with its task, and a fleet-wide power snapshot.

The snapshot is how a power-state sync of many Ironic nodes costs a handful of requests: it walks
the collection page by page (OneView serves up to 32 servers per page) instead of one GET per node.
"""

from __future__ import annotations

from typing import Any

from .base import ResourceFamily

POWER_STATES = ("On", "Off")
POWER_CONTROLS = ("MomentaryPress", "PressAndHold", "ColdBoot", "Reset")


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

    def power_snapshot(self, filters: list[str] | str | None = None) -> dict[str, dict[str, Any]]:
        """``{uri: {powerState, powerLock, state, serverProfileUri, status}}`` for the fleet."""
        keep = ("name", "powerState", "powerLock", "state", "serverProfileUri", "status")
        return {
            server["uri"]: {key: server.get(key) for key in keep}
            for server in self.iter(filters=filters)
            if isinstance(server.get("uri"), str)
        }

    def remote_console_url(self, id_or_uri: str) -> str | None:
        return (self._connector.get(self.uri(id_or_uri) + "/remoteConsoleUrl") or {}).get(
            "remoteConsoleUrl"
        )

    def environmental_configuration(self, id_or_uri: str) -> dict[str, Any]:
        return self._connector.get(self.uri(id_or_uri) + "/environmentalConfiguration") or {}

    def utilization(self, id_or_uri: str, fields: list[str] | None = None) -> dict[str, Any]:
        params = [("fields", ",".join(fields))] if fields else None
        return self._connector.get(self.uri(id_or_uri) + "/utilization", params) or {}
