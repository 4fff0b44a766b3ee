"""Every ``[oneview]`` option, declared once, split by who reads it.

Ironic (ironic.conf) and Neutron (neutron.conf) call :func:`register_opts` with their own
``CONF``: both get the client options, each gets its own service's options.
The sample-config generator has one namespace per service, each with what that service's file
needs: ``oneview-openstack.ironic`` (ironic.conf) and ``oneview-openstack.neutron`` (neutron.conf);
``oneview-openstack`` lists every option of both.
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
    "list_ironic_opts",
    "list_neutron_opts",
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


def _listed(opts: list[cfg.Opt]) -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(oneview_group(), copy.deepcopy(opts))]


def list_ironic_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """``oneview-openstack.ironic``: the ``[oneview]`` options ironic.conf takes."""
    return _listed(CLIENT_OPTS + IRONIC_OPTS)


def list_neutron_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """``oneview-openstack.neutron``: the ``[oneview]`` options neutron.conf takes."""
    return _listed(CLIENT_OPTS + NEUTRON_OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """``oneview-openstack``: every option of both services (one file for a shared config)."""
    return _listed(ALL_OPTS)
