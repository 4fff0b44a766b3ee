"""The soak's load: Ironic lifecycles and Neutron churn in threads, each failure recorded.

Every worker owns what it touches (a node, or the networks it creates), so the threads never
race each other for a resource: any inconsistency found afterwards is the drivers', not the
load's. A failed step is recorded with the error the operator would see, then the worker puts
its resource back into a known state (bounded waits) and carries on.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from openstack import connection as os_connection

from oneview_openstack.sandbox import scenario
from oneview_openstack.sandbox.configs import PHYSNET
from oneview_openstack.sandbox.environment import Sandbox

WAIT = 120.0  # seconds: longest any single Ironic step may take under faults
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Failure:
    op: str
    target: str
    error: str  # what the operator sees: node last_error, port status, or the API's message

    @property
    def readable(self) -> bool:
        return bool(self.error.strip()) and TRACEBACK not in self.error


@dataclass
class Tally:
    ops: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, op: str) -> None:
        with self.lock:
            self.ops[op] += 1

    def failed(self, op: str, target: str, error: str) -> None:
        with self.lock:
            self.ops[op] += 1
            self.failures.append(Failure(op, target, error))


def connect(sandbox: Sandbox) -> os_connection.Connection:
    """One openstacksdk connection per thread (its sessions are not shared across threads)."""
    assert sandbox.layout is not None
    return os_connection.Connection(
        auth_type="none",
        baremetal_endpoint_override=sandbox.layout.ironic_url,
        baremetal_api_version="1.90",
        network_endpoint_override=sandbox.layout.neutron_url + "/",
    )


def _message(error: Exception) -> str:
    details = getattr(error, "details", None)
    return f"{error}" + (f" ({details})" if details and str(details) not in str(error) else "")


class NodeWorker:
    """Deploy (VIF on the tenant network) → power off/on → undeploy, round and round."""

    def __init__(
        self, sandbox: Sandbox, node_id: str, tenant_id: str, tally: Tally, keep: bool
    ) -> None:
        self.sandbox = sandbox
        self.node_id = node_id
        self.tenant_id = tenant_id
        self.tally = tally
        self.keep = keep  # leave the node deployed at the end, so connections get checked too
        self.conn = connect(sandbox)
        self.rounds = 0

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    self.round(stop)
                except Exception as error:  # the API refused a step: recorded, then carry on
                    self.tally.failed("lifecycle step", self.node_id, _message(error))
                    if "did not return to available" in str(error):
                        return
                    time.sleep(1.0)
                self.rounds += 1
        finally:
            self.conn.close()

    def node(self) -> Any:
        return self.conn.baremetal.get_node(self.node_id)

    def round(self, stop: threading.Event) -> None:
        bm, net = self.conn.baremetal, self.conn.network
        node = self.node()
        port = net.create_port(network_id=self.tenant_id, name=f"soak-{node.name}-{self.rounds}")
        self.tally.ok("create VIF port")
        try:
            bm.attach_vif_to_node(node, port.id)
            self.tally.ok("attach VIF")
            bm.update_node(node, instance_info=scenario.instance_info(self.sandbox))
            bm.set_node_provision_state(node, "active")
            deployed = self.wait_state("deploy", ("active",))
            if deployed:
                self.power("power off")
                self.power("power on")
        except Exception:
            self.release(stop)
            self.unplug(port.id)  # or the node's only port stays taken and every round fails
            raise
        if deployed and self.keep and stop.is_set():
            return
        self.release(stop)
        self.unplug(port.id)

    def unplug(self, port_id: str) -> None:
        bm, net = self.conn.baremetal, self.conn.network
        for vif in bm.list_node_vifs(self.node_id):
            bm.detach_vif_from_node(self.node_id, vif)
        self.tally.ok("detach VIF")
        net.delete_port(port_id, ignore_missing=True)
        self.tally.ok("delete VIF port")

    def wait_state(self, op: str, wanted: tuple[str, ...]) -> bool:
        """Bounded wait for a stable provision state; False (and a failure) if not ``wanted``."""
        deadline = time.monotonic() + WAIT
        node = self.node()
        while node.provision_state not in (*wanted, "deploy failed", "error", "clean failed"):
            if time.monotonic() > deadline:
                self.tally.failed(op, node.name, f"still {node.provision_state} after {WAIT} s")
                return False
            time.sleep(0.5)
            node = self.node()
        if node.provision_state in wanted:
            self.tally.ok(op)
            return True
        # An empty last_error stays empty: the verdict counts it as an unreadable failure.
        self.tally.failed(op, node.name, node.last_error or "")
        return False

    def power(self, target: str) -> None:
        bm = self.conn.baremetal
        try:
            bm.set_node_power_state(self.node_id, target)
        except Exception as error:  # refused by Ironic's API: the error is the message
            self.tally.failed(target, self.node_id, _message(error))
            return
        deadline = time.monotonic() + WAIT
        node = self.node()
        while node.target_power_state and time.monotonic() < deadline:
            time.sleep(0.5)
            node = self.node()
        if node.power_state == target and not node.target_power_state:
            self.tally.ok(target)
        else:
            self.tally.failed(target, node.name, node.last_error or f"power {node.power_state}")

    def release(self, stop: threading.Event) -> None:
        """Undeploy; a failed one (or deploy) is retried from its failed state, bounded.

        Once the soak is stopping, one attempt only: a node OneView still holds (a stuck task)
        stays in ``error`` with its reason, which the drift check accepts as consistent.
        """
        bm = self.conn.baremetal
        for _attempt in range(1 if stop.is_set() else 3):
            node = self.node()
            if node.provision_state == "available":
                return
            try:
                if node.provision_state == "clean failed":
                    bm.set_node_provision_state(node, "manage")
                    self.wait_state("manage", ("manageable",))
                    bm.set_node_provision_state(node, "provide")
                else:
                    bm.set_node_provision_state(node, "deleted")
            except Exception as error:  # e.g. still deploying: wait, then ask again
                self.tally.failed("undeploy request", node.name, _message(error))
                time.sleep(5.0)
                continue
            self.wait_state("undeploy", ("available",))
        raise RuntimeError(f"node {self.node_id} did not return to available")


class NetworkWorker:
    """Create a VLAN network with a port, update and delete them: Neutron's half of the churn."""

    def __init__(self, sandbox: Sandbox, vlans: list[int], tally: Tally) -> None:
        self.sandbox = sandbox
        self.vlans = vlans
        self.tally = tally
        self.conn = connect(sandbox)
        self.rounds = 0

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                vlan = self.vlans[self.rounds % len(self.vlans)]
                self.round(vlan)
                self.rounds += 1
        finally:
            self.conn.close()

    def round(self, vlan: int) -> None:
        net = self.conn.network
        name = f"soak-vlan-{vlan}"
        try:
            network = net.create_network(
                name=name,
                provider_network_type="vlan",
                provider_physical_network=PHYSNET,
                provider_segmentation_id=vlan,
            )
        except Exception as error:
            self.tally.failed("create network", name, _message(error))
            time.sleep(0.5)
            return
        self.tally.ok("create network")
        try:
            port = net.create_port(network_id=network.id, name=f"{name}-port")
            self.tally.ok("create port")
            net.update_port(port, name=f"{name}-port-renamed")
            self.tally.ok("update port")
            net.update_network(network, name=f"{name}-renamed")
            self.tally.ok("rename network")
            net.delete_port(port.id)
            self.tally.ok("delete port")
        except Exception as error:
            self.tally.failed("port churn", name, _message(error))
        for attempt in range(5):
            try:
                for port in net.ports(network_id=network.id):
                    net.delete_port(port.id, ignore_missing=True)
                net.delete_network(network.id, ignore_missing=True)
                self.tally.ok("delete network")
                return
            except Exception as error:
                if attempt == 4:
                    self.tally.failed("delete network", name, _message(error))
                time.sleep(1.0)
