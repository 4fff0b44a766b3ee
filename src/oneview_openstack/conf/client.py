"""How the OneView client reaches the appliance, and its limits (read by every service).

The first six names are the ones the original design documents promised operators, so they
are kept.
"""

from __future__ import annotations

from oslo_config import cfg

CONNECTION_OPTS = [
    cfg.StrOpt(
        "manager_url",
        help="URL of the OneView appliance, e.g. https://oneview.example.com. "
        "A bare host name means https.",
    ),
    cfg.StrOpt("username", help="OneView user with server-profile and networking privileges."),
    cfg.StrOpt("password", secret=True, help="Password of the OneView user."),
    cfg.StrOpt(
        "login_domain",
        help="OneView login domain (authLoginDomain) of the user, e.g. a directory name. "
        "Unset means the appliance's local users.",
    ),
    cfg.BoolOpt(
        "allow_insecure_connections",
        default=False,
        help="Connect to OneView without verifying its TLS certificate. Only for labs: the "
        "client logs a warning when this is on, and ignores tls_cacert_file.",
    ),
    cfg.StrOpt(
        "tls_cacert_file",
        help="CA bundle (PEM) that signed the OneView certificate. Unset means the system "
        "trust store.",
    ),
    cfg.FloatOpt(
        "connect_timeout",
        default=10.0,
        min=0.1,
        help="Seconds to wait for a TCP/TLS connection to OneView.",
    ),
    cfg.FloatOpt(
        "read_timeout",
        default=60.0,
        min=0.1,
        help="Seconds to wait for OneView to answer one request.",
    ),
    cfg.IntOpt(
        "max_api_version",
        min=600,
        help="Highest X-API-Version to use. Unset means the highest this client and the "
        "appliance both support (negotiated from GET /rest/version).",
    ),
    cfg.IntOpt(
        "connection_pool_size",
        default=16,
        min=1,
        help="Keep-alive connections the client keeps open to OneView.",
    ),
]

LIMIT_OPTS = [
    cfg.IntOpt(
        "max_polling_attempts",
        default=360,
        min=1,
        help="Most times one OneView task is polled before the wait gives up.",
    ),
    cfg.FloatOpt(
        "task_timeout",
        default=3600.0,
        min=1.0,
        help="Most seconds any single wait for a OneView task may take.",
    ),
    cfg.FloatOpt(
        "task_poll_interval",
        default=0.5,
        min=0.001,
        help="Seconds before the first task poll; later polls back off from here (x1.5), "
        "brought forward when the task's progress predicts an earlier end.",
    ),
    cfg.FloatOpt(
        "task_poll_max_interval",
        default=10.0,
        min=0.001,
        help="Longest pause between two polls of one task.",
    ),
    cfg.IntOpt(
        "request_retries",
        default=3,
        min=0,
        help="Retries of a failed idempotent request (connection error, 500, 502, 503, 504).",
    ),
    cfg.IntOpt(
        "etag_update_attempts",
        default=5,
        min=1,
        help="Read-modify-write attempts when OneView answers 412 (someone else changed the "
        "resource in between).",
    ),
]

CLIENT_OPTS = CONNECTION_OPTS + LIMIT_OPTS
