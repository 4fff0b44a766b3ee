"""Changes that happen behind the client's back: other OneView users, operators and time.

Faults and ``/_sim/actions`` both use these, so a test can provoke them at an exact moment or
let a fault fire them on a matching request.
"""

from __future__ import annotations

from typing import Any

from .. import resource_shapes
from ..errors import BadRequest, invalid_field
from ..store import Resource
from .boots import Boots
from .core import Core
from .hardware import BUSY_STATES, LOCK_UNTIL
from .networking import Networking
from .sessions import Sessions
from .topology import follow_server_profile

# Private (never rendered) server field: the open out-of-band "applying a profile" window,
# with the state to return to.
APPLYING_WINDOW = "_applyingWindow"
PROFILE_BUSY_STATES = ("Creating", "Updating", "Deleting")


class OutOfBand:
    def __init__(
        self, core: Core, sessions: Sessions, networking: Networking, boots: Boots
    ) -> None:
        self._core = core
        self._boots = boots
        self._sessions = sessions
        self._networking = networking
        self._foreign = 0

    def server_for(self, uri: str | None) -> Resource:
        """The server hardware behind a server or profile URI."""
        resource = self._core.store.get(uri or "")
        if resource.get("category") == "server-profiles":
            resource = self._core.store.get(resource.get("serverHardwareUri") or "")
        if resource.get("category") != "server-hardware":
            raise invalid_field("resource", uri, "a server hardware or server profile URI")
        return resource

    def expire_sessions(self, token: str | None = None) -> int:
        return self._sessions.expire(token)

    def bump_etag(self, uri: str) -> str:
        """Someone else edited the resource: every eTag a client holds for it is now stale."""
        resource = self._core.store.get(uri)
        self._core.store.touch(resource)
        return resource["eTag"]

    def vanish(self, uri: str) -> None:
        store = self._core.store
        resource = store.get(uri)
        category = resource.get("category")
        if category == "ethernet-networks":
            self._networking._forget_network(resource)
            return
        if category == "network-sets":  # its own connection template goes with it
            store.remove(resource.get("connectionTemplateUri") or "/rest/x/none")
        if category == "server-profiles":
            server = store.find(resource.get("serverHardwareUri"))
            if server is not None and server.get("serverProfileUri") == uri:
                server.update(
                    serverProfileUri=None,
                    state="NoProfileApplied",
                    powerLock=LOCK_UNTIL in server,
                )
                store.touch(server)
                follow_server_profile(store, server)
        store.remove(uri)

    def power_lock(self, uri: str, seconds: float) -> None:
        """OneView holds the server's power for a while.

        Overlapping locks end with the latest one, and the end of a lock leaves alone the lock
        of an operation that is still running (a profile apply or removal holds its own).
        """
        core = self._core
        server = self.server_for(uri)
        until = core.clock.now() + seconds
        server[LOCK_UNTIL] = max(server.get(LOCK_UNTIL, until), until)
        server["powerLock"] = True
        core.store.touch(server)

        def unlock() -> None:
            if server.get(LOCK_UNTIL, until) > until:
                return  # a later lock holds the server
            server.pop(LOCK_UNTIL, None)
            if server.get("state") in BUSY_STATES:
                return  # the running operation releases its own lock when it settles
            server["powerLock"] = False
            core.store.touch(server)

        core.call_later(seconds, unlock)

    def applying_profile(self, uri: str, seconds: float) -> None:
        """The server looks busy applying a profile (OneView holds it) for a while.

        Overlapping windows merge: the server returns to the state it had before the first one
        when the last one ends, unless something else changed its state in the meantime.
        """
        core = self._core
        server = self.server_for(uri)
        until = core.clock.now() + seconds
        window = server.get(APPLYING_WINDOW)
        if window is None:
            window = {"until": until, "state": server.get("state")}
            server[APPLYING_WINDOW] = window
        else:
            window["until"] = max(window["until"], until)
        profile = core.store.find(server.get("serverProfileUri"))
        server.update(state="ApplyingProfile", powerLock=True)
        core.store.touch(server)
        if profile is not None:
            profile["inProgress"] = True
            core.store.touch(profile)

        opened: dict[str, Any] = window

        def release() -> None:
            window = opened
            if server.get(APPLYING_WINDOW) is not window or window["until"] > until:
                return  # a later window is still open
            del server[APPLYING_WINDOW]
            restored = server.get("state")
            if restored == "ApplyingProfile":
                restored = window["state"]
                if not server.get("serverProfileUri") and restored == "ProfileApplied":
                    restored = "NoProfileApplied"
            server["state"] = restored
            server["powerLock"] = LOCK_UNTIL in server or restored in BUSY_STATES
            core.store.touch(server)
            if profile is not None and profile.get("state") not in PROFILE_BUSY_STATES:
                profile["inProgress"] = False
                core.store.touch(profile)

        core.call_later(seconds, release)

    def take_server(self, uri: str, name: str | None = None) -> Resource:
        """A OneView user assigns their own profile to the server (unassigning any other)."""
        core = self._core
        server = self.server_for(uri)
        previous = core.store.find(server.get("serverProfileUri"))
        if previous is not None:
            previous.update(serverHardwareUri=None, enclosureUri=None, enclosureBay=None)
            core.store.touch(previous)
        self._foreign += 1
        uid = core.new_id()
        # Every field a stored profile has (the inventory's user profiles are built alike),
        # with the user's own choices: no boot order, no connections, a virtual serial number.
        body: Resource = {
            "uri": f"/rest/server-profiles/{uid}",
            "category": "server-profiles",
            "uuid": uid,
            "name": name or f"oneview-user-{self._foreign}-{uid[:8]}",
            "description": "",
            "serialNumber": f"VCG{int(uid[:8], 16) % 10**7:07d}",
            "serverHardwareUri": server["uri"],
            "serverHardwareTypeUri": server["serverHardwareTypeUri"],
            "enclosureGroupUri": server.get("serverGroupUri"),
            "enclosureUri": server.get("locationUri"),
            "enclosureBay": server.get("position"),
            "connectionSettings": {"reapplyState": "NotApplying", "connections": []},
            "status": "OK",
            "state": "Normal",
            **resource_shapes.profile_settings(),
            "boot": {"manageBoot": False, "order": []},
        }
        profile = core.store.add(resource_shapes.complete_profile(body))
        server.update(
            serverProfileUri=profile["uri"], state="ProfileApplied", powerLock=LOCK_UNTIL in server
        )
        core.store.touch(server)
        follow_server_profile(core.store, server)
        return profile

    def free_server(self, uri: str) -> None:
        """A OneView user deletes the server's profile."""
        server = self.server_for(uri)
        if server.get("serverProfileUri"):
            self.vanish(server["serverProfileUri"])

    def set_power(self, uri: str, power_state: Any) -> None:
        if power_state not in ("On", "Off", "Unknown"):
            raise invalid_field("powerState", power_state, "On, Off or Unknown")
        server = self.server_for(uri)
        was = server.get("powerState")
        server["powerState"] = power_state
        if power_state == "On" and was != "On":  # someone pressed the button: it boots
            self._boots.powered_on(server)
            if server.get("oneTimeBoot") not in (None, "Normal"):
                server["oneTimeBoot"] = "Normal"
        self._core.store.touch(server)

    def os_power_off(self, uri: str, *, restart: bool = False) -> dict[str, Any]:
        """The server's operating system ran ``poweroff`` (or ``reboot``: ``restart``)."""
        return self._boots.os_power_off(self.server_for(uri), restart=restart)

    def set_api_version(self, version: Any) -> None:
        minimum = self._core.config.minimum_api_version
        if not isinstance(version, int) or isinstance(version, bool) or version < minimum:
            raise BadRequest(
                f"current_version must be an integer >= {minimum}, got {version!r}.",
                error_code="INVALID_PARAMETER",
            )
        self._core.current_version = version
