"""Nova's files in the sandbox: nova.conf, its api-paste.ini, the WSGI wrapper, and clouds.yaml.

No Keystone runs here, so every service is reached the way each one allows without it:
Ironic and Neutron with ``auth_type = none`` and an ``endpoint_override`` (both run noauth),
Placement with keystoneauth's ``admin_token`` plugin (placement's noauth2 wants a token and makes
``admin`` an admin), Glance with ``auth_type = none`` (no auth pipeline at all), and the Nova API,
which lost noauth2 in Nova 34, behind the sandbox's ``nova_noauth`` filter (token
``user:project``). The sections Ironic and Neutron need to meet Nova are merged into their
configs before those are written (:func:`ironic_sections`, :func:`neutron_sections`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .configs import Sections

# The token every sandbox client sends: user "admin" of project "admin" (see nova_noauth).
TOKEN = "admin:admin"  # noqa: S105 - not a secret: a name (user:project) noauth trusts
COMPUTE_HOST = "sandbox-compute"
CELL = "cell1"
# Bare Metal API version Nova 34's ironic driver asks for is its own; clients here use this one.
BAREMETAL_API_VERSION = "1.90"
COMPUTE_API_VERSION = "2.95"


@dataclass(frozen=True)
class NovaDatabases:
    """oslo.db URLs of Nova's three databases (they hold a password: out of ``repr``)."""

    api: str = field(repr=False)
    cell0: str = field(repr=False)
    cell1: str = field(repr=False)


@dataclass(frozen=True)
class Peers:
    """Where Nova finds the services it drives (the transport URL holds a password)."""

    ironic_url: str
    neutron_url: str
    placement_url: str
    glance_url: str
    transport_url: str = field(repr=False)


def nova_conf(
    state_dir: Path,
    *,
    api_port: int,
    peers: Peers,
    databases: NovaDatabases,
    retry_interval: int = 1,
    resources_interval: int = 5,
) -> Sections:
    """nova.conf, shared by the API, conductor, scheduler and compute (each logs to its output).

    ``resources_interval``: how often nova-compute reads Ironic's nodes into Placement (new or
    freed nodes become schedulable that long after); ``retry_interval``: how often its ironic
    driver polls a deploying node.
    """
    nova_dir = state_dir / "nova"
    return {
        "DEFAULT": {
            "host": COMPUTE_HOST,
            "compute_driver": "ironic.IronicDriver",
            "transport_url": peers.transport_url,
            "state_path": nova_dir,
            "instances_path": nova_dir / "instances",
            "my_ip": "127.0.0.1",
            "debug": False,
            "use_stderr": False,
            "graceful_shutdown_timeout": 5,
            "update_resources_interval": resources_interval,
            # Ironic nodes are whole machines: Nova reserves nothing on them.
            "reserved_host_memory_mb": 0,
            "reserved_host_disk_mb": 0,
            "reserved_host_cpus": 0,
            "heal_instance_info_cache_interval": -1,
        },
        "wsgi": {"api_paste_config": nova_dir / "api-paste.ini"},
        "api_database": {"connection": databases.api},
        "database": {"connection": databases.cell1},
        "conductor": {"workers": 1},
        # New compute hosts are mapped to cell1 without a manual discover_hosts.
        "scheduler": {"workers": 1, "discover_hosts_in_cells_interval": 2, "max_attempts": 3},
        "filter_scheduler": {"track_instance_changes": False},
        "oslo_concurrency": {"lock_path": nova_dir / "locks"},
        "oslo_messaging_notifications": {"driver": "noop"},
        "ironic": {
            "auth_type": "none",
            "endpoint_override": peers.ironic_url,
            "api_retry_interval": retry_interval,
            # Ironic answers 409 while its conductor still holds a node that just failed a
            # deploy; Nova's tear-down of the failed attempt (then its reschedule) must retry.
            "status_code_retries": 15,
            "status_code_retry_delay": 2,
        },
        "placement": {
            "auth_type": "admin_token",
            "endpoint": peers.placement_url,
            "token": TOKEN,
        },
        "neutron": {"auth_type": "none", "endpoint_override": peers.neutron_url},
        "glance": {"auth_type": "none", "endpoint_override": peers.glance_url},
        "service_user": {"send_service_user_token": False},
        "vnc": {"enabled": False},
        "spice": {"enabled": False},
        "serial_console": {"enabled": False},
    }


