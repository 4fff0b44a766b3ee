"""The ``sandbox`` subcommand's options (kept apart so ``--help`` loads nothing heavy)."""

from __future__ import annotations

import argparse
from pathlib import Path

# What --production-shape stands for (three controllers' processes, on one machine).
PRODUCTION_SHAPE = (
    "--db", "mariadb", "--ironic-conductors", "2", "--neutron-hosts", "2",
    "--neutron-workers", "2", "--etcd",
)  # fmt: skip


def expand_shape(argv: list[str]) -> list[str]:
    """``--production-shape`` replaced by what it stands for; options given after it win."""
    out: list[str] = []
    for arg in argv:
        out.extend(PRODUCTION_SHAPE if arg == "--production-shape" else (arg,))
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".sandbox"),
        help="where configs, databases and logs go (default ./.sandbox; wiped at start)",
    )
    parser.add_argument("--servers", type=int, default=16, help="simulated servers (default 16)")
    parser.add_argument("--seed", type=int, default=0, help="simulator inventory seed")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.02,
        help="real seconds per simulated OneView second (default 0.02: a 2-minute profile "
        "apply takes about 2 s)",
    )
    parser.add_argument(
        "--neutron-workers",
        type=int,
        default=1,
        help="Neutron API processes under gunicorn (default 1; they share one sqlite file)",
    )
    parser.add_argument(
        "--neutron-hosts",
        type=int,
        default=1,
        help="Neutron API hosts (default 1): each its own gunicorn of --neutron-workers, config "
        "and lock_path, on one database; give them --coordination-url to share locks",
    )
    parser.add_argument(
        "--coordination-url",
        default=None,
        metavar="URL",
        help="[oneview] coordination_backend_url for Neutron, a tooz URL such as "
        "etcd3+http://127.0.0.1:2379 (default: none, locks reach one host only)",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "mariadb"),
        default="sqlite",
        help="Ironic's and Neutron's database: sqlite files (default, embedded) or a MariaDB "
        "server the sandbox starts on 127.0.0.1 (Debian's mariadb-server must be installed)",
    )
    parser.add_argument(
        "--ironic-conductors",
        type=int,
        default=1,
        help="Ironic conductors (default 1: one combined `ironic` process); more run "
        "ironic-api apart, json-rpc between them and need --db mariadb",
    )
    parser.add_argument(
        "--etcd",
        action="store_true",
        help="start an etcd of the sandbox's own (Debian's etcd-server) and give it to every "
        "Neutron host as its coordination backend (instead of --coordination-url)",
    )
    parser.add_argument(
        "--production-shape",
        action="store_true",
        help=f"the shape operators run: {' '.join(PRODUCTION_SHAPE)}",
    )
    parser.add_argument(
        "--nova",
        action="store_true",
        help="add Nova's front door: RabbitMQ (Debian's rabbitmq-server), Placement, Glance and "
        "Nova with its ironic driver, then run the Nova scenario (openstack server create and "
        "delete on OneView servers) after the sandbox's own",
    )
    parser.add_argument(
        "--exit-after-scenario",
        action="store_true",
        help="stop everything once the scenario has run (default: keep running until Ctrl+C)",
    )
    parser.add_argument(
        "--no-scenario", action="store_true", help="start and enroll only; run no scenario"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="bound on each wait of the scenario (s)"
    )
