"""The fault soak on demand: ``.venv/bin/python benchmarks/soak.py --minutes N``.

The same soak as ``tests/soak/test_soak.py`` (Ironic lifecycles and Neutron churn against the
simulator injecting its whole fault catalogue, then one reconciliation pass and the drift check),
for as long as asked. Sandbox state goes to a temporary folder; the result to
``docs/benchmarks/soak.json``. Exit code 1 when an invariant does not hold.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from oneview_openstack.sandbox.database import KINDS

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from soak.run import DATABASE, run, verdict  # noqa: E402

OUT = HERE.parent / "docs" / "benchmarks" / "soak.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="minutes of load (default 2)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"result file (default {OUT})")
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="keep the sandbox's state and logs here (default: a temp dir)",
    )
    parser.add_argument(
        "--db",
        choices=KINDS,
        default=DATABASE,
        help=f"the sandbox's database (default {DATABASE}, as production runs)",
    )
    args = parser.parse_args(argv)
    if args.state_dir:
        result = run(args.state_dir, args.minutes * 60.0, database=args.db)
    else:
        with tempfile.TemporaryDirectory(prefix="oneview-soak-") as state:
            result = run(Path(state), args.minutes * 60.0, database=args.db)
    problems = verdict(result)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        "minutes": args.minutes,
        **result,
        "problems": problems,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "failures"}, indent=2))
    print(f"wrote {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
