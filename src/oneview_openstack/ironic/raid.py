"""RAID interface ``oneview``: logical drives through the server profile's ``localStorage``.

Placeholder registered so the hardware type lists it; the steps arrive with issue 14.
"""

from __future__ import annotations

from typing import Any

from ironic.common import exception
from ironic.conductor.task_manager import TaskManager
from ironic.drivers import base


class OneViewRAID(base.RAIDInterface):
    """Out-of-band RAID on Smart Array controllers, applied by OneView in a profile task."""

    def create_configuration(
        self,
        task: TaskManager,
        create_root_volume: bool = True,
        create_nonroot_volumes: bool = True,
        delete_existing: bool = True,
    ) -> Any:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="raid")

    def delete_configuration(self, task: TaskManager) -> Any:
        raise exception.UnsupportedDriverExtension(driver=task.node.driver, extension="raid")
