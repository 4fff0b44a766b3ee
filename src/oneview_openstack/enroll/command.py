"""``oneview-openstack enroll``: OneView servers -> Ironic nodes, ports and resource classes.

Reads OneView once (templates, servers, the interconnects behind them), decides per server, then
creates what is missing. Running it again changes nothing: servers already named by a node's
``driver_info/server_hardware_uri`` are skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from ..client import OneViewClient, views
from ..client.errors import OneViewError
from ..client.settings import ClientSettings
from . import inventory
from .progress import Reporter

INTERFACE_KINDS = ("boot", "deploy", "inspect", "management", "network", "power", "rescue")


class EnrollError(Exception):
    """Bad input or an unreachable service: reported on one line, exit code 2."""


@dataclass
class Row:
    server: str
    template: str
    node: str
    ports: int
    result: str
    detail: str = ""
    traits: list[str] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser, *, ironic_options: bool = True) -> None:
    """Every enrollment option; ``ironic_options=False`` for ``openstack baremetal oneview
    enroll``, where OSC's own ``--os-cloud`` / ``--os-endpoint`` say where Ironic is."""
    add_oneview_arguments(parser)
    if ironic_options:
        os_ = parser.add_argument_group("Ironic")
        os_.add_argument("--os-cloud", default=os.environ.get("OS_CLOUD"), help="clouds.yaml entry")
        os_.add_argument("--ironic-url", help="a standalone Ironic without auth (noauth)")
    add_enroll_arguments(parser)


def add_oneview_arguments(parser: argparse.ArgumentParser) -> None:
    """Where OneView is (shared with ``openstack baremetal oneview status``)."""
    ov = parser.add_argument_group(
        "OneView",
        "--config-file with an [oneview] section, or the options below; the password is read "
        "from $ONEVIEW_PASSWORD only, so it never shows in a process list.",
    )
    ov.add_argument("--config-file", help="an ironic.conf (or any file) holding [oneview]")
    ov.add_argument(
        "--oneview-url", default=os.environ.get("ONEVIEW_URL"), help="default $ONEVIEW_URL"
    )
    ov.add_argument(
        "--oneview-username",
        default=os.environ.get("ONEVIEW_USERNAME"),
        help="default $ONEVIEW_USERNAME",
    )
    ov.add_argument(
        "--oneview-ca-file",
        default=os.environ.get("ONEVIEW_CA_FILE"),
        help="PEM CA bundle of OneView's certificate (default $ONEVIEW_CA_FILE)",
    )
    ov.add_argument("--insecure", action="store_true", help="do not verify OneView's certificate")


def add_enroll_arguments(parser: argparse.ArgumentParser) -> None:
    sel = parser.add_argument_group("What to enroll")
    sel.add_argument(
        "-t",
        "--template",
        action="append",
        default=[],
        help="server profile template name (repeat; default: every Ironic-ready template)",
    )
    sel.add_argument("--server", action="append", default=[], help="only this server (repeat)")
    sel.add_argument("--limit", type=int, help="enroll at most this many servers")
    node = parser.add_argument_group("Node settings")
    node.add_argument(
        "--driver",
        default=inventory.DRIVER,
        help="hardware type of new nodes (default oneview; fake-hardware for dry tests)",
    )
    node.add_argument(
        "--interface",
        action="append",
        default=[],
        metavar="KIND=NAME",
        help="an interface for new nodes, e.g. deploy=oneview-direct (repeat)",
    )
    node.add_argument("--deploy-kernel", help="driver_info/deploy_kernel")
    node.add_argument("--deploy-ramdisk", help="driver_info/deploy_ramdisk")
    node.add_argument("--physical-network", help="physical_network of the new ports")
    node.add_argument("--all-ports", action="store_true", help="a port per Ethernet port")
    node.add_argument("--local-gb", type=int, help="properties/local_gb (else inspection sets it)")
    flow = parser.add_argument_group("After creation")
    flow.add_argument("--inspect", action="store_true", help="manage, then inspect new nodes")
    flow.add_argument("--provide", action="store_true", help="manage, then provide new nodes")
    flow.add_argument("--timeout", type=float, default=900.0, help="seconds per state change")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    parser.add_argument("--workers", type=int, default=4, help="nodes created in parallel")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="summary format"
    )


