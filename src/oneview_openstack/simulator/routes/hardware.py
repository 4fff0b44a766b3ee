"""Server hardware actions and sub-resources."""

from __future__ import annotations

from typing import Any

from ..http import Call
from ..tasks import Task

SH = "/rest/server-hardware/{id}"


def _server_uri(call: Call) -> str:
    return f"/rest/server-hardware/{call.params['id']}"


def power(call: Call) -> Task:
    return call.state.hardware.set_power(_server_uri(call), call.body)


def refresh(call: Call) -> Task:
    return call.state.hardware.refresh(_server_uri(call), call.body)


def patch(call: Call) -> Task:
    return call.state.hardware.patch(_server_uri(call), call.body)


def _reader(name: str):
    def read(call: Call) -> Any:
        return getattr(call.state.hardware, name)(_server_uri(call))

    read.__name__ = name
    return read


def local_storage(call: Call) -> Any:
    leaf = call.path.rstrip("/").rsplit("/", 1)[-1]
    return call.state.hardware.local_storage(_server_uri(call), leaf)


def utilization(call: Call) -> Any:
    return call.state.hardware.utilization(_server_uri(call), call.first("fields"))


ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("PUT", f"{SH}/powerState", power, {}),
    ("PUT", f"{SH}/refreshState", refresh, {}),
    ("PATCH", SH, patch, {}),
    ("GET", f"{SH}/remoteConsoleUrl", _reader("remote_console_url"), {}),
    ("GET", f"{SH}/javaRemoteConsoleUrl", _reader("java_remote_console_url"), {}),
    ("GET", f"{SH}/iloSsoUrl", _reader("ilo_sso_url"), {}),
    ("GET", f"{SH}/environmentalConfiguration", _reader("environmental_configuration"), {}),
    ("GET", f"{SH}/utilization", utilization, {}),
    ("GET", f"{SH}/localStorageV2", local_storage, {}),
    ("GET", f"{SH}/localStorage", local_storage, {}),
    ("GET", f"{SH}/bios", _reader("bios"), {}),
    ("GET", f"{SH}/firmware", _reader("firmware"), {}),
]
