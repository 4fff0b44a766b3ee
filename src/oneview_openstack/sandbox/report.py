"""The sandbox's readable report: what each step changed in OneView, and how to explore further."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .scenario import OneViewView, ScenarioResult

Label = Callable[[str], str]


def changes(before: OneViewView, after: OneViewView, label: Label = str) -> list[str]:
    """Human lines for every difference the drivers can make: networks, uplink sets, network
    sets (trunks), profiles."""
    lines: list[str] = []
    for name in sorted(set(after.networks) - set(before.networks)):
        lines.append(f"+ Ethernet network {label(name)} (VLAN {after.networks[name]})")
    for name in sorted(set(before.networks) - set(after.networks)):
        lines.append(f"- Ethernet network {label(name)} deleted")
    for uplink, members in sorted(after.uplink_sets.items()):
        carried = set(before.uplink_sets.get(uplink, []))
        for name in sorted(set(members) - carried):
            lines.append(f"+ uplink set {uplink} now carries {label(name)}")
        for name in sorted(carried - set(members)):
            lines.append(f"- uplink set {uplink} no longer carries {label(name)}")
    for name, members in sorted(after.network_sets.items()):
        had = before.network_sets.get(name)
        if had is None:
            native, *tagged = members
            tags = ", ".join(label(m) for m in tagged) or "nothing else"
            lines.append(f"+ network set {label(name)}: native {label(native)}, tagged {tags}")
            continue
        for member in sorted(set(members) - set(had)):
            lines.append(f"+ network set {label(name)} now carries {label(member)}")
        for member in sorted(set(had) - set(members)):
            lines.append(f"- network set {label(name)} no longer carries {label(member)}")
    for name in sorted(set(before.network_sets) - set(after.network_sets)):
        lines.append(f"- network set {label(name)} deleted")
    old_profiles = {p["name"]: p for p in before.profiles}
    new_profiles = {p["name"]: p for p in after.profiles}
    for name in sorted(set(new_profiles) - set(old_profiles)):
        profile = new_profiles[name]
        lines.append(f"+ server profile '{name}' applied to {profile['server']}")
        for c in profile["connections"]:
            lines.append(
                f"    connection {c['portId']} -> {label(str(c['network']))} ({c['boot']})"
            )
    for name in sorted(set(old_profiles) - set(new_profiles)):
        lines.append(f"- server profile '{name}' removed from {old_profiles[name]['server']}")
    for name in sorted(set(old_profiles) & set(new_profiles)):
        old = {c["portId"]: c for c in old_profiles[name]["connections"]}
        for c in new_profiles[name]["connections"]:
            was = old.get(c["portId"])
            if was is None:
                lines.append(
                    f"+ profile '{name}': connection {c['portId']} on {label(c['network'])}"
                )
            elif was["network"] != c["network"]:
                lines.append(
                    f"~ profile '{name}': connection {c['portId']} moved "
                    f"{label(was['network'])} -> {label(c['network'])}"
                )
    return lines


def show_scenario(console: Console, result: ScenarioResult, label: Label = str) -> None:
    console.rule("Scenario")
    previous = result.baseline
    for number, step in enumerate(result.steps, 1):
        console.print(f"[bold]{number}. {escape(step.title)}[/] ({step.seconds:.1f} s)")
        if step.oneview is not None and previous is not None:
            lines = changes(previous, step.oneview, label) or ["(no change in OneView)"]
            for line in lines:
                colour = {"+": "green", "-": "red", "~": "yellow"}.get(line[:1], "")
                text = escape(line)
                console.print(
                    f"   [{colour}]{text}[/]" if colour else f"   {text}", highlight=False
                )
            previous = step.oneview
        for note in step.notes:
            console.print(f"   [cyan]{escape(note)}[/]", highlight=False)
    if result.nodes:
        node_columns = ("stage", "name", "deploy_interface", "provision_state", "power_state",
                        "profile", "last_error")  # fmt: skip
        console.print(_table("Ironic nodes", result.nodes, node_columns))
    if result.ports:
        port_columns = ("stage", "name", "mac", "status", "vif_type", "host")
        console.print(_table("Neutron ports", result.ports, port_columns))
    if result.error:
        console.print(f"[bold red]The scenario failed:[/] {escape(result.error)}", highlight=False)
    elif result.clean:
        console.print("[bold green]OneView is back to where it started:[/] no Ironic profiles, "
                      "no Neutron networks but the ones Ironic is configured with, no trunk's "
                      "network set, uplink sets as before.")  # fmt: skip
    else:
        console.print("[bold yellow]OneView differs from where it started[/] (see above).")


def _table(title: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape("-" if row.get(c) is None else str(row[c])) for c in columns))
    return table


def console() -> Console:
    """A console that stays readable in logs and pipes (rich assumes 80 columns there)."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=130, highlight=False)


def show_explore(console: Console, endpoints: dict[str, str], ca_file: str, state: str) -> None:
    console.rule("Explore")
    for name, value in endpoints.items():
        console.print(f"  {name + ':':<22} {value}", highlight=False)
    ironic, neutron, oneview = (
        endpoints["Ironic API"],
        endpoints["Neutron API"].split(",")[0].strip(),  # the first of several Neutron hosts
        endpoints["OneView (simulator)"],
    )
    # ironic.log, or ironic-api.log and ironic-conductor<N>.log; neutron.log, neutron-host<N>.log
    logs = sorted(
        str(path)
        for path in Path(state).glob("*.log")
        if path.name.startswith(("ironic", "neutron"))
    ) or [f"{state}/ironic.log", f"{state}/neutron.log"]
    commands = [
        f"baremetal --os-endpoint {ironic} --os-auth-type none node list",
        f"baremetal --os-endpoint {ironic} --os-auth-type none node show encl1-bay-3",
        f"baremetal --os-endpoint {ironic} --os-auth-type none port list --long",
        f"openstack --os-endpoint {neutron} --os-auth-type none network list --long",
        f"openstack --os-endpoint {neutron} --os-auth-type none port list --long",
        f"openstack --os-endpoint {neutron} --os-auth-type none network trunk list",
        f"curl -s --cacert {ca_file} "
        f"'{oneview}/_sim/state?categories=server-profiles,uplink-sets,network-sets'",
        "tail -f " + " ".join(logs),
    ]
    console.print("  Try (the clients are in .venv/bin):")
    for command in commands:
        console.print(f"    {command}", highlight=False, soft_wrap=True)
    console.print(f"  OneView login: Administrator; its password is in {state}/simulator.log.")
