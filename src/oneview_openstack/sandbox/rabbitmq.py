"""A RabbitMQ broker of the sandbox's own (Debian's ``rabbitmq-server``) for Nova's RPC.

Nova's services talk over oslo.messaging, and an operator's controllers run RabbitMQ for it. The
sandbox starts one the way an operator starts a node by hand, not as the system service: its own
node name, mnesia, logs, config and Erlang cookie in the state folder, an epmd of its own (so two
sandboxes can run side by side), and every port (AMQP, epmd, distribution) on 127.0.0.1 only.
It boots with a definitions file holding only the ``/`` vhost, so RabbitMQ never seeds the
``guest`` account; ``rabbitmqctl`` then adds one user with a random password, read from stdin so
that it shows in no command line. The password lives only in :class:`RabbitMQ` and the 0600
configs the transport URL is written to.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .configs import write_private
from .processes import SandboxError, Service, Supervisor, free_port, tail

# The scripts themselves: /usr/sbin's wrappers would switch to the ``rabbitmq`` system user and
# its /var/lib/rabbitmq, which is the system service's.
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
EPMD = Path("/usr/bin/epmd")
USER = "openstack"
# Debian's package; ``./dev test`` installs it when missing.
PACKAGE = "rabbitmq-server"
# Every Erlang VM here (the broker, each rabbitmqctl) starts no epmd of its own (a daemonised
# epmd would outlive the sandbox and listen on every address) and listens for distribution on
# loopback only.
ERL_ARGS = "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}"


@dataclass
class RabbitMQ:
    """A running broker: where it listens, its one user, and how to run ``rabbitmqctl`` on it."""

    node: str
    port: int
    data_dir: Path
    user: str
    password: str = field(repr=False)
    env: dict[str, str] = field(repr=False)
    log_path: Path

    def transport_url(self, vhost: str = "/") -> str:
        """The oslo.messaging URL of ``vhost`` (``/``, or one made with :meth:`add_vhost`)."""
        path = "" if vhost == "/" else quote(vhost, safe="")
        credentials = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"rabbit://{credentials}@127.0.0.1:{self.port}/{path}"

    def add_vhost(self, name: str) -> None:
        """A further vhost (e.g. one per Nova cell), the user allowed everything on it.

        :raises SandboxError: rabbitmqctl failed.
        """
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, self.user, ".*", ".*", ".*")

    def ctl(self, *args: str, stdin: str | None = None, timeout: float = 60.0) -> str:
        """``rabbitmqctl`` against this node; its output goes to the log too.

        :raises SandboxError: it failed or took longer than ``timeout``.
        """
        argv = [str(RABBITMQ_BIN / "rabbitmqctl"), "--node", self.node, "--quiet", *args]
        what = f"rabbitmqctl {args[0]}" if args else "rabbitmqctl"
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                argv,
                input=stdin.encode() if stdin is not None else None,
                capture_output=True,
                env={**os.environ, **self.env},
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise SandboxError(f"{what} on {self.node} took longer than {timeout:.0f} s") from error
        output = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        with open(self.log_path, "a") as log:
            log.write(f"$ {what}\n{output}\n")
        if done.returncode != 0:
            raise SandboxError(
                f"{what} on {self.node} failed (code {done.returncode}); {self.log_path} "
                f"ends with:\n{tail(self.log_path)}"
            )
        return output


def available() -> bool:
    return (RABBITMQ_BIN / "rabbitmq-server").exists() and EPMD.exists()


def start_rabbitmq(supervisor: Supervisor, data_dir: Path, *, timeout: float = 60.0) -> RabbitMQ:
    """A fresh broker in ``data_dir`` under ``supervisor``, with its user and the ``/`` vhost.

    :raises SandboxError: the package is missing, or the broker did not start in ``timeout``.
    """
    if not available():
        raise SandboxError(
            f"{RABBITMQ_BIN / 'rabbitmq-server'} is missing: install Debian's {PACKAGE} "
            f"(`apt-get install {PACKAGE}`)"
        )
    shutil.rmtree(data_dir, ignore_errors=True)
    home = data_dir / "home"
    home.mkdir(parents=True)
    _write_cookie(home / ".erlang.cookie")
    port, epmd_port, dist_port = _free_ports(3)
    node = f"sandbox{port}@localhost"
    (data_dir / "rabbitmq-env.conf").touch()  # read instead of /etc/rabbitmq's
    (data_dir / "enabled_plugins").write_text("[].\n")
    definitions = data_dir / "definitions.json"
    definitions.write_text(json.dumps({"vhosts": [{"name": "/"}], "users": []}))
    config = data_dir / "rabbitmq.conf"
    write_private(config, _config(port, definitions))
    env = {
        "HOME": str(home),  # the CLI and the broker read the same cookie
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_MNESIA_BASE": str(data_dir / "mnesia"),
        "RABBITMQ_LOG_BASE": str(data_dir / "log"),
        "RABBITMQ_CONFIG_FILE": str(config),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(data_dir / "advanced.config"),
        "RABBITMQ_CONF_ENV_FILE": str(data_dir / "rabbitmq-env.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(data_dir / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(data_dir / "rabbitmq.pid"),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": ERL_ARGS,
        "RABBITMQ_CTL_ERL_ARGS": ERL_ARGS,
        # Port 0: each rabbitmqctl listens on a port the kernel picks, not on 35672-35682.
        "RABBITMQ_CTL_DIST_PORT_MIN": "0",
        "RABBITMQ_CTL_DIST_PORT_MAX": "0",
    }
    out = data_dir / "rabbitmq.out"
    deadline = time.monotonic() + timeout
    epmd = supervisor.start(
        "RabbitMQ epmd",
        [str(EPMD), "-address", "127.0.0.1", "-port", str(epmd_port)],
        log_path=data_dir / "epmd.out",
        env=env,
    )
    _wait_listening(epmd, epmd_port, deadline)
    server = supervisor.start(
        "RabbitMQ", [str(RABBITMQ_BIN / "rabbitmq-server")], log_path=out, env=env, cwd=data_dir
    )
    broker = RabbitMQ(node, port, data_dir, USER, secrets.token_urlsafe(18), env, out)
    _wait_booted(broker, server, deadline)
    broker.ctl("add_user", USER, stdin=broker.password)
    broker.ctl("set_permissions", "-p", "/", USER, ".*", ".*", ".*")
    return broker


def _config(port: int, definitions: Path) -> str:
    """rabbitmq.conf: its sysctl-like format is flat ``key = value`` lines, no sections."""
    values = {
        "listeners.tcp.1": f"127.0.0.1:{port}",
        # Only the / vhost and no user: RabbitMQ then seeds no guest account.
        "load_definitions": str(definitions),
        "log.console": "false",  # its log file is enough; stdout keeps the banner
        "log.file.level": "info",
    }
    return "".join(f"{key} = {value}\n" for key, value in values.items())


def _free_ports(count: int) -> list[int]:
    """``count`` different free ports (``free_port`` alone may hand one out twice in a row)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _write_cookie(path: Path) -> None:
    """The Erlang cookie, before anything starts: the broker and the CLI must not race for it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(20))


def _wait_listening(service: Service, port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        if not service.running:
            raise SandboxError(
                f"{service.name} exited while starting; {service.log_path} ends with:\n"
                f"{tail(service.log_path)}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SandboxError(f"{service.name} did not listen on 127.0.0.1:{port} in time")


def _wait_booted(broker: RabbitMQ, server: Service, deadline: float) -> None:
    """``rabbitmqctl wait``: the pid file, then distribution, then the rabbit application.

    It gives up by itself only once its timeout has passed, so the broker's death is watched here.
    """
    argv = [
        str(RABBITMQ_BIN / "rabbitmqctl"), "--node", broker.node, "wait",
        str(broker.data_dir / "rabbitmq.pid"),
        "--timeout", str(max(1, int(deadline - time.monotonic()))),
    ]  # fmt: skip
    with open(broker.log_path, "ab") as log:
        waiting = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **broker.env},
        )
        try:
            while waiting.poll() is None:
                if not server.running or time.monotonic() > deadline + 5:
                    break
                time.sleep(0.2)
        finally:
            if waiting.poll() is None:
                waiting.kill()
                waiting.wait()
    if waiting.returncode == 0 and server.running:
        return
    rabbit_log = broker.data_dir / "log" / f"{broker.node}.log"
    state = "exited" if not server.running else "did not finish booting"
    raise SandboxError(
        f"RabbitMQ ({broker.node}) {state} while starting; {broker.log_path} ends with:\n"
        f"{tail(broker.log_path)}\nand {rabbit_log} with:\n{tail(rabbit_log)}"
    )
