"""Server profiles and templates: create from template, apply, edit, unassign, delete.

The rules the drivers depend on live here: changes that need the server off, the server
hardware's ``state``/``powerLock``/``serverProfileUri`` following the profile's life, and
profiles whose apply failed staying behind (as on a real appliance) until someone deletes them.
The checks a write must pass before anything changes are in ``profile_preconditions``.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import BadRequest, invalid_field
from ..resource_shapes import complete_profile
from ..store import Resource
from ..tasks import Task
from .core import Core
from .hardware import LOCK_UNTIL, taken_error
from .profile_apply import apply_to_server, busy_state, extra_work, sections_to_apply
from .profile_config import SectionRefused, sections_needing_power_off, stored
from .profile_preconditions import (
    checked_config,
    checked_settings,
    ensure_idle,
    refuse_powered_on,
    target_hardware,
)
from .profile_rules import connection_changes_need_power_off
from .topology import follow_server_profile

# Body fields a client may write; everything else is read-only and ignored on PUT.
COPIED_FIELDS = (
    "description",
    "affinity",
    "hideUnusedFlexNics",
    "wwnType",
    "serialNumberType",
    "sanStorage",
    "iscsiInitiatorNameType",
    "iscsiInitiatorName",
    "osDeploymentSettings",
    "managementProcessor",
)

TEMPLATE_COPIED = (
    "affinity",
    "hideUnusedFlexNics",
    "macType",
    "wwnType",
    "serialNumberType",
    "boot",
    "bootMode",
    "bios",
    "firmware",
    "localStorage",
    "sanStorage",
    "iscsiInitiatorNameType",
    "osDeploymentSettings",
    "managementProcessor",
)


class Profiles:
    def __init__(self, core: Core) -> None:
        self._core = core
        # Template edits and compliance need this class's task helpers; they live in their own
        # module.
        from .templates import Templates

        self.templates = Templates(core, self)

    # -- templates ------------------------------------------------------------------------
    def new_profile(self, template_uri: str) -> dict[str, Any]:
        """An unsaved profile body derived from a template (no uri, name or server)."""
        template = self._core.store.get(template_uri)
        settings = template.get("connectionSettings") or {}
        body: dict[str, Any] = {
            "category": "server-profiles",
            "name": None,
            "description": template.get("serverProfileDescription") or "",
            "uri": None,
            "serverProfileTemplateUri": template["uri"],
            "templateCompliance": "Unknown",
            "serverHardwareUri": None,
            "serverHardwareTypeUri": template.get("serverHardwareTypeUri"),
            "enclosureGroupUri": template.get("enclosureGroupUri"),
            "connectionSettings": {
                "connections": [
                    {
                        key: copy.deepcopy(conn.get(key))
                        for key in (
                            "id",
                            "name",
                            "functionType",
                            "portId",
                            "networkUri",
                            "requestedMbps",
                            "requestedVFs",
                            "boot",
                            "lagName",
                            "isolatedTrunk",
                        )
                    }
                    for conn in settings.get("connections", [])
                ]
            },
            "eTag": None,
        }
        for key in TEMPLATE_COPIED:
            if key in template:
                body[key] = copy.deepcopy(template[key])
        return body

    # -- helpers --------------------------------------------------------------------------
    def failed_task(
        self, name: str, resource: Resource | None, status_text: str, error: dict[str, Any]
    ) -> Task:
        return self._core.run_task(
            kind="patch",
            name=name,
            resource=resource,
            status_text=status_text,
            error=error,
            duration=1.0,
        )

    def _place(
        self, profile: Resource, server: Resource | None, sht: Resource, eg_uri: str | None
    ) -> None:
        profile["serverHardwareUri"] = server["uri"] if server else None
        profile["serverHardwareTypeUri"] = sht["uri"]
        profile["enclosureGroupUri"] = eg_uri
        profile["enclosureUri"] = (server or {}).get("locationUri")
        profile["enclosureBay"] = (server or {}).get("position")

    def settle(self, server: Resource | None, state: str, profile_uri: str | None) -> None:
        if server is None:
            return
        server["state"] = state
        # An out-of-band power lock that has not ended yet outlives the operation.
        server["powerLock"] = LOCK_UNTIL in server
        server["serverProfileUri"] = profile_uri
        self._core.store.touch(server)
        follow_server_profile(self._core.store, server)

    # -- create ---------------------------------------------------------------------------
    def create(self, body: Any) -> Task:
        core = self._core
        if not isinstance(body, dict):
            raise BadRequest("The profile body must be a JSON object.", error_code="INVALID_JSON")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        core.unique_name(
            "server-profiles",
            name,
            error_code="DUPLICATED_PROFILE_NAME",
            message=f"The profile name '{name}' is already in use by another profile.",
        )
        template_uri = body.get("serverProfileTemplateUri") or None
        if template_uri:
            core.reference("serverProfileTemplateUri", template_uri, "server-profile-templates")
        server, sht, eg_uri = target_hardware(core, body, None)
        status_text = f"Create profile: {name}"
        if server is not None:
            ensure_idle(core, server)
            if server.get("serverProfileUri"):
                return self.failed_task("Create", None, status_text, taken_error(server))
            if server.get("powerState") != "Off" and core.config.profile_changes_need_power_off:
                error = refuse_powered_on(core, server, ["Server assignment"])
                return self.failed_task("Create", None, status_text, error)
        settings = checked_settings(core, body, server, sht, None)
        try:
            config = checked_config(core, body, None, sht, server, settings)
        except SectionRefused as refused:
            return self.failed_task("Create", None, status_text, refused.error)
        uid = core.new_id()
        profile: Resource = {
            "uri": f"/rest/server-profiles/{uid}",
            "category": "server-profiles",
            "uuid": uid,
            "name": name,
            "serialNumber": f"VCG{uid[:7].upper()}",
            "serverProfileTemplateUri": template_uri,
            "templateCompliance": "Compliant" if template_uri else "Unknown",
            "associatedServer": None,
            "connectionSettings": {
                "reapplyState": "NotApplying",
                "connections": settings.pop("connections"),
            },
            **settings,
            "status": "OK",
            "state": "Creating",
            "inProgress": True,
            "serverHardwareReapplyState": "NotApplying",
        }
        for key in COPIED_FIELDS:
            profile.setdefault(key, copy.deepcopy(body.get(key)))
        for key, section in config.items():
            profile[key] = stored(key, section)
        profile["description"] = body.get("description") or ""
        self._place(profile, server, sht, eg_uri)
        complete_profile(profile)
        core.store.add(profile)
        applying = sections_to_apply(config, None) if server else []
        if server is not None:
            server.update(
                state=busy_state(applying), powerLock=True, serverProfileUri=profile["uri"]
            )
            core.store.touch(server)
            follow_server_profile(core.store, server)

        self.templates.refresh(profile)
        extra, extra_steps = extra_work(core, applying)
        kind = "profile_apply" if server else "patch"

        def done(_task: Task) -> None:
            apply_to_server(core.store, server, sht, config, applying)
            profile.update(state="Normal", inProgress=False, status="OK")
            core.store.touch(profile)
            self.settle(server, "ProfileApplied", profile["uri"])

        def failed(_task: Task) -> None:
            profile.update(state="CreateFailed", inProgress=False, status="Critical")
            core.store.touch(profile)
            self.settle(server, "ProfileError", profile["uri"])

        task = core.run_task(
            kind=kind,
            name="Create",
            resource=profile,
            status_text=status_text,
            on_success=done,
            on_failure=failed,
            hide_resource_until_running=True,
            duration=core.duration(kind) + extra,
            steps=[
                "Validating the profile.",
                *extra_steps,
                "Apply server settings.",
                "Apply connections.",
                "Apply boot settings.",
                "Profile applied.",
            ],
        )
        profile["taskUri"] = task.uri
        return task

    # -- update ---------------------------------------------------------------------------
    def update(self, uri: str, body: Any, if_match: str | None) -> Task:
        core = self._core
        profile = core.store.get(uri)
        if not isinstance(body, dict):
            raise BadRequest("The profile body must be a JSON object.", error_code="INVALID_JSON")
        core.check_etag(profile, body.get("eTag"), if_match)
        if profile.get("inProgress"):
            raise core.busy(profile, "server profile")
        name = body.get("name", profile["name"])
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        core.unique_name(
            "server-profiles",
            name,
            exclude=uri,
            error_code="DUPLICATED_PROFILE_NAME",
            message=f"The profile name '{name}' is already in use by another profile.",
        )
        old_server = core.store.find(profile.get("serverHardwareUri"))
        template_uri = body.get("serverProfileTemplateUri", profile.get("serverProfileTemplateUri"))
        if template_uri:
            core.reference("serverProfileTemplateUri", template_uri, "server-profile-templates")
        server, sht, eg_uri = target_hardware(core, body, profile)
        status_text = f"Update profile: {name}"
        reassigned = (server or {}).get("uri") != (old_server or {}).get("uri")
        if reassigned and server is not None and server.get("serverProfileUri"):
            return self.failed_task("Update", profile, status_text, taken_error(server))
        for involved in {id(s): s for s in (server, old_server) if s is not None}.values():
            ensure_idle(core, involved)
        settings = checked_settings(core, body, server, sht, profile)
        try:
            config = checked_config(core, body, profile, sht, server, settings)
        except SectionRefused as refused:
            return self.failed_task("Update", profile, status_text, refused.error)
        old_connections = profile["connectionSettings"].get("connections", [])
        sections = []
        if reassigned:
            sections.append("Server assignment")
        if settings["boot"] != profile.get("boot") or settings["bootMode"] != profile.get(
            "bootMode"
        ):
            sections.append("Boot settings")
        if settings["macType"] != profile.get("macType") or (
            core.config.connection_add_remove_needs_power_off
            and connection_changes_need_power_off(old_connections, settings["connections"])
        ):
            sections.append("Connections")
        sections.extend(sections_needing_power_off(profile, config))
        # A server new to the profile gets every managed section; otherwise only changed ones.
        applying = sections_to_apply(config, None if reassigned else profile) if server else []
        powered_on = [
            s for s in (old_server, server) if s is not None and s.get("powerState") != "Off"
        ]
        if sections and powered_on and core.config.profile_changes_need_power_off:
            error = refuse_powered_on(core, powered_on[0], sections)
            return self.failed_task("Update", profile, status_text, error)

        profile["name"] = name
        profile["serverProfileTemplateUri"] = template_uri or None
        for key in COPIED_FIELDS:
            if key in body:
                profile[key] = copy.deepcopy(body[key])
        for key, section in config.items():
            profile[key] = stored(key, section)
        profile["connectionSettings"] = {
            "reapplyState": "NotApplying",
            "connections": settings.pop("connections"),
        }
        profile.update(settings)
        self._place(profile, server, sht, eg_uri)
        complete_profile(profile)
        profile.update(state="Updating", inProgress=True)
        core.store.touch(profile)
        if reassigned and old_server is not None:
            old_server.update(state="RemovingProfile", powerLock=True)
            core.store.touch(old_server)
        if server is not None and (sections or applying):
            server.update(state=busy_state(applying), powerLock=True, serverProfileUri=uri)
            core.store.touch(server)
            follow_server_profile(core.store, server)

        self.templates.refresh(profile)
        extra, extra_steps = extra_work(core, applying)

        def done(_task: Task) -> None:
            apply_to_server(core.store, server, sht, config, applying)
            profile.update(state="Normal", inProgress=False, status="OK")
            core.store.touch(profile)
            if reassigned:
                self.settle(old_server, "NoProfileApplied", None)
            self.settle(server, "ProfileApplied", uri)

        def failed(_task: Task) -> None:
            profile.update(state="UpdateFailed", inProgress=False, status="Critical")
            core.store.touch(profile)
            if reassigned:
                self.settle(old_server, "NoProfileApplied", None)
            self.settle(server, "ProfileError", uri)

        task = core.run_task(
            kind="profile_update",
            name="Update",
            resource=profile,
            status_text=status_text,
            on_success=done,
            on_failure=failed,
            duration=core.duration("profile_update") + extra,
            steps=["Validating the profile.", *extra_steps, "Apply changes.", "Profile updated."],
        )
        profile["taskUri"] = task.uri
        return task

    def patch(self, uri: str, body: Any) -> Task:
        """Update from template (the only PATCH OneView offers on a profile)."""
        return self.templates.update_from_template(uri, body)

    # -- delete ---------------------------------------------------------------------------
    def delete(self, uri: str, force: bool) -> Task:
        core = self._core
        profile = core.store.get(uri)
        if profile.get("inProgress"):
            raise core.busy(profile, "server profile")
        server = core.store.find(profile.get("serverHardwareUri"))
        status_text = f"Delete profile: {profile['name']}"
        if server is not None:
            ensure_idle(core, server)
            needs_off = core.config.profile_changes_need_power_off and not force
            if needs_off and server.get("powerState") != "Off":
                error = refuse_powered_on(core, server, ["Server assignment"])
                return self.failed_task("Delete", profile, status_text, error)
            server.update(state="RemovingProfile", powerLock=True)
            core.store.touch(server)
        previous_state = profile.get("state")
        profile.update(state="Deleting", inProgress=True)
        core.store.touch(profile)

        def done(_task: Task) -> None:
            core.store.remove(uri)
            if server is not None and server.get("serverProfileUri") == uri:
                self.settle(server, "NoProfileApplied", None)

        def failed(_task: Task) -> None:
            profile.update(state="DeleteFailed", inProgress=False, status="Critical")
            core.store.touch(profile)
            ok = previous_state not in ("CreateFailed", "UpdateFailed")
            self.settle(server, "ProfileApplied" if ok else "ProfileError", uri)

        return core.run_task(
            kind="profile_delete",
            name="Delete",
            resource=profile,
            status_text=status_text,
            on_success=done,
            on_failure=failed,
            steps=["Removing the profile from the server.", "Profile deleted."],
        )

    def delete_matching(self, members: list[Resource]) -> Task:
        """``DELETE /rest/server-profiles?filter=...``: 202 even when nothing matches.

        A synchronous refusal (busy, or powered on in "sync" mode) refuses the whole request
        before any profile is touched, rather than after deleting some of them.
        """
        core = self._core
        for member in members:
            if member.get("inProgress"):
                raise core.busy(member, "server profile")
            server = core.store.find(member.get("serverHardwareUri"))
            if server is None:
                continue
            ensure_idle(core, server)
            if (
                core.config.profile_changes_need_power_off
                and core.config.powered_on_error_channel == "sync"
                and server.get("powerState") != "Off"
            ):
                refuse_powered_on(core, server, ["Server assignment"])
        deleted = [self.delete(member["uri"], force=False) for member in members]
        # The bulk task ends with the last of its deletes: a client that waited for it must
        # find the profiles gone (same-time ties finish in submission order, children first).
        now = self._core.clock.now()
        remaining = [max(task.due - now, 0.0) for task in deleted if task.ended is None]
        return self._core.run_task(
            kind="patch",
            name="Delete",
            resource=None,
            status_text=f"Delete {len(deleted)} server profiles",
            resource_uri="/rest/server-profiles",
            duration=max(remaining) if remaining else None,
        )
