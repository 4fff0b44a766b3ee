"""BIOS interface ``oneview``: BIOS/UEFI settings through the server profile's ``bios`` section.

Placeholder registered so the hardware type lists it; the steps arrive with issue 14.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base

from . import common, validation
from .profile_steps import ProfileEditPolling


class OneViewBIOS(ProfileEditPolling, base.BIOSInterface):
    """BIOS settings applied by OneView in the profile task that also holds RAID and firmware."""

    def get_properties(self) -> dict[str, str]:
        return dict(common.COMMON_PROPERTIES)

    def validate(self, task: TaskManager) -> None:
        """The node contract.

        :raises: MissingParameterValue, InvalidParameterValue
        """
        validation.validate(task)

    def apply_configuration(self, task: TaskManager, settings: list[dict[str, Any]]) -> Any:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="bios")

    def factory_reset(self, task: TaskManager) -> Any:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="bios")

    def cache_bios_settings(self, task: TaskManager) -> None:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="bios")
