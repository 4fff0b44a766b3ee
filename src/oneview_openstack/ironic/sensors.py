"""OneView's utilization and environmental data as Ironic sensor data.

Grouped by sensor type, one entry per metric named ``<metric>@<server name>``, each with the
fields Ironic's ``redfish`` management reports (``state``, ``health``, ``reading_celsius``,
``last_power_output_watts``, ...), which is the layout ironic-prometheus-exporter's Redfish parser
reads (see ``prometheus.py``), plus Ceilometer's ``Sensor Reading``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

TEMPERATURE_METRICS = ("AmbientTemperature",)
# Redfish's Status.State: the exporter skips any sensor that is not "Enabled". OneView reports a
# sample only for a sensor it reads, so every sensor here is enabled.
ENABLED = "Enabled"
POWER_METRICS = ("AveragePower", "PeakPower")  # drawn: Redfish last_power_output_watts
POWER_LIMIT_METRICS = ("PowerCap",)  # a limit: Redfish power_capacity_watts


def _latest(metric: dict[str, Any]) -> Any:
    samples = metric.get("metricSamples") or []
    return samples[0][1] if samples and len(samples[0]) > 1 else None


def _readings(
    metrics: dict[Any, dict[str, Any]], names: tuple[str, ...]
) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """``(name, metric, latest value)`` for each of ``names`` OneView has a sample of."""
    for name in names:
        metric = metrics.get(name)
        value = _latest(metric) if metric else None
        if metric and value is not None:
            yield name, metric, value


def sensors_data(
    server: dict[str, Any], utilization: dict[str, Any], environment: dict[str, Any]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Pure: the three OneView bodies -> ``{'Temperature': {...}, 'Power': {...}}``."""
    name = server.get("name") or server.get("uri")
    health = server.get("status")
    metrics = {m.get("metricName"): m for m in utilization.get("metricList") or []}
    temperature: dict[str, dict[str, Any]] = {}
    power: dict[str, dict[str, Any]] = {}
    for metric_name, metric, value in _readings(metrics, TEMPERATURE_METRICS):
        temperature[f"{metric_name}@{name}"] = {
            "identity": metric_name,
            "reading_celsius": value,
            "max_reading_range_temp": metric.get("metricCapacity"),
            "physical_context": "Intake",
            "health": health,
            "state": ENABLED,
            "Sensor Reading": f"{value} C",
        }
    for metric_name, metric, value in _readings(metrics, POWER_METRICS):
        power[f"{metric_name}@{name}"] = {
            "identity": metric_name,
            "last_power_output_watts": value,
            "power_capacity_watts": metric.get("metricCapacity"),
            "health": health,
            "state": ENABLED,
            "Sensor Reading": f"{value} W",
        }
    for metric_name, _metric, value in _readings(metrics, POWER_LIMIT_METRICS):
        power[f"{metric_name}@{name}"] = {
            "identity": metric_name,
            "power_capacity_watts": value,
            "health": health,
            "state": ENABLED,
            "Sensor Reading": f"{value} W",
        }
    for key, label in (
        ("calibratedMaxPower", "CalibratedMaxPower"),
        ("idleMaxPower", "IdleMaxPower"),
    ):
        value = environment.get(key)
        if value is not None:
            power[f"{label}@{name}"] = {
                "identity": label,
                "power_capacity_watts": value,
                "health": health,
                "state": ENABLED,
                "Sensor Reading": f"{value} W",
            }
    data: dict[str, dict[str, dict[str, Any]]] = {}
    if temperature:
        data["Temperature"] = temperature
    if power:
        data["Power"] = power
    return data
