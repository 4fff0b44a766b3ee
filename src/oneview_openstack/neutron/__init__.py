"""The ML2 mechanism driver ``oneview``: Neutron networks and bare-metal ports mirrored in OneView.

Layout (after networking-generic-switch): ``driver`` is thin and only routes ML2 calls;
``mappings`` decides what is mirrored where; ``networks`` and ``ports`` do the OneView work
through the project's client; ``ironic`` finds a port's server; ``locking`` serialises edits of
one server profile; ``reconcile`` repairs drift from a periodic worker.
"""
