"""Configuration files the sandbox generates for Ironic and Neutron, all in one state folder.

The settings follow the tested recipe in the team's notes (running-openstack-for-tests.md):
``ironic`` as one combined process with sqlite, noauth and ``rpc_transport = none``; the Neutron
API as a WSGI app under gunicorn with sqlite, noauth and the ``fake:/`` transport. Files holding
the OneView password are created with mode 0600.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import conductors
from .neutron_scripts import NEUTRON_SCHEMA, neutron_periodic, neutron_wsgi

Sections = Mapping[str, Mapping[str, Any]]

PHYSNET = "physnet1"
# Flat networks here are VLAN transparent: they ride the sandbox's Tunnel uplink sets.
TUNNEL_PHYSNET = "tunnel"
# Neutron has VLANs here but OneView carries none of them (another rack's switches): the second
# segment of a routed network.
UNMAPPED_PHYSNET = "physnet2"
VLAN_RANGE = (101, 199)  # the simulator's uplink sets already carry VLANs 10, 20 and 100
PROVISIONING_NETWORK = "provisioning"
TENANT_NETWORK = "tenant"
# Neutron's service plugins for the issue-15 features (``trunk`` loads only because the oneview
# mechanism driver registers its trunk driver: with no trunk driver it refuses to start).
SERVICE_PLUGINS = ["trunk", "qos", "segments"]
FALLBACK_SERVICE_PLUGINS = ["qos", "segments"]  # when the oneview drivers do not load


@dataclass
class OneViewAccess:
    """How the services reach OneView; the password never appears in ``repr``."""

    url: str
    username: str
    password: str = field(repr=False)
    ca_file: str | None = None

    def section(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "manager_url": self.url,
            "username": self.username,
            "password": self.password,
        }
        if self.ca_file:
            values["tls_cacert_file"] = self.ca_file
        return values


@dataclass
class Layout:
    """Where everything lives: one state folder, and the ports chosen for this run.

    ``neutron_port`` is the first Neutron API "host"; ``other_neutron_ports`` are further hosts
    (each its own gunicorn, config and ``lock_path``, all on the one database).
    ``ironic_rpc_ports`` are the json-rpc ports of the Ironic conductors when they run apart
    from ``ironic-api`` (see ``conductors``); empty: one combined ``ironic`` process.
    """

    state_dir: Path
    ironic_port: int
    neutron_port: int
    other_neutron_ports: tuple[int, ...] = ()
    ironic_rpc_ports: tuple[int, ...] = ()
    # The image HTTP server's port (``images.start_http_server``): Ironic's [deploy] http_url.
    http_port: int | None = None

    @property
    def ironic_url(self) -> str:
        return f"http://127.0.0.1:{self.ironic_port}"

    @property
    def neutron_url(self) -> str:
        return f"http://127.0.0.1:{self.neutron_port}"

    @property
    def http_url(self) -> str:
        """Where agents download images from (nothing listens there without ``http_port``)."""
        return f"http://127.0.0.1:{self.http_port or 8080}"

    @property
    def neutron_urls(self) -> list[str]:
        """Every Neutron API host's URL, the first one first."""
        ports = (self.neutron_port, *self.other_neutron_ports)
        return [f"http://127.0.0.1:{port}" for port in ports]

    def path(self, name: str) -> Path:
        return self.state_dir / name


def render(sections: Sections) -> str:
    """INI text; lists become comma-separated values, None drops the key."""
    out: list[str] = []
    for section, values in sections.items():
        out.append(f"[{section}]")
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            out.append(f"{key} = {value}")
        out.append("")
    return "\n".join(out)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds the OneView password)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


@dataclass(frozen=True)
class AgentSettings:
    """How Ironic works with ironic-python-agent: cleaning, and how long a silent agent may be.

    ``automated_clean`` is ``[conductor] automated_clean``; cleaning is a metadata erase only
    (``erase_devices`` off: a whole-disk shred of a server's disk file costs minutes and
    proves nothing more). ``callback_timeout`` bounds every wait for an agent (deploy, clean,
    service) and ``check_interval`` is how often the conductor looks for waits that ran out, so
    an agent that never heartbeats fails the node after at most their sum.
    """

    automated_clean: bool = False  # as Options: enrollment's provide would clean every node
    callback_timeout: int = 120
    check_interval: int = 10
    erase_devices_metadata_priority: int = 99


