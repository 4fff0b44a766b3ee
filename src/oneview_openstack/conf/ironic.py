"""``[oneview]`` options only the Ironic hardware type reads (in ironic.conf).

``enable_periodic_tasks`` and ``periodic_check_interval`` keep the names the upstream driver
used (2016-2018), so an old ironic.conf keeps working.
"""

from __future__ import annotations

from oslo_config import cfg

IRONIC_OPTS: list[cfg.Opt] = [
    cfg.BoolOpt(
        "enable_periodic_tasks",
        default=True,
        help="Run the periodic checks that move nodes whose server a OneView user took into "
        "maintenance (and back through cleaning when it is freed), and rescue nodes whose "
        "allocation failed during cleaning.",
    ),
    cfg.IntOpt(
        "periodic_check_interval",
        default=300,
        min=0,
        help="Seconds between two runs of each periodic check; 0 disables them.",
    ),
    cfg.FloatOpt(
        "power_state_cache_ttl",
        default=30.0,
        min=0.0,
        help="Seconds a fleet-wide power-state snapshot (a few paged requests for every server) "
        "serves Ironic's power-state sync before it is read again. Power actions under an "
        "exclusive lock always read the server itself. 0 disables the snapshot (one request "
        "per node, as the upstream driver did).",
    ),
    cfg.FloatOpt(
        "power_lock_timeout",
        default=600.0,
        min=0.0,
        help="Most seconds a power or boot action waits for OneView to release the server "
        "(powerLock, or a profile being applied or removed) before it fails.",
    ),
    cfg.FloatOpt(
        "power_lock_poll_interval",
        default=5.0,
        min=0.001,
        help="Seconds between two looks at a locked server while waiting for it.",
    ),
]
