"""Multi-process safety on demand: ``.venv/bin/python benchmarks/neutron_workers.py [--compare]``.

The same run as ``tests/multiprocess``: two Neutron API hosts (2 gunicorn workers x 2 threads
each, own config and lock_path, one MariaDB) on one etcd, and the periodic worker (held during
the churn, then two reconciliation passes); 12 client threads, spread over both hosts, create and
delete VLAN networks while bare-metal ports of 3 deployed servers are bound, unbound, rebound and
deleted. Written to ``docs/benchmarks/neutron_workers.json`` for the performance report. Exit
code 1 when an update was lost or edits interleaved.

``--compare`` also runs the churn in other shapes and records their OneView writes under
``comparison``, to show what cross-process batching buys:

* ``file``: the two hosts share tooz's file driver: profile and uplink-set locks across both,
  processes take turns writing an uplink set, but no shared queue (no cross-process batching);
* ``none``: no backend: each host's lock files only, the hosts meet at OneView's eTags;
* ``one host``: 4 workers on one host, no backend (lock files: turns, no cross-process batch);
* ``sqlite``: the etcd shape on the sandbox's embedded sqlite (every transaction takes turns).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from multiprocess.churn import Shape, start_and_run, verdict  # noqa: E402

OUT = HERE.parent / "docs" / "benchmarks" / "neutron_workers.json"
COMPARED = {
    "two hosts, tooz file driver (locks and turns, no queue)": Shape(backend="file"),
    "two hosts, no backend (lock files per host)": Shape(backend="none"),
    "one host, 4 workers, no backend (lock files)": Shape(hosts=1, workers=4, backend="none"),
    "two hosts, etcd, on sqlite instead of MariaDB": Shape(database="sqlite"),
}


def writes(result: dict[str, Any]) -> dict[str, Any]:
    """What a shape cost OneView, and whether it lost or raced anything."""
    return {
        "membership_changes": result["membership_changes"],
        "uplink_set_writes": result["uplink_set_writes"],
        "profile_writes": result["profile_writes"],
        "power_writes": result["power_writes"],
        "stale_etag_refusals": result["stale_etag_refusals"],
        "busy_refusals": result["busy_refusals"],
        "interleaved_profile_edits": len(result["interleaved_profile_edits"]),
        "refusals": result["refusals"],
        "seconds": result["seconds"],
        "problems": verdict(result),
    }


def run_shape(shape: Shape) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="oneview-workers-") as state:
        return start_and_run(Path(state), say=print, shape=shape)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"result file (default {OUT})")
    parser.add_argument("--compare", action="store_true", help="also run the other shapes")
    args = parser.parse_args(argv)
    result = run_shape(Shape())
    problems = verdict(result)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
        **result,
        "problems": problems,
    }
    if args.compare:
        result["comparison"] = {"two hosts, etcd (this run)": writes(result)}
        for name, shape in COMPARED.items():
            result["comparison"][name] = writes(run_shape(shape))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
