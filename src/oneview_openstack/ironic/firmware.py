"""Firmware interface ``oneview``: a firmware baseline (SPP) through the server profile.

Placeholder registered so the hardware type lists it; the steps arrive with issue 14.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base

from . import common, validation


class OneViewFirmware(base.FirmwareInterface):
    """Firmware baselines installed offline by OneView through the profile."""

    def get_properties(self) -> dict[str, str]:
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract.

        :raises: MissingParameterValue, InvalidParameterValue
        """
        validation.validate(task)

    def update(self, task: TaskManager, settings: list[dict[str, Any]]) -> Any:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="firmware")

    def cache_firmware_components(self, task: TaskManager) -> None:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="firmware")
