"""A ``oneview`` node's sensors reach Prometheus: Ironic's conductor sends its real sensor
notification through oslo.messaging to our notifier driver (loaded by its entry point), which
writes ironic-prometheus-exporter's files; the exporter's own ``/metrics`` app serves them."""

from __future__ import annotations

import os
from typing import Any

import fixtures
from ironic.common import rpc
from ironic_prometheus_exporter import messaging as exporter_messaging
from ironic_prometheus_exporter.app import exporter as exporter_app
from ov_base import CONF, OneViewTestCase, mgr_utils
from prometheus_client.parser import text_string_to_metric_families

from oneview_openstack.ironic import prometheus

NOTIFICATIONS = "oslo_messaging_notifications"

# Importing the exporter registers its *required* [oslo_messaging_notifications] location on the
# global CONF, and Ironic's test base parses CONF in every test's setUp: any other test in this
# process would fail for want of it. It is registered again, per test, below.
CONF.unregister_opt(exporter_messaging.prometheus_opts[0], group=NOTIFICATIONS)

HEALTH = {"OK": 0, "Warning": 1, "Critical": 2}  # the exporter's Redfish health scale


@mgr_utils.mock_record_keepalive
class SensorsToPrometheusTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.location = self.useFixture(fixtures.TempDir()).path
        self.cfg_fixture.register_opts(exporter_messaging.prometheus_opts, group=NOTIFICATIONS)
        self.config(transport_url="fake:/")
        self.config(
            group=NOTIFICATIONS,
            driver=["oneview_prometheus_exporter"],
            location=self.location,
        )
        self.config(
            group="sensor_data",
            send_sensor_data=True,
            enable_for_undeployed_nodes=True,
            enable_for_conductor=False,
        )
        rpc.init(CONF)  # again, now with our driver (Ironic's test base did it in parse_args)
        self.addCleanup(rpc.cleanup)
        self._start_service()
        # The manager took Ironic's notifier in __init__, before our configuration.
        self.service.sensors_notifier = rpc.get_sensors_notifier()

    def _send(self, node: Any) -> dict[str, Any]:
        """Run the conductor's sensor periodic; the exporter's samples for ``node``."""
        self.service._send_sensor_data(self.context)
        path = os.path.join(self.location, f"{node.name}-{prometheus.EVENT_TYPE}")
        with open(path) as metrics_file:
            text = metrics_file.read()
        samples: dict[str, Any] = {}
        for family in text_string_to_metric_families(text):
            self.assertEqual("gauge", family.type, family.name)
            for sample in family.samples:
                self.assertEqual(node.uuid, sample.labels["node_uuid"], sample)
                samples[(sample.name, sample.labels.get("sensor_id"))] = sample.value
        return samples

    def _expected(self, server: dict[str, Any]) -> dict[Any, float]:
        """What the gauges must say, from the simulator's own bodies (not our client)."""
        uri = server["uri"]
        name = server["name"]
        metrics = {
            m["metricName"]: m
            for m in self.sim.get(
                f"{uri}/utilization?fields=AmbientTemperature,AveragePower,PeakPower,PowerCap"
            )["metricList"]
        }
        environment = self.sim.get(f"{uri}/environmentalConfiguration")
        health = HEALTH[server["status"]]
        expected: dict[Any, float] = {
            ("baremetal_temp_intake_celsius", f"AmbientTemperature@{name}"): metrics[
                "AmbientTemperature"
            ]["metricSamples"][0][1],
            ("baremetal_temperature_status", f"AmbientTemperature@{name}"): health,
        }
        for metric in ("AveragePower", "PeakPower"):
            sensor = f"{metric}@{name}"
            expected[("baremetal_power_output_watts", sensor)] = metrics[metric]["metricSamples"][
                0
            ][1]
        for metric in ("AveragePower", "PeakPower"):
            sensor = f"{metric}@{name}"
            expected[("baremetal_power_capacity_watts", sensor)] = metrics[metric]["metricCapacity"]
            expected[("baremetal_power_status", sensor)] = health
        sensor = f"PowerCap@{name}"
        expected[("baremetal_power_capacity_watts", sensor)] = metrics["PowerCap"]["metricSamples"][
            0
        ][1]
        expected[("baremetal_power_status", sensor)] = health
        for key, label in (
            ("calibratedMaxPower", "CalibratedMaxPower"),
            ("idleMaxPower", "IdleMaxPower"),
        ):
            sensor = f"{label}@{name}"
            expected[("baremetal_power_capacity_watts", sensor)] = environment[key]
            expected[("baremetal_power_status", sensor)] = health
        return expected

    def test_sensor_notification_becomes_gauges(self):
        node = self.make_node()
        self.sim.action("set_power", uri=node.driver_info["server_hardware_uri"], powerState="On")
        samples = self._send(node)
        expected = self._expected(self.server_of(node))
        timestamp = samples.pop(("baremetal_last_payload_timestamp_seconds", None))
        self.assertGreater(timestamp, 1_700_000_000)
        self.assertEqual(expected, samples)

    def test_server_health_is_the_status_gauges(self):
        warning = [
            s
            for s in self.sim.members("server-hardware")
            if s["status"] == "Warning"
            and s["serverHardwareTypeUri"] == self.template["serverHardwareTypeUri"]
            and s.get("serverGroupUri") == self.template["enclosureGroupUri"]
        ]
        self.assertTrue(warning, "the simulator's inventory has a server in Warning")
        node = self.make_node(server=warning[0])
        samples = self._send(node)
        statuses = {k: v for k, v in samples.items() if k[0].endswith("_status")}
        self.assertEqual(6, len(statuses), statuses)
        self.assertEqual({1.0}, set(statuses.values()))

    def test_exporter_app_serves_the_files(self):
        node = self.make_node()
        self._send(node)
        config = os.path.join(self.useFixture(fixtures.TempDir()).path, "ironic.conf")
        with open(config, "w") as conf_file:
            conf_file.write(f"[oslo_messaging_notifications]\nlocation = {self.location}\n")
        self.useFixture(fixtures.EnvironmentVariable("IRONIC_CONFIG", config))
        reply = exporter_app.application.test_client().get("/metrics")
        self.assertEqual(200, reply.status_code)
        names = {f.name for f in text_string_to_metric_families(reply.get_data(as_text=True))}
        self.assertLessEqual(
            {
                "baremetal_temp_intake_celsius",
                "baremetal_temperature_status",
                "baremetal_power_status",
                "baremetal_power_output_watts",
                "baremetal_power_capacity_watts",
                "baremetal_last_payload_timestamp_seconds",
            },
            names,
        )
