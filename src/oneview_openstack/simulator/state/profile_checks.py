"""What every configuration-section check shares: the refusal (a task error naming the setting,
the value and what is accepted) and small readers of a JSON section."""

from __future__ import annotations

from typing import Any

from .core import task_error

CHECKED = ("Checked", "Unchecked")
CHECKED_COLLECTION = ("Checked", "CheckedMinimum", "Unchecked")


# Read-only bookkeeping OneView adds to a section; clients send it back on PUT.
READ_ONLY = ("reapplyState", "consistencyState")


class SectionRefused(Exception):
    """A configuration section OneView would not apply; ``error`` is the task error."""

    def __init__(self, code: str, message: str, accepted: str, action: str) -> None:
        super().__init__(message)
        self.error = task_error(code, message, details=f"Accepted: {accepted}")
        self.error["recommendedActions"] = [action]


def refuse(code: str, setting: str, value: Any, accepted: str, why: str = "") -> SectionRefused:
    reason = f" {why}" if why else ""
    return SectionRefused(
        code,
        f"The value {value!r} of '{setting}' is not valid.{reason} Accepted: {accepted}.",
        accepted,
        f"Change '{setting}' to an accepted value and retry.",
    )


def flag(section: dict[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise refuse("INVALID_PARAMETER", f"{where}.{key}", value, "true or false")
    return value


def compliance_control(
    section: dict[str, Any], where: str, allowed: tuple[str, ...] = CHECKED
) -> dict[str, Any]:
    if "complianceControl" not in section:
        return {}
    value = section["complianceControl"]
    if value not in allowed:
        raise refuse("INVALID_PARAMETER", f"{where}.complianceControl", value, " or ".join(allowed))
    return {"complianceControl": value}


def writable(section: Any) -> Any:
    """A section without OneView's read-only bookkeeping, to compare what a client asked for
    (a field that is null counts as absent: profiles show unused firmware fields as null)."""
    if not isinstance(section, dict):
        return section
    return {
        k: v
        for k, v in section.items()
        if k not in READ_ONLY and k != "complianceControl" and v is not None
    }


def as_object(raw: Any, where: str, shape: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise refuse("INVALID_PARAMETER", where, raw, shape)
    return raw
