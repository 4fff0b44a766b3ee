"""Server profile templates, and the unsaved profile a template derives (``new-profile``)."""

from __future__ import annotations

from typing import Any

from .base import ResourceFamily


class ServerProfileTemplates(ResourceFamily):
    category = "server-profile-templates"

    def new_profile(self, id_or_uri: str) -> dict[str, Any]:
        """An unsaved profile body from the template: no uri, name or server yet."""
        return self._connector.get(self.uri(id_or_uri) + "/new-profile") or {}
