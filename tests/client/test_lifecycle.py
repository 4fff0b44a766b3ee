"""Logout at interpreter exit, and a fresh session in a forked child."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

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
