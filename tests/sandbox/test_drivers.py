"""The driver probe is asked once per process when both drivers load, and again after a failure."""

from __future__ import annotations

import pytest

from oneview_openstack.sandbox import drivers
from oneview_openstack.sandbox.drivers import Probe


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each probe the code runs ("ironic" or "neutron"); Ironic's first one fails."""
    asked: list[str] = []

    def run(code: str, timeout: float) -> Probe:
        kind = "ironic" if code == drivers.PROBE_IRONIC else "neutron"
        ok = kind == "neutron" or "ironic" in asked
        asked.append(kind)
        return Probe(ok, "" if ok else "loading took longer than 1 s", {"power": ["oneview"]})

    monkeypatch.setattr(drivers, "_loaded", None)
    monkeypatch.setattr(drivers, "_run", run)
    return asked


def test_a_failed_probe_is_asked_again_and_a_loaded_one_is_kept(probes: list[str]) -> None:
    first = drivers.probe_drivers()
    assert [p.ok for p in first] == [False, True]
    second = drivers.probe_drivers()
    assert [p.ok for p in second] == [True, True]
    assert sorted(probes) == ["ironic", "ironic", "neutron", "neutron"]  # failure not kept
    third = drivers.probe_drivers()
    assert len(probes) == 4  # both loaded: not probed again
    assert third == second and third[0] is not second[0]  # a copy: callers cannot change it
    third[0].interfaces["power"].append("changed")
    assert drivers.probe_drivers()[0].interfaces == {"power": ["oneview"]}
