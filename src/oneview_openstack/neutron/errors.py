"""Errors the driver raises: neutron-lib exceptions, so the API answers with a useful status.

ML2 wraps driver exceptions in ``MechanismDriverError``; Neutron's API unwraps them and answers
with the inner exception's status (400 for ``InvalidInput``, 409 for ``Conflict``), so an API user
sees what to fix instead of a 500.
"""

from __future__ import annotations

from neutron_lib import exceptions as n_exc


class OneViewMappingError(n_exc.NeutronException):
    """The [oneview] mappings in the configuration are wrong (the driver refuses to load)."""

    message = "Invalid [oneview] configuration: %(reason)s"


class VlanInUse(n_exc.Conflict):
    message = (
        "VLAN %(vlan)s of network %(network_id)s is already carried by uplink set %(uplink_set)s "
        "as OneView network '%(oneview_network)s'; use another segmentation id or remove that "
        "OneView network from the uplink set."
    )


class UntaggedUplinkSetInUse(n_exc.Conflict):
    message = (
        "The untagged uplink set %(uplink_set)s already carries OneView network "
        "'%(oneview_network)s'; it takes one network only, so flat network %(network_id)s "
        "cannot join it."
    )


class OneViewOperationFailed(n_exc.NeutronException):
    """OneView refused or failed a change; the text carries OneView's errorCode and message."""

    message = "OneView could not %(action)s: %(reason)s"


class InvalidBindingProfile(n_exc.InvalidInput):
    """A bare-metal port's binding:profile the driver cannot use (400)."""


class PortWiringError(Exception):
    """A port's server could not be wired in OneView; the text says which field and value."""


class MappingsNotLoaded(Exception):
    """The mappings cannot say what a segment becomes until OneView has been read."""

    def __init__(self) -> None:
        super().__init__(
            "the types (Tagged or Untagged) of the uplink sets in [oneview] uplink_set_uuids / "
            "uplink_set_mappings are not read from OneView yet (it was unreachable when the "
            "driver started); until Mappings.load_types succeeds the driver cannot tell whether "
            "a VLAN or flat segment is mirrored, so it binds nothing rather than guess"
        )


class NeedsPowerOff(PortWiringError):
    """OneView applies a connection change only with the server off, and no one allowed that."""
