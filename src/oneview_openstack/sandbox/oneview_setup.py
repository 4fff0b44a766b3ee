"""What the sandbox's OneView is given before the services start, as an operator would do it.

The simulator's inventory has a Tagged and an Untagged uplink set per logical interconnect. VLAN
transparency needs a Tunnel uplink set (it carries every VLAN of one network untouched), so the
sandbox creates one per logical interconnect through OneView's REST API, and maps it to
``configs.TUNNEL_PHYSNET`` in neutron.conf. Finding an existing one (a second start on the same
simulator) is enough.
"""

from __future__ import annotations

from typing import Any

from ..client import OneViewClient

TAGGED, TUNNEL = "Tagged", "Tunnel"


def uplink_set_ids(client: OneViewClient, network_type: str) -> list[str]:
    """The ids of every uplink set of this ``ethernetNetworkType`` (absent counts as Tagged)."""
    return [
        str(u["uri"]).rsplit("/", 1)[-1]
        for u in client.uplink_sets.iter()
        if u.get("ethernetNetworkType", TAGGED) == network_type
    ]


def ensure_tunnel_uplink_sets(client: OneViewClient) -> list[str]:
    """One Tunnel uplink set (no network yet) per logical interconnect; their ids.

    :raises OneViewError: OneView refused the uplink set or its task failed.
    """
    existing: dict[Any, Any] = {
        u.get("logicalInterconnectUri"): u
        for u in client.uplink_sets.iter()
        if u.get("ethernetNetworkType") == TUNNEL
    }
    ids = []
    for number, li in enumerate(client.logical_interconnects.iter(), start=1):
        found = existing.get(li["uri"])
        if found is None:
            body = {
                "name": f"US-Tunnel-{number}",
                "type": "uplink-setV7",
                "logicalInterconnectUri": li["uri"],
                "ethernetNetworkType": TUNNEL,
                "networkType": "Ethernet",
                "networkUris": [],
                "portConfigInfos": [],
            }
            task = client.request("POST", "/rest/uplink-sets", json=body)
            done = client.waiter.wait(task)
            found = {"uri": done["associatedResource"]["resourceUri"]}
        ids.append(str(found["uri"]).rsplit("/", 1)[-1])
    return ids
