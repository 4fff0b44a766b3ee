"""The Nova scenario's ways in: ``openstack`` as an operator types it, openstacksdk on the
sandbox's clouds.yaml, and the simulator's witness (what OneView saw during a step)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from openstack import connection as os_connection
from openstack.config import loader

from ..simulator.testing import Witness
from .nova_results import NovaStep
from .processes import SandboxError
from .services import script

if TYPE_CHECKING:
    from .environment import Sandbox

# OneView's writes (what "OneView untouched" means): any request but a read.
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def cli_env(sandbox: Sandbox) -> dict[str, str]:
    """The environment an operator exports to point ``openstack`` at the sandbox."""
    assert sandbox.nova is not None
    return {"OS_CLIENT_CONFIG_FILE": str(sandbox.nova.clouds_yaml), "OS_CLOUD": "sandbox"}


def connect(sandbox: Sandbox) -> os_connection.Connection:
    """openstacksdk on the sandbox's clouds.yaml (compute, image, network, baremetal)."""
    assert sandbox.nova is not None
    config = loader.OpenStackConfig(
        config_files=[str(sandbox.nova.clouds_yaml)], load_envvars=False
    )
    return os_connection.Connection(config=config.get_one(cloud="sandbox"))


def openstack(sandbox: Sandbox, *argv: str, timeout: float = 120.0) -> str:
    """One ``openstack`` CLI command, as an operator types it; its output.

    :raises SandboxError: it failed (its output in the message).
    """
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [script("openstack"), *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **cli_env(sandbox)},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SandboxError(f"`openstack {' '.join(argv)}` took over {timeout:.0f} s") from error
    if done.returncode != 0:
        raise SandboxError(
            f"`openstack {' '.join(argv)}` failed (code {done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[-800:]}"
        )
    return done.stdout


def witness(sandbox: Sandbox) -> Witness:
    assert sandbox.simulator is not None
    return Witness.of(sandbox.simulator)


@contextmanager
def counted(seen: Witness, into: NovaStep) -> Iterator[None]:
    """Times the block and counts OneView's requests during it (``/_sim/stats`` by route)."""
    before = dict(seen.stats()["byRoute"])
    began = time.monotonic()
    try:
        yield
    finally:
        into.seconds = time.monotonic() - began
        after = seen.stats()["byRoute"]
        into.oneview_requests = {
            route: count - before.get(route, 0)
            for route, count in sorted(after.items())
            if count - before.get(route, 0)
        }


def writes(requests: dict[str, int]) -> dict[str, int]:
    return {route: n for route, n in requests.items() if route.split(" ", 1)[0] in WRITES}