@dataclass
class IronicChoices:
    """Which hardware type and interfaces Ironic enables (``oneview``, or fake-hardware)."""

    hardware_types: list[str]
    power: list[str]
    management: list[str]
    inspect: list[str]
    deploy: list[str]
    boot: list[str]
    network: list[str]


def ironic_conf(
    layout: Layout,
    oneview: OneViewAccess,
    choices: IronicChoices,
    *,
    sync_power_state_interval: int = 30,
    database_url: str | None = None,
    agent: AgentSettings | None = None,
) -> Sections:
    """ironic.conf; ``database_url`` (MariaDB's, from ``database``) replaces the sqlite file.

    With ``layout.ironic_rpc_ports`` it is the file every Ironic process shares in the split
    shape (json-rpc; each process adds its own overlay, see ``conductors``).
    """
    sections = _ironic_sections(layout, oneview, choices, sync_power_state_interval, database_url)
    for name, agent_values in _agent_sections(agent or AgentSettings(), layout.state_dir).items():
        sections.setdefault(name, {}).update(agent_values)
    if layout.ironic_rpc_ports:
        for section, values in conductors.shared(layout).items():
            sections.setdefault(section, {}).update(values)
    return sections


def _ironic_sections(
    layout: Layout,
    oneview: OneViewAccess,
    choices: IronicChoices,
    sync_power_state_interval: int,
    database_url: str | None,
) -> dict[str, dict[str, Any]]:
    state = layout.state_dir
    return {
        "DEFAULT": {
            "auth_strategy": "noauth",
            "rpc_transport": "none",
            "host": "sandbox-conductor",
            "graceful_shutdown_timeout": 5,  # a sandbox stops quickly, even mid-deploy
            "debug": False,
            "log_file": state / "ironic.log",
            "enabled_hardware_types": choices.hardware_types,
            "enabled_power_interfaces": choices.power,
            "enabled_management_interfaces": choices.management,
            "enabled_inspect_interfaces": choices.inspect,
            "enabled_deploy_interfaces": choices.deploy,
            "enabled_boot_interfaces": choices.boot,
            "enabled_network_interfaces": choices.network,
            "default_network_interface": choices.network[0],
            "enabled_raid_interfaces": ["oneview", "no-raid"],
            "enabled_rescue_interfaces": ["no-rescue"],
            "enabled_vendor_interfaces": ["no-vendor"],
            "enabled_bios_interfaces": ["oneview", "no-bios"],
            "enabled_console_interfaces": ["no-console"],
            "enabled_firmware_interfaces": ["oneview", "no-firmware"],
            "enabled_storage_interfaces": ["noop"],
        },
        "api": {"host_ip": "127.0.0.1", "port": layout.ironic_port, "api_workers": 1},
        "database": {"connection": database_url or f"sqlite:///{state / 'ironic.db'}"},
        "conductor": {
            "sync_power_state_interval": sync_power_state_interval,
            "file_url_allowed_paths": state,
        },
        # PXE boot writes its files here; nothing serves them (the agents stand in for what a
        # server would boot, see ``agents``).
        "pxe": {
            "tftp_root": state / "tftp",
            "tftp_master_path": state / "tftp" / "master_images",
            "images_path": state / "pxe-images",
            "instance_master_path": state / "pxe-master",
            "tftp_server": "127.0.0.1",
        },
        # Ironic links the images it hands agents here; ``images`` serves the folder.
        "deploy": {"http_root": state / "http", "http_url": layout.http_url},
        "dhcp": {"dhcp_provider": "none"},
        "oslo_concurrency": {"lock_path": state / "locks"},
        "neutron": {
            "auth_type": "none",
            "endpoint_override": layout.neutron_url,
            "provisioning_network": PROVISIONING_NETWORK,
            "cleaning_network": PROVISIONING_NETWORK,
            "inspection_network": PROVISIONING_NETWORK,
        },
        # The Ironic API URL agents are told to call back (no Keystone catalog here).
        "service_catalog": {"auth_type": "none", "endpoint_override": layout.ironic_url},
        "oneview": oneview.section(),
    }


