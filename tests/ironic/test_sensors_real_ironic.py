"""A real ``ironic`` process sends a ``oneview`` node's sensor data to Prometheus: its conductor
loads our notifier driver by name from ironic.conf, as an operator's would, and writes
ironic-prometheus-exporter's file for the node."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from test_real_ironic import _config, _free_port, running_ironic

from oneview_openstack.simulator.testing import wait_until

SENSORS = """
[sensor_data]
send_sensor_data = true
interval = 1
enable_for_undeployed_nodes = true
enable_for_conductor = false
[oslo_messaging_notifications]
driver = oneview_prometheus_exporter
transport_url = fake:/
location = {location}
"""


@pytest.fixture
def ironic(tmp_path: Path, simulator: Any) -> Iterator[tuple[Any, Path]]:
    port = _free_port()
    conf = _config(tmp_path, port, simulator)
    conf.write_text(conf.read_text() + SENSORS.format(location=tmp_path / "prometheus"))
    with running_ironic(tmp_path, conf, port) as conn:
        yield conn, tmp_path


def test_real_conductor_writes_the_exporters_file(ironic, simulator):
    from ov_base import GOOD_TEMPLATE, Sim

    conn, work = ironic
    sim = Sim(simulator)
    try:
        template = sim.template(GOOD_TEMPLATE)
        server = sim.free_blade(template)
        node = conn.baremetal.create_node(
            driver="oneview",
            name="ov-sensors",
            driver_info={"server_hardware_uri": server["uri"]},
            properties={
                "capabilities": f"server_hardware_type_uri:{server['serverHardwareTypeUri']},"
                f"server_profile_template_uri:{template['uri']},"
                f"enclosure_group_uri:{server['serverGroupUri']}"
            },
        )
        path = work / "prometheus" / "ov-sensors-hardware.oneview.metrics"
        wait_until(path.exists, timeout=30, interval=0.2, what="the exporter's file for the node")
        samples = {
            (sample.name, sample.labels.get("sensor_id")): sample
            for family in text_string_to_metric_families(path.read_text())
            for sample in family.samples
        }
        temperature = sim.get(f"{server['uri']}/utilization?fields=AmbientTemperature")
        reading = temperature["metricList"][0]["metricSamples"][0][1]
        sensor = f"AmbientTemperature@{server['name']}"
        celsius = samples[("baremetal_temp_intake_celsius", sensor)]
        assert celsius.value == reading
        assert celsius.labels["node_uuid"] == node.id
        assert samples[("baremetal_temperature_status", sensor)].value == 0  # OK
        environment = sim.get(f"{server['uri']}/environmentalConfiguration")
        calibrated = f"CalibratedMaxPower@{server['name']}"
        assert (
            samples[("baremetal_power_capacity_watts", calibrated)].value
            == environment["calibratedMaxPower"]
        )
        assert ("baremetal_power_output_watts", f"AveragePower@{server['name']}") in samples
    except Exception:
        sys.stderr.write((work / "ironic.log").read_text()[-6000:])
        raise
    finally:
        sim.close()
