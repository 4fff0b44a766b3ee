"""ironic-prometheus-exporter's notifier driver, taught Ironic's ``hardware.oneview.metrics``.

The exporter chooses a parser by event type and knows only ipmi, redfish and idrac, so a
``oneview`` node would export nothing but its timestamp. Our sensor data is in the Redfish layout
(``sensors.py``), so this driver gives the exporter's Redfish parser our event type and adds the
wattages, which that parser does not export. Configure it in ironic.conf::

    [oslo_messaging_notifications]
    driver = oneview_prometheus_exporter
    location = /var/lib/ironic/prometheus

It writes the same files as the exporter's ``prometheus_exporter`` driver (and handles every
other hardware type as that driver does), so the exporter's ``/metrics`` app serves them.
"""

from __future__ import annotations

import copy
from typing import Any

from ironic_prometheus_exporter import messaging as exporter  # type: ignore[import-untyped]
from ironic_prometheus_exporter import utils as exporter_utils
from ironic_prometheus_exporter.parsers import redfish  # type: ignore[import-untyped]
from prometheus_client import CollectorRegistry, Gauge

EVENT_TYPE = "hardware.oneview.metrics"

# The fields the Redfish parser may see, by sensor type. It turns every field but the reading
# into a label; numbers (capacities) would make labels that change with every sample, a sensor
# without one would give a Gauge two label sets (an error), and Ceilometer's "Sensor Reading" is
# no valid label name. The numbers become gauges of their own below.
REDFISH_FIELDS = {
    "Temperature": ("identity", "physical_context", "health", "state", "reading_celsius"),
    "Power": ("identity", "health", "state"),
}

# Power fields (Redfish names) -> the gauge that exports them.
WATT_GAUGES = {
    "last_power_output_watts": (
        "baremetal_power_output_watts",
        "Power drawn by the server, in watts (OneView AveragePower, PeakPower).",
    ),
    "power_capacity_watts": (
        "baremetal_power_capacity_watts",
        "Power limit of the server, in watts (OneView PowerCap, calibrated and idle maximum).",
    ),
}


def _for_redfish_parser(message: dict[str, Any]) -> dict[str, Any]:
    """A copy of Ironic's message whose sensors carry only :data:`REDFISH_FIELDS`."""
    trimmed = copy.copy(message)
    sensors = message.get("payload") or {}
    trimmed["payload"] = {
        kind: {
            sensor_id: {k: v for k, v in fields.items() if k in REDFISH_FIELDS[kind]}
            for sensor_id, fields in (sensors.get(kind) or {}).items()
        }
        for kind in REDFISH_FIELDS
        if kind in sensors
    }
    return trimmed


def _watt_gauges(message: dict[str, Any], registry: CollectorRegistry) -> None:
    """One gauge per Redfish power field, one sample per sensor that reports it."""
    node_labels = {key: message.get(key) for key in ("node_name", "node_uuid", "instance_uuid")}
    node_labels = exporter_utils.update_instance_uuid(node_labels)
    power = (message.get("payload") or {}).get("Power") or {}
    for field, (name, description) in WATT_GAUGES.items():
        readings = {
            sensor_id: sensor[field]
            for sensor_id, sensor in power.items()
            if sensor.get(field) is not None and sensor.get("state") == "Enabled"
        }
        if not readings:
            continue
        gauge = Gauge(
            name,
            description,
            labelnames=[*node_labels, "sensor_id", "identity"],
            registry=registry,
        )
        for sensor_id, value in readings.items():
            identity = power[sensor_id].get("identity") or sensor_id
            gauge.labels(
                **{k: v or "" for k, v in node_labels.items()},
                sensor_id=sensor_id,
                identity=identity,
            ).set(value)


def category_registry(message: dict[str, Any], registry: CollectorRegistry) -> None:
    """Parse a ``oneview`` node's sensor message into ``registry`` (the exporter's parser API)."""
    redfish.category_registry(_for_redfish_parser(message), registry)
    _watt_gauges(message, registry)


class OneViewPrometheusFileDriver(exporter.PrometheusFileDriver):
    """The exporter's file driver, with ``hardware.oneview.metrics`` among its parsers."""

    NODE_PARSERS = {**exporter.PrometheusFileDriver.NODE_PARSERS, EVENT_TYPE: category_registry}
