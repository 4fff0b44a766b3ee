"""[oneview] options: registered for both services, read by the client, listed by the generator."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from oslo_config import cfg

from oneview_openstack import conf as ov_conf
from oneview_openstack.client import ClientSettings, ConfigurationError, OneViewClient

SEED_NAMES = (
    "manager_url",
    "username",
    "password",
    "allow_insecure_connections",
    "tls_cacert_file",
    "max_polling_attempts",
)


def _conf(**values: object) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    ov_conf.register_opts(conf)
    ov_conf.register_opts(conf)  # a second registration (another module) is harmless
    conf([], project="ironic")
    for name, value in values.items():
        conf.set_override(name, value, group="oneview")
    return conf


def test_options_keep_the_seed_names_and_hide_the_password():
    names = {opt.name for opt in ov_conf.ALL_OPTS}
    assert set(SEED_NAMES) <= names
    assert {"login_domain", "connect_timeout", "read_timeout", "max_api_version"} <= names
    password = next(opt for opt in ov_conf.ALL_OPTS if opt.name == "password")
    assert password.secret
    conf = _conf()
    assert conf.oneview.allow_insecure_connections is False


def test_settings_from_conf(simulator):
    conf = _conf(
        manager_url=simulator.url,
        username="Administrator",
        password="pw",
        tls_cacert_file=str(simulator.ca_file),
        max_polling_attempts=7,
        login_domain="LOCAL",
        read_timeout=12.5,
    )
    settings = ClientSettings.from_conf(conf)
    assert settings.max_polling_attempts == 7
    assert settings.login_domain == "LOCAL"
    assert settings.read_timeout == 12.5
    assert settings.tls_cacert_file == str(simulator.ca_file)


def test_from_conf_shares_one_client_per_process(simulator):
    conf = _conf(
        manager_url=simulator.url,
        username=simulator.state.config.username,
        password=simulator.state.config.password,
        tls_cacert_file=str(simulator.ca_file),
    )
    first = OneViewClient.from_conf(conf)
    try:
        assert OneViewClient.from_conf(conf) is first
        assert OneViewClient.from_conf(conf, shared=False) is not first
    finally:
        first.close()
    assert OneViewClient.from_conf(conf) is not first  # a closed client is replaced
    OneViewClient.from_conf(conf).close()


def test_a_shared_client_replaced_by_a_config_reload_logs_out(simulator, sim):
    conf = _conf(
        manager_url=simulator.url,
        username=simulator.state.config.username,
        password=simulator.state.config.password,
        tls_cacert_file=str(simulator.ca_file),
    )
    first = OneViewClient.from_conf(conf)
    assert first.enclosure_groups.list()
    # A reload moves manager_url to another name of the same appliance (its certificate has both).
    conf.set_override("manager_url", simulator.url.replace("127.0.0.1", "localhost"), "oneview")
    second = OneViewClient.from_conf(conf)
    assert second is not first and OneViewClient.from_conf(conf) is second
    assert second.enclosure_groups.list()
    assert sim.stats()["activeSessions"] == 2
    assert first.enclosure_groups.list()  # a caller still holding it is not cut short...
    assert sim.stats()["logouts"] == 0
    del first  # ...and once nobody holds it, it logs out
    stats = sim.stats()
    assert stats["logouts"] == 1 and stats["activeSessions"] == 1
    # A credential change (another login domain) replaces it again, with nobody holding it.
    conf.set_override("login_domain", "corp.example", "oneview")
    third = OneViewClient.from_conf(conf)
    assert third is not second and third.settings.login_domain == "corp.example"
    del second
    assert third.enclosure_groups.list()
    stats = sim.stats()
    assert stats["logouts"] == 2 and stats["activeSessions"] == 1 and stats["logins"] == 3
    third.close()


def test_missing_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="manager_url"):
        ClientSettings.from_conf(_conf())


DOCS = Path(__file__).resolve().parents[2] / "docs"


def _generated(namespace: str) -> str:
    generator = Path(sys.executable).with_name("oslo-config-generator")
    return subprocess.run(  # noqa: S603 - our own venv script, fixed arguments
        [str(generator), "--namespace", namespace],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _listed(sample: str) -> set[str]:
    return {m[1] for line in sample.splitlines() if (m := re.match(r"^#(\w+) =", line))}


@pytest.mark.parametrize(
    ("service", "own", "other"),
    [
        ("ironic", ov_conf.IRONIC_OPTS, ov_conf.NEUTRON_OPTS),
        ("neutron", ov_conf.NEUTRON_OPTS, ov_conf.IRONIC_OPTS),
    ],
)
def test_each_service_has_its_own_sample_and_it_is_current(service, own, other):
    output = _generated(f"oneview-openstack.{service}")
    listed = _listed(output)
    assert {opt.name for opt in ov_conf.CLIENT_OPTS + own} == listed
    assert not listed & {opt.name for opt in other}
    assert (DOCS / f"{service}.conf.sample").read_text() == output, (
        f"docs/{service}.conf.sample is out of date: regenerate it (docs/configuration.md)"
    )


def test_sample_config_generator_lists_the_options():
    output = _generated("oneview-openstack")
    assert "[oneview]" in output
    assert _listed(output) == {opt.name for opt in ov_conf.ALL_OPTS}
    for name in (*SEED_NAMES, "login_domain", "connect_timeout", "read_timeout"):
        assert f"#{name} = " in output, name
    assert "#allow_insecure_connections = false" in output
