"""Tolerant readers of OneView JSON fields: a missing or mistyped field is None or empty.

OneView versions and generations disagree on small things (a number sent as a string, a list left
out, ``null`` for empty); the views in ``configuration`` and ``storage_views`` read every field
through these, so one odd field never turns a whole body into an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text(value: Any) -> str | None:
    """A non-empty string (a number becomes its text), else None."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def integer(value: Any) -> int | None:
    """An int, a whole float or a decimal string as int, else None (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def whole_gb(value: Any) -> int | None:
    """A capacity in whole GB (fractions dropped), None when absent or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list (other members skipped); not a list: none."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def strings(value: Any) -> tuple[str, ...]:
    """The non-empty strings of a list; not a list: none."""
    if not isinstance(value, list):
        return ()
    return tuple(found for found in (text(v) for v in value) if found is not None)


def boolean(value: Any) -> bool | None:
    """True/False, or "true"/"false" in any case, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None
