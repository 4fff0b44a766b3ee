"""Every ``[oneview]`` option, declared once, split by who reads it.

Ironic (ironic.conf) and Neutron (neutron.conf) call :func:`register_opts` with their own
``CONF``: both get the client options, each gets its own service's options.
``oslo-config-generator --namespace oneview-openstack`` reads :func:`list_opts`.
"""

from __future__ import annotations

import copy
from typing import Literal

from oslo_config import cfg

from .client import CLIENT_OPTS, CONNECTION_OPTS, LIMIT_OPTS
from .ironic import IRONIC_OPTS
from .neutron import NEUTRON_OPTS

GROUP_NAME = "oneview"
ALL_OPTS = CLIENT_OPTS + IRONIC_OPTS + NEUTRON_OPTS

__all__ = [
    "ALL_OPTS",
    "CLIENT_OPTS",
    "CONNECTION_OPTS",
    "GROUP_NAME",
    "IRONIC_OPTS",
    "LIMIT_OPTS",
    "NEUTRON_OPTS",
    "list_opts",
    "oneview_group",
    "register_opts",
]


def oneview_group() -> cfg.OptGroup:
    """A fresh group object: oslo.config keeps per-ConfigOpts state (overrides) inside it."""
    return cfg.OptGroup(
        GROUP_NAME,
        title="HPE OneView",
        help="How to reach HPE OneView: address, credentials, TLS, and the client's limits.",
    )


def register_opts(
    conf: cfg.ConfigOpts, service: Literal["ironic", "neutron"] | None = None
) -> None:
    """Register ``[oneview]`` on a service's ``CONF`` (safe to call more than once)."""
    if GROUP_NAME not in conf:
        conf.register_group(oneview_group())
    conf.register_opts(CLIENT_OPTS, group=GROUP_NAME)
    if service == "ironic":
        conf.register_opts(IRONIC_OPTS, group=GROUP_NAME)
    elif service == "neutron":
        conf.register_opts(NEUTRON_OPTS, group=GROUP_NAME)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """The ``oslo.config.opts`` entry point: what the sample-config generator prints."""
    return [(oneview_group(), copy.deepcopy(ALL_OPTS))]
