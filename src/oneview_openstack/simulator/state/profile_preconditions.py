"""What a profile write must pass before it changes anything: the target hardware consistent
with the body, the server idle and (when the appliance is so configured) off, and the body's
boot, connections and configuration sections checked.

Apart from ``profiles`` because profile and template writes (``templates``) both run these
checks, and the profile module then reads as the profile's life: create, update, delete.
"""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest, Conflict, invalid_field
from ..store import Resource
from .core import Core, task_error
from .hardware import BUSY_STATES
from .profile_config import check_secure_boot, normalise_sections
from .profile_rules import MAC_TYPES, normalise_boot, normalise_boot_mode, normalise_connections

POWERED_ON_MESSAGE = (
    "Some server profile attributes cannot be changed while the server hardware is powered on."
)


def powered_on_error(server: Resource, sections: list[str]) -> dict[str, Any]:
    """The task error OneView gives for changes that need the server off."""
    listed = "".join(f" * {section}" for section in sections)
    return task_error(
        "ServerNotOffWithCauseForNoServerChange",
        POWERED_ON_MESSAGE,
        details=(
            f'The requested changes cannot be applied because {{"name":"{server["name"]}",'
            f'"uri":"{server["uri"]}"}} is powered on and the changes made to the following '
            f"sections can only be applied when the power is off:{listed}"
        ),
    )


def refuse_powered_on(core: Core, server: Resource, sections: list[str]) -> dict[str, Any]:
    """Raise the synchronous 409, or return the error for a failing task (configurable)."""
    if core.config.powered_on_error_channel == "sync":
        raise Conflict(
            POWERED_ON_MESSAGE,
            error_code="ServerNotOffWithCauseForNoServerChange",
            details=powered_on_error(server, sections)["details"],
            recommended_actions=["Power off the server hardware and retry the operation."],
        )
    return powered_on_error(server, sections)


def ensure_idle(core: Core, server: Resource | None) -> None:
    """Refuse (409) a write while the server is locked or busy."""
    if server is not None and (server.get("powerLock") or server.get("state") in BUSY_STATES):
        raise core.busy(server, "server hardware")


def target_hardware(
    core: Core, body: dict[str, Any], previous: Resource | None
) -> tuple[Resource | None, Resource, str | None]:
    """The target server, its hardware type and enclosure group, checked for consistency."""
    key_present = "serverHardwareUri" in body
    sh_uri = (
        body.get("serverHardwareUri") if key_present else (previous or {}).get("serverHardwareUri")
    )
    server = core.reference("serverHardwareUri", sh_uri, "server-hardware") if sh_uri else None
    sht_uri = body.get("serverHardwareTypeUri") or (server or {}).get("serverHardwareTypeUri")
    if not sht_uri:
        raise BadRequest(
            "A profile needs either 'serverHardwareUri' or 'serverHardwareTypeUri'.",
            error_code="INVALID_PARAMETER",
            details="serverHardwareUri=None, serverHardwareTypeUri=None",
        )
    sht = core.reference("serverHardwareTypeUri", sht_uri, "server-hardware-types")
    eg_uri = body.get("enclosureGroupUri")
    if server is not None:
        if sht_uri != server["serverHardwareTypeUri"]:
            raise BadRequest(
                f"The server hardware '{server['name']}' is of type "
                f"{server['serverHardwareTypeUri']}, not {sht_uri}.",
                error_code="INVALID_PARAMETER_SH_NOT_MATCH_SHT",
            )
        if eg_uri and eg_uri != server.get("serverGroupUri"):
            raise BadRequest(
                f"The server hardware '{server['name']}' is in enclosure group "
                f"{server.get('serverGroupUri')}, not {eg_uri}.",
                error_code="INVALID_PARAMETER_SH_NOT_MATCH_EG",
            )
        eg_uri = server.get("serverGroupUri")
    elif eg_uri:
        core.reference("enclosureGroupUri", eg_uri, "enclosure-groups")
    return server, sht, eg_uri


def checked_settings(
    core: Core,
    body: dict[str, Any],
    server: Resource | None,
    sht: Resource,
    previous: Resource | None,
) -> dict[str, Any]:
    """macType, boot, bootMode and connections of a body, checked (absent: ``previous``'s)."""
    mac_type = body.get("macType", (previous or {}).get("macType", "Virtual"))
    if mac_type not in MAC_TYPES:
        raise invalid_field("macType", mac_type, f"one of {MAC_TYPES}")
    old_connections = ((previous or {}).get("connectionSettings") or {}).get("connections", [])
    return {
        "macType": mac_type,
        "boot": normalise_boot(body.get("boot", (previous or {}).get("boot")), sht),
        "bootMode": normalise_boot_mode(
            body.get("bootMode", (previous or {}).get("bootMode")), sht
        ),
        "connections": normalise_connections(core, body, server, sht, mac_type, old_connections),
    }


def checked_config(
    core: Core,
    body: dict[str, Any],
    previous: Resource | None,
    sht: Resource,
    server: Resource | None,
    settings: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """The BIOS, local storage and firmware sections, checked; secure boot checked too.

    :raises SectionRefused: OneView's validation would fail the task.
    """
    check_secure_boot(settings["bootMode"], sht)
    return normalise_sections(body, previous, sht, server, core.store)
