"""The Neutron HA churn: two API hosts (2 workers each, own lock paths and state) on one MariaDB
and one etcd, with the periodic worker: nothing lost at the end or after reconciliation, and no
two edits of one server profile interleaved (the simulator's edit history)."""

from __future__ import annotations

import json

import pytest

from .churn import Shape, start_and_run, verdict


@pytest.mark.timeout(600)
def test_two_api_hosts_on_one_etcd_lose_nothing_and_take_turns(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    result = start_and_run(tmp_path_factory.mktemp("hosts"), shape=Shape(hosts=2, workers=2))
    print(json.dumps(result, indent=2))  # shown with -s, and on failure
    assert result["ports_kept"] > 0 and result["networks_kept"] > 0, result
    assert result["hosts_that_wired_ports"] == ["neutron", "neutron-host2"], result
    assert verdict(result) == [], result
