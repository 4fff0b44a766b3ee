"""Server profiles: create (from a template), read, eTag-safe edits of boot and connections, delete.

Connections live under ``connectionSettings.connections`` from API 600 and at the top level
before; :func:`connections_of` hides the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..etag import UpdateResult
from . import json_patch
from .base import ResourceFamily

BOOT_MODES = ("BIOS", "UEFI", "UEFIOptimized")
UPDATE_FROM_TEMPLATE = [{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]
ConnectionsChange = Callable[[list[dict[str, Any]]], bool]


def connections_of(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's connection list, in place (edits to it edit the profile)."""
    settings = profile.get("connectionSettings")
    if isinstance(settings, dict) or "connections" not in profile:
        settings = profile.setdefault("connectionSettings", settings or {})
        return settings.setdefault("connections", [])
    return profile["connections"]


class ServerProfiles(ResourceFamily):
    category = "server-profiles"

    def create(
        self, body: dict[str, Any], *, force: str | None = None, wait: bool = True
    ) -> dict[str, Any]:
        """POST a profile body; returns the applied profile (with ``wait``) or the task."""
        name = body.get("name")
        if not name:
            raise ValueError("a server profile needs a name")
        params = [("force", force)] if force else None
        return self._create(body, find=lambda: self.find_by_name(name), params=params, wait=wait)

    def create_from_template(
        self,
        template_uri: str,
        name: str,
        server_hardware_uri: str,
        *,
        detach: bool = True,
        customise: Callable[[dict[str, Any]], None] | None = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """Template ``new-profile`` + name + server, then POST.

        ``detach`` blanks ``serverProfileTemplateUri`` (what Ironic did) so later template
        edits do not make the profile non-compliant; ``customise`` may edit the body first.
        """
        body = self._connector.get(template_uri.rstrip("/") + "/new-profile") or {}
        body.update(name=name, serverHardwareUri=server_hardware_uri)
        if detach:
            body["serverProfileTemplateUri"] = ""
        for key in ("uri", "eTag", "created", "modified"):
            body.pop(key, None)
        if customise is not None:
            customise(body)
        return self.create(body, wait=wait)

    def update(
        self, id_or_uri: str, change: Callable[[dict[str, Any]], bool], *, wait: bool = True
    ) -> UpdateResult:
        """Read, apply ``change`` (in place; True if it changed anything), PUT with the eTag.

        Without ``wait`` the result's ``task`` is the started task (steps poll it themselves).
        """
        return self._update(id_or_uri, change, wait=wait)

    def set_boot_order(self, id_or_uri: str, order: list[str]) -> UpdateResult:
        def change(profile: dict[str, Any]) -> bool:
            boot = profile.setdefault("boot", {})
            if boot.get("order") == list(order) and boot.get("manageBoot"):
                return False
            boot.update(manageBoot=True, order=list(order))
            return True

        return self.update(id_or_uri, change)

    def set_boot_mode(
        self, id_or_uri: str, mode: str, pxe_boot_policy: str | None = None
    ) -> UpdateResult:
        if mode not in BOOT_MODES:
            raise ValueError(f"mode must be one of {BOOT_MODES}, got {mode!r}")

        def change(profile: dict[str, Any]) -> bool:
            wanted = {"manageMode": True, "mode": mode}
            if pxe_boot_policy:
                wanted["pxeBootPolicy"] = pxe_boot_policy
            current = profile.get("bootMode") or {}
            if all(current.get(k) == v for k, v in wanted.items()):
                return False
            profile["bootMode"] = {**current, **wanted}
            return True

        return self.update(id_or_uri, change)

    def update_connections(self, id_or_uri: str, change: ConnectionsChange) -> UpdateResult:
        """eTag-safe edit of the connection list (``change`` edits it in place)."""
        return self.update(id_or_uri, lambda profile: change(connections_of(profile)))

    def compliance_preview(self, id_or_uri: str) -> dict[str, Any]:
        """What an update from the template would change (``…/compliance-preview``); parse it
        with ``configuration.compliance_preview``. Only a profile linked to its template has one.
        """
        return self._connector.get_object(self.uri(id_or_uri) + "/compliance-preview")

    def update_from_template(
        self, id_or_uri: str, *, wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """Bring the profile back in line with its template (a json-patch of
        ``templateCompliance``); the finished task, or without ``wait`` the started one.

        :raises BadRequest: the profile has no template, or OneView refuses the update (e.g.
            the server is on and the update is not an online one).
        :raises TaskFailed: the update's task ended in error.
        """
        return json_patch.patch(
            self._connector,
            self._waiter,
            self.uri(id_or_uri),
            UPDATE_FROM_TEMPLATE,
            wait=wait,
            timeout=timeout,
        )

    def delete(self, id_or_uri: str, *, force: bool = False, wait: bool = True) -> dict[str, Any]:
        params = [("force", "true")] if force else None
        return self._call("DELETE", self.uri(id_or_uri), params=params, wait=wait)