def oneview_settings(args: argparse.Namespace) -> ClientSettings:
    if args.config_file:
        from oslo_config import cfg

        if not os.path.isfile(args.config_file):
            raise EnrollError(f"--config-file {args.config_file} is not a readable file.")

        from .. import conf as ov_conf

        conf = cfg.ConfigOpts()
        ov_conf.register_opts(conf)
        conf(args=[], default_config_files=[args.config_file], project="oneview-openstack")
        return ClientSettings.from_conf(conf)
    if not args.oneview_url:
        raise EnrollError("Say where OneView is: --oneview-url (or $ONEVIEW_URL) or --config-file.")
    return ClientSettings(
        manager_url=args.oneview_url,
        username=args.oneview_username or "",
        password=os.environ.get("ONEVIEW_PASSWORD", ""),
        tls_cacert_file=args.oneview_ca_file or None,
        allow_insecure_connections=args.insecure,
    )


def parse_interfaces(values: list[str]) -> dict[str, str]:
    found = {}
    for value in values:
        kind, sep, name = value.partition("=")
        if not sep or kind not in INTERFACE_KINDS or not name:
            raise EnrollError(
                f"--interface {value!r}: use KIND=NAME with KIND one of {', '.join(INTERFACE_KINDS)}"
            )
        found[kind] = name
    return found


def select_templates(
    every: list[inventory.TemplateCheck], names: list[str]
) -> list[inventory.TemplateCheck]:
    """The templates that back new nodes (``--template``, in order), else every one."""
    if not names:
        return every
    by_name = {t.name: t for t in every}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise EnrollError(
            f"No server profile template named {', '.join(missing)}; OneView has: "
            + ", ".join(sorted(by_name))
        )
    chosen = [by_name[n] for n in names]
    unready = [t for t in chosen if not t.ready]
    if unready:
        raise EnrollError("; ".join(f"template {t.name} {', '.join(t.problems)}" for t in unready))
    return chosen


def interconnects_of(client: OneViewClient, servers: list[dict[str, Any]]) -> dict[str, Any]:
    uris = {
        port.interconnect_uri
        for server in servers
        for port in views.ethernet_ports(server)
        if port.interconnect_uri
    }
    return {uri: client.request("GET", uri) or {} for uri in sorted(uris)}


@dataclass
class Plan:
    candidates: list[inventory.Candidate]
    traits: inventory.TraitMap

    def deploy_templates(self) -> list[dict[str, Any]]:
        """The deploy templates the new nodes' traits need, one per template."""
        used = sorted({trait for c in self.candidates if not c.skip_reason for trait in c.traits})
        return [inventory.deploy_template(t, self.traits.templates[t]) for t in used]


def build_plan(
    args: argparse.Namespace, client: OneViewClient, enrolled: dict[str, str], taken: set[str]
) -> Plan:
    every = [inventory.check_template(t) for t in client.server_profile_templates.iter()]
    templates = select_templates(every, args.template)
    traits = inventory.trait_map(every)  # any ready template may be chosen per deployment
    servers = client.server_hardware.list()
    if args.server:
        known = {s.get("name") for s in servers}
        missing = [n for n in args.server if n not in known]
        if missing:
            raise EnrollError(f"No server hardware named {', '.join(missing)} in OneView.")
        servers = [s for s in servers if s.get("name") in args.server]
    candidates = inventory.plan(servers, templates, enrolled)
    todo = [c for c in candidates if c.skip_reason is None]
    interconnects = interconnects_of(client, [c.server for c in todo])
    interfaces = parse_interfaces(args.interface)
    driver_info = {
        k: v
        for k, v in (("deploy_kernel", args.deploy_kernel), ("deploy_ramdisk", args.deploy_ramdisk))
        if v
    }
    for index, candidate in enumerate(todo):
        assert candidate.template is not None
        if args.limit is not None and index >= args.limit:
            candidate.skip_reason = f"over --limit {args.limit}"
            continue
        candidate.node = inventory.node_body(
            candidate.server,
            candidate.template,
            interfaces=interfaces,
            driver_info=driver_info,
            local_gb=args.local_gb,
            driver=args.driver,
        )
        if candidate.node["name"] in taken:
            candidate.node["name"] += "-" + str(candidate.server.get("uuid", ""))[:8].lower()
        candidate.ports = inventory.port_bodies(
            candidate.server,
            candidate.template,
            interconnects,
            physical_network=args.physical_network,
            all_ports=args.all_ports,
        )
        candidate.traits = inventory.server_traits(candidate.server, traits)
    return Plan(candidates, traits)


