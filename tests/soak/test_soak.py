"""The short fault soak (about two minutes of load): zero drift, readable errors, few sessions.

It starts its own sandbox on MariaDB (``run.DATABASE``, the production shape: real concurrency
and foreign keys), with a short reconciliation interval, ``delete_orphan_networks`` and
``undo_stale_connections`` on and a short ``task_timeout`` for stuck tasks, so it shares nothing
with ``tests/e2e``. The long one:
``.venv/bin/python benchmarks/soak.py --minutes N``.
"""

from __future__ import annotations

import json

import pytest

from .run import run, verdict

SECONDS = 90.0  # of load; with start-up, the tail and reconciliation about 3 minutes


@pytest.mark.timeout(600)
def test_the_fault_soak_leaves_no_drift_and_every_failure_readable(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    result = run(tmp_path_factory.mktemp("soak"), SECONDS, say=lambda _message: None)
    summary = {k: v for k, v in result.items() if k != "failures"}
    print(json.dumps(summary, indent=2))  # shown with -s, and on failure
    assert result["operations"].get("deploy", 0) >= result["nodes"], summary
    assert result["operations"].get("create network", 0) > 0, summary
    assert result["faults_fired_total"] > 0, summary
    assert verdict(result) == [], summary
