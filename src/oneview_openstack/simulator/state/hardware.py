"""Server hardware: power with its rules and tasks, refresh, PATCH, and the read-only sub-resources."""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest, Conflict, invalid_field
from ..store import Resource
from ..tasks import Task
from . import server_config
from .boots import Boots
from .core import Core, task_error

POWER_STATES = ("On", "Off")
POWER_CONTROLS = ("MomentaryPress", "PressAndHold", "ColdBoot", "Reset")
TRANSITIONAL = ("PoweringOn", "PoweringOff", "Resetting")
BUSY_STATES = ("ApplyingProfile", "RemovingProfile", "UpdatingFirmware")
ONE_TIME_BOOT = ("Normal", "CD", "Floppy", "USB", "HDD", "Network")
UID_STATES = ("On", "Off", "Blink")
# Private (never rendered) server field: when an out-of-band power lock ends. While it is set,
# the lock outlives any operation that settles the server.
LOCK_UNTIL = "_powerLockUntil"


def power_not_allowed(server: Resource) -> Conflict:
    return Conflict(
        f"Power control is not allowed on '{server['name']}' at this time.",
        error_code="POWER_CONTROL_NOT_ALLOWED",
        recommended_actions=[
            "Try the operation later after the profile configuration has completed."
        ],
    )