def ironic_sections(peers: Peers) -> dict[str, dict[str, Any]]:
    """What Ironic needs beside Nova: Glance for Nova's images, no power callbacks to Nova, and
    a shorter bound on port wiring (Nova reschedules sooner).

    Power notifications stay off: Nova's power sync reads Ironic itself, and a callback would
    need a service credential Nova could check.
    """
    return {
        "glance": {"auth_type": "none", "endpoint_override": peers.glance_url},
        "nova": {"send_power_notifications": False},
        # How long a deploy waits for Neutron to wire a port (default 100 x 10 s): a port whose
        # server a OneView user took never is; bounded to 30 s here.
        "agent": {"neutron_agent_max_attempts": 15, "neutron_agent_status_retry_interval": 2},
    }


def neutron_sections() -> dict[str, dict[str, Any]]:
    """What Neutron needs beside Nova: nothing is sent to Nova (Ironic instances wait for no
    vif-plugged event), so the notifications stay off as the sandbox already has them."""
    return {
        "DEFAULT": {
            "notify_nova_on_port_status_changes": False,
            "notify_nova_on_port_data_changes": False,
        }
    }


def merge(target: Sections, extra: Sections) -> None:
    """Add ``extra``'s sections and keys to ``target`` (a config not yet written)."""
    for section, values in extra.items():
        target.setdefault(section, {}).update(values)  # type: ignore[attr-defined]


API_PASTE = """\
# Written by the sandbox: Nova's own pipeline with the sandbox's stand-in for Keystone
# (oneview_openstack.sandbox.nova_noauth) where keystonemiddleware's authtoken was.
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/: oscomputeversions
/v2.1: oscomputeversion_v2
/v2.1/+: openstack_compute_api_v21

[composite:openstack_compute_api_v21]
use = call:nova.api.auth:pipeline_factory_v21
keystone = cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit noauth keystonecontext osapi_compute_app_v21

[filter:noauth]
paste.filter_factory = oneview_openstack.sandbox.nova_noauth:filter_factory

[filter:request_log]
paste.filter_factory = nova.api.openstack.requestlog:RequestLog.factory

[filter:compute_req_id]
paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory

[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory

[filter:sizelimit]
paste.filter_factory = oslo_middleware:RequestBodySizeLimiter.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[app:osapi_compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory

[pipeline:oscomputeversions]
pipeline = cors faultwrap request_log http_proxy_to_wsgi oscomputeversionapp

[pipeline:oscomputeversion_v2]
pipeline = cors compute_req_id faultwrap request_log http_proxy_to_wsgi oscomputeversionapp_v2

[app:oscomputeversionapp]
paste.app_factory = nova.api.openstack.compute.versions:Versions.factory

[app:oscomputeversionapp_v2]
paste.app_factory = nova.api.openstack.compute.versions:VersionsV2.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = nova

[filter:keystonecontext]
paste.filter_factory = nova.api.auth:NovaKeystoneContext.factory
"""

# Nova's WSGI module hands sys.argv to oslo.config: gunicorn's own arguments must not reach it.
NOVA_WSGI = """\
# Written by the sandbox: Nova's compute API for gunicorn, without gunicorn's argv.
import sys

_argv = sys.argv
sys.argv = [_argv[0]]
from nova.wsgi.osapi_compute import application  # noqa: E402,F401

sys.argv = _argv
"""


def clouds_yaml(*, compute_url: str, peers: Peers, ironic_url: str) -> str:
    """``clouds.yaml`` for ``openstack --os-cloud sandbox``: one token, every endpoint given."""
    return (
        "# Written by the sandbox: export OS_CLIENT_CONFIG_FILE=<this file> OS_CLOUD=sandbox\n"
        "clouds:\n"
        "  sandbox:\n"
        "    auth_type: admin_token\n"
        "    auth:\n"
        f"      endpoint: {compute_url}\n"
        f"      token: '{TOKEN}'\n"
        "    identity_api_version: '3'\n"  # openstackclient asks, though no Keystone answers
        f"    compute_endpoint_override: {compute_url}\n"
        f"    compute_api_version: '{COMPUTE_API_VERSION}'\n"
        f"    image_endpoint_override: {peers.glance_url}\n"
        f"    network_endpoint_override: {peers.neutron_url}\n"
        f"    placement_endpoint_override: {peers.placement_url}\n"
        f"    baremetal_endpoint_override: {ironic_url}\n"
        f"    baremetal_api_version: '{BAREMETAL_API_VERSION}'\n"
    )
