"""``oneview-openstack``: the operator's tool (``enroll``) and the one-command demo (``sandbox``).

Both subcommands' arguments are declared up front (so ``--help`` lists them), which imports
``enroll.command``; the work itself (``run``) is imported only for the subcommand chosen.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oneview-openstack", description="OpenStack Ironic and Neutron with HPE OneView."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    enroll = commands.add_parser(
        "enroll", help="create Ironic nodes for OneView servers", description=_doc("enroll")
    )
    from .enroll import command as enroll_command

    enroll_command.add_arguments(enroll)
    sandbox = commands.add_parser(
        "sandbox",
        help="simulator + real Ironic + real Neutron + a deploy scenario",
        description=_doc("sandbox"),
    )
    from .sandbox import arguments as sandbox_arguments

    sandbox_arguments.add_arguments(sandbox)
    return parser


def _doc(name: str) -> str:
    return {
        "enroll": "Create Ironic nodes, ports and resource classes for OneView servers that fit "
        "a server profile template and are free. Safe to run again: enrolled servers are skipped.",
        "sandbox": "Start a OneView simulator, a real Ironic and a real Neutron on 127.0.0.1, "
        "enroll the simulated servers, deploy two of them onto a tenant network and show what "
        "OneView did.",
    }[name]


def main(argv: list[str] | None = None) -> int:
    from .sandbox.arguments import expand_shape

    args = build_parser().parse_args(expand_shape(sys.argv[1:] if argv is None else list(argv)))
    if args.command == "enroll":
        from .enroll.command import run as enroll

        return enroll(args)
    from .sandbox.command import run as sandbox

    return sandbox(args)


if __name__ == "__main__":
    sys.exit(main())
