"""OneView reads cached for the life of one Ironic task, so ``validate`` stays cheap.

Ironic calls ``validate`` of several interfaces, then acts, all in one task: each of the server,
its type, the template and the profile is read at most once per task. Writes call ``forget``.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from ironic.conductor.task_manager import TaskManager

from ..client import NotFound, OneViewClient, OneViewError
from ..client.forksafe import register
from . import common
from .common import Node
from .snapshot import SNAPSHOT

_VIEWS: weakref.WeakKeyDictionary[TaskManager, View] = weakref.WeakKeyDictionary()
# Templates change rarely and many nodes share one: reads of them are shared across tasks.
TEMPLATE_TTL = 300.0


class SharedTemplates:
    """Template bodies read by periodic tasks, shared by every task for ``TEMPLATE_TTL``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: dict[str, tuple[float, dict[str, Any]]] = {}
        register(self)

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()

    def get(self, uri: str) -> dict[str, Any] | None:
        with self._lock:
            cached = self._bodies.get(uri)
        if cached is None or time.monotonic() - cached[0] >= TEMPLATE_TTL:
            return None
        return cached[1]

    def put(self, uri: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._bodies[uri] = (time.monotonic(), body)

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()


TEMPLATES = SharedTemplates()


class View:
    """What one task has read from OneView about its node."""

    def __init__(self, task: TaskManager, client: OneViewClient | None = None) -> None:
        self._task = weakref.ref(task)
        self._client = client
        self._cache: dict[str, Any] = {}

    @property
    def client(self) -> OneViewClient:
        if self._client is None:
            self._client = common.get_client()
        return self._client

    @property
    def node(self) -> Node:
        task = self._task()
        if task is None or task.node is None:
            raise RuntimeError("the Ironic task of this OneView view has ended")
        return task.node

    @property
    def info(self) -> common.NodeInfo:
        """Parsed again each time: a claim or release changes driver_info within the task."""
        return common.parse_driver_info(self.node)

    def _read(self, key: str, uri: str, doing: str) -> dict[str, Any]:
        cached = self._cache.get(key)
        if cached is not None and cached[0] == uri:
            return cached[1]
        try:
            body = self.client.connector.get_object(uri)
        except OneViewError as error:
            raise common.driver_error(error, doing) from error
        self._cache[key] = (uri, body)
        return body

    def server_hardware(self) -> dict[str, Any]:
        uri = self.info.server_hardware_uri
        return self._read("sh", uri, f"Reading server hardware {uri}")

    def hardware_type(self) -> dict[str, Any]:
        uri = self.info.server_hardware_type_uri
        return self._read("sht", uri, f"Reading server hardware type {uri}")

    def template(self) -> dict[str, Any]:
        uri = self.info.server_profile_template_uri
        return self._read("spt", uri, f"Reading server profile template {uri}")

    def shared_template(self) -> dict[str, Any]:
        """The template, from a process-wide cache (``TEMPLATE_TTL``): for periodic reads."""
        uri = self.info.server_profile_template_uri
        body = TEMPLATES.get(uri)
        if body is None:
            body = self.template()
            TEMPLATES.put(uri, body)
        return body

    def server_fields(self) -> dict[str, Any]:
        """Power, lock, state, profile and status of the server: from the fleet snapshot under a
        shared lock (Ironic's periodic reads), else a fresh read of the server."""
        task = self._task()
        if task is not None and task.shared:
            uri = self.info.server_hardware_uri
            cached = self._cache.get("fields")
            if cached is not None and cached[0] == uri:
                return cached[1]  # power and health in one sync task: one read
            ttl = common.CONF.oneview.power_state_cache_ttl
            fields = SNAPSHOT.get(self.client, uri, ttl)
            self._cache["fields"] = (uri, fields)
            return fields
        return self.server_hardware()

    def profile(self) -> dict[str, Any] | None:
        """The profile Ironic applied, if the server still carries it; else None."""
        uri = self.info.applied_server_profile_uri
        if not uri or self.server_hardware().get("serverProfileUri") != uri:
            return None
        try:
            return self._read("sp", uri, f"Reading server profile {uri}")
        except common.OneViewDriverError as error:
            if isinstance(error.__cause__, NotFound):
                return None
            raise

    def remember_server(self, server: dict[str, Any]) -> None:
        """A fresher read of the server (done by the caller) replaces the cached one."""
        self._cache.pop("fields", None)
        self._cache["sh"] = (self.info.server_hardware_uri, server)

    def forget(self, *keys: str) -> None:
        """Drop cached reads (all when no key is given) after a write changed them."""
        for key in keys or tuple(self._cache):
            self._cache.pop(key, None)


def forget_templates() -> None:
    TEMPLATES.clear()


def view_of(task: TaskManager) -> View:
    """The task's view, made on first use."""
    view = _VIEWS.get(task)
    if view is None:
        view = _VIEWS[task] = View(task)
    return view
