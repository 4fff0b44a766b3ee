"""``python -m oneview_openstack.simulator.conformance counts [--json] [--versions 120,2800]``."""

from __future__ import annotations

import argparse
import json
import sys

from .. import versions as api_versions
from .counts import counts


def claimed_versions() -> list[int]:
    return list(api_versions.CLAIMED_VERSIONS)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m oneview_openstack.simulator.conformance")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "counts", help="fields each schema documents and the simulator serves, per API version"
    )
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.add_argument(
        "--versions", help="comma-separated API versions (default: every claimed version)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        versions = (
            [int(v) for v in args.versions.split(",")] if args.versions else claimed_versions()
        )
    except ValueError:
        print(
            f"--versions must be comma-separated integers, got {args.versions!r}", file=sys.stderr
        )
        return 2
    result = counts(versions)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(
        f"{'schema':<48} {'API':>5} {'doc top':>8} {'doc all':>8} {'srv top':>8} {'srv all':>8} {'undoc':>6}"
    )
    for name, by_version in result.items():
        for version, row in by_version.items():
            doc, srv = row["documented"], row["served"]
            print(
                f"{name:<48} {version:>5} {doc['top']:>8} {doc['all']:>8} "
                f"{srv['top']:>8} {srv['all']:>8} {srv['undocumented']:>6}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
