"""Server profile templates (read-only; ``ServerProfiles.create_from_template`` derives a profile)."""

from __future__ import annotations

from .base import ResourceFamily


class ServerProfileTemplates(ResourceFamily):
    category = "server-profile-templates"
