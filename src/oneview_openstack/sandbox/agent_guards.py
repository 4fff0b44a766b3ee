"""What keeps ironic-python-agent, running as root, off the machine that hosts the sandbox, from
inside its own process (the hardware manager installs these when it loads in a real agent):
IPA's own hardware managers report no support, a shell line or an absolute program path is
refused (the PATH shims of ``agent_shims`` cannot see those), and agent commands that write the
host's files whatever the hardware manager says answer with a refusal. And an agent whose sandbox
died (killed, so it could not stop its agents) ends too, instead of heartbeating for ever.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

# IPA's config first: it registers the options its hardware module reads at import.
from ironic_python_agent import config as _ipa_config  # noqa: F401
from ironic_python_agent import errors, hardware


class SimulatedServerRefusal(errors.RESTError):
    """A step or call the simulated server does not support (it never reaches this machine)."""

    message = "Not supported by the simulated server"
    status_code = 400


def _unsupported(_manager: object) -> int:
    return hardware.HardwareSupport.NONE


def pin_other_managers() -> None:
    """IPA's own managers report no support: their evaluate/initialize never touch the host."""
    from ironic_python_agent.hardware_managers import (
        cna,
        container,
        mlnx,
    )

    for manager in (
        hardware.GenericHardwareManager,
        cna.IntelCnaHardwareManager,
        mlnx.MellanoxDeviceHardwareManager,
        container.ContainerHardwareManager,
    ):
        manager.evaluate_hardware_support = _unsupported  # type: ignore[method-assign]


def guard_commands() -> None:
    """Refuse, in IPA's own process, the commands the PATH shims cannot catch: a shell line
    (IPA's ``echo o > /proc/sysrq-trigger`` fallback, its chroot scripts) and a program named by
    an absolute path. Every IPA command goes through ``ironic_python_agent.utils.execute``."""
    from ironic_python_agent import utils
    from oslo_concurrency import processutils

    real = utils.execute
    if getattr(real, "oneview_sandbox_guard", False):
        return

    def execute(*cmd: Any, **kwargs: Any) -> Any:
        program = str(cmd[0]) if cmd else ""
        if kwargs.get("shell") or os.path.isabs(program):
            line = " ".join(str(c) for c in cmd)
            raise processutils.ProcessExecutionError(
                exit_code=1,
                cmd=line,
                stderr=f"oneview sandbox: refused `{line}`: a shell line or an absolute path "
                "would bypass the sandbox's command shims",
            )
        return real(*cmd, **kwargs)

    execute.oneview_sandbox_guard = True  # type: ignore[attr-defined]
    utils.execute = execute


# Agent commands (extension, command) that act on this machine whatever the hardware manager
# says: the rescue writes its password and a "rescued" marker into /etc, bootc its podman
# configuration.
REFUSED_COMMANDS = {
    ("rescue", "finalize_rescue"): "rescue writes this machine's /etc (no rescue in the sandbox)",
    ("standby", "execute_bootc_install"): "bootc writes /etc/containers and runs podman here",
}


def refuse_host_commands(server_name: str) -> None:
    """Replace the agent commands of ``REFUSED_COMMANDS`` with a refusal (IPA has loaded its
    extensions before it loads hardware managers)."""
    from ironic_python_agent.extensions import base

    for (extension, command), why in REFUSED_COMMANDS.items():
        try:
            commands = base.get_extension(extension).command_map
        except (errors.ExtensionError, KeyError):  # not loaded (not a running agent)
            continue

        def refused(*_args: Any, _what: str = f"{extension}.{command}", _why: str = why,
                    **_kwargs: Any) -> Any:  # fmt: skip
            raise SimulatedServerRefusal(f"{_what} on the simulated server {server_name!r}: {_why}")

        commands[command] = refused


def exit_with_parent(interval: float = 1.0) -> None:
    """End this agent when the process that started it is gone: a watcher thread that, once
    the parent changes, stops the agent's own process group (only when the agent leads it, as
    the sandbox starts agents), or the agent alone otherwise."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)  # the agent and the tools it runs
        os._exit(1)

    threading.Thread(target=watch, name="oneview-sandbox-parent", daemon=True).start()
