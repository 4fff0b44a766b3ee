"""HPE's SDK (hpeOneView) and the seed's library (python-oneviewclient), unchanged, on the simulator.

Both talk to the shared HTTPS simulator of ``tests/conftest.py`` and verify its certificate with
the simulator's CA: hpeOneView through ``ssl_certificate`` (its own ``ssl.SSLContext`` and
``http.client``), python-oneviewclient through ``tls_cacert_file`` (``requests``' ``verify``).

Their task waits sleep whole seconds (hpeOneView's ``TaskMonitor`` 1, 2, 3 ... s between polls;
python-oneviewclient's ``retrying`` 1 s), so most tests run the simulator's clock a thousand
times faster than the rest of the suite: a task has ended before the library's first poll. The
tests about waiting (a task seen ``Starting``/``Running``) stop the clock and move it by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from hpeOneView.oneview_client import OneViewClient as HpeClient
from oneview_client import client as seed_client

from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.server import SimulatorServer
from oneview_openstack.simulator.testing import ApplianceClient, Witness

# Real seconds per simulated second: a 300 s profile apply lasts 0.3 ms.
SDK_TIME_SCALE = 0.000001
# A clock that does not move by itself (a simulated second lasts 30 years); tests advance it.
STOPPED = 1e9


def sdk_config(server: SimulatorServer, **extra: Any) -> SimulatorConfig:
    """The suite's settings for this test (the conformance check among them) with the SDK's
    clock; sessions idle out after a real minute, as in the rest of the suite, not after the
    86 ms a simulated day lasts here."""
    settings: dict[str, Any] = {
        "time_scale": SDK_TIME_SCALE,
        "idle_timeout_seconds": 60 / SDK_TIME_SCALE,
    }
    settings.update(extra)
    return dataclasses.replace(server.state.config, **settings)


@pytest.fixture
def witness(simulator: SimulatorServer) -> Iterator[Witness]:
    """The simulator on the SDK's clock, and its own view (``/_sim``), independent of the
    libraries under test."""
    with simulator.state.lock:
        simulator.state.reset(config=sdk_config(simulator))
    seen = Witness.of(simulator)
    yield seen
    seen.http.close()


@pytest.fixture
def api(witness: Witness, simulator: SimulatorServer) -> Iterator[ApplianceClient]:
    """The suite's raw HTTP client, logged in after the reset above (whatever the order in
    which a test names its fixtures)."""
    client = ApplianceClient(simulator)
    client.login()
    yield client
    client.close()


def hpe_config(server: SimulatorServer, **extra: Any) -> dict[str, Any]:
    """The config dict Ironic's driver built (``prepare_manager_url``: host:port, no scheme)."""
    settings = server.state.config
    config: dict[str, Any] = {
        "ip": urlsplit(server.url).netloc,
        "credentials": {"userName": settings.username, "password": settings.password},
        "ssl_certificate": str(server.ca_file),
    }
    config.update(extra)
    return config


@pytest.fixture
def hpe(simulator: SimulatorServer, witness: Witness) -> Iterator[HpeClient]:
    """hpeOneView 11.4.0 logged in at the appliance's current API version (its default)."""
    client = HpeClient(hpe_config(simulator))
    yield client
    if client.connection.get_session():
        client.connection.logout()


def seed_kwargs(server: SimulatorServer) -> dict[str, Any]:
    settings = server.state.config
    return {
        "manager_url": server.url,
        "username": settings.username,
        "password": settings.password,
        "tls_cacert_file": str(server.ca_file),
        # Its request retry waits 1 s per attempt (408/409 sleep 10 s): keep failures short.
        "max_polling_attempts": 3,
    }


@pytest.fixture
def seed(simulator: SimulatorServer, witness: Witness) -> Iterator[seed_client.Client]:
    """python-oneviewclient's ``Client``, the one Ironic's Newton-Pike driver built."""
    client = seed_client.Client(**seed_kwargs(simulator))
    yield client
    client._logout()


@pytest.fixture
def seed_v2(simulator: SimulatorServer, witness: Witness) -> Iterator[seed_client.ClientV2]:
    """python-oneviewclient's ``ClientV2``: one manager per resource (ironic-oneview-cli's)."""
    client = seed_client.ClientV2(**seed_kwargs(simulator))
    yield client
    client._logout()
