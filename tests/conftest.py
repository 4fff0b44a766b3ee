"""Shared fixtures: one HTTPS simulator per test session, reset to its inventory for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from oneview_openstack.simulator.config import SimulatorConfig
from oneview_openstack.simulator.conformance.summary import summary_lines
from oneview_openstack.simulator.server import SimulatorServer
from oneview_openstack.simulator.testing import ApplianceClient, running_simulator

# Suites that start the whole product as real processes (minutes each): `-m "not slow"` is the
# developers' inner loop, `./dev test` runs everything.
SLOW_SUITES = ("e2e", "soak", "multiprocess", "crash", "ha")
# Modules that start a real `ironic` process (the in-process Ironic test base covers the same
# driver code in the fast tier): these, and every tests/ironic/test_real_*.py.
SLOW_MODULES = (
    ("enroll", "test_enroll.py"),
    ("enroll", "test_osc.py"),
    ("ironic", "test_sensors_real_ironic.py"),
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests_dir = config.rootpath / "tests"
    for item in items:
        parts = (
            item.path.relative_to(tests_dir).parts if item.path.is_relative_to(tests_dir) else ()
        )
        if parts and (
            parts[0] in SLOW_SUITES
            or tuple(parts[:2]) in SLOW_MODULES
            or (parts[0] == "ironic" and parts[-1].startswith("test_real_"))
        ):
            item.add_marker(pytest.mark.slow)


# Tasks run 2,000 times faster than on an appliance: a 60 s profile apply takes 30 ms.
TEST_TIME_SCALE = 0.0005
# What the session simulator's conformance check does at the end of the run: off (no check),
# report (print a summary) or enforce (any violation or body without a schema fails the run).
CONFORMANCE_MODES = ("off", "report", "enforce")
CONFORMANCE_DEFAULT = "enforce"
_conformance_reports: list[dict[str, Any]] = []


def conformance_mode() -> str:
    mode = os.environ.get("OV_SIM_CONFORMANCE", CONFORMANCE_DEFAULT).strip().lower()
    if mode not in CONFORMANCE_MODES:
        raise pytest.UsageError(
            f"OV_SIM_CONFORMANCE must be one of {', '.join(CONFORMANCE_MODES)}, got {mode!r}"
        )
    return mode


def session_config() -> SimulatorConfig:
    return SimulatorConfig(
        time_scale=TEST_TIME_SCALE, check_conformance=conformance_mode() != "off"
    )


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[SimulatorServer]:
    with running_simulator(session_config()) as server:
        yield server
        if server.state.config.check_conformance:
            client = ApplianceClient(server)
            _conformance_reports.append(client.sim("GET", "conformance"))
            client.close()


@pytest.fixture
def simulator(simulator_server: SimulatorServer) -> Iterator[SimulatorServer]:
    """The shared simulator with a fresh default inventory, default settings and no faults."""
    state = simulator_server.state
    with state.lock:
        state.reset(config=session_config())
    yield simulator_server


def pytest_configure(config: pytest.Config) -> None:
    conformance_mode()  # a misspelt OV_SIM_CONFORMANCE stops the run before any test


def _conformance_fails() -> bool:
    if conformance_mode() != "enforce" or not _conformance_reports:
        return False
    report = _conformance_reports[-1]
    return bool(report["violations"] or report["unknown"] or report["schemaProblems"])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Enforce mode: a session simulator answer that broke its schema fails the run."""
    if _conformance_fails():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if conformance_mode() == "off" or not _conformance_reports:
        return
    mode = conformance_mode()
    terminalreporter.section(
        f"simulator conformance ({mode}; OV_SIM_CONFORMANCE=off|report|enforce)"
    )
    for line in summary_lines(_conformance_reports[-1], enforce=mode == "enforce"):
        terminalreporter.write_line(line)
    if _conformance_fails():
        terminalreporter.write_line("the run fails: OV_SIM_CONFORMANCE=enforce", red=True)


@pytest.fixture
def api(simulator: SimulatorServer) -> Iterator[ApplianceClient]:
    """A logged-in raw HTTP client on the fresh simulator."""
    client = ApplianceClient(simulator)
    client.login()
    yield client
    client.close()


@pytest.fixture
def anonymous(simulator: SimulatorServer) -> Iterator[ApplianceClient]:
    client = ApplianceClient(simulator)
    yield client
    client.close()
