"""``oneview-simulator``: serve a simulated OneView appliance and say how to reach it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .config import SimulatorConfig
from .server import Endpoint, serve_forever
from .state import SimulatorState


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oneview-simulator", description=__doc__)
    parser.add_argument("--config", type=Path, help="a TOML or JSON file of simulator settings")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8443, help="port (default 8443; 0 picks a free one)"
    )
    parser.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".sim-state"),
        help="where the CA and certificate are kept (default ./.sim-state)",
    )
    parser.add_argument("--seed", type=int, help="inventory seed")
    parser.add_argument("--servers", type=int, help="number of servers in the inventory")
    parser.add_argument(
        "--time-scale",
        type=float,
        help="real seconds per simulated second (0.01 runs tasks 100x faster)",
    )
    parser.add_argument("--api-version", type=int, help="the appliance's currentVersion")
    parser.add_argument(
        "--check-conformance",
        action="store_true",
        help="check every answer against the schemas (report: GET /_sim/conformance)",
    )
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> SimulatorConfig:
    config = SimulatorConfig.load(args.config) if args.config else SimulatorConfig()
    overrides = {
        "seed": args.seed,
        "servers": args.servers,
        "time_scale": args.time_scale,
        "current_api_version": args.api_version,
    }
    for name, value in overrides.items():
        if value is not None:
            setattr(config, name, value)
    if args.check_conformance:
        config.check_conformance = True
    config.validate()
    return config


def announce(endpoint: Endpoint, state: SimulatorState, config: SimulatorConfig) -> None:
    counts = {
        c: state.core.store.count(c)
        for c in ("server-hardware", "enclosures", "server-profile-templates", "ethernet-networks")
    }
    lines: list[Any] = [
        "OneView simulator ready",
        f"  URL:          {endpoint.url}",
        f"  username:     {config.username}",
        f"  password:     {config.password}",
        f"  CA file:      {endpoint.ca_file or '(plain HTTP)'}",
        f"  API version:  {config.current_api_version} (minimum {config.minimum_api_version})",
        f"  inventory:    seed {config.seed}, " + ", ".join(f"{n} {c}" for c, n in counts.items()),
        f"  time scale:   {config.time_scale} real s per simulated s",
        f"  try:          curl --cacert {endpoint.ca_file} {endpoint.url}/rest/version",
        f"  state:        {endpoint.url}/_sim/state   stats: {endpoint.url}/_sim/stats",
        *([f"  conformance:  {endpoint.url}/_sim/conformance"] if config.check_conformance else []),
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(str(line) for line in lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = build_config(args)
    except (ValueError, OSError) as error:
        print(f"oneview-simulator: bad configuration: {error}", file=sys.stderr)
        return 2
    try:
        serve_forever(
            config,
            state_dir=args.state_dir,
            https=not args.http,
            host=args.host,
            port=args.port,
            on_ready=lambda ep, st: announce(ep, st, config),
        )
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(
            f"oneview-simulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
