"""Template compliance of the profiles Ironic claims, when they stay linked to their template.

With ``[oneview] keep_profiles_linked_to_template`` a profile keeps its
``serverProfileTemplateUri``, so OneView marks it ``NonCompliant`` when an administrator edits the
template in a ``Checked`` section. The node's health then says WARNING (with the reason in the
conductor log), and the service step ``management.update_from_template`` brings the profile back
in line: OneView's update from the template (a json-patch), waited for by the profile-edit
periodic. OneView says in ``compliance-preview`` whether the update can be made with the server
on (``isOnlineUpdate``); otherwise the step switches it off and, when done, back on.

Ironic's power sync asks every node's health: the NonCompliant profiles of the whole appliance
are one filtered listing, shared by every node for ``power_state_cache_ttl``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ironic.common import exception, states
from ironic.common.health_states import HealthState
from ironic.conductor import utils as manager_utils
from ironic.conductor.task_manager import TaskManager
from oslo_log import log as logging

from ..client import OneViewClient, OneViewError, configuration
from ..client.forksafe import register
from ..client.resources.base import quote
from . import common, ownership, profile_steps, serverpower, validation
from .ownership import Owner
from .view import View, view_of

LOG = logging.getLogger(__name__)

NON_COMPLIANT = "NonCompliant"
OWNER = "management"
STEP = "update_from_template"
_FILTER = f'"templateCompliance={quote(NON_COMPLIANT)}"'


class NonCompliantProfiles:
    """``{profile uri: serverProfileTemplateUri}`` of every NonCompliant profile, from one
    filtered listing shared by every node and thread for a TTL."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._profiles: dict[str, str | None] = {}
        self._taken_at: float | None = None
        self.listings = 0
        register(self)

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()

    def get(self, client: OneViewClient, ttl: float) -> dict[str, str | None]:
        """The current map; listed again once ``ttl`` seconds have passed (under the lock, so
        a sweep of many nodes costs one listing; after a failed one, the last map serves until
        the TTL passes).

        :raises: OneViewError when the listing fails (to the caller that listed).
        """
        with self._lock:
            fresh = self._taken_at is not None and self._clock() - self._taken_at < ttl
            if not fresh:
                self._taken_at = self._clock()  # a failed listing is not retried by every node
                self.listings += 1
                self._profiles = {
                    str(m["uri"]): m.get("serverProfileTemplateUri")
                    for m in client.server_profiles.iter(filters=_FILTER)
                    if isinstance(m.get("uri"), str)
                    and m.get("templateCompliance") == NON_COMPLIANT
                }
            return self._profiles

    def clear(self) -> None:
        with self._lock:
            self._profiles = {}
            self._taken_at = None
            self.listings = 0


NONCOMPLIANT = NonCompliantProfiles()


def non_compliant_template(task: TaskManager, view: View) -> str | None:
    """The template the node's profile is NonCompliant with ("" when unnamed), or None when it is
    compliant, detached, or the node has no profile (nothing read then)."""
    if not common.CONF.oneview.keep_profiles_linked_to_template:
        return None
    applied = view.info.applied_server_profile_uri
    if not applied:
        return None
    ttl = common.CONF.oneview.power_state_cache_ttl
    if task.shared and ttl > 0:
        found = NONCOMPLIANT.get(view.client, ttl)
        return (found.get(applied) or "") if applied in found else None
    profile = view.profile()
    if profile is None or profile.get("templateCompliance") != NON_COMPLIANT:
        return None
    return str(profile.get("serverProfileTemplateUri") or "")


def health(task: TaskManager, view: View, status: HealthState | None) -> HealthState | None:
    """The server's health, lowered to WARNING when its profile drifted from its template."""
    if status is HealthState.CRITICAL:
        return status
    try:
        template = non_compliant_template(task, view)
    except (OneViewError, common.OneViewDriverError) as error:
        LOG.warning(
            "Node %s: could not read the template compliance of its profile: %s",
            task.node.uuid,
            error,
        )
        return status
    if template is None:
        return status
    # Once per change (Ironic stores the enum's value): later syncs say it at DEBUG.
    log = LOG.warning if task.node.health != HealthState.WARNING.value else LOG.debug
    log(
        "Node %s: health WARNING: its server profile %s is NonCompliant with server profile "
        "template %s (the template was changed in a Checked section); the service step "
        "management.update_from_template brings it back in line",
        task.node.uuid,
        view.info.applied_server_profile_uri,
        template or "(unnamed)",
    )
    return HealthState.WARNING


# -- the service step ---------------------------------------------------------------------
class _Refused(Exception):
    """The update cannot start; the text is for the operator."""


def _linked_profile(task: TaskManager, view: View) -> dict[str, Any]:
    """The node's Ironic profile, linked to a template whose update keeps Neutron's work."""
    node = task.node
    server = serverpower.read_server(view)
    applied = view.info.applied_server_profile_uri
    who = ownership.owner(server, applied)
    if who is Owner.ONEVIEW:
        raise _Refused(ownership.in_use_message(node, server))
    if who is not Owner.IRONIC or not applied:
        raise _Refused(
            f"server hardware {view.info.server_hardware_uri} carries no Ironic profile "
            "(update_from_template services a deployed node, which keeps its profile)"
        )
    profile = view.client.server_profiles.get(applied)
    template_uri = profile.get("serverProfileTemplateUri")
    if not template_uri:
        raise _Refused(
            f"profile {applied} is not linked to a server profile template (it was claimed "
            "with [oneview] keep_profiles_linked_to_template = false); there is nothing to "
            "update it from"
        )
    problem = validation.connection_compliance_problem(
        view.client.server_profile_templates.get(template_uri)
    )
    if problem is not None:
        raise _Refused(problem)
    return profile


def update_from_template(task: TaskManager) -> str | None:
    """Start OneView's update from the template; SERVICEWAIT (CLEANWAIT...) while it runs.

    :returns: the operation's WAIT state, or None when the profile is already compliant.
    :raises: NodeServicingFailure (the running operation's failure) naming why, or OneView's
        errorCode and message.
    """
    node = task.node
    view = view_of(task)
    doing = f"{OWNER}.{STEP} on node {node.uuid}"
    try:
        profile = _linked_profile(task, view)
        uri = str(profile["uri"])
        if profile.get("templateCompliance") == "Compliant":
            LOG.info("Node %s: %s: profile %s is Compliant; nothing sent", node.uuid, doing, uri)
            return None
        profiles = view.client.server_profiles
        preview = configuration.compliance_preview(profiles.compliance_preview(uri))
        server = serverpower.wait_until_unlocked(view, serverpower.lock_deadline())
        switch_off = server.get("powerState") != "Off" and not preview.online
        if switch_off:
            manager_utils.node_power_action(task, states.POWER_OFF)
        started = profiles.update_from_template(uri, wait=False)
    except (OneViewError, _Refused, exception.IronicException) as error:
        # e.g. PowerStateFailure (disable_power_off): the operation's failure, naming the step
        raise profile_steps.failure(task, f"{doing} failed: {error}") from error
    view.forget()
    LOG.info(
        "Node %s: %s: OneView updates profile %s from its template (%s; automatic: %s; manual: %s)",
        node.uuid,
        doing,
        uri,
        "online" if preview.online else "server off" if switch_off else "server was off",
        ", ".join(preview.automatic) or "-",
        ", ".join(preview.manual) or "-",
    )
    return profile_steps.wait_for(
        task, started, owner=OWNER, step=STEP, profile_uri=uri, switched_off=switch_off
    )
