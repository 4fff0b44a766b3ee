"""Starting a whole sandbox for a suite (e2e, crash, ha): the drivers must load, nodes enrolled.

A driver that fails to import is a broken product, not a reason to skip: the start asserts it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from oneview_openstack.enroll.command import main as enroll
from oneview_openstack.sandbox.environment import Options, Sandbox
from oneview_openstack.simulator.testing import Witness


@contextlib.contextmanager
def enrolled_sandbox(options: Options, nodes: int) -> Iterator[Sandbox]:
    """A running sandbox of ``options`` with ``nodes`` servers enrolled; stopped on the way out."""
    with Sandbox(options) as running:
        assert running.ironic_oneview and running.neutron_oneview, (
            f"the oneview drivers do not load: ironic: {running.ironic_probe.detail or 'ok'}; "
            f"neutron: {running.neutron_probe.detail or 'ok'}"
        )
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            code = enroll([*running.enroll_argv(), "--limit", str(nodes), "--format", "json"])
        assert code == 0, f"enrollment failed:\n{output.getvalue()}"
        yield running


@contextlib.contextmanager
def witness_of(sandbox: Sandbox) -> Iterator[Witness]:
    """The simulator's own view of its state (never the product's client)."""
    assert sandbox.simulator is not None
    seen = Witness.of(sandbox.simulator)
    try:
        yield seen
    finally:
        seen.http.close()
