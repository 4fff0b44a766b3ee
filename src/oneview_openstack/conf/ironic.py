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
    # Room D1 (issue 14): asynchronous profile edits of the bios, raid and firmware steps.
    cfg.IntOpt(
        "profile_edit_poll_interval",
        default=30,
        min=1,
        help="Seconds between two looks at the OneView task of a profile edit a clean, deploy "
        "or service step started (BIOS, RAID, firmware). Each look also touches the node's "
        "provisioning time, so an edit outlasting [conductor]*_callback_timeout is not failed "
        "while OneView is still working.",
    ),
    cfg.IntOpt(
        "profile_edit_timeout",
        default=14400,
        min=60,
        help="Most seconds a step waits for the OneView task of its profile edit before it "
        "fails the step (a firmware baseline takes 30-90 minutes; BIOS or RAID a few).",
    ),
    # Room E1 (issue 14): the template chosen per deployment, composed into the claim.
    cfg.BoolOpt(
        "keep_profiles_linked_to_template",
        default=False,
        help="Keep the profiles Ironic claims linked to the server profile template they are "
        "made from (serverProfileTemplateUri), so OneView reports templateCompliance and can "
        "update them from the template. False blanks the link, as Ironic always did: a later "
        "template edit then never makes a tenant's profile non-compliant. When True, the "
        "template's connectionSettings.complianceControl must not be Checked, or an update "
        "from the template would undo the connections Neutron made.",
    ),
]
