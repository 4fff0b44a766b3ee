"""OpenStackClient plugin module: what OSC's client manager needs to find and build our client.

The client is an openstacksdk connection to Ironic made from OSC's own session and endpoint, so
``--os-cloud``, Keystone and noauth (``--os-auth-type none --os-endpoint``) work as they do for
``openstack baremetal``.
"""

from __future__ import annotations

import argparse
from typing import Any

from osc_lib import utils

from ..enroll.ironic import IRONIC_API_VERSION

API_NAME = "baremetal_oneview"
API_VERSION_OPTION = "os_baremetal_oneview_api_version"
DEFAULT_API_VERSION = "1"
# Only one version of our commands exists; the value names what make_client builds.
API_VERSIONS = {"1": "openstack.connection.Connection"}


def make_client(instance: Any) -> Any:
    """An openstacksdk connection on OSC's session, pointed at the Bare Metal endpoint."""
    from openstack import connection

    endpoint = instance.get_endpoint_for_service_type(
        "baremetal", region_name=instance.region_name, interface=instance.interface
    )
    return connection.Connection(
        session=instance.session,
        region_name=instance.region_name,
        baremetal_endpoint_override=endpoint.rstrip("/") if endpoint else None,
        baremetal_api_version=IRONIC_API_VERSION,
    )


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """OSC reads the command group ``openstack.baremetal_oneview.v<version>`` from this option."""
    parser.add_argument(
        "--os-baremetal-oneview-api-version",
        metavar="<version>",
        default=utils.env("OS_BAREMETAL_ONEVIEW_API_VERSION", default=DEFAULT_API_VERSION),
        choices=sorted(API_VERSIONS),
        help="openstack baremetal oneview command version (Env: OS_BAREMETAL_ONEVIEW_API_VERSION)",
    )
    return parser
