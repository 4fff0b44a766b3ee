"""A real ``ironic`` process (sqlite, noauth, no RPC) against the shared in-process simulator.

Started once per module with the ``oneview`` hardware type when it loads (else fake-hardware, so
the enrollment tool itself is still tested); every test starts with no nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openstack import connection as os_connection

from oneview_openstack.sandbox import configs, services
from oneview_openstack.sandbox.drivers import probe_drivers
from oneview_openstack.sandbox.processes import Supervisor, free_port
from oneview_openstack.simulator.server import SimulatorServer


class RealIronic:
    def __init__(self, url: str, conf: Path, driver: str, conn: os_connection.Connection):
        self.url = url
        self.conf = conf
        self.driver = driver
        self.conn = conn

    def nodes(self) -> list:
        return list(self.conn.baremetal.nodes(details=True))

    def delete_all(self) -> None:
        for node in self.nodes():
            if node.provision_state not in ("enroll", "manageable", "available"):
                continue
            self.conn.baremetal.delete_node(node.id)


@pytest.fixture(scope="module")
def ironic(
    simulator_server: SimulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RealIronic]:
    state = tmp_path_factory.mktemp("ironic")
    probe, _ = probe_drivers()
    oneview = probe.ok
    choices = configs.IronicChoices(
        hardware_types=["oneview", "fake-hardware"] if oneview else ["fake-hardware"],
        power=["oneview", "fake"] if oneview else ["fake"],
        management=["oneview", "fake"] if oneview else ["fake"],
        inspect=["oneview", "no-inspect", "fake"] if oneview else ["no-inspect", "fake"],
        deploy=["oneview-direct", "oneview-ramdisk", "fake"] if oneview else ["fake"],
        boot=["pxe", "fake"],
        network=["noop"],
    )
    layout = configs.Layout(state, free_port(), free_port())
    access = configs.OneViewAccess(
        simulator_server.url,
        simulator_server.state.config.username,
        simulator_server.state.config.password,
        str(simulator_server.ca_file),
    )
    conf = configs.ironic_conf(layout, access, choices)
    files = configs.write_all(layout, conf, {})
    supervisor = Supervisor()
    try:
        services.start_ironic(supervisor, layout, files["ironic.conf"], timeout=240)
        conn = os_connection.Connection(
            auth_type="none", baremetal_endpoint_override=layout.ironic_url,
            baremetal_api_version="1.90",
        )  # fmt: skip
        yield RealIronic(
            layout.ironic_url, files["ironic.conf"], "oneview" if oneview else "fake-hardware", conn
        )
    finally:
        supervisor.stop_all()


@pytest.fixture
def clean_ironic(ironic: RealIronic, simulator: SimulatorServer) -> Iterator[RealIronic]:
    """No nodes before the test; the simulator is back to its default inventory."""
    ironic.delete_all()
    yield ironic
    ironic.delete_all()
