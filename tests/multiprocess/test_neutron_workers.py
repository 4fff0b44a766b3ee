"""Neutron's API under gunicorn with 4 workers: concurrent network and port churn loses nothing."""

from __future__ import annotations

import json

import pytest

from .churn import start_and_run, verdict


@pytest.mark.timeout(600)
def test_four_api_workers_lose_no_membership_and_no_connection(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    result = start_and_run(tmp_path_factory.mktemp("workers"))
    print(json.dumps(result, indent=2))  # shown with -s, and on failure
    assert result["ports_kept"] > 0 and result["networks_kept"] > 0, result
    assert verdict(result) == [], result