class Hardware:
    def __init__(self, core: Core, boots: Boots) -> None:
        self._core = core
        self._boots = boots

    def server(self, uri: str) -> Resource:
        return self._core.store.get(uri)

    def set_power(self, uri: str, body: Any) -> Task:
        core = self._core
        server = self.server(uri)
        if not isinstance(body, dict):
            raise BadRequest(
                "The power request body must be a JSON object.", error_code="INVALID_JSON"
            )
        target = body.get("powerState")
        control = body.get("powerControl") or "MomentaryPress"
        if target not in POWER_STATES or control not in POWER_CONTROLS:
            raise BadRequest(
                f"Invalid power control request: powerState={target!r}, powerControl={control!r}.",
                error_code="INVALID_POWER_CONTROL_REQUEST",
                details=f"powerState must be one of {POWER_STATES}; powerControl one of {POWER_CONTROLS}.",
                recommended_actions=[
                    "Change the power control request specifying an operation and target power state "
                    "appropriate to the present server power state."
                ],
            )
        if server.get("powerLock") or server.get("state") in BUSY_STATES:
            raise power_not_allowed(server)
        current = server.get("powerState")
        if current in TRANSITIONAL:
            raise power_not_allowed(server)
        reset = control in ("ColdBoot", "Reset")
        if reset and target == "Off":
            raise BadRequest(
                f"powerControl {control} needs powerState On.",
                error_code="INVALID_POWER_CONTROL_REQUEST",
                recommended_actions=["Use powerState On with ColdBoot or Reset."],
            )
        if control == "PressAndHold" and target == "On":
            # PressAndHold is the forced power-off; there is no forced power-on (contract §5).
            raise BadRequest(
                "powerControl PressAndHold needs powerState Off.",
                error_code="INVALID_POWER_CONTROL_REQUEST",
                recommended_actions=[
                    "Change the power control request specifying an operation and target power "
                    "state appropriate to the present server power state."
                ],
            )
        if reset and current != "On":
            code = "COLDBOOT" if control == "ColdBoot" else "RESET"
            verb = "cold boot" if control == "ColdBoot" else "reset"
            # Wording of OneView's messages (contract §5): "boot", not "cold boot", in the action.
            action = "boot" if control == "ColdBoot" else "reset"
            raise BadRequest(
                f"Unable to {verb} because the server is currently off.",
                error_code=f"INVALID_POWER_CONTROL_REQUEST_POWER_{code}_OFF",
                recommended_actions=[f"Power the server on to {action} the server."],
            )
        name = "Reset" if reset else f"Power {target.lower()}"
        status_text = f"{name} Server: {server['name']}"
        if not reset and current == target:
            # Already there: accepted, and the task is over at once (contract §5 default).
            task = core.run_task(
                kind="power", name=name, resource=server, status_text=status_text, duration=0.0
            )
            if task.stuck_percent is None:
                core.tasks.finish_now(task)
            return task
        server["powerState"] = "Resetting" if reset else f"Powering{target}"
        core.store.touch(server)
        anomaly = next((f for f in core.context.task_faults if f.kind == "power_anomaly"), None)

        def done(_task: Task) -> None:
            final = anomaly.params.get("final_state", "Unknown") if anomaly else target
            server["powerState"] = final
            if final == "On":
                self._boots.powered_on(server)  # what it boots from, before the override goes
            if final == "On" and server.get("oneTimeBoot") not in (None, "Normal"):
                server["oneTimeBoot"] = "Normal"  # a one-time boot is used up by the boot
            core.store.touch(server)

        def failed(_task: Task) -> None:
            server["powerState"] = current
            core.store.touch(server)

        return core.run_task(
            kind="power",
            name=name,
            resource=server,
            status_text=status_text,
            on_success=done,
            on_failure=failed,
            steps=[status_text, f"{name} completed."],
        )

    def refresh(self, uri: str, body: Any) -> Task:
        server = self.server(uri)
        value = body.get("refreshState") if isinstance(body, dict) else None
        if value != "RefreshPending":
            raise invalid_field("refreshState", value, "'RefreshPending'")
        server["refreshState"] = "Refreshing"
        self._core.store.touch(server)

        def done(_task: Task) -> None:
            server["refreshState"] = "NotRefreshing"
            self._core.store.touch(server)

        return self._core.run_task(
            kind="refresh",
            name="Refresh",
            resource=server,
            status_text=f"Refresh server hardware: {server['name']}",
            on_success=done,
            on_failure=done,
        )

    def patch(self, uri: str, body: Any) -> Task:
        server = self.server(uri)
        if not isinstance(body, list) or not body:
            raise BadRequest(
                "A PATCH body must be a non-empty JSON array of operations.",
                error_code="INVALID_JSON_PATCH",
            )
        changes: dict[str, Any] = {}
        for op in body:
            if not isinstance(op, dict) or op.get("op") != "replace":
                raise invalid_field(
                    "op", op, "a {'op': 'replace', 'path': ..., 'value': ...} object"
                )
            path, value = op.get("path"), op.get("value")
            if path == "/uidState" and value in UID_STATES:
                changes["uidState"] = value
            elif path == "/oneTimeBoot" and value in ONE_TIME_BOOT:
                changes["oneTimeBoot"] = value
            elif path in ("/uidState", "/oneTimeBoot"):
                allowed = UID_STATES if path == "/uidState" else ONE_TIME_BOOT
                raise invalid_field(path, value, f"one of {allowed}")
            else:
                raise invalid_field("path", path, "'/uidState' or '/oneTimeBoot'")

        def done(_task: Task) -> None:
            server.update(changes)
            self._core.store.touch(server)

        return self._core.run_task(
            kind="patch",
            name="Update",
            resource=server,
            status_text=f"Update server hardware: {server['name']}",
            on_success=done,
        )

    # -- read-only sub-resources ----------------------------------------------------------
    def _address(self, server: Resource) -> str:
        for entry in (server.get("mpHostInfo") or {}).get("mpIpAddresses", []):
            if entry.get("type") != "LinkLocal":
                return entry["address"]
        return server.get("mpIpAddress") or "127.0.0.1"

    def remote_console_url(self, uri: str) -> dict[str, str]:
        server = self.server(uri)
        key = f"{self._core.rng.getrandbits(128):032x}"
        return {"remoteConsoleUrl": f"hplocons://addr={self._address(server)}&sessionkey={key}"}

    def java_remote_console_url(self, uri: str) -> dict[str, str]:
        server = self.server(uri)
        return {"javaRemoteConsoleUrl": f"https://{self._address(server)}/html/java_irc.html"}

    def ilo_sso_url(self, uri: str) -> dict[str, str]:
        server = self.server(uri)
        return {"iloSsoUrl": f"https://{self._address(server)}/grcapi/singleSignOn"}

    def environmental_configuration(self, uri: str) -> dict[str, Any]:
        server = self.server(uri)
        env = server.get("_environment") or {}
        peak = int(env.get("peakPowerW", 500))
        return {
            "uri": f"{uri}/environmentalConfiguration",
            "calibratedMaxPower": peak,
            "capHistorySupported": True,
            "historySampleIntervalSeconds": 300,
            "historyBufferSize": 864,
            "idleMaxPower": int(env.get("averagePowerW", 150) * 0.6),
            "powerHistorySupported": True,
            "thermalHistorySupported": True,
            "utilizationHistorySupported": True,
            "licenseRequirement": "",
            "powerCapType": "",
            "psuList": [],
        }

    def utilization(self, uri: str, fields: str | None) -> dict[str, Any]:
        server = self.server(uri)
        env = server.get("_environment") or {}
        on = server.get("powerState") == "On"
        now_ms = self._core.clock.wall_ms()
        sample_time = now_ms - now_ms % 300_000
        metrics = {
            "AmbientTemperature": (env.get("ambientTemperatureC", 22), 35),
            "CpuUtilization": (37 if on else 0, 100),
            "CpuAverageFreq": (2300 if on else 0, 3700),
            "AveragePower": (
                env.get("averagePowerW", 200) if on else 12,
                env.get("peakPowerW", 500),
            ),
            "PeakPower": (env.get("peakPowerW", 300) if on else 15, env.get("peakPowerW", 500)),
            "PowerCap": (env.get("peakPowerW", 500), env.get("peakPowerW", 500)),
        }
        wanted = [name.strip() for name in (fields or "").split(",") if name.strip()]
        unknown = [name for name in wanted if name not in metrics]
        if unknown:
            raise invalid_field(
                "fields", ",".join(unknown), f"metric names among {sorted(metrics)}"
            )
        return {
            "uri": f"{uri}/utilization",
            "resolution": 300000,
            "isFresh": True,
            "refreshTaskUri": None,
            "oldestSampleTime": self._core.clock.iso(),
            "newestSampleTime": self._core.clock.iso(),
            "sliceStartTime": self._core.clock.iso(),
            "sliceEndTime": self._core.clock.iso(),
            "metricList": [
                {
                    "metricName": name,
                    "metricCapacity": capacity,
                    "metricSamples": [[sample_time, value]],
                }
                for name, (value, capacity) in metrics.items()
                if not wanted or name in wanted
            ],
        }

    def local_storage(self, uri: str, leaf: str = "localStorageV2") -> dict[str, Any]:
        """Controllers with their physical and logical drives (``_storage``)."""
        return server_config.local_storage_body(uri, self.server(uri), leaf)

    def bios(self, uri: str) -> dict[str, Any]:
        """Current BIOS values (``_bios``)."""
        return server_config.bios_body(uri, self.server(uri))

    def firmware(self, uri: str) -> dict[str, Any]:
        """Installed firmware components (``_firmware``)."""
        return server_config.firmware_body(uri, self.server(uri))


def taken_error(server: Resource) -> dict[str, Any]:
    return task_error(
        "ProfileAlreadyExistsInServer",
        "A profile is already assigned to the server hardware "
        f'{{"name":"{server["name"]}","uri":"{server["uri"]}"}}.',
    )
