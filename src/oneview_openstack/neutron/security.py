"""The driver's security-group stance for bare-metal ports (issue 15, QOS room)."""

from __future__ import annotations

from typing import Any


def vif_details() -> dict[str, Any]:
    """The ``binding:vif_details`` of a port this driver binds."""
    return {}


def check_port(port: dict[str, Any], opts: Any) -> None:
    """Precommit: refuse what the security-group options forbid on a bare-metal port."""
