"""The running sandbox: simulator, Ironic, Neutron API and worker, and the clients to drive them.

``Sandbox`` is a context manager so tests and the command share one start/stop path; leaving it
(normally, by exception or by Ctrl+C) always stops every process it started.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openstack import connection as os_connection

from ..client import OneViewClient
from ..client.settings import ClientSettings
from . import conductors, configs, database, etcd, images, networks, oneview_setup, services
from . import nova as nova_front_door
from .agents import Agents
from .drivers import Probe, probe_drivers
from .processes import Service, Supervisor, free_port

STALE = ("ironic.db", "neutron.db", "ironic.log", "neutron.log", "ironic.out", "neutron.out",
         "neutron-periodic.out", "simulator.log", "http.log")  # fmt: skip


IMAGES = ("ipa.kernel", "ipa.initramfs", "vmlinuz", "initrd.img")


@dataclass
class Options:
    state_dir: Path
    servers: int = 16
    seed: int = 0
    time_scale: float = 0.02
    timeout: float = 300.0
    use_oneview_drivers: bool | None = None  # None: when they load
    reconcile_interval: int = 60  # seconds between Neutron reconciliation passes
    # Neutron API processes and threads under gunicorn (sqlite transactions take turns).
    neutron_workers: int = 1
    neutron_threads: int = 1
    # Neutron API "hosts": each its own gunicorn (of neutron_workers), config and lock_path,
    # all on one database, as controllers behind a load balancer are.
    neutron_hosts: int = 1
    # [oneview] coordination_backend_url of every Neutron host (a tooz URL, e.g. etcd3+http://).
    coordination_backend_url: str | None = None
    # Extra [oneview] settings for both services (e.g. the soak's task_timeout, delete_orphans).
    oneview_settings: dict[str, Any] = field(default_factory=dict)
    # "sqlite" (embedded, the default) or "mariadb" (a server of the sandbox's own, as
    # production runs): see ``database``.
    database: str = "sqlite"
    # Ironic conductors; more than one runs ironic-api apart and json-rpc between them.
    ironic_conductors: int = 1
    # Start an etcd of the sandbox's own and make it every Neutron host's coordination backend
    # (instead of ``coordination_backend_url``).
    etcd: bool = False
    # Start ironic-python-agent for a server when Ironic boots it into its deploy ramdisk
    # (``agents``); off, a direct deploy or cleaning waits for a heartbeat that never comes.
    agents: bool = True
    # Ironic's [conductor] automated_clean: a metadata erase through an agent at every undeploy
    # and at enrollment's --provide (an agent per enrolled node: 84 s for 13 nodes on 2 cores).
    # Off by default, so start-up and the suites that deploy with oneview-ramdisk stay fast;
    # the scenario turns cleaning on for its own two nodes (a node's automated_clean wins).
    automated_clean: bool = False
    # Seconds Ironic waits for an agent's callback (deploy, clean, service) before failing.
    callback_timeout: int = 120
    # The deploy interface enrollment gives new nodes (the scenario switches one node to
    # oneview-direct for its deployment).
    deploy_interface: str = "oneview-ramdisk"
    # Nova's front door: RabbitMQ, Placement, Glance and Nova with its ironic driver (``nova``).
    nova: bool = False


class Sandbox:
    def __init__(self, options: Options, say: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.say = say or (lambda _message: None)
        self.state_dir = options.state_dir.resolve()
        self.supervisor = Supervisor()
        self.simulator: services.SimulatorInfo | None = None
        self.layout: configs.Layout | None = None
        self.oneview: OneViewClient | None = None
        self.conn: os_connection.Connection | None = None
        self.ironic_probe = Probe(False, "not probed")
        self.neutron_probe = Probe(False, "not probed")
        self.files: dict[str, Path] = {}
        # The networks Ironic is configured with (by name); they live as long as the sandbox.
        self.ironic_networks: dict[str, Any] = {}
        self.databases: database.Databases | None = None
        self.coordination_url: str | None = options.coordination_backend_url
        self.image: images.DiskImage | None = None
        self.http_server: Service | None = None  # serves <state>/http to the agents
        self.agents: Agents | None = None
        self.nova_plan: nova_front_door.NovaPlan | None = None  # with options.nova
        self.nova: nova_front_door.Nova | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        self.supervisor.install_signal_handlers()
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.agents is not None:
            with contextlib.suppress(Exception):
                self.agents.stop()
        for closing in (self.oneview, self.conn):
            if closing is not None:
                with contextlib.suppress(Exception):
                    closing.close()
        self.supervisor.stop_all()

    @property
    def ironic_oneview(self) -> bool:
        return self.ironic_probe.ok and self.options.use_oneview_drivers is not False

    @property
    def neutron_oneview(self) -> bool:
        return self.neutron_probe.ok and self.options.use_oneview_drivers is not False

    def start(self) -> None:
        # A shape that cannot run is refused before anything starts.
        conductors.check(self.options.ironic_conductors, self.options.database)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # Never committed by accident (configs hold a password, the simulator its CA key).
        (self.state_dir / ".gitignore").write_text("# written by the sandbox\n*\n")
        for name in STALE:
            (self.state_dir / name).unlink(missing_ok=True)
        for folder in ("locks", "tftp", "http", "pxe-images", "pxe-master"):
            shutil.rmtree(self.state_dir / folder, ignore_errors=True)
        for leftover in self.state_dir.glob("neutron-host*"):  # other hosts' logs and configs
            leftover.unlink()
        for lock_dir in self.state_dir.glob("locks-neutron-host*"):
            shutil.rmtree(lock_dir, ignore_errors=True)
        image_dir = self.state_dir / "images"
        image_dir.mkdir(exist_ok=True)
        for name in IMAGES:
            (image_dir / name).write_bytes(b"sandbox placeholder: nothing boots it\n")
        self.image = images.sandbox_image(self.state_dir)
        if self.options.use_oneview_drivers is not False:
            self.say("Checking that the oneview hardware type and ML2 driver load")
            self.ironic_probe, self.neutron_probe = probe_drivers()
        self.say("Starting the OneView simulator")
        self.simulator = services.start_simulator(
            self.supervisor,
            self.state_dir,
            servers=self.options.servers,
            seed=self.options.seed,
            time_scale=self.options.time_scale,
        )
        access = configs.OneViewAccess(
            self.simulator.url,
            self.simulator.username,
            self.simulator.password,
            self.simulator.ca_file,
        )
        self.oneview = OneViewClient(
            ClientSettings(
                manager_url=access.url,
                username=access.username,
                password=access.password,
                tls_cacert_file=access.ca_file,
            )
        )
        tagged = oneview_setup.uplink_set_ids(self.oneview, oneview_setup.TAGGED)
        tunnel = []
        if self.neutron_oneview:
            self.say("Creating a Tunnel uplink set for VLAN-transparent networks")
            tunnel = oneview_setup.ensure_tunnel_uplink_sets(self.oneview)
        self.databases = database.start(
            self.supervisor, self.state_dir, self.options.database,
            more=database.NOVA_SERVICES if self.options.nova else (),
        )  # fmt: skip
        self.coordination_url = self.options.coordination_backend_url
        if self.options.etcd:
            self.say("Starting etcd for the Neutron hosts' coordination")
            self.coordination_url = etcd.start_etcd(self.supervisor, self.state_dir / "etcd").url
        split = conductors.split(self.options.ironic_conductors)
        self.say("Starting the HTTP server agents download images from")
        self.http_server = images.start_http_server(
            self.supervisor, self.state_dir / "http", log_path=self.state_dir / "http.log"
        )
        self.layout = configs.Layout(
            self.state_dir,
            free_port(),
            free_port(),
            tuple(free_port() for _ in range(self.options.neutron_hosts - 1)),
            tuple(free_port() for _ in range(self.options.ironic_conductors if split else 0)),
            http_port=urlsplit(self.http_server.url).port,
        )
        ironic_conf = configs.ironic_conf(
            self.layout,
            access,
            self.ironic_choices(),
            database_url=self.databases.ironic,
            agent=configs.AgentSettings(
                automated_clean=self.options.automated_clean,
                callback_timeout=self.options.callback_timeout,
            ),
        )
        neutron_confs = [
            configs.neutron_conf(
                self.layout,
                access,
                mechanism_drivers=["oneview"] if self.neutron_oneview else [],
                uplink_sets=tagged if self.neutron_oneview else None,
                tunnel_uplink_sets=tunnel,
                # Without our trunk driver Neutron's trunk plugin refuses to start.
                service_plugins=None if self.neutron_oneview else configs.FALLBACK_SERVICE_PLUGINS,
                reconcile_interval=self.options.reconcile_interval,
                host_index=index,
                coordination_backend_url=self.coordination_url,
                database_url=self.databases.neutron,
            )
            for index in range(1, self.options.neutron_hosts + 1)
        ]
        for sections in (ironic_conf, *neutron_confs):
            sections["oneview"].update(self.options.oneview_settings)  # type: ignore[attr-defined]
        if self.options.nova:  # Nova's peers' ports are chosen now: Ironic must know Glance's
            self.nova_plan = nova_front_door.plan(self.state_dir)
            nova_front_door.merge_sections(self.nova_plan, ironic_conf, neutron_confs)
        self.files = configs.write_all(self.layout, ironic_conf, *neutron_confs)
        other_hosts = [
            (self.files[f"{configs.neutron_host(index)}.conf"], port)
            for index, port in enumerate(self.layout.other_neutron_ports, start=2)
        ]
        ironic_shape = (
            f"API on {self.layout.ironic_url}, {self.options.ironic_conductors} conductors "
            "over json-rpc"
            if split
            else f"API and conductor on {self.layout.ironic_url}"
        )
        self.say(
            f"Starting Neutron (API on {' and '.join(self.layout.neutron_urls)}, periodic "
            f"worker) and Ironic ({ironic_shape})"
        )
        # Side by side: each spends most of its start-up importing, and there are two cores;
        # Nova's peers (RabbitMQ, Placement, Glance, Nova's databases) need neither to answer.
        if self.nova_plan is not None:
            self.say("Starting RabbitMQ, Placement and Glance, and creating Nova's databases")
        with ThreadPoolExecutor(3) as pool:
            starts = [
                pool.submit(services.start_neutron, self.supervisor, self.layout,
                            self.files["neutron.conf"], timeout=self.options.timeout,
                            workers=self.options.neutron_workers,
                            threads=self.options.neutron_threads,
                            other_hosts=other_hosts),
                pool.submit(services.start_ironic, self.supervisor, self.layout,
                            self.files["ironic.conf"], timeout=self.options.timeout),
            ]  # fmt: skip
            nova_peers = (
                pool.submit(nova_front_door.start_peers, self.supervisor, self.nova_plan,
                            ironic_url=self.layout.ironic_url,
                            neutron_url=self.layout.neutron_url, databases=self.databases,
                            timeout=self.options.timeout)
                if self.nova_plan is not None
                else None
            )  # fmt: skip
            for started in starts:
                started.result()
            peers = nova_peers.result() if nova_peers is not None else None
        self.conn = os_connection.Connection(
            auth_type="none",
            baremetal_endpoint_override=self.layout.ironic_url,
            baremetal_api_version="1.90",
            network_endpoint_override=self.layout.neutron_url + "/",
        )
        names = networks.configured(ironic_conf)
        self.say(f"Creating the Neutron networks Ironic is configured with: {', '.join(names)}")
        self.ironic_networks = networks.ensure(self.conn.network, names)
        if self.options.agents and self.ironic_oneview:
            self.say("Starting the agent watcher (an ironic-python-agent per server it boots)")
            self.start_agents()
        if peers is not None:
            self.say("Starting Nova (API, conductor, scheduler, compute)")
            self.nova = nova_front_door.start_nova(
                self.supervisor, peers, timeout=self.options.timeout
            )

    def start_agents(self) -> None:
        """The watcher that plays each server's deploy ramdisk with a real ironic-python-agent."""
        assert self.simulator is not None and self.layout is not None
        self.agents = Agents(
            self.supervisor,
            self.state_dir,
            simulator_url=self.simulator.url,
            ca_file=self.simulator.ca_file,
            ironic_url=self.layout.ironic_url,
        )
        self.agents.start()

    def ironic_choices(self) -> configs.IronicChoices:
        if not self.ironic_oneview:
            return configs.IronicChoices(
                hardware_types=["fake-hardware"],
                power=["fake"],
                management=["fake"],
                inspect=["fake", "no-inspect"],
                deploy=["fake"],
                boot=["fake"],
                network=["noop"],
            )
        found = self.ironic_probe.interfaces

        def pick(kind: str, preferred: list[str], extra: list[str]) -> list[str]:
            supported = found.get(kind) or []
            chosen = [name for name in preferred if name in supported] or supported[:1]
            return chosen + [name for name in extra if name not in chosen]

        return configs.IronicChoices(
            hardware_types=["oneview", "fake-hardware"],
            power=pick("power", ["oneview"], ["fake"]),
            management=pick("management", ["oneview"], ["fake"]),
            inspect=pick("inspect", ["oneview"], ["no-inspect", "fake"]),
            deploy=pick("deploy", ["oneview-ramdisk", "oneview-direct"], ["fake"]),
            # Ironic's ramdisk deploy needs a boot interface with the ramdisk_boot capability.
            boot=pick("boot", ["pxe"], ["fake"]),
            network=(["neutron", "noop"] if self.neutron_oneview else ["noop"]),
        )

    # -- views for the report ----------------------------------------------------------------
    def enroll_argv(self) -> list[str]:
        assert self.layout is not None
        argv = [
            "--config-file", str(self.files["ironic.conf"]),
            "--ironic-url", self.layout.ironic_url,
            "--physical-network", configs.PHYSNET,
            "--provide", "--timeout", str(self.options.timeout),
        ]  # fmt: skip
        if self.ironic_oneview:
            choices = self.ironic_choices()
            deploy = self.options.deploy_interface
            argv += [
                "--interface",
                f"deploy={deploy if deploy in choices.deploy else choices.deploy[0]}",
            ]
            argv += ["--interface", f"boot={choices.boot[0]}"]
            argv += ["--interface", f"network={choices.network[0]}"]
            argv += ["--deploy-kernel", self.image_url("ipa.kernel")]
            argv += ["--deploy-ramdisk", self.image_url("ipa.initramfs")]
        else:
            argv += ["--driver", "fake-hardware", "--interface", "deploy=fake"]
            argv += ["--interface", "network=noop"]
        return argv

    def ironic_network_names(self) -> set[str]:
        """OneView's names (``Neutron [<uuid>]``) of the networks Ironic is configured with."""
        return {f"Neutron [{network.id}]" for network in self.ironic_networks.values()}

    def image_url(self, name: str) -> str:
        """A file:// image in the state folder (Ironic allows that folder as an image source)."""
        return f"file://{self.state_dir / 'images' / name}"

    def endpoints(self) -> dict[str, Any]:
        assert self.layout is not None and self.simulator is not None
        return {
            "OneView (simulator)": self.simulator.url,
            "Ironic API": self.layout.ironic_url,
            "images (HTTP)": self.layout.http_url,
            "Neutron API": ", ".join(self.layout.neutron_urls),
            "database": self.options.database,
            "coordination": self.coordination_url or "none (locks reach one host only)",
            "state folder": str(self.state_dir),
            **(nova_front_door.endpoints(self.nova) if self.nova is not None else {}),
        }
