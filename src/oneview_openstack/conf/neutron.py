"""``[oneview]`` options only the ML2 mechanism driver reads (in neutron.conf).

Which Neutron networks become OneView networks, and on which uplink sets, is decided by these
mappings alone: a network on a physical network none of them names is left alone.
"""

from __future__ import annotations

from typing import Any

from oslo_config import cfg

# Neutron's own group for reaching Ironic (its notifier uses it too): keystoneauth auth, session
# and adapter options. Neutron registers them itself; the driver does the same, with the same
# definitions, so that whichever comes first wins and the other is a no-op.
IRONIC_GROUP = "ironic"

NEUTRON_OPTS: list[cfg.Opt] = [
    cfg.ListOpt(
        "uplink_set_uuids",
        default=[],
        help="Uplink sets (UUIDs) every new VLAN network joins when its physical network has no "
        "entry in uplink_set_mappings. Empty means: only mapped physical networks are mirrored.",
    ),
    cfg.ListOpt(
        "uplink_set_mappings",
        default=[],
        help="Per physical network, the uplink sets its networks join, as "
        "<physnet>:<uplink set UUID> pairs; a physical network may repeat. VLAN networks join "
        "the Tagged uplink sets of their physical network, flat networks the Untagged one. "
        "Example: physnet1:0b3e...,physnet1:9f2c...,physnet2:77aa...",
    ),
    cfg.ListOpt(
        "flat_network_mappings",
        default=[],
        help="Flat physical networks that use an existing OneView Ethernet network, as "
        "<physnet>:<OneView network UUID> pairs (one per physical network). The driver never "
        "creates, changes or deletes these networks.",
    ),
    cfg.IntOpt(
        "reconcile_interval",
        default=600,
        min=0,
        help="Seconds between two comparisons of Neutron with OneView by the periodic worker "
        "(neutron-periodic-workers). 0 disables reconciliation.",
    ),
    cfg.BoolOpt(
        "delete_orphans",
        default=False,
        deprecated_for_removal=True,
        deprecated_reason="Split in two: delete_orphan_networks and undo_stale_connections. "
        "Until they are set, this value is the default of both.",
        help="Deprecated: the default of delete_orphan_networks and undo_stale_connections.",
    ),
    cfg.BoolOpt(
        "delete_orphan_networks",
        default=None,
        help="Let reconciliation delete OneView networks named 'Neutron [<uuid>]' whose Neutron "
        "network no longer exists (after a fresh read confirms it, and only once the OneView "
        "network is older than reconcile_interval). Unset: the value of the deprecated "
        "delete_orphans (false). Off: orphans are only reported in the log.",
    ),
    cfg.BoolOpt(
        "undo_stale_connections",
        default=None,
        help="Let reconciliation undo server profile connections still wired for Neutron ports "
        "that are gone or no longer bound by this driver (after a fresh read of the port and "
        "the profile confirms it), by the same edit an unbind makes. Never powers a server "
        "off: a server that must be off for it is reported. Unset: the value of the deprecated "
        "delete_orphans (false). Off: such connections are only reported in the log.",
    ),
    cfg.BoolOpt(
        "allow_power_cycle_for_connection_changes",
        default=False,
        help="Let the ML2 driver power a server off (and back on) when OneView refuses a port's "
        "connection change while the server is on: adding or removing a connection, as for a "
        "port whose MAC has no connection in the server profile. Off (the default): such a "
        "port fails (status ERROR) with an error naming this option, and the server's power "
        "stays Ironic's. Changing the network of an existing connection needs no power cycle, "
        "so a server profile template with a connection for every port Neutron binds avoids "
        "the question. Reconciliation never cycles power, whatever this says.",
    ),
    cfg.FloatOpt(
        "profile_busy_timeout",
        default=300.0,
        min=0.0,
        help="Most seconds a port binding waits for a server profile or server hardware that "
        "OneView reports busy (another task in progress) before giving up.",
    ),
    cfg.StrOpt(
        "coordination_backend_url",
        secret=True,  # a Redis or database URL may carry a password
        help="A tooz coordination backend shared by every Neutron API process on every host, "
        "e.g. etcd3+http://controller:2379, redis://:password@controller:6379, "
        "mysql://user:password@controller/tooz. It holds the per-server-profile lock (one "
        "writer, and one power cycle, per server across hosts) and the uplink-set locks; on "
        "etcd also the queue through which one process writes the uplink-set changes of every "
        "process in one PUT. Unset: the locks only reach the processes of one host, through "
        "oslo.concurrency lock files under [oslo_concurrency] lock_path; other hosts then "
        "meet at OneView's eTags.",
    ),
    # -- issue 15: each feature appends its options inside its own block only ---------------
    # [TRUNK options]
    cfg.StrOpt(
        "trunk_network_set_type",
        default="Regular",
        choices=("Regular", "Large"),
        help="networkSetType of the OneView network set made for each bare-metal trunk. "
        "Regular holds up to 1000 networks on Synergy (162 on other platforms); Large up to "
        "4000, but only with VC SE 100Gb F32 modules on Synergy or on rack servers, and at "
        "most 60 Large sets per logical interconnect. A set's type cannot change later.",
    ),
    # [/TRUNK options]
    # [BOND options]
    # [/BOND options]
    # [SEGMENT options]
    cfg.BoolOpt(
        "write_segment_host_mappings",
        default=True,
        help="Let the ML2 driver write Neutron's segment-host mappings for Ironic nodes (host = "
        "the node UUID) from OneView's topology: the server's interconnects, their logical "
        "interconnects, the mapped uplink sets there, the segments planned on those. Written "
        "by reconciliation for every node, and before a bare-metal port of a node not yet "
        "mapped to its routed network gets its IP. Routed networks then allocate IPs per "
        "segment without an agent. Turn off when networking-baremetal's ironic-neutron-agent "
        "maps the nodes instead (both would overwrite each other).",
    ),
    # [/SEGMENT options]
    # [QOS options]
    cfg.BoolOpt(
        "refuse_unenforced_security_group_rules",
        default=False,
        help="OneView does not filter a server's traffic, so the driver binds bare-metal ports "
        "with port_filter false and cannot enforce security groups. On: a bare-metal port on a "
        "network this driver mirrors is refused (400) when one of its security groups has a "
        "rule other than the default ones Neutron adds to a new group (its default security "
        "group rule templates), and adding such a rule to a group that a port bound by this "
        "driver uses is refused (409), so no tenant believes a rule protects a server. Off (the "
        "default): such rules are accepted and, like every rule on these ports, not enforced.",
    ),
    cfg.BoolOpt(
        "private_networks",
        default=False,
        help="Create the OneView networks of Neutron networks as private networks "
        "(privateNetwork: true): servers on one such network cannot reach each other through "
        "the Virtual Connect interconnects, only the uplinks. Applies to networks created from "
        "now on; existing OneView networks keep their setting.",
    ),
    # [/QOS options]
]


def register_ironic_opts(conf: Any) -> None:
    """Neutron's ``[ironic]`` keystoneauth options (auth_type, auth_url, endpoint_override...)."""
    from keystoneauth1 import loading as ks_loading

    ks_loading.register_auth_conf_options(conf, IRONIC_GROUP)
    ks_loading.register_session_conf_options(conf, IRONIC_GROUP)
    ks_loading.register_adapter_conf_options(conf, IRONIC_GROUP)
