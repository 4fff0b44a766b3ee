"""OneView's powerState values as Ironic power states (pure logic: the table itself).

A transition reads as its target, as Ironic's redfish ``GET_POWER_STATE_MAP`` does, so Ironic's
power sync never records (or, with ``force_power_state_during_sync``, acts on) a transition.
"""

from __future__ import annotations

import pytest
from ironic.common import states

from oneview_openstack.ironic.power import POWER_MAP
from oneview_openstack.simulator.state.hardware import POWER_STATES, TRANSITIONAL


@pytest.mark.parametrize(
    ("oneview", "ironic"),
    [
        ("On", states.POWER_ON),
        ("Off", states.POWER_OFF),
        ("PoweringOn", states.POWER_ON),
        ("PoweringOff", states.POWER_OFF),
        ("Resetting", states.POWER_ON),
    ],
)
def test_each_power_state_reads_as_where_it_ends(oneview: str, ironic: str) -> None:
    assert POWER_MAP[oneview] == ironic


def test_every_state_the_appliance_reports_is_mapped_except_unknown() -> None:
    # Unknown is read as Ironic's ERROR by get_power_state (tested against the simulator).
    assert set(POWER_MAP) == {*POWER_STATES, *TRANSITIONAL}
    assert "Unknown" not in POWER_MAP
    assert states.REBOOT not in POWER_MAP.values()
