"""``openstack baremetal oneview enroll`` and ``openstack baremetal oneview status``.

``enroll`` is ``oneview-openstack enroll`` (same options, same code) with Ironic reached through
OSC; ``status`` shows each ``oneview`` node beside its server and profile.
"""

from __future__ import annotations

import argparse
from typing import Any

from osc_lib import exceptions
from osc_lib.command import command

from ..enroll import command as enroll_command
from ..enroll import status


def ironic(cmd: command.Command) -> Any:
    """The connection ``plugin.make_client`` built (OSC adds the attribute at run time)."""
    return getattr(cmd.app.client_manager, "baremetal_oneview")  # noqa: B009


class Enroll(command.Command):
    """Create Ironic nodes, ports and resource classes for free OneView servers (idempotent)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        enroll_command.add_arguments(parser, ironic_options=False)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        return enroll_command.run(parsed_args, conn=ironic(self))


class Status(command.Lister):
    """Ironic nodes beside their OneView server hardware, its power and the profile it carries."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        enroll_command.add_oneview_arguments(parser)
        parser.add_argument(
            "--driver",
            default="oneview",
            help="show the nodes of this hardware type (default oneview)",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[tuple[str, ...], Any]:
        from keystoneauth1 import exceptions as ks_exceptions
        from openstack import exceptions as os_exceptions

        from ..client import OneViewClient
        from ..client.errors import OneViewError
        from ..enroll.ironic import error_text

        try:
            settings = enroll_command.oneview_settings(parsed_args)
        except enroll_command.EnrollError as error:
            raise exceptions.CommandError(str(error)) from error
        try:
            nodes = list(ironic(self).baremetal.nodes(details=True, driver=parsed_args.driver))
        except (os_exceptions.SDKException, ks_exceptions.ClientException) as error:
            raise exceptions.CommandError(f"Cannot reach Ironic: {error_text(error)}") from error
        try:
            with OneViewClient(settings) as client:
                servers = client.server_hardware.list()
                profiles = client.server_profiles.list() if nodes else []
        except OneViewError as error:
            raise exceptions.CommandError(str(error)) from error
        return status.COLUMNS, status.rows(nodes, servers, profiles)
