"""The Nova scenario's part of the sandbox's report: flavors, then each step with its time,
commands, server and OneView requests."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from .nova_results import NovaResult


def show(console: Console, result: NovaResult) -> None:
    console.rule("Nova scenario")
    for name, asks in result.flavors.items():
        console.print(f"flavor [bold]{escape(name)}[/]: {escape(asks)}", highlight=False)
    for number, step in enumerate(result.steps, 1):
        total = sum(step.oneview_requests.values())
        console.print(
            f"[bold]{number}. {escape(step.title)}[/] ({step.seconds:.1f} s, {total} OneView requests)"
        )
        for command in step.commands:
            console.print(f"   $ {escape(command)}", highlight=False)
        if step.server is not None:
            s = step.server
            console.print(
                f"   {escape(s.name)}: {s.status} on node {s.node or '-'} (OneView server "
                f"{escape(s.server_hardware or '-')}, profile {escape(s.profile or '-')} from "
                f"template {escape(s.template or '-')})",
                highlight=False,
            )
            for line in s.connections:
                console.print(f"     connection {escape(line)}", highlight=False)
            if s.fault:
                console.print(f"   fault: {escape(s.fault)}", highlight=False)
            for attempt in s.attempts:
                console.print(f"   failed: {escape(attempt[:300])}", highlight=False)
            if s.builds > 1:
                console.print(f"   built {s.builds} times (Nova rescheduled)", highlight=False)
        if step.oneview_requests:
            console.print(
                "   OneView: " + ", ".join(f"{r}: {n}" for r, n in step.oneview_requests.items()),
                highlight=False,
            )
        for note in step.notes:
            console.print(f"   {escape(note)}", highlight=False)
    if result.error:
        console.print(f"[bold red]Nova scenario failed:[/] {escape(result.error)}")
    console.print(
        "OneView ended clean (no Ironic profile left)."
        if result.clean
        else "[red]Ironic profiles left in OneView[/]"
    )
