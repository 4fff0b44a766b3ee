"""TLS, version negotiation and the connection pool, over real HTTPS to the simulator."""

from __future__ import annotations

import logging

import pytest

from oneview_openstack.client import (
    ApiVersionError,
    OneViewClient,
    TLSVerificationError,
)
from oneview_openstack.simulator.config import SimulatorConfig


def test_tls_verified_against_the_configured_ca(client, sim):
    assert client.server_hardware.list()
    assert client.connector.transport.verify == str(sim.server.ca_file)


def test_tls_refused_without_the_ca(make_client, sim):
    client = make_client(tls_cacert_file=None)
    with pytest.raises(TLSVerificationError) as caught:
        client.server_hardware.list()
    text = str(caught.value)
    assert "certificate verify failed" in text and "tls_cacert_file" in text
    assert client.metrics.requests() == 1  # a bad certificate is not retried
    assert sim.stats()["requests"] == 0


def test_requests_ca_bundle_env_does_not_override_the_setting(make_client, sim, monkeypatch):
    # REQUESTS_CA_BUNDLE names the simulator CA, but tls_cacert_file is unset: still refused.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim.server.ca_file))
    with pytest.raises(TLSVerificationError):
        assert make_client(tls_cacert_file=None).api_version
    # ...and an unrelated bundle in the environment does not break a configured CA.
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    assert make_client().api_version == 2800


def test_insecure_mode_works_and_warns_once(make_client, caplog):
    caplog.set_level(logging.WARNING)
    client = make_client(tls_cacert_file=None, allow_insecure_connections=True)
    for _ in range(5):
        client.server_hardware.list()
    warnings = [r for r in caplog.records if "DISABLED" in r.getMessage()]
    assert len(warnings) == 1
    assert client.connector.transport.verify is False


def test_insecure_mode_silences_only_this_appliances_tls_warning(make_client, sim):
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    with warnings.catch_warnings(record=True) as seen:
        client = make_client(tls_cacert_file=None, allow_insecure_connections=True)
        client.server_hardware.list()  # unverified HTTPS to 127.0.0.1: opted in, quiet
        warnings.warn(  # another host this process talks to keeps its warning
            "Unverified HTTPS request is being made to host 'other.example'.",
            InsecureRequestWarning,
            stacklevel=1,
        )
        blanket = [f for f in warnings.filters if f[2] is InsecureRequestWarning and f[1] is None]
        client.close()  # the logout too, while the filter this block saw is in place
    insecure = [str(w.message) for w in seen if issubclass(w.category, InsecureRequestWarning)]
    assert insecure == ["Unverified HTTPS request is being made to host 'other.example'."]
    assert not [f for f in blanket if f[0] == "ignore"]  # no process-wide silencing


def test_version_negotiated_once_and_sent_on_every_request(client, sim):
    assert client.api_version == 2800
    client.server_hardware.list()
    client.enclosure_groups.list()
    assert client.metrics["version_negotiations"] == 1
    assert sim.route("GET /rest/version") == 1


def test_version_capped_by_configuration(make_client):
    client = make_client(max_api_version=1200)
    assert client.api_version == 1200
    hardware = client.server_hardware.list()[0]
    assert hardware["type"] == "server-hardware-10"  # the shape of API 1200


def test_appliance_below_our_minimum_is_a_clear_error(make_client, sim):
    sim.arm("api_version", method="GET", path="/rest/version", params={"current_version": 500})
    client = make_client()
    with pytest.raises(ApiVersionError) as caught:
        client.server_hardware.list()
    text = str(caught.value)
    assert "120..500" in text and "at least 600" in text and "Upgrade" in text
    assert sim.stats()["logins"] == 0  # refused before any login


def test_old_appliance_by_configuration(simulator, make_client):
    scale = simulator.state.config.time_scale
    simulator.state.reset(config=SimulatorConfig(time_scale=scale, current_api_version=300))
    with pytest.raises(ApiVersionError, match="at least 600"):
        assert make_client().api_version


def test_appliance_downgraded_under_a_running_client_is_renegotiated(client, sim):
    assert client.api_version == 2800
    sim.arm(
        "api_version",
        method="GET",
        path="/rest/server-hardware",
        params={"current_version": 1600},
    )
    assert client.server_hardware.list()  # 412 on 2800, negotiate again, replay with 1600
    assert client.api_version == 1600
    assert client.metrics["version_negotiations"] == 2


def test_connections_are_pooled_and_kept_alive(client, sim):
    adapter = client.connector.transport._session.get_adapter(sim.server.url)
    for _ in range(20):
        client.server_hardware.list()
    pool = next(iter(adapter.poolmanager.pools._container.values()))
    assert pool.num_connections == 1  # twenty sequential requests, one TLS connection


def test_client_never_imports_the_simulator():
    import ast
    from pathlib import Path

    import oneview_openstack.client as package

    root = Path(package.__file__).parent
    for source in root.rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any("simulator" in name for name in names), source


def test_closed_client_refuses_requests(settings):
    from oneview_openstack.client import ClientClosed

    client = OneViewClient(settings)
    client.close()
    with pytest.raises(ClientClosed):
        client.server_hardware.list()


def test_one_debug_line_per_request_with_method_path_status_and_ms(client, settings, caplog):
    import re

    caplog.set_level(logging.DEBUG, logger="oneview_openstack.client.transport")
    hardware = client.server_hardware.list()
    client.server_hardware.get(hardware[0]["uri"])
    with pytest.raises(Exception, match="404"):
        client.server_hardware.get("no-such-server")
    line = re.compile(r"^OneView (GET|POST|PUT|PATCH|DELETE) (/rest/\S+) -> (\d{3}) \((\d+) ms\)$")
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "oneview_openstack.client.transport" and r.levelno == logging.DEBUG
    ]
    matched = [line.match(text) for text in lines]
    assert all(matched) and len(matched) == client.metrics.requests()
    seen = {(m.group(1), m.group(2), m.group(3)) for m in matched}
    assert ("GET", "/rest/version", "200") in seen
    assert ("POST", "/rest/login-sessions", "200") in seen
    assert ("GET", hardware[0]["uri"], "200") in seen
    assert ("GET", "/rest/server-hardware/no-such-server", "404") in seen
    token = client.connector.session._token
    for text in lines:
        assert settings.password not in text and token not in text
