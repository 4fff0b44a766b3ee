"""The sandbox's RabbitMQ: Debian's broker started on 127.0.0.1 with a user of its own.

Real brokers (``start_rabbitmq``), reached the way Nova reaches them: an oslo.messaging RPC call
through the transport URL, and AMQP through kombu with the URL's parts.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import amqp.exceptions
import kombu
import oslo_messaging
import oslo_messaging.conffixture
import psutil
import pytest
from oslo_config import cfg

from oneview_openstack.sandbox import rabbitmq
from oneview_openstack.sandbox.processes import SandboxError, Supervisor
from oneview_openstack.sandbox.rabbitmq import RabbitMQ, start_rabbitmq

LOOPBACK = {"127.0.0.1", "::1"}


@pytest.fixture(scope="module")
def supervisor() -> Iterator[Supervisor]:
    supervisor = Supervisor()
    try:
        yield supervisor
    finally:
        supervisor.stop_all()


@pytest.fixture(scope="module")
def broker(supervisor: Supervisor, tmp_path_factory: pytest.TempPathFactory) -> RabbitMQ:
    return start_rabbitmq(supervisor, tmp_path_factory.mktemp("state") / "rabbitmq")


def connection(url: str) -> kombu.Connection:
    """A kombu connection to the one host of an oslo.messaging transport URL."""
    parsed = oslo_messaging.TransportURL.parse(cfg.ConfigOpts(), url)
    assert parsed.transport == "rabbit"
    [host] = parsed.hosts
    return kombu.Connection(
        hostname=host.hostname,
        port=host.port,
        userid=host.username,
        password=host.password,
        virtual_host=parsed.virtual_host or "/",
        connect_timeout=10,
    )


def round_trip(url: str, queue: str, body: dict[str, object]) -> dict[str, object]:
    with connection(url) as conn:
        simple = conn.SimpleQueue(queue)
        try:
            simple.put(body)
            message = simple.get(block=True, timeout=10)
            message.ack()
            return dict(message.payload)
        finally:
            simple.close()


def group_processes(supervisor: Supervisor) -> list[psutil.Process]:
    """Every live process of the supervisor's services (their process groups)."""
    groups = {s.process.pid for s in supervisor.services if s.process and s.running}
    found = []
    for process in psutil.process_iter():
        try:
            if process.pid in groups or os.getpgid(process.pid) in groups:
                found.append(process)
        except (psutil.Error, ProcessLookupError):
            continue
    return found


def listening(processes: list[psutil.Process]) -> set[tuple[str, int]]:
    pids = {p.pid for p in processes}
    return {
        (c.laddr.ip, c.laddr.port)
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.pid in pids
    }


@pytest.mark.slow
def test_a_message_goes_through_the_transport_url(broker: RabbitMQ) -> None:
    url = broker.transport_url()
    assert url.startswith(f"rabbit://openstack:{broker.password}@127.0.0.1:{broker.port}/")
    assert round_trip(url, "sandbox-test", {"hello": "nova"}) == {"hello": "nova"}


class Echo:
    """An RPC endpoint, as a Nova service exposes its methods."""

    def echo(self, _context: dict[str, object], value: str) -> dict[str, str]:
        return {"echoed": value}


@pytest.mark.slow
def test_an_oslo_messaging_call_goes_through_the_transport_url(broker: RabbitMQ) -> None:
    conf = cfg.ConfigOpts()
    oslo_messaging.conffixture.ConfFixture(conf)  # registers oslo.messaging's options on it
    conf([])
    transport = oslo_messaging.get_rpc_transport(conf, url=broker.transport_url())
    server = oslo_messaging.get_rpc_server(
        transport,
        oslo_messaging.Target(topic="sandbox-rpc", server="one"),
        [Echo()],
        executor="threading",
    )
    server.start()
    try:
        client = oslo_messaging.get_rpc_client(
            transport, oslo_messaging.Target(topic="sandbox-rpc"), timeout=30
        )
        assert client.call({}, "echo", value="nova") == {"echoed": "nova"}
    finally:
        server.stop()
        server.wait()
        transport.cleanup()


