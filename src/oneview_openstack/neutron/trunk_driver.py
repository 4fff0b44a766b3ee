"""The ``oneview`` trunk driver: what Neutron's trunk plugin sees, and the events it sends us.

Agentless (no agent type), vif type ``other``, segmentation type ``vlan``, and trunks may be
created on a parent that is already bound (``can_trunk_bound_port``): a network set can take a
running server's connection. Neutron picks the driver in charge of a bound parent by vif type
alone when drivers are agentless (``services/trunk/utils.py is_driver_compatible``), and two such
drivers claiming ``other`` make every trunk on a bound parent fail with
``TrunkPluginDriverConflict`` (``services/trunk/rules.py``). When another agentless driver for
``other`` is loaded (networking-generic-switch's ``genericswitch``, say), this one steps back from
that vote (the other driver also allows bound parents, so the answer is the same) and still carries
the trunks whose parent the ``oneview`` mechanism driver bound.

Subport status: like networking-generic-switch, subports are not bound to a host; they are set
ACTIVE once the network set carries them on a wired parent, and DOWN when it no longer does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neutron.db import segments_db
from neutron.objects import ports as port_obj
from neutron.objects import trunk as trunk_objects
from neutron.plugins.ml2 import db as ml2_db
from neutron.services.trunk.drivers import base as trunk_base
from neutron_lib import context as n_context
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events, registry, resources
from neutron_lib.db import api as db_api
from neutron_lib.services.trunk import constants as trunk_consts
from oslo_config import cfg
from oslo_log import log as logging

from . import trunk_rules
from .constants import DRIVER_NAME

if TYPE_CHECKING:
    from .trunks import TrunkSync

LOG = logging.getLogger(__name__)

INTERFACES = (portbindings.VIF_TYPE_OTHER,)
SEGMENTATION_TYPES = (trunk_consts.SEGMENTATION_TYPE_VLAN,)


class OneViewTrunkDriver(trunk_base.DriverBase):
    """Registered with the trunk plugin at its AFTER_INIT; subscribes the trunk events."""

    trunks: TrunkSync
    plugin: Any = None  # the trunk plugin, once it registered this driver

    @classmethod
    def create(cls, trunks: TrunkSync) -> OneViewTrunkDriver:
        driver = cls(DRIVER_NAME, INTERFACES, SEGMENTATION_TYPES, None, can_trunk_bound_port=True)
        driver.trunks = trunks
        return driver

    @property
    def is_loaded(self) -> bool:
        try:
            return DRIVER_NAME in cfg.CONF.ml2.mechanism_drivers
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
            return False

    def rivals(self) -> list[Any]:
        """Other loaded agentless trunk drivers that also claim vif type ``other``."""
        plugin = self.plugin
        if plugin is None:
            return []
        return [
            driver
            for driver in plugin.registered_drivers
            if driver is not self
            and not driver.agent_type
            and getattr(driver, "is_loaded", False)
            and portbindings.VIF_TYPE_OTHER in (driver.interfaces or ())
        ]

    def is_interface_compatible(self, interface: Any) -> bool:
        """Step back from the bound-parent vote when a rival claims the same vif type."""
        if interface not in self.interfaces:
            return False
        return not self.rivals()

    @registry.receives(resources.TRUNK_PLUGIN, [events.AFTER_INIT])
    def register(self, resource: Any, event: Any, trigger: Any, payload: Any = None) -> None:
        super().register(resource, event, trigger, payload=payload)
        self.plugin = trigger
        if self.rivals():
            LOG.warning(
                "Trunk driver %s also claims vif type 'other' without an agent; the oneview "
                "trunk driver leaves the question whether a bound parent may be trunked to it "
                "(both allow it) and still carries the trunks of ports the oneview mechanism "
                "driver binds",
                [d.name for d in self.rivals()],
            )
        handler = TrunkEvents(self.trunks)
        subscriptions = (
            (handler.check_trunk, resources.TRUNK, events.PRECOMMIT_CREATE),
            (handler.check_subports, resources.SUBPORTS, events.PRECOMMIT_CREATE),
            (handler.trunk_created, resources.TRUNK, events.AFTER_CREATE),
            (handler.trunk_deleted, resources.TRUNK, events.AFTER_DELETE),
            (handler.subports_added, resources.SUBPORTS, events.AFTER_CREATE),
            (handler.subports_deleted, resources.SUBPORTS, events.AFTER_DELETE),
        )
        for callback, kind, when in subscriptions:
            registry.subscribe(callback, kind, when)
        self.handler = handler
        LOG.info("Trunk driver %s registered (vif type other, vlan subports)", self.name)


class TrunkEvents:
    """Neutron's trunk and port events, turned into :class:`TrunkSync` calls.

    The AFTER events run after Neutron committed; a failure there is logged and the trunk goes
    to ERROR (Neutron itself only logs what a callback raises), reconciliation repairs the set.
    """

    def __init__(self, trunks: TrunkSync) -> None:
        self.trunks = trunks

    # -- PRECOMMIT: refusals (400) -----------------------------------------------------------
    # These run inside the trunk plugin's transaction: they read the database directly (port
    # and segment rows), not through the core plugin, whose port dicts' trunk extension reads
    # in a session of its own.
    def check_trunk(self, resource: Any, event: Any, trigger: Any, payload: Any) -> None:
        """:raises TrunkNotCarried: the parent or a subport cannot be carried by a set."""
        trunk = payload.desired_state
        context = payload.context
        parent = _port_facts(context, trunk.port_id)
        if parent is None:
            return
        trunk_rules.check_trunk(parent, _requests(context, trunk.sub_ports), self.trunks.may_mirror)

    def check_subports(self, resource: Any, event: Any, trigger: Any, payload: Any) -> None:
        """:raises TrunkNotCarried: a new subport cannot be carried by the trunk's set."""
        trunk = payload.states[0]
        context = payload.context
        parent = _port_facts(context, trunk.port_id)
        if parent is None:
            return
        subports = payload.metadata["subports"]
        try:
            trunk_rules.check_subports(parent, _requests(context, subports), self.trunks.may_mirror)
        except trunk_rules.TrunkNotCarried:
            # The whole request is refused. Neutron's add_subports has written these rows
            # already, and they were seen to outlive a PRECOMMIT refusal (sqlite); take them
            # out in the same transaction, a no-op wherever the refusal rolls them back.
            for subport in subports:
                trunk_objects.SubPort.delete_objects(
                    context, trunk_id=trunk.id, port_id=subport.port_id
                )
            raise

    # -- AFTER: OneView work -----------------------------------------------------------------
    def trunk_created(self, resource: Any, event: Any, trigger: Any, payload: Any) -> None:
        trunk = payload.states[0]
        self.trunks.trunk_changed(_admin(), trunk.id, trunk.port_id)

    def trunk_deleted(self, resource: Any, event: Any, trigger: Any, payload: Any) -> None:
        trunk = payload.states[0]
        self.trunks.trunk_deleted(
            _admin(), trunk.id, trunk.port_id, [s.port_id for s in trunk.sub_ports]
        )

    def subports_added(self, resource: Any, event: Any, trigger: Any, payload: Any) -> None:
        trunk = payload.states[-1]
        self.trunks.subports_changed(
            _admin(), trunk.id, trunk.port_id, added=list(payload.metadata["subports"])
        )

    def subports_deleted(self, resource: Any, event: Any, trigger: Any, payload: Any) -> None:
        trunk = payload.states[-1]
        self.trunks.subports_changed(
            _admin(), trunk.id, trunk.port_id, removed=list(payload.metadata["subports"])
        )


