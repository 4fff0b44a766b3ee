"""The tooz coordinator behind ``[oneview] coordination_backend_url``: one per process.

Neutron forks its API and periodic workers after the driver is loaded, and a tooz coordinator
(its heartbeat thread, its HTTP session, its leases) belongs to the process that started it. So
it is started lazily, on first use, in the process that uses it; a forked child forgets the
parent's (``forksafe``) and starts its own; each process stops its own at exit, which releases
its locks at once instead of when their leases run out.
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import tenacity
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import strutils
from tooz import coordination

from ..client import forksafe

LOG = logging.getLogger(__name__)

OPTION = "[oneview] coordination_backend_url"
# How often a waiter asks the backend again (tooz offers no lock watch on every backend).
RETRY_WAIT = tenacity.wait_random_exponential(multiplier=0.005, max=0.1)


class CoordinationUnavailable(Exception):
    """The coordination backend cannot be reached or refuses; names the URL (no password)."""


def redacted(url: str) -> str:
    """``url`` without its password (in the userinfo or in the query string)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}:***@{host}"
    return strutils.mask_password(urlunsplit(parts._replace(netloc=netloc)))


class Coordination:
    """A lazily started tooz coordinator for one backend URL, for the current process."""

    def __init__(self, url: str, member_prefix: str = "oneview-neutron") -> None:
        """:raises CoordinationUnavailable: no tooz driver serves ``url`` (nothing is contacted)."""
        check_url(url)
        self.url = url
        self.safe_url = redacted(url)
        self.member_prefix = member_prefix
        self._guard = threading.Lock()
        self._coordinator: coordination.CoordinationDriver | None = None
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        """The parent's coordinator, heart and leases stay the parent's; the child starts anew."""
        self._guard = threading.Lock()
        self._coordinator = None

    def coordinator(self) -> coordination.CoordinationDriver:
        """This process's started coordinator; raises :class:`CoordinationUnavailable`."""
        with self._guard:
            if self._coordinator is None:
                member = f"{self.member_prefix}-{socket.gethostname()}-{os.getpid()}"
                started = self.call(
                    "start a coordinator", lambda: _started(self.url, member.encode())
                )
                atexit.register(_stop_at_exit, started, os.getpid())
                self._coordinator = started
                LOG.info("Coordinating through %s as member %s", self.safe_url, member)
            return self._coordinator

    def acquire(self, name: str, timeout: float) -> Any | None:
        """The tooz lock ``name``, held; None if another member kept it for ``timeout`` s.

        :raises CoordinationUnavailable: the backend cannot be reached.
        """
        lock = self.coordinator().get_lock(name.encode())
        attempts = tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda acquired: not acquired),
            stop=tenacity.stop_after_delay(max(timeout, 0.0)),  # at least timeout s
            wait=RETRY_WAIT,
            retry_error_callback=lambda _state: False,
            reraise=True,
        )
        acquired = self.call(f"acquire lock {name}", lambda: attempts(lock.acquire, False))
        return lock if acquired else None

    def release(self, lock: Any, name: str) -> None:
        """Give ``lock`` back; a backend that is gone only costs the lock's lease time."""
        try:
            self.call(f"release lock {name}", lock.release)
        except CoordinationUnavailable as error:
            LOG.warning("%s; it is freed when its lease runs out", error)

    def supports_queues(self) -> bool:
        """True for etcd, whose keys and leases can carry requests between processes."""
        return urlsplit(self.url).scheme.startswith("etcd3")

    def etcd(self) -> Any:
        """The started etcd3gw client of this process's coordinator (see :meth:`supports_queues`).

        :raises CoordinationUnavailable: the backend cannot be reached.
        """
        return self.coordinator().client  # type: ignore[attr-defined]

    def stop(self) -> None:
        """Stop this process's coordinator (releases its locks); the next use starts one."""
        with self._guard:
            started, self._coordinator = self._coordinator, None
        if started is not None:
            _stop(started)

    def call(self, what: str, call: Callable[[], Any]) -> Any:
        """``call()``; any failure of the backend as :class:`CoordinationUnavailable`."""
        try:
            return call()
        except Exception as error:  # tooz's errors, and its backends' (etcd3gw, redis, ...)
            reason = str(error).replace(self.url, self.safe_url)
            raise CoordinationUnavailable(
                f"could not {what} on the coordination backend {self.safe_url} ({OPTION}): "
                f"{type(error).__name__}{': ' + strutils.mask_password(reason) if reason else ''}"
            ) from None


def _started(url: str, member: bytes) -> coordination.CoordinationDriver:
    started = coordination.get_coordinator(url, member)
    started.start(start_heart=True)  # the heart refreshes the leases of locks we hold
    return started


def _stop(started: coordination.CoordinationDriver) -> None:
    if not started.is_started:
        return
    try:
        started.stop()
    except Exception as error:  # at exit: say so, go on
        LOG.warning("Stopping the coordinator failed (%s); its leases run out", error)


def _stop_at_exit(started: coordination.CoordinationDriver, pid: int) -> None:
    if os.getpid() == pid:  # a forked child must not stop its parent's coordinator
        _stop(started)


class _Shared:
    """One :class:`Coordination` per URL in this process; the guard is renewed after a fork."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._by_url: dict[str, Coordination] = {}
        forksafe.register(self)

    def reset_after_fork(self) -> None:
        self._guard = threading.Lock()  # each Coordination resets itself

    def get(self, url: str) -> Coordination:
        with self._guard:
            found = self._by_url.get(url)
            if found is None:
                found = self._by_url[url] = Coordination(url)
            return found


_SHARED = _Shared()


def shared(url: str | None) -> Coordination | None:
    """The process's one :class:`Coordination` for ``url`` (profile and uplink-set locks)."""
    return _SHARED.get(url) if url else None


def configured_url(conf: Any = None) -> str | None:
    """``[oneview] coordination_backend_url`` of ``conf`` (Neutron's ``CONF``), or None."""
    conf = cfg.CONF if conf is None else conf
    try:
        return conf.oneview.coordination_backend_url or None
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return None


def check_url(url: str | None) -> None:
    """A URL tooz has no driver for fails at start-up, not at the first port binding.

    :raises CoordinationUnavailable: no tooz driver serves the URL's scheme.
    """
    if not url:
        return
    try:
        coordination.get_coordinator(url, b"oneview-neutron-check")
    except (coordination.ToozError, RuntimeError, ImportError) as error:
        raise CoordinationUnavailable(
            f"{OPTION} = {redacted(url)} names no usable tooz backend "
            f"(etcd3+http://, redis://, mysql://, zookeeper://, file://): "
            f"{strutils.mask_password(str(error).replace(url, redacted(url)))}"
        ) from None
