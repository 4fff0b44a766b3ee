"""The one error every profile-section builder raises for a value OneView would refuse."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .configuration import HardwareTypeConfig

LISTED = 20  # values named in an error before "... (N in all)"


class SettingRejected(ValueError):
    """A value OneView would refuse: names the field, the value and what would be accepted."""

    def __init__(self, field: str, value: Any, accepted: str, *, reason: str | None = None):
        self.field = field
        self.value = value
        self.accepted = accepted
        self.reason = reason
        if reason is None:
            text = f"{field}: value {value!r} is not {accepted}"
        else:
            text = f"{field}: value {value!r} {reason}; accepted: {accepted}"
        super().__init__(text)


def one_of(values: Iterable[str], what: str = "") -> str:
    """``"one of A, B, C"`` (at most 20 named), or ``"nothing: <what> offers none"``."""
    listed = list(values)
    if not listed:
        return f"nothing ({what} offers none)" if what else "nothing (none is offered)"
    shown = ", ".join(listed[:LISTED])
    if len(listed) > LISTED:
        shown += f", ... ({len(listed)} in all)"
    return f"one of {shown}"


def type_name(config: HardwareTypeConfig) -> str:
    """``hardware type <name>`` of a HardwareTypeConfig, for error texts."""
    return f"hardware type {config.name or config.uri or '(unnamed)'}"
