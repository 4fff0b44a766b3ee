"""Logout at interpreter exit, and a fresh session in a forked child."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from oneview_openstack.client import facade, forksafe

SCRIPT = textwrap.dedent(
    """
    import sys
    from oneview_openstack.client import ClientSettings, OneViewClient
    url, ca, user, password = sys.argv[1:5]
    client = OneViewClient(ClientSettings(url, user, password, tls_cacert_file=ca))
    assert client.server_hardware.list()
    # no close(): the atexit hook must log out
    """
)


def test_logout_at_interpreter_exit(simulator, sim):
    config = simulator.state.config
    subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [
            sys.executable,
            "-c",
            SCRIPT,
            simulator.url,
            str(simulator.ca_file),
            config.username,
            config.password,
        ],
        check=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    stats = sim.stats()
    assert stats["logins"] == 1 and stats["logouts"] == 1 and stats["activeSessions"] == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_logs_in_for_itself(client, sim):
    client.server_hardware.list()
    parent_token = client.connector.session._token
    pid = os.fork()
    if pid == 0:  # the child: must not reuse the parent's token or sockets
        code = 1
        try:
            fresh = client.connector.session._token is None
            client.server_hardware.list()
            code = 0 if fresh and client.connector.session._token != parent_token else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sim.stats()["logins"] == 2
    client.server_hardware.list()  # the parent's session is untouched
    assert client.connector.session._token == parent_token
    assert sim.stats()["logins"] == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_resets_every_registered_part_even_with_locks_held(client, sim):
    """A parent thread holds the client's locks at fork time; the child must not inherit them."""
    uplink_set = next(u for u in client.uplink_sets.list() if u["ethernetNetworkType"] == "Tagged")
    network = client.ethernet_networks.create("forked", 420)["uri"]
    parts = {
        "metrics": client.metrics,
        "connector": client.connector,
        "coalescer": client.uplink_sets._coalescer,
        "shared clients": facade._SHARED,
    }
    registered = forksafe.registered()
    assert [name for name, part in parts.items() if part not in registered] == []
    assert client.metrics.requests() > 0
    held = [
        client.metrics._lock,
        client.connector._version_lock,
        client.connector.session._lock,
        client.uplink_sets._coalescer._lock,
        facade._SHARED._lock,
    ]
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        for lock in held:
            lock.acquire()
        holding.set()
        release.wait(30)
        for lock in reversed(held):
            lock.release()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it finds, never return into pytest
        code = 1
        try:
            report: dict[str, object] = {"requests_at_start": client.metrics.requests()}
            report["logins_at_start"] = client.metrics["logins"]
            fresh = [
                client.metrics._lock,
                client.connector._version_lock,
                client.connector.session._lock,
                client.uplink_sets._coalescer._lock,
                facade._SHARED._lock,
            ]
            report["locks_usable"] = [lock.acquire(timeout=5) for lock in fresh]
            for lock in fresh:
                lock.release()
            result = client.uplink_sets.add_networks(uplink_set["uri"], [network])
            report["changed"] = result.changed
            report["logins_after"] = client.metrics["logins"]
            os.write(write, json.dumps(report).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = json.loads(pipe.read() or "{}")
    _, status = os.waitpid(pid, 0)
    release.set()
    holder.join(10)
    assert not holder.is_alive()
    assert os.waitstatus_to_exitcode(status) == 0, report
    assert report == {
        "requests_at_start": 0,  # the child's counts start at zero
        "logins_at_start": 0,
        "locks_usable": [True] * len(held),
        "changed": True,  # the coalescer, session and version lock all work in the child
        "logins_after": 1,  # its own session, not the parent's
    }
    assert network in client.uplink_sets.networks(uplink_set["uri"])
    assert client.metrics["logins"] == 1  # the parent's counters are its own
