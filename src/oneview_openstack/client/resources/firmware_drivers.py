"""Firmware baselines (``/rest/firmware-drivers``): the SPPs a profile's firmware section names.

Operators name a baseline the way OneView shows it: its name ("Service Pack for ProLiant"), its
short name ("SPP_2026_03") or its URI. Several SPPs share one name, so the short name is the
precise handle; a name that matches several baselines is refused rather than guessed.
"""

from __future__ import annotations

from typing import Any

from ..configuration import FirmwareBaseline, firmware_baseline
from ..errors import NotFound
from ..setting_rejected import SettingRejected, one_of
from .base import ResourceFamily


def _label(baseline: dict[str, Any]) -> str:
    return str(baseline.get("baselineShortName") or baseline.get("name") or baseline.get("uri"))


class FirmwareDrivers(ResourceFamily):
    category = "firmware-drivers"

    def find(self, name: str) -> dict[str, Any] | None:
        """The one baseline whose ``baselineShortName``, ``name`` or URI is ``name``, or None.

        :raises SettingRejected: ``name`` is the name of several baselines (use a short name).
        """
        members = self.list()
        exact = [b for b in members if name in (b.get("baselineShortName"), b.get("uri"))]
        if exact:
            return exact[0]
        named = [b for b in members if b.get("name") == name]
        if len(named) > 1:
            raise SettingRejected(
                "firmware baseline",
                name,
                one_of(sorted(_label(b) for b in named)),
                reason=f"names {len(named)} baselines",
            )
        return named[0] if named else None

    def baseline(self, name_or_uri: str) -> FirmwareBaseline:
        """The baseline an operator named (short name, name, id or URI), as a view.

        :raises SettingRejected: no such baseline (the error lists those that exist), or the
            name is ambiguous.
        :raises OneViewError: OneView could not be read.
        """
        found: dict[str, Any] | None
        if name_or_uri.startswith(self.path + "/"):
            try:
                found = self.get(name_or_uri)
            except NotFound:
                found = None
        else:
            found = self.find(name_or_uri)
            if found is None and name_or_uri.replace("-", "").replace("_", "").isalnum():
                try:
                    found = self.get(name_or_uri)  # an id
                except NotFound:
                    found = None
        if found is None:
            known = sorted(_label(b) for b in self.list())
            raise SettingRejected(
                "firmware baseline", name_or_uri, one_of(known, "/rest/firmware-drivers")
            )
        return firmware_baseline(found)
