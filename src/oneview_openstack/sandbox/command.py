"""``oneview-openstack sandbox``: start everything, enroll, run the scenario, keep running.

Exit codes: 0 the scenario ran and OneView ended clean (or Ctrl+C while waiting), 1 something
failed (the message names the step and the log to read).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from rich.console import Console

from ..client.errors import OneViewError
from ..enroll.command import main as enroll
from . import nova_report, nova_scenario, report, scenario
from .environment import Options, Sandbox
from .processes import SandboxError


def _drivers_line(sandbox: Sandbox) -> str:
    if sandbox.ironic_oneview and sandbox.neutron_oneview:
        return "Drivers: Ironic hardware type 'oneview', ML2 mechanism driver 'oneview'."
    missing = []
    if not sandbox.ironic_oneview:
        missing.append(f"Ironic 'oneview' ({sandbox.ironic_probe.detail})")
    if not sandbox.neutron_oneview:
        missing.append(f"ML2 'oneview' ({sandbox.neutron_probe.detail})")
    return "Drivers not loadable, using stand-ins: " + "; ".join(missing)


def run(args: argparse.Namespace) -> int:
    console = report.console()
    options = Options(
        state_dir=args.state_dir,
        servers=args.servers,
        seed=args.seed,
        time_scale=args.time_scale,
        timeout=args.timeout,
        neutron_workers=args.neutron_workers,
        neutron_hosts=args.neutron_hosts,
        coordination_backend_url=args.coordination_url,
        database=args.db,
        ironic_conductors=args.ironic_conductors,
        etcd=args.etcd,
        nova=args.nova,
    )
    started = time.monotonic()
    sandbox = Sandbox(options, say=lambda message: console.print(f"[dim]…[/] {message}"))
    try:
        with sandbox:
            console.print(
                f"Started in {time.monotonic() - started:.0f} s. {_drivers_line(sandbox)}"
            )
            console.rule("Enrollment")
            enroll(sandbox.enroll_argv())
            ok = True
            if not args.no_scenario:
                result = _scenario(sandbox, args, console)
                ok = result.error is None and result.clean
                if args.nova:
                    ok = _nova_scenario(sandbox, args, console) and ok
            assert sandbox.simulator is not None
            report.show_explore(
                console, sandbox.endpoints(), sandbox.simulator.ca_file, str(sandbox.state_dir)
            )
            if args.exit_after_scenario:
                return 0 if ok else 1
            return _wait(sandbox, console)
    except KeyboardInterrupt:
        console.print("Stopping the sandbox…")
        return 0
    except (SandboxError, OneViewError) as error:
        console.print(f"[bold red]sandbox:[/] {error}")
        return 1
    finally:
        sandbox.close()


def _scenario(sandbox: Sandbox, args: argparse.Namespace, console: Console) -> Any:
    console.rule("Scenario running")
    console.print(
        "Creating a tenant VLAN network and two more for trunk subports, deploying two nodes "
        "onto the tenant network, the first with oneview-direct (ironic-python-agent writes the "
        "sandbox's disk image) and the second with oneview-ramdisk and VLAN-aware (its VIF is a "
        "trunk whose subports are on the other two), undeploying them with cleaning (a metadata "
        "erase through the agent), then deleting the trunk and the networks (the provisioning "
        "network Ironic is configured with stays, for your own deployments)."
    )
    result = scenario.run(sandbox, timeout=args.timeout)
    report.show_scenario(console, result, result.label)
    return result


def _nova_scenario(sandbox: Sandbox, args: argparse.Namespace, console: Console) -> bool:
    console.rule("Nova scenario running")
    console.print(
        "Creating a flavor per enrolled resource class, a second OneView template chosen by a "
        "trait (its deploy template and a flavor asking for it), the disk image in Glance; then "
        "`openstack server create` (ACTIVE on a OneView server), a server of the trait flavor, "
        "the same flavor with its node taken (NoValidHost), a server whose OneView server a "
        "OneView user takes during the boot (rescheduled), and `openstack server delete`."
    )
    result = nova_scenario.run(sandbox, timeout=args.timeout)
    nova_report.show(console, result)
    return result.error is None and result.clean


def _wait(sandbox: Sandbox, console: Console) -> int:
    """Keep the services up until Ctrl+C (or SIGTERM); stop if one of them dies."""
    console.print("[bold]The sandbox keeps running; press Ctrl+C to stop it.[/]")
    try:
        while True:
            for service in sandbox.supervisor.services:
                # Agents come and go with their servers' power (the watcher stops them).
                if service.stopped or service.name.startswith("ipa "):
                    continue
                if not service.running:
                    console.print(
                        f"[bold red]{service.name} stopped unexpectedly[/]; see {service.log_path}."
                    )
                    return 1
            time.sleep(1.0)
    except KeyboardInterrupt:
        console.print("Stopping the sandbox (more Ctrl+C are ignored until every process is gone)…")
        return 0