def _network_facts(context: Any, network_id: str) -> trunk_rules.NetworkFacts:
    segments = segments_db.get_network_segments(context, network_id)
    return trunk_rules.NetworkFacts(
        network_id,
        tuple((s["network_type"], s["physical_network"], s["segmentation_id"]) for s in segments),
    )


def _port_facts(context: Any, port_id: str) -> trunk_rules.PortFacts | None:
    port = port_obj.Port.get_object(context, id=port_id)
    if port is None:
        return None
    vnic = next((b.vnic_type for b in port.bindings or []), None)
    return trunk_rules.PortFacts(port_id, vnic, _network_facts(context, port.network_id))


def _requests(context: Any, subports: Any) -> list[trunk_rules.SubportRequest]:
    requests = []
    for subport in subports or []:
        port = port_obj.Port.get_object(context, id=subport.port_id)
        if port is None:
            continue  # Neutron's own validation answers for a missing port
        requests.append(
            trunk_rules.SubportRequest(
                port_id=subport.port_id,
                network=_network_facts(context, port.network_id),
                segmentation_type=subport.segmentation_type,
                segmentation_id=int(subport.segmentation_id),
            )
        )
    return requests


def _admin() -> n_context.Context:
    return n_context.get_admin_context()


def bound_by_us(context: Any, port: dict[str, Any]) -> dict[str, Any] | None:
    """The bottom segment (dict) of a port the ``oneview`` mechanism driver bound, or None."""
    host = port.get(portbindings.HOST_ID)
    if not host or port.get(portbindings.VIF_TYPE) != portbindings.VIF_TYPE_OTHER:
        return None
    with db_api.CONTEXT_READER.using(context):
        levels = ml2_db.get_binding_level_objs(context, port["id"], host) or []
        if not levels or levels[-1].driver != DRIVER_NAME:
            return None
        segment = segments_db.get_segment_by_id(context, levels[-1].segment_id)
    return dict(segment) if segment else None


def set_statuses(context: Any, port_ids: list[str], status: str) -> None:
    """Subport statuses, written to the port rows as Neutron's OVN trunk driver does.

    Not through the core plugin's ``update_port_status``: called from inside another port's
    status change (the parent's), that nests a whole ML2 port update in it.
    """
    if not port_ids:
        return
    with db_api.CONTEXT_WRITER.using(context):
        for port_id in port_ids:
            port = port_obj.Port.get_object(context, id=port_id)
            if port is not None and port.status != status:
                port.status = status
                port.update()


def set_trunk_status(context: Any, trunk_id: str, status: str) -> None:
    with db_api.CONTEXT_WRITER.using(context):
        trunk = trunk_objects.Trunk.get_object(context, id=trunk_id)
        if trunk is not None and trunk.status != status:
            trunk.update(status=status)
