"""Start-up configuration of the simulator: API versions, credentials, timings, rules and faults.

Every knob the contract marks as configurable lives here, so tests and the sandbox can reproduce a
particular appliance (an older API, a 400 on bad login, task Errors instead of synchronous 409s...).
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ApplianceError
from .faults import FaultRegistry
from .inventory import MAX_SERVERS

# Simulated seconds (min, max) per task kind; scaled by ``time_scale`` into real time (contract §11).
DEFAULT_TASK_DURATIONS: dict[str, tuple[float, float]] = {
    "power": (5.0, 20.0),
    "profile_apply": (60.0, 300.0),
    "profile_update": (20.0, 60.0),
    "profile_delete": (20.0, 60.0),
    "network": (1.0, 5.0),
    "uplink_set": (10.0, 60.0),
    # A set change is pushed to every logical interconnect carrying it [chosen, not measured].
    "network_set": (5.0, 20.0),
    "lig": (10.0, 60.0),
    "refresh": (5.0, 15.0),
    "patch": (1.0, 3.0),
    # Added to a profile task that applies the section (room SIM-B; docs/simulator.md).
    "bios": (60.0, 180.0),
    "local_storage": (60.0, 240.0),
    "firmware": (1800.0, 3600.0),
}

_EXPECTED_TYPES = {
    "seed": "int",
    "servers": "int",
    "current_api_version": "int",
    "minimum_api_version": "int",
    "strict_api_version_header": "bool",
    "username": "str",
    "password": "str",
    "login_domains": "list[str]",
    "login_failure_status": "int",
    "idle_timeout_seconds": "number",
    "session_limit": "int",
    "session_limit_per_client": "int",
    "time_scale": "number",
    "task_durations": "dict",
    "page_caps": "dict",
    "profile_changes_need_power_off": "bool",
    "connection_add_remove_needs_power_off": "bool",
    "powered_on_error_channel": "str",
    "faults": "list",
    "check_conformance": "bool",
    "conformance_schemas": "str",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


DEFAULT_PAGE_CAPS: dict[str, int] = {
    "server-hardware": 32,
    "server-profile-templates": 64,
    "default": 256,
}


@dataclass
class SimulatorConfig:
    """All settings; ``SimulatorConfig.load(path)`` reads the same fields from TOML or JSON."""

    seed: int = 0
    servers: int = 16
    current_api_version: int = 2800
    minimum_api_version: int = 120
    # Missing X-API-Version: treated as currentVersion, or 400 when strict (contract §1).
    strict_api_version_header: bool = False
    username: str = "Administrator"
    password: str = "oneview-sim"  # noqa: S105 - a simulator's well-known default
    login_domains: list[str] = field(default_factory=lambda: ["LOCAL", "corp.example"])
    # Bad credentials: 401 on modern appliances, 400 on the one python-oneviewclient knew.
    login_failure_status: int = 401
    idle_timeout_seconds: float = 24 * 3600.0
    session_limit: int = 2400
    session_limit_per_client: int = 960
    # Real seconds per simulated second: 0.001 turns a 60 s profile apply into 60 ms.
    time_scale: float = 1.0
    task_durations: dict[str, tuple[float, float]] = field(
        default_factory=lambda: dict(DEFAULT_TASK_DURATIONS)
    )
    page_caps: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PAGE_CAPS))
    # Profile assign/delete and boot order/mode edits need the server off.
    profile_changes_need_power_off: bool = True
    # Adding or removing a profile connection needs the server off (moving one does not).
    connection_add_remove_needs_power_off: bool = True
    # How "server is powered on" refusals arrive: "sync" (409 at once) or "task" (task Error).
    powered_on_error_channel: str = "sync"
    faults: list[dict[str, Any]] = field(default_factory=list)
    # Check every OneView answer against simulator/schemas (GET /_sim/conformance); read when the
    # app is created, so a reset keeps the check the app started with.
    check_conformance: bool = False
    # Another schema directory to check against ("" = the package's simulator/schemas).
    conformance_schemas: str = ""

    def task_duration_range(self, kind: str) -> tuple[float, float]:
        low, high = self.task_durations.get(kind, (1.0, 5.0))
        return float(low), float(high)

    def page_cap(self, category: str) -> int:
        return int(self.page_caps.get(category, self.page_caps.get("default", 256)))

    def validate(self) -> None:
        """Refuse settings that would make the simulator lie, naming the field and the value."""
        self._check_types()
        if self.time_scale <= 0:
            raise ValueError(
                f"time_scale must be > 0 (real seconds per simulated second), got {self.time_scale!r}"
            )
        if not 1 <= self.minimum_api_version <= self.current_api_version:
            raise ValueError(
                "minimum_api_version must be between 1 and current_api_version, got "
                f"{self.minimum_api_version!r} and {self.current_api_version!r}"
            )
        if self.login_failure_status not in (400, 401):
            raise ValueError(
                f"login_failure_status must be 400 or 401, got {self.login_failure_status!r}"
            )
        if self.powered_on_error_channel not in ("sync", "task"):
            raise ValueError(
                "powered_on_error_channel must be 'sync' or 'task', got "
                f"{self.powered_on_error_channel!r}"
            )
        if not 0 <= self.servers <= MAX_SERVERS:
            raise ValueError(f"servers must be within 0..{MAX_SERVERS}, got {self.servers!r}")
        for name in ("idle_timeout_seconds", "session_limit", "session_limit_per_client"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for kind, bounds in self.task_durations.items():
            if (
                not isinstance(bounds, tuple | list)
                or len(bounds) != 2
                or not all(_is_number(b) for b in bounds)
                or not 0 <= bounds[0] <= bounds[1]
            ):
                raise ValueError(
                    f"task_durations[{kind!r}] must be [min, max] with 0 <= min <= max, got {bounds!r}"
                )
        for category, cap in self.page_caps.items():
            if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
                raise ValueError(f"page_caps[{category!r}] must be an integer >= 1, got {cap!r}")
        if self.conformance_schemas and not Path(self.conformance_schemas).is_dir():
            raise ValueError(
                "conformance_schemas must be a directory of schema files, got "
                f"{self.conformance_schemas!r}"
            )
        try:
            FaultRegistry(self.seed).arm_all(self.faults)
        except ApplianceError as error:
            raise ValueError(f"faults: {error.message}") from error

    def _check_types(self) -> None:
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            expected = _EXPECTED_TYPES.get(spec.name)
            if expected == "number" and not _is_number(value):
                raise ValueError(f"{spec.name} must be a number, got {value!r}")
            if expected == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"{spec.name} must be an integer, got {value!r}")
            if expected == "bool" and not isinstance(value, bool):
                raise ValueError(f"{spec.name} must be true or false, got {value!r}")
            if expected == "str" and not isinstance(value, str):
                raise ValueError(f"{spec.name} must be a string, got {value!r}")
            if expected == "dict" and not isinstance(value, dict):
                raise ValueError(f"{spec.name} must be a table/object, got {value!r}")
            if expected == "list[str]" and (
                not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
            ):
                raise ValueError(f"{spec.name} must be a list of non-empty strings, got {value!r}")
            if expected == "list" and not isinstance(value, list):
                raise ValueError(f"{spec.name} must be a list, got {value!r}")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> SimulatorConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown simulator settings {unknown}; known settings: {sorted(known)}"
            )
        merged = dict(values)
        if "task_durations" in merged:
            merged["task_durations"] = {
                **DEFAULT_TASK_DURATIONS,
                **{k: tuple(v) for k, v in merged["task_durations"].items()},
            }
        if "page_caps" in merged:
            merged["page_caps"] = {**DEFAULT_PAGE_CAPS, **merged["page_caps"]}
        config = cls(**merged)
        config.validate()
        return config

    @classmethod
    def load(cls, path: str | Path) -> SimulatorConfig:
        path = Path(path)
        text = path.read_text()
        values = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        return cls.from_mapping(values)
