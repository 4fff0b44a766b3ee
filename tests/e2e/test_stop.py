"""``oneview-openstack sandbox`` stopped as a user does: Ctrl+C, and Ctrl+C again while it stops.

The command runs as its own process (its own sandbox, no scenario); every service it started is
in a process group of its own, and none of them may outlive it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from oneview_openstack.simulator.testing import wait_until

COMMAND = Path(sys.executable).parent / "oneview-openstack"


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.timeout(600)
def test_two_ctrl_c_stop_the_sandbox_with_no_process_group_left(tmp_path: Path) -> None:
    out = tmp_path / "sandbox.out"
    argv = [str(COMMAND), "sandbox", "--state-dir", str(tmp_path / "state")]
    argv += ["--no-scenario", "--servers", "2", "--time-scale", "0.005"]
    with open(out, "wb") as log:
        command = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    groups: list[int] = []
    try:
        wait_until(
            lambda: (
                "keeps running" in out.read_text(errors="replace") or command.poll() is not None
            ),
            timeout=400,
            what="the sandbox to be up",
        )
        assert command.poll() is None, out.read_text(errors="replace")
        # Each service leads its own process group (start_new_session).
        groups = [child.pid for child in psutil.Process(command.pid).children()]
        assert len(groups) >= 4, groups  # simulator, Neutron API, its worker, Ironic
        assert all(os.getpgid(pgid) == pgid for pgid in groups)

        command.send_signal(signal.SIGINT)
        wait_until(
            lambda: "Stopping the sandbox" in out.read_text(errors="replace"),
            timeout=60,
            what="the sandbox to start stopping",
        )
        command.send_signal(signal.SIGINT)  # the impatient second Ctrl+C
        assert command.wait(timeout=120) == 0, out.read_text(errors="replace")
        for pgid in groups:
            wait_until(lambda g=pgid: group_gone(g), timeout=30, what=f"process group {pgid}")
    finally:
        if command.poll() is None:
            command.kill()
            command.wait(timeout=30)
        for pgid in groups:  # a failed run leaves nothing behind either
            if not group_gone(pgid):
                os.killpg(pgid, signal.SIGKILL)
