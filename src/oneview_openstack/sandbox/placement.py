"""Placement for the sandbox's Nova: its WSGI module under gunicorn, ``noauth2``, on 127.0.0.1.

Nova's scheduler asks Placement which nodes' resource providers have the flavor's resource
class; its compute service (the ironic driver) reports one provider per node. The sandbox runs
Placement as an operator does without Apache: ``placement-manage db sync``, then gunicorn on
``placement.wsgi.api``, which reads ``placement.conf`` from ``OS_PLACEMENT_CONFIG_DIR``.

``noauth2`` takes the ``X-Auth-Token`` header as ``user[:project]`` and gives the ``admin`` user
the admin role; Nova reaches it with keystoneauth's ``admin_token`` plugin (token ``admin``).
"""

from __future__ import annotations

from pathlib import Path

from .configs import render, write_private
from .processes import Service, Supervisor, free_port
from .services import gunicorn, run_step, script

# The token noauth2 gives the admin role (see the module docstring).
ADMIN_TOKEN = "admin"  # noqa: S105 - not a secret: noauth2 checks no credentials
THREADS = 4  # Nova's scheduler and compute ask at once; one process keeps two cores free


def placement_conf(state_dir: Path, database_url: str) -> str:
    """placement.conf: noauth2, the database, and its log in the state folder."""
    return render(
        {
            "DEFAULT": {"log_file": str(state_dir / "placement.log"), "debug": False},
            "api": {"auth_strategy": "noauth2"},
            "placement_database": {"connection": database_url},
        }
    )


def start_placement(
    supervisor: Supervisor,
    state_dir: Path,
    *,
    database_url: str,
    port: int | None = None,
    timeout: float = 120.0,
) -> Service:
    """Placement's schema synced into ``database_url``, then its API on ``port`` (or a free one).

    The service's ``url`` is the API's root (``http://127.0.0.1:<port>``), set once it answers.

    :raises SandboxError: the sync failed, or the API did not answer within ``timeout``.
    """
    config_dir = state_dir / "placement"
    config_dir.mkdir(parents=True, exist_ok=True)
    conf = config_dir / "placement.conf"
    write_private(conf, placement_conf(state_dir, database_url))
    out = state_dir / "placement.out"
    for stale in (out, state_dir / "placement.log"):
        stale.unlink(missing_ok=True)
    run_step(
        [script("placement-manage"), "--config-file", str(conf), "db", "sync"],
        out,
        "creating Placement's database",
        timeout=timeout,
    )
    port = port or free_port()
    service = supervisor.start(
        "Placement API",
        gunicorn("placement.wsgi.api:application", port, threads=THREADS),
        log_path=out,
        env={"OS_PLACEMENT_CONFIG_DIR": str(config_dir)},
        cwd=state_dir,
    )  # fmt: skip
    supervisor.wait_http(
        service,
        f"http://127.0.0.1:{port}",
        timeout=timeout,
        ok=lambda reply: reply.status_code == 200 and "versions" in reply.json(),
    )
    return service
