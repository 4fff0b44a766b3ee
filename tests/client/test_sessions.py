"""One login per client, single-flight re-login, logout, and secrets kept out of logs and errors."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from oneview_openstack.client import AuthenticationError, OneViewClient, SessionLimitReached


def test_one_login_across_many_calls_and_threads(client, sim):
    servers = client.server_hardware.list()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda s: client.server_hardware.get(s["uri"]), servers * 4))
    stats = sim.stats()
    assert stats["logins"] == 1
    assert stats["activeSessions"] == 1
    assert client.metrics["logins"] == 1
    assert stats["byRoute"]["GET /rest/server-hardware/{id}"] == len(servers) * 4


def test_expired_session_costs_one_login_for_eight_threads(client, sim):
    servers = client.server_hardware.list()[:8]
    sim.arm("session_expired", method="GET", path="/rest/server-hardware/*", times=1)
    barrier = threading.Barrier(8)

    def read(uri: str) -> str:
        barrier.wait(5)
        return client.server_hardware.get(uri)["uri"]

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(read, [s["uri"] for s in servers]))
    assert got == [s["uri"] for s in servers]
    stats = sim.stats()
    assert stats["logins"] == 2  # the first login, and exactly one renewal
    assert stats["unauthorized"] >= 2  # several threads met the expired session
    assert client.metrics["relogins"] == 1


def test_relogin_replays_once_then_gives_up(client, sim):
    client.server_hardware.list()
    sim.arm("session_expired", method="GET", path="/rest/enclosure-groups", times=2)
    with pytest.raises(AuthenticationError) as caught:
        client.enclosure_groups.list()
    assert caught.value.status == 401 and caught.value.error_code == "AUTHORIZATION"
    assert sim.stats()["logins"] == 2
    assert client.enclosure_groups.list()  # the renewed session still works


def test_logout_on_close(settings, sim):
    client = OneViewClient(settings)
    client.server_hardware.list()
    assert sim.stats()["activeSessions"] == 1
    client.close()
    client.close()  # idempotent
    stats = sim.stats()
    assert stats["logouts"] == 1 and stats["activeSessions"] == 0


def test_context_manager_logs_out(settings, sim):
    with OneViewClient(settings) as client:
        client.enclosure_groups.list()
    assert sim.stats()["logouts"] == 1


def test_lazy_login_nothing_is_sent_until_first_use(settings, sim):
    client = OneViewClient(settings)
    assert sim.stats()["requests"] == 0
    client.close()  # never logged in: nothing to log out
    assert sim.stats()["logouts"] == 0


def test_no_password_or_token_in_logs_or_errors(make_client, settings, sim, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client()
    client.server_hardware.list()
    first_token = client.connector.session._token
    sim.arm("session_expired", method="GET", path="/rest/enclosure-groups", times=1)
    client.enclosure_groups.list()
    token = client.connector.session._token
    assert first_token and token and token != first_token
    with pytest.raises(Exception) as not_found:
        client.server_hardware.get("no-such-server")
    bad = make_client(password="Wrong-" + settings.password)
    with pytest.raises(AuthenticationError) as denied:
        bad.server_hardware.list()
    client.close()
    texts = [r.getMessage() for r in caplog.records] + [str(not_found.value), str(denied.value)]
    texts += [repr(client), repr(client.connector.session), repr(settings)]
    assert any("/rest/login-sessions" in t for t in texts)  # DEBUG logging really was on
    for text in texts:
        assert settings.password not in text
        assert token not in text and first_token not in text
    assert "AUTHN_AUTH_FAIL" in str(denied.value) and "'Administrator'" in str(denied.value)


def test_bad_credentials_are_not_retried(make_client, sim):
    client = make_client(password="nope")
    with pytest.raises(AuthenticationError):
        client.enclosure_groups.list()
    assert sim.stats()["loginFailures"] == 1


def test_session_limit_is_reported(make_client, sim):
    sim.arm("session_limit", method="POST", path="/rest/login-sessions")
    with pytest.raises(SessionLimitReached) as caught:
        make_client().enclosure_groups.list()
    assert "SESSION_LIMIT_EXCEEDED" in str(caught.value)


def test_login_domain_is_sent(make_client, sim):
    assert make_client(login_domain="corp.example").enclosure_groups.list()
    with pytest.raises(AuthenticationError, match="AUTHN_AUTH_FAIL_LOGINDOMAINNOTFOUND"):
        make_client(login_domain="nowhere").enclosure_groups.list()
