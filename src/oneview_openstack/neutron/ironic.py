"""Ask Ironic what Neutron cannot know: a port's node, a port group's member NICs, all nodes.

A port's server is the Ironic node named by ``binding:host_id``.

The node's ``driver_info.applied_server_profile_uri`` is the profile Ironic applied; the driver
never guesses the server any other way (networking-oneview's ``switch_info`` hack is gone). The
session comes from Neutron's own ``[ironic]`` keystoneauth options, as Neutron's Ironic notifier
builds it.

A bond's member NICs come from Ironic's port group (``GET /v1/ports?portgroup=<id>``), never from
the Neutron port's MAC: Ironic gives a port-group VIF the port group's address, which no NIC of
the server needs to carry (understack#983).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from oslo_log import log as logging

from ..client import forksafe, views
from ..conf.neutron import IRONIC_GROUP, register_ironic_opts
from .errors import PortWiringError

__all__ = [
    "GroupMember",
    "IronicLookup",
    "IronicUnavailable",
    "Node",
    "NodeNotFound",
    "PortGroupNotFound",
    "register_ironic_opts",
]

LOG = logging.getLogger(__name__)


class NodeNotFound(PortWiringError):
    pass


class IronicUnavailable(PortWiringError):
    pass


class PortGroupNotFound(PortWiringError):
    pass


@dataclass(frozen=True)
class Node:
    uuid: str
    name: str | None
    profile_uri: str | None
    server_hardware_uri: str | None


@dataclass(frozen=True)
class GroupMember:
    """One Ironic port of a port group: a NIC whose profile connection the bond uses."""

    uuid: str
    mac: str | None  # lower-case aa:bb:cc:dd:ee:ff; None when Ironic's address is not a MAC
    node_uuid: str | None
    local_link: dict[str, Any]  # the port's local_link_connection ({} when unset)
    physical_network: str | None


NODE_FIELDS = ["uuid", "name", "driver_info"]
MEMBER_FIELDS = ["uuid", "address", "node_uuid", "local_link_connection", "physical_network"]
# Seconds per Ironic request when ``[ironic] timeout`` is unset (keystoneauth would wait for
# ever): a hung Ironic must fail a binding, not hold a Neutron API worker.
DEFAULT_TIMEOUT = 30.0


class IronicLookup:
    """One openstacksdk connection per process, built on first use (again after a fork)."""

    def __init__(self, conf: Any) -> None:
        self._conf = conf
        register_ironic_opts(conf)
        self._conn: Any = None
        self._lock = threading.Lock()
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        """A child builds its own session: the parent's sockets and lock are not its own."""
        self._lock = threading.Lock()
        self._conn = None

    def _baremetal(self) -> Any:
        with self._lock:
            if self._conn is None:
                from keystoneauth1 import loading as ks_loading
                from openstack import connection

                auth = ks_loading.load_auth_from_conf_options(self._conf, IRONIC_GROUP)
                timeout = getattr(self._conf, IRONIC_GROUP).timeout
                session = ks_loading.load_session_from_conf_options(
                    self._conf,
                    IRONIC_GROUP,
                    auth=auth,
                    timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                )
                self._conn = connection.Connection(
                    session=session, oslo_conf=self._conf, connect_retries=1
                )
            return self._conn.baremetal

    def node(self, host: str) -> Node:
        """The node whose UUID (or name) is ``host``.

        :raises NodeNotFound: Ironic has no such node.
        :raises IronicUnavailable: Ironic cannot be asked (unreachable, auth, anything else).
        """
        from openstack import exceptions as sdk_exc

        try:
            node = self._baremetal().get_node(host)
        except sdk_exc.NotFoundException:
            raise NodeNotFound(
                f"binding:host_id {host!r} is not an Ironic node (GET /v1/nodes/{host} is 404)"
            ) from None
        except Exception as error:  # keystoneauth/openstacksdk raise many kinds
            raise IronicUnavailable(
                f"cannot look up Ironic node {host!r}: {type(error).__name__}: {error}"
            ) from None
        return _node(node)

    def nodes(self) -> list[Node]:
        """Every Ironic node (all pages), with only the fields the driver reads.

        :raises IronicUnavailable: Ironic cannot be asked.
        """
        try:
            return [_node(node) for node in self._baremetal().nodes(fields=NODE_FIELDS)]
        except Exception as error:  # keystoneauth/openstacksdk raise many kinds
            raise IronicUnavailable(
                f"cannot list Ironic nodes: {type(error).__name__}: {error}"
            ) from None

    def portgroup_ports(self, portgroup_id: str) -> list[GroupMember]:
        """The member ports of Ironic port group ``portgroup_id`` (UUID or name).

        :raises PortGroupNotFound: Ironic has no such port group.
        :raises IronicUnavailable: Ironic cannot be asked.
        """
        from openstack import exceptions as sdk_exc

        try:
            ports = list(self._baremetal().ports(portgroup=portgroup_id, fields=MEMBER_FIELDS))
        except sdk_exc.NotFoundException:
            raise PortGroupNotFound(
                f"binding:profile local_group_information.id {portgroup_id!r} is not an Ironic "
                f"port group (GET /v1/ports?portgroup={portgroup_id} is 404)"
            ) from None
        except Exception as error:  # keystoneauth/openstacksdk raise many kinds
            raise IronicUnavailable(
                f"cannot list the ports of Ironic port group {portgroup_id!r}: "
                f"{type(error).__name__}: {error}"
            ) from None
        return [
            GroupMember(
                uuid=port.id,
                mac=views.normalise_mac(port.address),
                node_uuid=port.node_id,
                local_link=dict(port.local_link_connection or {}),
                physical_network=port.physical_network or None,
            )
            for port in ports
        ]


def _node(node: Any) -> Node:
    info = node.driver_info or {}
    return Node(
        uuid=node.id,
        name=node.name,
        profile_uri=info.get("applied_server_profile_uri") or None,
        server_hardware_uri=info.get("server_hardware_uri") or None,
    )
