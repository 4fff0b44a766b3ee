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
        help="Let reconciliation delete OneView networks named 'Neutron [<uuid>]' whose Neutron "
        "network no longer exists, and undo profile connections still wired for deleted ports. "
        "Off by default: orphans are only reported in the log.",
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
]


def register_ironic_opts(conf: Any) -> None:
    """Neutron's ``[ironic]`` keystoneauth options (auth_type, auth_url, endpoint_override...)."""
    from keystoneauth1 import loading as ks_loading

    ks_loading.register_auth_conf_options(conf, IRONIC_GROUP)
    ks_loading.register_session_conf_options(conf, IRONIC_GROUP)
    ks_loading.register_adapter_conf_options(conf, IRONIC_GROUP)
