"""Fixtures for the client tests: clients on the shared HTTPS simulator, its stats and faults."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from oneview_openstack.client import ClientSettings, OneViewClient

# Tasks on the test simulator last milliseconds: poll and retry on the same scale.
FAST = {
    "task_poll_interval": 0.002,
    "task_poll_max_interval": 0.02,
    "task_timeout": 10.0,
    "max_polling_attempts": 400,
    "retry_wait": 0.001,
    "retry_max_wait": 0.005,
    "connect_timeout": 5.0,
    "read_timeout": 10.0,
}


class Sim:
    """The simulator's own /_sim API, spoken with plain requests and the simulator's CA."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(server.ca_file)

    def stats(self) -> dict[str, Any]:
        reply = self.http.get(self.server.url + "/_sim/stats", timeout=10)
        reply.raise_for_status()
        return reply.json()

    def route(self, key: str) -> int:
        return self.stats()["byRoute"].get(key, 0)

    def arm(self, kind: str, **spec: Any) -> dict[str, Any]:
        reply = self.http.post(
            self.server.url + "/_sim/faults", json={"kind": kind, **spec}, timeout=10
        )
        reply.raise_for_status()
        return reply.json()["armed"][0]

    def action(self, name: str, **body: Any) -> Any:
        reply = self.http.post(self.server.url + f"/_sim/actions/{name}", json=body, timeout=10)
        reply.raise_for_status()
        return reply.json()

    def state(self, *categories: str) -> dict[str, Any]:
        params = {"categories": ",".join(categories)} if categories else None
        reply = self.http.get(self.server.url + "/_sim/state", params=params, timeout=10)
        reply.raise_for_status()
        return reply.json()


@pytest.fixture
def sim(simulator: Any) -> Iterator[Sim]:
    helper = Sim(simulator)
    yield helper
    helper.http.close()


@pytest.fixture
def settings(simulator: Any) -> ClientSettings:
    config = simulator.state.config
    return ClientSettings(
        manager_url=simulator.url,
        username=config.username,
        password=config.password,
        tls_cacert_file=str(simulator.ca_file),
        **FAST,
    )


@pytest.fixture
def make_client(settings: ClientSettings) -> Iterator[Callable[..., OneViewClient]]:
    made: list[OneViewClient] = []

    def make(**changes: Any) -> OneViewClient:
        client = OneViewClient(settings.replace(**changes))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., OneViewClient]) -> OneViewClient:
    return make_client()