def enroll_one(conn: Any, candidate: inventory.Candidate, args: argparse.Namespace) -> Row:
    from . import ironic

    template = str((candidate.template or {}).get("name"))
    try:
        node = ironic.create(conn, candidate)
    except Exception as error:
        return Row(candidate.name, template, "-", 0, "failed", ironic.error_text(error))
    result, detail = "enrolled", ""
    if args.inspect or args.provide:
        try:
            node = ironic.advance(
                conn, node, inspect=args.inspect, provide=args.provide, timeout=args.timeout
            )
            detail = str(node.provision_state)
        except Exception as error:
            result, detail = "enrolled, not advanced", ironic.error_text(error)
    return Row(
        candidate.name,
        template,
        node.name or node.id,
        len(candidate.ports),
        result,
        detail,
        candidate.traits,
    )


def run(args: argparse.Namespace, conn: Any = None) -> int:
    """Plan, then enroll (or only show the plan with ``--dry-run``); the exit code.

    ``conn`` is an openstacksdk connection to Ironic when the caller has one (the OSC plugin);
    else one is made from ``--ironic-url`` / ``--os-cloud``.
    """
    from keystoneauth1 import exceptions as ks_exceptions
    from openstack import exceptions as os_exceptions

    from . import ironic

    reporter = Reporter(args.format)
    try:
        if args.workers < 1:
            raise EnrollError("--workers must be at least 1.")
        settings = oneview_settings(args)
        if conn is None:
            conn = ironic.connect(ironic_url=args.ironic_url, cloud=args.os_cloud)
        enrolled = ironic.enrolled_servers(conn)
        taken = ironic.taken_names(conn)
        with OneViewClient(settings) as client:
            plan = build_plan(args, client, enrolled, taken)
    except (EnrollError, OneViewError) as error:
        reporter.fail(str(error))
        return 2
    except (os_exceptions.SDKException, ks_exceptions.ClientException) as error:
        reporter.fail(f"Cannot reach Ironic: {ironic.error_text(error)}")
        return 2
    for problem in plan.traits.problems:
        reporter.warn(problem)
    rows = [
        Row(c.name, str((c.template or {}).get("name") or "-"), "-", 0, "skipped", c.skip_reason)
        for c in plan.candidates
        if c.skip_reason
    ]
    todo = [c for c in plan.candidates if not c.skip_reason]
    if args.dry_run:
        rows += [
            Row(c.name, str(c.template and c.template["name"]), c.node["name"], len(c.ports),
                "would enroll", c.node["resource_class"], c.traits)
            for c in todo
        ]  # fmt: skip
    else:
        with reporter.progress(len(todo)) as advance, ThreadPoolExecutor(args.workers) as pool:
            futures = [pool.submit(enroll_one, conn, c, args) for c in todo]
            for future in as_completed(futures):
                rows.append(future.result())
                advance()
    reporter.summary(sorted(rows, key=lambda r: inventory.natural(r.server)), dry_run=args.dry_run)
    reporter.flavors(sorted({c.node["resource_class"] for c in todo}))
    reporter.deploy_templates(plan.deploy_templates())
    return (
        1 if any(r.result.startswith("failed") or "not advanced" in r.result for r in rows) else 0
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oneview-openstack enroll", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
