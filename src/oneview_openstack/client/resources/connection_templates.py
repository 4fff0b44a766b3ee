"""Connection templates: the bandwidth every connection to a network or network set gets.

Each Ethernet network and network set points at its own template (``connectionTemplateUri``);
``bandwidth`` holds ``typicalBandwidth`` and ``maximumBandwidth`` in Mbps, typical ≤ maximum. The
appliance's default template is what a new network is given. Writes are eTag-checked PUTs of the
whole template (oneview-python ``connection_templates.update``).
"""

from __future__ import annotations

from typing import Any

from ..etag import UpdateResult
from .base import ResourceFamily

DEFAULT = "defaultConnectionTemplate"


def bandwidth_of(template: dict[str, Any]) -> tuple[int | None, int | None]:
    """(typical, maximum) Mbps of a template; None where OneView gave no integer."""
    bandwidth = template.get("bandwidth") or {}

    def mbps(key: str) -> int | None:
        value = bandwidth.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return mbps("typicalBandwidth"), mbps("maximumBandwidth")


class ConnectionTemplates(ResourceFamily):
    category = "connection-templates"

    def default(self) -> dict[str, Any]:
        """The appliance's default template (the bandwidth a new network gets)."""
        return self.get(DEFAULT)

    def set_bandwidth(
        self, id_or_uri: str, *, maximum_mbps: int, typical_mbps: int | None = None
    ) -> UpdateResult:
        """Set the maximum (and typical) bandwidth; no PUT when already so.

        ``typical_mbps`` None keeps the typical bandwidth, lowered to the maximum when above it
        (OneView wants typical ≤ maximum).

        :raises BadRequest: OneView refused the values (e.g. above the ports' speed).
        :raises PreconditionFailed: the template kept changing (``etag_update_attempts``).
        """

        def change(template: dict[str, Any]) -> bool:
            typical, maximum = bandwidth_of(template)
            wanted_typical = typical_mbps if typical_mbps is not None else typical
            if wanted_typical is None or wanted_typical > maximum_mbps:
                wanted_typical = maximum_mbps
            if (typical, maximum) == (wanted_typical, maximum_mbps):
                return False
            template["bandwidth"] = {
                **(template.get("bandwidth") or {}),
                "typicalBandwidth": wanted_typical,
                "maximumBandwidth": maximum_mbps,
            }
            return True

        return self._update(id_or_uri, change)
