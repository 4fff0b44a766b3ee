"""Serving the app with uvicorn: in the foreground (CLI) or in a background thread (tests)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .app import create_app
from .config import SimulatorConfig
from .gate import TRANSPORT_KEY
from .state import SimulatorState
from .tls import TlsFiles, ensure_tls_files


class TransportExposingProtocol(HttpToolsProtocol):
    """Puts the connection's transport in the ASGI scope, so faults can reset the connection.

    It also turns Nagle off: uvicorn writes headers and body separately, and with Nagle on,
    every keep-alive response waits ~40 ms for the client's delayed ACK.
    """

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {TRANSPORT_KEY: self.transport}  # type: ignore[dict-item]


@dataclass
class Endpoint:
    url: str
    ca_file: Path | None


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Any, tls: TlsFiles | None, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=TransportExposingProtocol,
        loop="uvloop",
        lifespan="off",
        log_level=log_level,
        access_log=False,
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
        timeout_keep_alive=75,
    )


class SimulatorServer:
    """One simulator in a background thread on 127.0.0.1 and a free port (tests, benchmarks)."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        state_dir: Path,
        https: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state = SimulatorState(config or SimulatorConfig())
        self.tls = ensure_tls_files(state_dir) if https else None
        self._sock = _bind(host, port)
        bound_port = self._sock.getsockname()[1]
        scheme = "https" if https else "http"
        self.url = f"{scheme}://{host}:{bound_port}"
        self._server = uvicorn.Server(uvicorn_config(create_app(state=self.state), self.tls))
        self._thread = threading.Thread(target=self._run, name="oneview-simulator", daemon=True)

    @property
    def ca_file(self) -> Path | None:
        return self.tls.ca_file if self.tls else None

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> SimulatorServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the simulator failed to start; see the log above")
            self._thread.join(0.01)
        return self

    def stop(self, grace: float = 1.0) -> None:
        """Stop serving: in-flight requests get ``grace`` seconds, then connections are dropped.

        A TLS connection that a client still holds open (a response object kept alive, e.g. by
        a failed test's traceback) never answers the close_notify, and a purely graceful
        shutdown would wait for it until the join below gave up.
        """
        self._server.should_exit = True
        self._thread.join(grace)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(10)
        self._sock.close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def serve_forever(
    config: SimulatorConfig,
    *,
    state_dir: Path,
    https: bool,
    host: str,
    port: int,
    on_ready: Any = None,
) -> None:
    """Run in the foreground until interrupted (the console script)."""
    state = SimulatorState(config)
    tls = ensure_tls_files(state_dir, hosts=(host, "localhost", "127.0.0.1")) if https else None
    sock = _bind(host, port)
    scheme = "https" if https else "http"
    if on_ready is not None:
        on_ready(
            Endpoint(f"{scheme}://{host}:{sock.getsockname()[1]}", tls.ca_file if tls else None),
            state,
        )
    server = uvicorn.Server(uvicorn_config(create_app(state=state), tls, log_level="info"))
    asyncio.run(server.serve(sockets=[sock]))
