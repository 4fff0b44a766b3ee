"""JSON shape of a /rest/logindomains member.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any


def login_domain(name: str, description: str | None) -> dict[str, Any]:
    """A /rest/logindomains member (its URI does not follow the /rest/<category>/<id> rule)."""
    return {
        "uri": f"/rest/logindomains/{name}",
        "category": "logindomains",
        "name": name,
        "description": description,
        "state": None,
        "status": None,
        "loginDomain": name,
    }
