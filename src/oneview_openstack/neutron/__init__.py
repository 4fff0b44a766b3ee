"""The ML2 mechanism driver ``oneview``: Neutron networks and bare-metal ports mirrored in OneView.

Layout (after networking-generic-switch): ``driver`` is thin and only routes ML2 calls;
``mappings`` decides what is mirrored where; ``networks`` and ``ports`` do the OneView work
through the project's client (``connections`` holds the pure edits of a profile's connection
list); ``ironic`` finds a port's server; ``locking`` and ``coordination`` serialise edits of one
server profile; ``reconcile`` repairs drift from a periodic worker and never powers a server;
``constants`` holds the names the driver and the worker share, so neither imports the other.
"""
