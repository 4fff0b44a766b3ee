"""HTTP routes. Each module lists (method, path, handler) rows; handlers only call the state."""

from __future__ import annotations

from starlette.routing import Route

from ..http import endpoint
from . import (
    connection_templates,
    firmware_drivers,
    generic,
    hardware,
    network_sets,
    networking,
    profiles,
    sessions,
    sim,
    topology,
)

# Specific paths first: the generic collection routes would otherwise swallow them.
_MODULES = (
    sessions,
    hardware,
    profiles,
    networking,
    network_sets,
    connection_templates,
    firmware_drivers,
    topology,
    generic,
)


def build_routes() -> list[Route]:
    routes = []
    for module in _MODULES:
        for method, path, handler, options in module.ROUTES:
            routes.append(Route(path, endpoint(handler, path, **options), methods=[method]))
    routes.extend(sim.routes())
    return routes
