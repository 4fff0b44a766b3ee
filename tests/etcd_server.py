"""A throw-away etcd for tests that coordinate through tooz: the sandbox's own starter.

Each user starts its own, on free loopback ports with its data in a temporary folder, and it is
stopped afterwards, so no test shares coordination state with another. ``url`` is the tooz URL
(``etcd3+http://127.0.0.1:<port>``).
"""

from oneview_openstack.sandbox.etcd import Etcd, running_etcd

__all__ = ["Etcd", "running_etcd"]
