"""The Neutron networks Ironic is configured with, made once when the sandbox starts.

Ironic's ``neutron`` network interface looks its provisioning, cleaning, rescuing and inspection
networks up by name on every deploy, undeploy, clean and inspection. They belong to the sandbox,
not to a scenario: they exist as long as the sandbox runs, so a user's own deployments work after
the scenario, and the scenario creates and deletes only networks of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .configs import PHYSNET, Sections

# [neutron] options of ironic.conf that name a network Ironic looks up.
IRONIC_NETWORK_OPTIONS = (
    "provisioning_network",
    "cleaning_network",
    "rescuing_network",
    "inspection_network",
)
FIRST_VLAN = 101  # then 102, ...; the scenario's tenant network is on 150


def configured(ironic_conf: Sections) -> list[str]:
    """The distinct network names ``ironic_conf`` gives Ironic, in option order."""
    section: Mapping[str, Any] = ironic_conf.get("neutron") or {}
    names: list[str] = []
    for option in IRONIC_NETWORK_OPTIONS:
        name = section.get(option)
        if name and name not in names:
            names.append(str(name))
    return names


def ensure(network_proxy: Any, names: list[str]) -> dict[str, Any]:
    """Each named VLAN network (with a subnet), found by name or created; by name."""
    made: dict[str, Any] = {}
    for index, name in enumerate(names):
        found = next(iter(network_proxy.networks(name=name)), None)
        if found is None:
            vlan = FIRST_VLAN + index
            found = network_proxy.create_network(
                name=name,
                provider_network_type="vlan",
                provider_physical_network=PHYSNET,
                provider_segmentation_id=vlan,
            )
            network_proxy.create_subnet(
                network_id=found.id, ip_version=4, cidr=f"10.{vlan}.0.0/24", name=f"{name}-subnet"
            )
        made[name] = found
    return made
