"""Server profile templates: create and edit them (validated like a profile, without a server),
and the profiles that keep their link to one: ``templateCompliance``, the compliance preview and
the update from the template (``PATCH /templateCompliance``).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..catalog import TYPICAL_BANDWIDTH_MBPS
from ..errors import BadRequest, invalid_field
from ..resource_shapes import complete_template, connection_boot
from ..store import Resource
from ..tasks import Task
from .compliance import differences, preview
from .core import Core
from .lag_rules import normalise_lag_name
from .profile_apply import apply_to_server, busy_state, extra_work, sections_to_apply
from .profile_checks import CHECKED, CHECKED_COLLECTION, SectionRefused
from .profile_config import check_secure_boot, normalise_sections, stored
from .profile_preconditions import checked_settings, ensure_idle, refuse_powered_on
from .profile_rules import BOOT_PRIORITIES, connection_id, normalise_boot, normalise_boot_mode

if TYPE_CHECKING:
    from .profiles import Profiles

# What a template connection without requestedMbps shows (OneView: the network's typical
# bandwidth; the simulator's connection templates all have this one).
DEFAULT_REQUESTED = str(TYPICAL_BANDWIDTH_MBPS)

# Template fields copied as given (they have no rules in the simulator).
TEMPLATE_FIELDS = (
    "description",
    "serverProfileDescription",
    "affinity",
    "hideUnusedFlexNics",
    "macType",
    "wwnType",
    "serialNumberType",
    "sanStorage",
    "iscsiInitiatorNameType",
    "osDeploymentSettings",
    "managementProcessor",
)


class Templates:
    def __init__(self, core: Core, profiles: Profiles) -> None:
        self._core = core
        self._profiles = profiles

    # -- template writes ------------------------------------------------------------------
    def create(self, body: Any) -> Task:
        core = self._core
        name = self._name(body, None)
        template: Resource = {
            "uri": f"/rest/server-profile-templates/{core.new_id()}",
            "category": "server-profile-templates",
            "name": name,
            "state": None,
            "status": "OK",
        }
        status_text = f"Create server profile template: {name}"
        try:
            changes = self._changes(body, None)
        except SectionRefused as refused:
            return self._profiles.failed_task("Create", None, status_text, refused.error)
        template.update(changes)
        complete_template(template)
        core.store.add(template)
        return core.run_task(
            kind="patch",
            name="Create",
            resource=template,
            status_text=status_text,
            on_failure=lambda _task: core.store.remove(template["uri"]),
            hide_resource_until_running=True,
            steps=["Validate configuration.", "Template created."],
        )

    def update(self, uri: str, body: Any, if_match: str | None) -> Task:
        core = self._core
        template = core.store.get(uri)
        if not isinstance(body, dict):
            raise BadRequest("The template body must be a JSON object.", error_code="INVALID_JSON")
        core.check_etag(template, body.get("eTag"), if_match)
        name = self._name(body, template)
        status_text = f"Update server profile template: {name}"
        try:
            changes = self._changes(body, template)
        except SectionRefused as refused:
            return self._profiles.failed_task("Update", template, status_text, refused.error)

        def done(_task: Task) -> None:
            template.update(name=name, **changes)
            complete_template(template)
            core.store.touch(template)
            for profile in self.linked(uri):
                self.refresh(profile)

        return core.run_task(
            kind="patch",
            name="Update",
            resource=template,
            status_text=status_text,
            on_success=done,
            steps=["Validate configuration.", "Template updated."],
        )

    def _name(self, body: Any, template: Resource | None) -> str:
        if not isinstance(body, dict):
            raise BadRequest("The template body must be a JSON object.", error_code="INVALID_JSON")
        name = body.get("name", (template or {}).get("name"))
        if not isinstance(name, str) or not name.strip():
            raise invalid_field("name", name, "a non-empty string")
        self._core.unique_name(
            "server-profile-templates",
            name,
            exclude=(template or {}).get("uri"),
            error_code="DUPLICATED_TEMPLATE_NAME",
            message=f"The template name '{name}' is already in use by another template.",
        )
        return name

    def _changes(self, body: dict[str, Any], template: Resource | None) -> dict[str, Any]:
        """The template fields the body sets, checked; sync 400s for boot, task errors else.

        :raises SectionRefused: a configuration section OneView would refuse.
        """
        core, old = self._core, template or {}
        sht_uri = body.get("serverHardwareTypeUri", old.get("serverHardwareTypeUri"))
        sht = core.reference("serverHardwareTypeUri", sht_uri, "server-hardware-types")
        eg_uri = body.get("enclosureGroupUri", old.get("enclosureGroupUri"))
        if eg_uri:
            core.reference("enclosureGroupUri", eg_uri, "enclosure-groups")
        changes: dict[str, Any] = {"serverHardwareTypeUri": sht_uri, "enclosureGroupUri": eg_uri}
        for key in TEMPLATE_FIELDS:
            if key in body:
                changes[key] = copy.deepcopy(body[key])
        boot_raw = body.get("boot", old.get("boot"))
        mode_raw = body.get("bootMode", old.get("bootMode"))
        boot = {**normalise_boot(boot_raw, sht), **_control(boot_raw, "boot", CHECKED)}
        boot_mode = normalise_boot_mode(mode_raw, sht)
        if boot_mode is not None:
            boot_mode.update(_control(mode_raw, "bootMode", CHECKED))
        changes.update(boot=boot, bootMode=boot_mode)
        settings = body.get("connectionSettings", old.get("connectionSettings")) or {}
        if "connectionSettings" not in body and "connections" in body:  # API < 500 shape
            settings = {**(old.get("connectionSettings") or {}), "connections": body["connections"]}
        if not isinstance(settings, dict) or not isinstance(settings.get("connections", []), list):
            raise invalid_field("connectionSettings", settings, "an object with connections")
        changes["connectionSettings"] = {
            "manageConnections": bool(settings.get("manageConnections", True)),
            "connections": template_connections(settings.get("connections", [])),
            **_control(settings, "connectionSettings", CHECKED_COLLECTION),
        }
        check_secure_boot(boot_mode, sht)
        changes.update(normalise_sections(body, old, sht, None, core.store))
        return changes

    # -- compliance -----------------------------------------------------------------------
    def linked(self, template_uri: str) -> list[Resource]:
        return [
            p
            for p in self._core.store.iter("server-profiles")
            if p.get("serverProfileTemplateUri") == template_uri
        ]

    def _template_of(self, profile: Resource) -> Resource:
        template_uri = profile.get("serverProfileTemplateUri")
        if not template_uri:
            raise BadRequest(
                f"The profile '{profile['name']}' is not associated with a template.",
                error_code="PROFILE_NOT_ASSOCIATED_WITH_TEMPLATE",
                recommended_actions=["Associate the profile with a server profile template."],
            )
        return self._core.store.get(template_uri)

    def refresh(self, profile: Resource) -> None:
        """Recompute ``templateCompliance`` (Unknown without a template)."""
        template = self._core.store.find(profile.get("serverProfileTemplateUri"))
        if template is None:
            value = "Unknown"
        else:
            value = "NonCompliant" if differences(template, profile) else "Compliant"
        if profile.get("templateCompliance") != value:
            profile["templateCompliance"] = value
            if profile.get("eTag"):
                self._core.store.touch(profile)

    def preview(self, profile_uri: str) -> dict[str, Any]:
        profile = self._core.store.get(profile_uri)
        return preview(self._template_of(profile), profile)

    def update_from_template(self, uri: str, body: Any) -> Task:
        core = self._core
        profile = core.store.get(uri)
        _check_patch(body)
        template = self._template_of(profile)
        if profile.get("inProgress"):
            raise core.busy(profile, "server profile")
        server = core.store.find(profile.get("serverHardwareUri"))
        ensure_idle(core, server)
        status_text = f"Update profile from template: {profile['name']}"
        automatic = [d for d in differences(template, profile) if not d.manual]
        offline = sorted({d.label for d in automatic if d.needs_power_off})
        if (
            offline
            and server is not None
            and server.get("powerState") != "Off"
            and core.config.profile_changes_need_power_off
        ):
            error = refuse_powered_on(core, server, offline)
            return self._profiles.failed_task("Update", profile, status_text, error)
        sht = core.store.get(profile["serverHardwareTypeUri"])
        wanted = {d.key: copy.deepcopy(template.get(d.key)) for d in automatic}
        try:
            if "connectionSettings" in wanted:
                body = {"connectionSettings": wanted["connectionSettings"]}
                connections = checked_settings(core, body, server, sht, profile)["connections"]
                wanted["connectionSettings"] = {
                    "reapplyState": "NotApplying",
                    "connections": connections,
                }
            config = normalise_sections(wanted, profile, sht, server, core.store)
        except SectionRefused as refused:
            return self._profiles.failed_task("Update", profile, status_text, refused.error)
        applying = [k for k in sections_to_apply(config, profile) if k in wanted] if server else []
        extra, extra_steps = extra_work(core, applying)
        profile.update(state="Updating", inProgress=True)
        core.store.touch(profile)
        if server is not None and automatic:
            server.update(state=busy_state(applying), powerLock=True)
            core.store.touch(server)

        def done(_task: Task) -> None:
            for key, section in wanted.items():
                profile[key] = stored(key, config[key]) if key in config else section
            apply_to_server(core.store, server, sht, config, applying)
            profile.update(state="Normal", inProgress=False, status="OK")
            self.refresh(profile)
            core.store.touch(profile)
            self._profiles.settle(server, "ProfileApplied", uri)

        def failed(_task: Task) -> None:
            profile.update(state="UpdateFailed", inProgress=False, status="Critical")
            core.store.touch(profile)
            self._profiles.settle(server, "ProfileError", uri)

        task = core.run_task(
            kind="profile_update",
            name="Update",
            resource=profile,
            status_text=status_text,
            on_success=done,
            on_failure=failed,
            duration=core.duration("profile_update") + extra,
            steps=["Validating the profile.", *extra_steps, "Profile updated from template."],
        )
        profile["taskUri"] = task.uri
        return task


def template_connections(raw: list[Any]) -> list[dict[str, Any]]:
    """A template's connections as OneView stores them: every field, ids assigned, the
    bandwidth a string of digits (a number sent is accepted), unknown fields dropped.
    Ports and bandwidth are checked when a profile made from the template is applied."""
    used = {c.get("id") for c in raw if isinstance(c, dict) and isinstance(c.get("id"), int)}
    result: list[dict[str, Any]] = []
    for index, conn in enumerate(raw):
        where = f"connectionSettings.connections[{index}]"
        if not isinstance(conn, dict):
            raise invalid_field(where, conn, "a connection object")
        conn_id = connection_id(conn, where, used)
        raw_boot = conn.get("boot")
        boot: dict[str, Any] = raw_boot if isinstance(raw_boot, dict) else {}
        priority = boot.get("priority", "NotBootable")
        if priority not in BOOT_PRIORITIES:
            raise invalid_field(f"{where}.boot.priority", priority, f"one of {BOOT_PRIORITIES}")
        isolated = conn.get("isolatedTrunk", False)
        if not isinstance(isolated, bool):
            raise invalid_field(f"{where}.isolatedTrunk", isolated, "true or false")
        requested = conn.get("requestedMbps")
        if isinstance(requested, int) and not isinstance(requested, bool):
            requested = str(requested)
        vfs = conn.get("requestedVFs")
        result.append(
            {
                "id": conn_id,
                "name": conn.get("name") or "",
                "functionType": conn.get("functionType") or "Ethernet",
                "networkUri": conn.get("networkUri"),
                "portId": conn.get("portId") or "Auto",
                "requestedMbps": requested if requested is not None else DEFAULT_REQUESTED,
                "requestedVFs": str(vfs) if vfs is not None else "0",
                "boot": connection_boot(priority, boot),
                "lagName": normalise_lag_name(conn.get("lagName"), where),
                "isolatedTrunk": isolated,
            }
        )
    return result


def _control(raw: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A template section's complianceControl, kept when valid (400 naming it otherwise)."""
    if not isinstance(raw, dict) or "complianceControl" not in raw:
        return {}
    value = raw["complianceControl"]
    if value not in allowed:
        raise invalid_field(f"{where}.complianceControl", value, f"one of {list(allowed)}")
    return {"complianceControl": value}


def _check_patch(body: Any) -> None:
    if not isinstance(body, list) or len(body) != 1 or not isinstance(body[0], dict):
        raise BadRequest(
            "A profile PATCH body is a JSON array with one operation.",
            error_code="INVALID_JSON_PATCH",
        )
    op = body[0]
    if (op.get("op"), op.get("path"), op.get("value")) != (
        "replace",
        "/templateCompliance",
        "Compliant",
    ):
        raise invalid_field(
            "path",
            op.get("path"),
            "op 'replace' of '/templateCompliance' with value 'Compliant'",
        )
