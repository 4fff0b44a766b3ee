"""Glance for the sandbox's Nova: its WSGI module under gunicorn, no Keystone, a file store.

Nova's servers boot from a Glance image and Ironic downloads that image for a direct deploy. The
sandbox runs Glance as an operator does without Apache: ``glance-manage db sync``, then gunicorn
on ``glance.wsgi.api``, which reads ``glance-api.conf`` (and the paste file beside it, copied from
the one Glance ships) from ``OS_GLANCE_CONFIG_DIR``. The paste flavor is the default one, whose
pipeline has no ``authtoken``: every request gets an admin context, so clients send no token.
That context has no roles, and Glance's policies ask for the ``admin`` role (``context_is_admin``)
or a project's reader/member role; the policy file makes ``context_is_admin`` true for every
request, as the unauthenticated context already claims.
The image files, the import staging area and the tasks' work area are all in the state folder.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import requests

from .configs import Sections, render, write_private
from .processes import SandboxError, Service, Supervisor, free_port
from .services import gunicorn, run_step, script

# Installed with Glance's wheel as a data file (the venv's etc/glance).
PASTE_INI = Path(sys.prefix) / "etc" / "glance" / "glance-api-paste.ini"
BACKEND = "local"  # the one store: files under the state folder
THREADS = 4  # an upload, Ironic's download and Nova's reads at once
# Every request is the admin (see the module docstring): no Keystone, no users to tell apart.
POLICY = '"context_is_admin": "@"\n'


def glance_conf(state_dir: Path, database_url: str) -> Sections:
    """glance-api.conf: no Keystone (default paste flavor), one file store, its log."""
    glance_dir = state_dir / "glance"
    return {
        "DEFAULT": {
            "log_file": state_dir / "glance.log",
            "debug": False,
            "enabled_backends": f"{BACKEND}:file",
        },
        "database": {"connection": database_url},
        "paste_deploy": {"flavor": None, "config_file": glance_dir / "glance-api-paste.ini"},
        "glance_store": {"default_backend": BACKEND},
        BACKEND: {"filesystem_store_datadir": glance_dir / "images"},
        # The reserved stores of image import (staging) and of tasks: in the state folder too.
        "os_glance_staging_store": {"filesystem_store_datadir": glance_dir / "staging"},
        "os_glance_tasks_store": {"filesystem_store_datadir": glance_dir / "tasks"},
        "oslo_concurrency": {"lock_path": glance_dir / "locks"},
        "oslo_policy": {"policy_file": glance_dir / "policy.yaml"},
    }


def start_glance(
    supervisor: Supervisor,
    state_dir: Path,
    *,
    database_url: str,
    port: int | None = None,
    timeout: float = 120.0,
) -> Service:
    """Glance's schema synced into ``database_url``, then its API on ``port`` (or a free one).

    The service's ``url`` is the API's root (``http://127.0.0.1:<port>``), set once it answers.

    :raises SandboxError: Glance's paste file is missing, the sync failed, or the API did not
        answer within ``timeout``.
    """
    if not PASTE_INI.is_file():
        raise SandboxError(
            f"{PASTE_INI} is missing: Glance installs it with its wheel; install the sandbox "
            "extras, e.g. `uv pip install -c constraints.txt -e '.[sandbox]'`."
        )
    glance_dir = state_dir / "glance"
    shutil.rmtree(glance_dir, ignore_errors=True)  # the images of a previous run are stale
    for folder in ("images", "staging", "tasks", "locks"):
        (glance_dir / folder).mkdir(parents=True)
    shutil.copyfile(PASTE_INI, glance_dir / "glance-api-paste.ini")
    (glance_dir / "policy.yaml").write_text(POLICY)
    conf = glance_dir / "glance-api.conf"
    write_private(conf, render(glance_conf(state_dir, database_url)))
    out = state_dir / "glance.out"
    for stale in (out, state_dir / "glance.log"):
        stale.unlink(missing_ok=True)
    run_step(
        [script("glance-manage"), "--config-file", str(conf), "db", "sync"],
        out,
        "creating Glance's database",
        timeout=timeout,
    )
    port = port or free_port()
    service = supervisor.start(
        "Glance API",
        gunicorn("glance.wsgi.api:application", port, threads=THREADS),
        log_path=out,
        env={"OS_GLANCE_CONFIG_DIR": str(glance_dir)},
        cwd=state_dir,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    supervisor.wait_http(service, f"{url}/v2/images", timeout=timeout)
    reply = requests.get(f"{url}/v2/images", timeout=10)
    if reply.status_code != 200:
        raise SandboxError(
            f"Glance API answered GET {url}/v2/images with HTTP {reply.status_code} "
            f"(wanted 200: the admin may list images); see {state_dir / 'glance.log'}"
        )
    service.url = url
    return service