def _agent_sections(agent: AgentSettings, state: Path) -> dict[str, dict[str, Any]]:
    timeout = agent.callback_timeout
    return {
        # The longest an idle agent waits between heartbeats (it picks 30-60 % of it): well
        # inside the callback timeout, so only a dead or silent agent runs into it.
        "api": {"ramdisk_heartbeat_timeout": max(10, timeout // 2)},
        "conductor": {
            "automated_clean": agent.automated_clean,
            "deploy_callback_timeout": timeout,
            "clean_callback_timeout": timeout,
            "service_callback_timeout": timeout,
            "check_provision_state_interval": agent.check_interval,
        },
        "deploy": {
            "erase_devices_priority": 0,
            "erase_devices_metadata_priority": agent.erase_devices_metadata_priority,
            "fast_track": False,
        },
        "agent": {
            # Ironic caches the image and the agent downloads it from [deploy] http_url.
            "image_download_source": "http",
            # The agent writes a raw image straight to the disk (no qemu-img needed).
            "stream_raw_images": True,
            "deploy_logs_collect": "never",
            # The agent's own power-off (its OS shutting down) is seen within ~10 s; after
            # that Ironic powers the server off itself.
            "post_deploy_get_power_state_retries": 10,
            "post_deploy_get_power_state_retry_interval": 1,
            # A refused or dead agent's commands fail fast instead of retrying for minutes.
            "command_timeout": 30,
            "max_command_attempts": 2,
            # Agents listen on 127.0.0.1 without TLS (the launcher turns auto-TLS off); any
            # certificate Ironic would keep stays in the state folder.
            "require_tls": False,
            "certificates_path": state / "agent-certificates",
        },
    }


def neutron_host(index: int) -> str:
    """Neutron host ``index`` (1, 2, ...): the name its files carry (host 1 keeps the plain ones)."""
    return "neutron" if index == 1 else f"neutron-host{index}"


def neutron_conf(
    layout: Layout,
    oneview: OneViewAccess,
    *,
    mechanism_drivers: list[str],
    uplink_sets: list[str] | None = None,
    tunnel_uplink_sets: list[str] | None = None,
    service_plugins: list[str] | None = None,
    reconcile_interval: int = 60,
    host_index: int = 1,
    coordination_backend_url: str | None = None,
    database_url: str | None = None,
) -> Sections:
    """neutron.conf of Neutron host ``host_index``: its own log and ``lock_path``, shared DB.

    VLAN networks on ``PHYSNET`` join ``uplink_sets`` (Tagged), flat networks on
    ``TUNNEL_PHYSNET`` the ``tunnel_uplink_sets``; ``service_plugins`` defaults to
    ``SERVICE_PLUGINS``. ``database_url`` (MariaDB's, from ``database``) replaces the sqlite
    file and its reader engine.
    """
    state = layout.state_dir
    name = neutron_host(host_index)
    oneview_section = oneview.section()
    if uplink_sets:
        mappings = [f"{PHYSNET}:{uuid}" for uuid in uplink_sets]
        mappings += [f"{TUNNEL_PHYSNET}:{uuid}" for uuid in tunnel_uplink_sets or []]
        oneview_section["uplink_set_mappings"] = mappings
        oneview_section["reconcile_interval"] = reconcile_interval
    if coordination_backend_url:
        oneview_section["coordination_backend_url"] = coordination_backend_url
    return {
        "DEFAULT": {
            "host": f"sandbox-{name}",
            "core_plugin": "ml2",
            "service_plugins": SERVICE_PLUGINS if service_plugins is None else service_plugins,
            # Deprecated (Neutron asks the mechanism drivers now) but still honoured if False.
            "vlan_transparent": True,
            "auth_strategy": "noauth",
            "api_paste_config": Path(sys.prefix) / "etc" / "neutron" / "api-paste.ini",
            "api_workers": 0,
            "rpc_workers": 0,
            "rpc_state_report_workers": 0,
            "transport_url": "fake:/",
            "graceful_shutdown_timeout": 5,
            "state_path": state,
            "log_file": state / f"{name}.log",
            "debug": False,
            "notify_nova_on_port_status_changes": False,
            "notify_nova_on_port_data_changes": False,
        },
        "database": _neutron_database(state, database_url),
        # Hosts share no folder: only the coordination backend (if any) joins their locks.
        "oslo_concurrency": {
            "lock_path": state / ("locks" if host_index == 1 else f"locks-{name}")
        },
        "oslo_policy": {"enforce_new_defaults": False},
        "ml2": {
            "type_drivers": ["flat", "vlan"],
            "tenant_network_types": ["vlan"],
            "mechanism_drivers": mechanism_drivers,
            "extension_drivers": ["port_security", "qos"],
        },
        # UNMAPPED_PHYSNET without a range: provider networks only, never a project network.
        "ml2_type_vlan": {
            "network_vlan_ranges": [f"{PHYSNET}:{VLAN_RANGE[0]}:{VLAN_RANGE[1]}", UNMAPPED_PHYSNET]
        },
        "ml2_type_flat": {"flat_networks": [TUNNEL_PHYSNET]},
        # The ML2 driver finds the node behind a port through Ironic (binding:host_id).
        "ironic": {"auth_type": "none", "endpoint_override": layout.ironic_url},
        "oneview": oneview_section,
    }


def _neutron_database(state: Path, database_url: str | None) -> dict[str, Any]:
    """[database]: the server's URL as it is, or the shared sqlite file and its reader engine.

    On sqlite the API's threads and the periodic worker wait for the file's lock (pysqlite's
    busy timeout) instead of failing with "database is locked", and reading transactions get an
    engine of their own on the same file (see ``neutron_scripts.SQLITE_TAKES_TURNS``) so that
    they never take the write lock. A database server needs neither.
    """
    if database_url:
        return {"connection": database_url}
    sqlite = f"sqlite:///{state / 'neutron.db'}?timeout=60"
    return {"connection": sqlite, "slave_connection": sqlite}


def is_sqlite(sections: Sections) -> bool:
    """Whether a generated config's [database] is a sqlite file (a config without one: yes)."""
    connection = sections.get("database", {}).get("connection", "sqlite://")
    return str(connection).startswith("sqlite")


def write_all(
    layout: Layout, ironic: Sections, neutron: Sections, *other_neutron_hosts: Sections
) -> dict[str, Path]:
    """Write every generated file; returns their paths by role (``neutron-host2.conf``...)."""
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    folders = ["locks", "tftp", "http", "pxe-images", "pxe-master"]
    folders += [f"locks-{neutron_host(index)}" for index in range(2, len(other_neutron_hosts) + 2)]
    for folder in folders:
        (layout.state_dir / folder).mkdir(exist_ok=True)
    files = {
        "ironic.conf": render(ironic),
        "neutron.conf": render(neutron),
    }
    for index, sections in enumerate(other_neutron_hosts, start=2):
        files[f"{neutron_host(index)}.conf"] = render(sections)
    paths: dict[str, Path] = {}
    for name, text in files.items():
        paths[name] = layout.path(name)
        write_private(paths[name], text)
    paths["neutron_wsgi.py"] = layout.path("neutron_wsgi.py")
    sqlite = is_sqlite(neutron)
    paths["neutron_wsgi.py"].write_text(neutron_wsgi(sqlite))
    paths["neutron_periodic.py"] = layout.path("neutron_periodic.py")
    paths["neutron_periodic.py"].write_text(neutron_periodic(sqlite))
    paths["neutron_schema.py"] = layout.path("neutron_schema.py")
    paths["neutron_schema.py"].write_text(NEUTRON_SCHEMA)
    return paths
