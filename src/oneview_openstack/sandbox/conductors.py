"""The Ironic HA shape: ``ironic-api`` apart, N ``ironic-conductor`` processes, json-rpc between.

Each conductor is what a controller runs: its own ``[DEFAULT]host``, json-rpc port, log and
``lock_path``, all on one MariaDB. The API finds a node's conductor through Ironic's hash ring and
calls it over json-rpc at the address its host name carries: the json-rpc client reads
``<address>:<port>`` back out of the name (RPC API 1.58), so ``host = 127.0.0.1:<port>`` needs
no name resolution. A conductor that stops heartbeating drops out of every ring after
``HEARTBEAT_TIMEOUT`` and the others take over its nodes.

Ironic 39 has a snag with several conductors on one address: a conductor on a json-rpc port
other than 8089 registers as ``<[DEFAULT]host>:<port>`` but reserves nodes as the plain
``[DEFAULT]host``, so the reservations of a conductor that died never match its name and are
never taken over (``_check_orphan_nodes``; its own restart does not clear them either). Each
conductor therefore runs through ``LAUNCHER``, which leaves the name as configured: ``host``
already carries the port, and registration and reservations agree. On controllers of their
own (the production shape) the default port and plain host names need none of this.

Every generated file layers on the shared ``ironic.conf``: ``ironic-api.conf`` and
``ironic-conductor<N>.conf`` hold only what differs (oslo.config reads the files in order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oslo_log import log as oslo_log

from .processes import SandboxError

if TYPE_CHECKING:  # configs builds ironic.conf with shared(); no import cycle at run time
    from .configs import Layout

Sections = Mapping[str, Mapping[str, Any]]

# Takeover within seconds, not Ironic's default minute: a sandbox and its HA tests are short.
HEARTBEAT_INTERVAL = 2
HEARTBEAT_TIMEOUT = 10
HASH_RING_RESET_INTERVAL = 5
CHECK_PROVISION_STATE_INTERVAL = 5
# Every OneView request a conductor makes is one DEBUG line of its log (method, path, status:
# never a credential), so its log shows which servers it touched; so is each power snapshot
# (how many servers it listed for how many of its own).
DEBUG_LOGGERS = ["oneview_openstack.client=DEBUG", "oneview_openstack.ironic.snapshot=DEBUG"]
# Setting default_log_levels replaces Ironic's list: these keep its quiet loggers quiet.
QUIET_LOGGERS = ["requests=WARNING", "openstack=WARNING", "oslo_concurrency.lockutils=WARNING"]


# ``ironic-conductor`` with Ironic's port suffix off (see above). At module level, so that a
# worker started by spawn (which imports this file again) has it too.
LAUNCHER = '''"""ironic-conductor whose registered name is its [DEFAULT]host, as its reservations are.

Written by the sandbox (oneview_openstack.sandbox.conductors explains why).
"""
import sys

from ironic.command import conductor  # first: it chooses oslo.service's threading backend
from ironic.conductor import base_manager

base_manager.BaseConductorManager._use_jsonrpc_port = lambda self: False

if __name__ == "__main__":
    sys.exit(conductor.main())
'''


def split(conductors: int) -> bool:
    """True when Ironic runs as an API and conductors apart (more than one conductor)."""
    return conductors > 1


def check(conductors: int, database: str) -> None:
    """Refuse a shape Ironic cannot run: several conductors need a shared database server.

    :raises SandboxError: ``conductors`` is below 1, or above 1 on sqlite.
    """
    if conductors < 1:
        raise SandboxError(f"--ironic-conductors {conductors}: at least 1 conductor is needed")
    if split(conductors) and database != "mariadb":
        raise SandboxError(
            f"--ironic-conductors {conductors} needs --db mariadb: conductors on several "
            f"controllers share one database server, and {database} is a file of one process"
        )


ADDRESS = "127.0.0.1"


def host(port: int) -> str:
    """The host name a conductor registers (``GET /v1/conductors``, a node's ``conductor``)."""
    return f"{ADDRESS}:{port}"


def name(index: int) -> str:
    """Conductor ``index``'s name (1, 2, ...), in its files and the supervisor's services."""
    return f"ironic-conductor{index}"


def service_name(index: int) -> str:
    """The supervisor's name for conductor ``index`` (a test finds it to kill it)."""
    return f"Ironic conductor {index}"


def shared(layout: Layout) -> Sections:
    """What ``ironic.conf`` adds for the split shape (json-rpc, short heartbeats)."""
    return {
        "DEFAULT": {
            "rpc_transport": "json-rpc",
            "hash_ring_reset_interval": HASH_RING_RESET_INTERVAL,
            "default_log_levels": [
                *oslo_log.get_default_log_levels(),
                *QUIET_LOGGERS,
                *DEBUG_LOGGERS,
            ],
        },
        "json_rpc": {"host_ip": ADDRESS, "auth_strategy": "noauth"},
        "conductor": {
            "heartbeat_interval": HEARTBEAT_INTERVAL,
            "heartbeat_timeout": HEARTBEAT_TIMEOUT,
            "check_provision_state_interval": CHECK_PROVISION_STATE_INTERVAL,
        },
    }


def api_overlay(layout: Layout) -> Sections:
    """``ironic-api``'s own log; it serves on ``[api]port`` of the shared file."""
    return {"DEFAULT": {"host": "sandbox-ironic-api", "log_file": layout.path("ironic-api.log")}}


def conductor_overlay(layout: Layout, index: int) -> Sections:
    """Conductor ``index``'s own settings; it binds ports through Neutron host ``index`` (in
    turn), as each controller's conductor reaches its own Neutron behind the load balancer."""
    port = layout.ironic_rpc_ports[index - 1]
    neutron_urls = layout.neutron_urls
    return {
        "DEFAULT": {"host": host(port), "log_file": layout.path(f"{name(index)}.log")},
        "json_rpc": {"port": port},
        "oslo_concurrency": {"lock_path": layout.path(f"locks-{name(index)}")},
        "neutron": {"endpoint_override": neutron_urls[(index - 1) % len(neutron_urls)]},
    }


def overlays(layout: Layout) -> dict[str, Sections]:
    """``ironic-api`` and one ``ironic-conductor<N>`` overlay each, by file stem."""
    files = {"ironic-api": api_overlay(layout)}
    for index in range(1, len(layout.ironic_rpc_ports) + 1):
        files[name(index)] = conductor_overlay(layout, index)
    return files
