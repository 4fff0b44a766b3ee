"""Logins per process, read from the logs of the processes whose OneView client logs at DEBUG.

The simulator sees every client from 127.0.0.1, so it counts logins, not who made them. The
split Ironic shape logs ``oneview_openstack.client`` at DEBUG (``sandbox/conductors.py``): each
conductor's log then has one "Logged in to OneView" line per login and one line per request,
under oslo.log's ``<date> <time> <pid> <LEVEL> <logger> ...`` prefix. Processes logging at INFO
(the Neutron hosts) show nothing here; their logins are the simulator's total minus these.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(
    r"^\S+ \S+ (?P<pid>\d+) (?P<level>DEBUG|INFO) oneview_openstack\.client\.(?P<logger>\w+) ",
    re.M,
)
_LOGIN = "Logged in to OneView"
_RELOGIN = "expired or was revoked; logging in again"  # INFO, before the DEBUG login line


def logins_by_process(state_dir: Path) -> dict[str, dict[str, int]]:
    """``{"ironic-conductor1 pid 123": {"logins": 1, "relogins": 0, "requests": 840}}`` for
    every process whose log has the client's DEBUG lines (a re-login follows an expiry)."""
    found: dict[str, dict[str, int]] = {}
    for log in sorted(state_dir.glob("*.log")):
        logins: Counter[str] = Counter()
        relogins: Counter[str] = Counter()
        requests: Counter[str] = Counter()
        text = log.read_text(errors="replace")
        for match in _LINE.finditer(text):
            pid = match["pid"]
            end = text.find("\n", match.end())
            line = text[match.end() : end if end >= 0 else None]
            if match["logger"] == "session" and _LOGIN in line:
                logins[pid] += 1
            elif match["logger"] == "session" and _RELOGIN in line:
                relogins[pid] += 1
            elif match["logger"] == "transport" and match["level"] == "DEBUG":
                requests[pid] += 1
        for pid in sorted(set(logins) | set(requests)):  # DEBUG lines: a client-debug log
            found[f"{log.stem} pid {pid}"] = {
                "logins": logins[pid],
                "relogins": relogins[pid],
                "requests": requests[pid],
            }
    return found
