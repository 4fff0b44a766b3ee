"""``openstack baremetal oneview ...``: the real ``openstack`` command against a real Ironic
(noauth, ``--os-auth-type none --os-endpoint``) and the simulator, seen through its Witness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from oneview_openstack.simulator.testing import Witness

from .conftest import RealIronic

OPENSTACK = str(Path(sys.executable).with_name("openstack"))
READY_SERVERS = 14  # 13 free blades and the DL360 Gen10 (see test_enroll)


def openstack(
    ironic: RealIronic, tmp_path: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "ONEVIEW_"))}
    env = {**clean, **(env or {})}
    # stevedore caches entry points per sys.path; a private cache sees this checkout's plugin.
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    auth = ["--os-auth-type", "none", "--os-endpoint", ironic.url]
    return subprocess.run(  # noqa: S603 - our venv's openstack, fixed arguments
        [OPENSTACK, *auth, *argv], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def enroll(ironic: RealIronic, tmp_path: Path, *extra: str) -> tuple[int, Any]:
    argv = ["baremetal", "oneview", "enroll", "--config-file", str(ironic.conf)]
    done = openstack(ironic, tmp_path, *argv, "--driver", ironic.driver, "--format", "json", *extra)
    return done.returncode, json.loads(done.stdout) if done.returncode != 2 else done.stderr


def status(ironic: RealIronic, tmp_path: Path) -> list[dict[str, str]]:
    argv = ["baremetal", "oneview", "status", "--config-file", str(ironic.conf), "-f", "json"]
    done = openstack(ironic, tmp_path, *argv, "--driver", ironic.driver)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_lists_both_commands(ironic, tmp_path):
    done = openstack(ironic, tmp_path, "baremetal", "oneview", "--help")
    assert "baremetal oneview enroll" in done.stdout
    assert "baremetal oneview status" in done.stdout


def test_dry_run_then_enroll_through_openstack(clean_ironic, tmp_path):
    code, rows = enroll(clean_ironic, tmp_path, "--dry-run")
    assert code == 0, rows
    assert sum(row["result"] == "would enroll" for row in rows) == READY_SERVERS
    assert clean_ironic.nodes() == []

    code, rows = enroll(
        clean_ironic, tmp_path, "--server", "Encl1, bay 3", "--server", "Encl1, bay 4"
    )
    assert code == 0, rows
    assert sorted(row["node"] for row in rows if row["result"] == "enrolled") == [
        "encl1-bay-3",
        "encl1-bay-4",
    ]
    assert sorted(n.name for n in clean_ironic.nodes()) == ["encl1-bay-3", "encl1-bay-4"]


def test_enroll_refuses_a_password_argument(clean_ironic, tmp_path):
    done = openstack(clean_ironic, tmp_path, "baremetal", "oneview", "enroll", "--password", "x")
    assert done.returncode != 0
    assert "unrecognized arguments: --password" in done.stderr


def test_status_shows_each_node_beside_its_server_and_owner(clean_ironic, simulator, tmp_path):
    witness = Witness.of(simulator)
    code, rows = enroll(clean_ironic, tmp_path, "--server", "Encl1, bay 3")
    assert code == 0, rows
    servers = {s["name"]: s for s in witness.state("server-hardware")["server-hardware"]}
    profiles = {p["uri"]: p for p in witness.state("server-profiles")["server-profiles"]}
    used = servers["Encl2, bay 1"]  # carries a OneView user's profile in the default inventory
    assert used["serverProfileUri"]
    conn = clean_ironic.conn
    for name, server_uri, applied in (
        ("ours", used["uri"], used["serverProfileUri"]),
        ("theirs", used["uri"], "/rest/server-profiles/x"),
        ("gone", "/rest/server-hardware/no-such-server", None),
    ):
        conn.baremetal.create_node(
            name=name,
            driver=clean_ironic.driver,
            driver_info={"server_hardware_uri": server_uri, "applied_server_profile_uri": applied},
        )
    before = witness.stats()["byRoute"]

    rows = status(clean_ironic, tmp_path)

    after = witness.stats()["byRoute"]
    assert (
        after.get("GET /rest/server-hardware", 0) - before.get("GET /rest/server-hardware", 0) == 1
    )
    per_server = [k for k in after if k.startswith("GET /rest/server-hardware/")]
    assert all(after[k] == before.get(k, 0) for k in per_server)  # no read per node
    by_node = {row["Node"]: row for row in rows}
    assert sorted(by_node) == ["encl1-bay-3", "gone", "ours", "theirs"]
    assert by_node["gone"]["Server Hardware"] == "not in OneView"
    assert by_node["gone"]["Owner"] == "-"
    free = servers["Encl1, bay 3"]
    assert by_node["encl1-bay-3"]["Server Hardware"] == "Encl1, bay 3"
    assert by_node["encl1-bay-3"]["OneView Power"] == free["powerState"]
    assert by_node["encl1-bay-3"]["Owner"] == "free"
    assert by_node["encl1-bay-3"]["Provision State"] == "enroll"
    for name, who in (("ours", "ironic"), ("theirs", "oneview user")):
        assert by_node[name]["Server Hardware"] == "Encl2, bay 1"
        assert by_node[name]["OneView Power"] == used["powerState"]
        assert by_node[name]["Server Profile"] == profiles[used["serverProfileUri"]]["name"]
        assert by_node[name]["Owner"] == who
        assert by_node[name]["UUID"] == conn.baremetal.get_node(name).id


def test_status_errors_are_one_line_without_the_password(clean_ironic, simulator, tmp_path):
    ov = ["--oneview-url", simulator.url, "--oneview-username", "Administrator"]
    ov += ["--oneview-ca-file", str(simulator.ca_file)]
    clean_ironic.conn.baremetal.create_node(name="n1", driver=clean_ironic.driver)
    env = {"ONEVIEW_PASSWORD": "not-the-password-42"}
    done = openstack(clean_ironic, tmp_path, "baremetal", "oneview", "status", *ov, env=env)
    assert done.returncode == 1
    assert "401" in done.stderr or "AUTHENTICATION" in done.stderr.upper()
    assert "not-the-password-42" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr

    unreachable = RealIronic("http://127.0.0.1:9", clean_ironic.conf, "oneview", clean_ironic.conn)
    done = openstack(unreachable, tmp_path, "baremetal", "oneview", "status", *ov, env=env)
    assert done.returncode == 1
    assert "Cannot reach Ironic" in done.stderr

    done = openstack(clean_ironic, tmp_path, "baremetal", "oneview", "status")
    assert done.returncode == 1
    assert "--oneview-url" in done.stderr
