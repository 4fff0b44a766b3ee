"""What the operator sees: a progress bar while nodes are created, then a summary table.

rich is already in every OpenStack client environment (cliff/cmd2 pull it in). The bar is drawn
only on a terminal; pipes and CI logs get the table alone, or JSON with ``--format json``.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


class Reporter:
    def __init__(self, fmt: str = "table", *, stream: Any = None) -> None:
        self.format = fmt
        self.out = Console(file=stream or sys.stdout, soft_wrap=False)
        if not self.out.is_terminal:  # logs and pipes: wide enough for one line per server
            self.out = Console(file=stream or sys.stdout, width=130)
        self.err = Console(stderr=True)

    def fail(self, message: str) -> None:
        self.err.print(f"[bold red]enroll:[/] {escape(message)}", highlight=False)

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]enroll:[/] {escape(message)}", highlight=False)

    @contextlib.contextmanager
    def progress(self, total: int) -> Iterator[Callable[[], None]]:
        bar = Progress(
            TextColumn("Enrolling"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.err,
            transient=True,
            disable=not self.err.is_terminal or total == 0,
        )
        with bar:
            task = bar.add_task("enroll", total=total)
            yield lambda: bar.advance(task)

    def summary(self, rows: list[Any], *, dry_run: bool) -> None:
        if self.format == "json":
            self.out.print_json(json.dumps([row.__dict__ for row in rows]))
            return
        title = "Enrollment plan (dry run: nothing changed)" if dry_run else "Enrollment"
        table = Table(title=title, title_justify="left")
        for column in ("Server", "Template", "Node", "Ports", "Result", "Detail"):
            table.add_column(column, overflow="fold")
        for row in rows:
            style = "red" if row.result.startswith("failed") or "not" in row.result else None
            cells = (row.server, row.template, row.node, str(row.ports), row.result, row.detail)
            table.add_row(*(escape(cell) for cell in cells), style=style)
        self.out.print(table)
        counts = Counter(row.result for row in rows)
        self.out.print(", ".join(f"{n} {result}" for result, n in sorted(counts.items())) or "-")

    def flavors(self, resource_classes: list[str]) -> None:
        """What Nova needs to schedule onto the new nodes (ironic-oneview-cli had flavor-create)."""
        if self.format != "table" or not resource_classes:
            return
        self.out.print("Nova flavors for these nodes (one per template), e.g.:")
        for name in resource_classes:
            custom = "CUSTOM_" + name.upper().replace("-", "_")
            self.out.print(
                f"  openstack flavor create --ram 1 --vcpus 1 --disk 0 "
                f"--property resources:{custom}=1 --property resources:VCPU=0 "
                f"--property resources:MEMORY_MB=0 --property resources:DISK_GB=0 bm-{name}",
                highlight=False,
                soft_wrap=True,
            )

    def deploy_templates(self, templates: list[dict[str, Any]]) -> None:
        """The deploy templates that make each node trait choose its server profile template."""
        if self.format != "table" or not templates:
            return
        self.out.print(
            "Deploy templates choosing the server profile template per deployment (the nodes "
            "carry these traits; a flavor asks for one with --property trait:<NAME>=required):"
        )
        for template in templates:
            steps = json.dumps(template["steps"], separators=(",", ":"))
            self.out.print(
                f"  openstack baremetal deploy template create {template['name']} "
                f"--steps {shlex.quote(steps)}",
                highlight=False,
                soft_wrap=True,
                markup=False,
            )
