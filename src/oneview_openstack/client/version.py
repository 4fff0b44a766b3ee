"""REST API version negotiation: the highest X-API-Version both the appliance and we speak.

``GET /rest/version`` needs neither a session nor a version header. An appliance below our
minimum gets one clear error naming both ranges, instead of a 412 on the first real request.
"""

from __future__ import annotations

from typing import Any

from oslo_log import log as logging

from .errors import ApiVersionError
from .settings import HIGHEST_API_VERSION, MINIMUM_API_VERSION
from .transport import Transport, json_body

LOG = logging.getLogger(__name__)
VERSION_PATH = "/rest/version"


def choose_version(
    current: int, minimum: int, ceiling: int | None = None, *, url: str = "OneView"
) -> int:
    """Pick the version from the appliance's range [minimum, current] and ours."""
    ours = min(HIGHEST_API_VERSION, ceiling or HIGHEST_API_VERSION)
    chosen = min(current, ours)
    if current < MINIMUM_API_VERSION:
        raise ApiVersionError(
            f"OneView at {url} offers REST API versions {minimum}..{current}; this client needs "
            f"at least {MINIMUM_API_VERSION} (OneView 4.0).",
            error_code="API_VERSION_TOO_OLD",
            recommended_actions=["Upgrade the appliance to OneView 4.0 or later."],
        )
    if chosen < max(minimum, MINIMUM_API_VERSION):
        raise ApiVersionError(
            f"OneView at {url} requires REST API {minimum} or later, but this client may use at "
            f"most {ours}.",
            error_code="API_VERSION_TOO_NEW",
            recommended_actions=[
                "Unset or raise [oneview]/max_api_version, or upgrade oneview-openstack."
            ],
        )
    return chosen


def negotiate(transport: Transport, ceiling: int | None) -> int:
    """Ask the appliance for its range and choose; counts one ``version_negotiations``."""
    reply = transport.send("GET", VERSION_PATH)
    transport.metrics.count("version_negotiations")
    body: Any = json_body(reply, "GET", VERSION_PATH)
    try:
        current = int(body["currentVersion"])
        minimum = int(body.get("minimumVersion") or 1)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        raise ApiVersionError(
            f"OneView at {transport.base_url} answered {VERSION_PATH} without a usable "
            "currentVersion.",
            error_code="API_VERSION_UNKNOWN",
            method="GET",
            uri=VERSION_PATH,
        ) from error
    chosen = choose_version(current, minimum, ceiling, url=transport.base_url)
    LOG.info(
        "OneView at %s speaks REST API %d..%d; using X-API-Version %d",
        transport.base_url,
        minimum,
        current,
        chosen,
    )
    return chosen