@pytest.mark.slow
def test_a_vhost_of_its_own_takes_messages_apart_from_the_default(broker: RabbitMQ) -> None:
    broker.add_vhost("cell1")
    url = broker.transport_url("cell1")
    assert url.endswith(f"@127.0.0.1:{broker.port}/cell1")
    assert round_trip(url, "apart", {"cell": 1}) == {"cell": 1}
    # The queue exists in cell1 only: declaring it passively on / fails.
    with connection(broker.transport_url()) as conn, pytest.raises(amqp.exceptions.NotFound):
        conn.default_channel.queue_declare("apart", passive=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("user", "password"), [("guest", "guest"), ("openstack", "not-the-password")]
)
def test_the_guest_account_and_a_wrong_password_are_refused(
    broker: RabbitMQ, user: str, password: str
) -> None:
    with (
        kombu.Connection(
            hostname="127.0.0.1",
            port=broker.port,
            userid=user,
            password=password,
            connect_timeout=10,
        ) as conn,
        pytest.raises(amqp.exceptions.AccessRefused),
    ):
        conn.connect()
    assert "guest" not in broker.ctl("list_users").split()


@pytest.mark.slow
def test_the_password_is_in_no_repr_log_or_command_line(
    broker: RabbitMQ, supervisor: Supervisor
) -> None:
    assert broker.password not in repr(broker)
    logs = [p for p in broker.data_dir.rglob("*") if p.is_file() and p.suffix in {".log", ".out"}]
    assert broker.log_path in logs and len(logs) >= 3
    for log in logs:
        assert broker.password not in log.read_text(errors="replace"), log
    processes = group_processes(supervisor)
    assert len(processes) >= 2  # epmd and the broker's VM at least
    for process in processes:
        assert broker.password not in " ".join(process.cmdline())
    config = broker.data_dir / "rabbitmq.conf"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    cookie = broker.data_dir / "home" / ".erlang.cookie"
    assert stat.S_IMODE(cookie.stat().st_mode) == 0o400


@pytest.mark.slow
def test_every_port_it_listens_on_is_on_loopback(broker: RabbitMQ, supervisor: Supervisor) -> None:
    sockets = listening(group_processes(supervisor))
    ports = {port for _ip, port in sockets}
    wanted = {
        broker.port,
        int(broker.env["ERL_EPMD_PORT"]),
        int(broker.env["RABBITMQ_DIST_PORT"]),
    }
    assert wanted <= ports, sockets
    assert {ip for ip, _port in sockets} <= LOOPBACK, sockets


@pytest.mark.slow
def test_a_second_broker_runs_beside_the_first_and_stops_alone(
    broker: RabbitMQ, tmp_path: Path
) -> None:
    second_supervisor = Supervisor()
    try:
        second = start_rabbitmq(second_supervisor, tmp_path / "rabbitmq")
        assert second.node != broker.node
        assert second.env["ERL_EPMD_PORT"] != broker.env["ERL_EPMD_PORT"]
        assert round_trip(second.transport_url(), "second", {"n": 2}) == {"n": 2}
        # Its user's password is its own: the first broker refuses it.
        with (
            kombu.Connection(
                hostname="127.0.0.1",
                port=broker.port,
                userid=second.user,
                password=second.password,
                connect_timeout=10,
            ) as conn,
            pytest.raises(amqp.exceptions.AccessRefused),
        ):
            conn.connect()
        processes = group_processes(second_supervisor)
        assert processes
    finally:
        second_supervisor.stop_all()
    assert not any(service.running for service in second_supervisor.services)
    assert not [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert round_trip(broker.transport_url(), "first", {"n": 1}) == {"n": 1}


def test_a_missing_package_is_named_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rabbitmq, "RABBITMQ_BIN", tmp_path / "nowhere")
    with pytest.raises(SandboxError, match=r"install Debian's rabbitmq-server"):
        start_rabbitmq(Supervisor(), tmp_path / "rabbitmq")
