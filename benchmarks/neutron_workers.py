"""Multi-process safety on demand: ``.venv/bin/python benchmarks/neutron_workers.py``.

The same run as ``tests/multiprocess`` (Neutron's API under gunicorn with 4 workers; 12 client
threads create and delete VLAN networks while bare-metal ports of 3 deployed servers are bound,
unbound, rebound and deleted), written to ``docs/benchmarks/neutron_workers.json`` for the
performance report. Exit code 1 when an update was lost.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from multiprocess.churn import start_and_run, verdict  # noqa: E402

OUT = HERE.parent / "docs" / "benchmarks" / "neutron_workers.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"result file (default {OUT})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="oneview-workers-") as state:
        result = start_and_run(Path(state), say=print)
    problems = verdict(result)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        **result,
        "problems": problems,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
