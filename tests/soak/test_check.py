"""The soak's own judges, on log text shaped as oslo.log writes it."""

from __future__ import annotations

from pathlib import Path

from .check import driver_tracebacks

PREFIX = "2026-12-01 16:55:43.854 23369 ERROR oneview_openstack.neutron.segments "
OTHER = "2026-12-01 16:55:44.001 23369 ERROR oneview_openstack.neutron.segments "
REFERENCE = (
    "oslo_db.exception.DBReferenceError: (pymysql.err.IntegrityError) (1452, 'Cannot add or "
    "update a child row: a foreign key constraint fails')"
)


def traceback_lines(prefix: str, *exceptions: str) -> list[str]:
    lines = [
        prefix + "[None req-1 - - - - - -] Reconciliation failed on segment host mappings",
        prefix + "Traceback (most recent call last):",
        prefix + '  File "/work/main/src/oneview_openstack/neutron/segments.py", line 243',
        prefix + "    call(*args)",
    ]
    for number, exception in enumerate(exceptions):
        if number:
            lines += [
                prefix,
                prefix + "The above exception was the direct cause of the following exception:",
                prefix,
                prefix + "Traceback (most recent call last):",
                prefix + '  File "/x.py", line 1, in f',
            ]
        lines.append(prefix + exception)
    return [*lines, prefix]


def test_each_traceback_of_ours_is_reported_with_its_exception_line(tmp_path: Path) -> None:
    log = tmp_path / "neutron.log"
    lines = traceback_lines(PREFIX, "sqlite3.IntegrityError: FOREIGN KEY constraint failed",
                            REFERENCE)  # fmt: skip
    lines += traceback_lines(OTHER, REFERENCE)
    lines += traceback_lines(OTHER, "KeyError: 'segment_id'")
    # Neutron's own tracebacks are not ours to judge.
    lines += [line.replace("oneview_openstack.neutron.segments", "neutron.plugins.ml2.managers")
              for line in traceback_lines(PREFIX, "ValueError: theirs")]  # fmt: skip
    lines.append("2026-12-01 16:55:45.000 23369 INFO oneview_openstack.neutron.segments done")
    log.write_text("\n".join(lines) + "\n")
    assert driver_tracebacks([log, tmp_path / "missing.log"]) == [
        "neutron.log: oneview_openstack.neutron.segments (1x): KeyError: 'segment_id'",
        f"neutron.log: oneview_openstack.neutron.segments (2x): {REFERENCE}",
    ]


def test_a_traceback_cut_short_still_counts(tmp_path: Path) -> None:
    log = tmp_path / "neutron.log"
    log.write_text(PREFIX + "Traceback (most recent call last):\n")
    assert driver_tracebacks([log]) == [
        "neutron.log: oneview_openstack.neutron.segments (1x): (no exception line)"
    ]
