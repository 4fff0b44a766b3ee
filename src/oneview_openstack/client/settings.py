"""The client's settings as one frozen value, built from ``[oneview]`` or directly in tests.

Keeping oslo.config out of the transport means a tool or a benchmark can build a client without a
config file, and the password stays out of ``repr()``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError

# The oldest API this client speaks (OneView 4.0: profile connections under connectionSettings)
# and the newest it knows (OneView 11.3). Negotiation picks the highest both sides support.
MINIMUM_API_VERSION = 600
HIGHEST_API_VERSION = 8600


@dataclass(frozen=True)
class ClientSettings:
    manager_url: str
    username: str
    password: str = field(repr=False)
    login_domain: str | None = None
    allow_insecure_connections: bool = False
    tls_cacert_file: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_api_version: int | None = None
    connection_pool_size: int = 16
    max_polling_attempts: int = 360
    task_timeout: float = 3600.0
    task_poll_interval: float = 0.5
    task_poll_max_interval: float = 10.0
    task_poll_factor: float = 1.5
    request_retries: int = 3
    retry_wait: float = 0.5
    retry_max_wait: float = 8.0
    etag_update_attempts: int = 5

    def __post_init__(self) -> None:
        object.__setattr__(self, "manager_url", normalise_url(self.manager_url))
        self.validate()

    @property
    def base_url(self) -> str:
        return self.manager_url

    def validate(self) -> None:
        """Refuse settings that cannot work, naming the [oneview] option to fix."""
        if not self.username or not self.password:
            raise ConfigurationError(
                "[oneview] username and password must both be set.",
                recommended_actions=["Set [oneview]/username and [oneview]/password."],
            )
        scheme = urlsplit(self.manager_url).scheme
        if scheme == "http" and not self.allow_insecure_connections:
            raise ConfigurationError(
                f"[oneview] manager_url {self.manager_url} is plain http; OneView needs https.",
                recommended_actions=["Use an https:// manager_url."],
            )
        if (
            self.tls_cacert_file
            and not self.allow_insecure_connections
            and not os.path.isfile(self.tls_cacert_file)
        ):
            raise ConfigurationError(
                f"[oneview] tls_cacert_file {self.tls_cacert_file} is not a readable file.",
                recommended_actions=["Point tls_cacert_file at the PEM bundle of OneView's CA."],
            )
        if self.max_api_version is not None and self.max_api_version < MINIMUM_API_VERSION:
            raise ConfigurationError(
                f"[oneview] max_api_version {self.max_api_version} is below the oldest API this "
                f"client speaks ({MINIMUM_API_VERSION}).",
                recommended_actions=[f"Unset max_api_version or use {MINIMUM_API_VERSION}+."],
            )
        if self.task_poll_interval <= 0 or self.task_poll_max_interval < self.task_poll_interval:
            raise ConfigurationError(
                "[oneview] task_poll_max_interval must be >= task_poll_interval > 0."
            )
        if self.max_polling_attempts < 1 or self.etag_update_attempts < 1:
            raise ConfigurationError(
                "[oneview] max_polling_attempts and etag_update_attempts must be >= 1."
            )

    def replace(self, **changes: Any) -> ClientSettings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_conf(cls, conf: Any, group: str = "oneview") -> ClientSettings:
        """Settings from an oslo.config ``CONF`` on which ``conf.register_opts`` was called."""
        opts = getattr(conf, group)
        if not opts.manager_url:
            raise ConfigurationError(
                f"[{group}] manager_url is not set.",
                recommended_actions=[f"Set [{group}]/manager_url to the OneView appliance URL."],
            )
        return cls(
            manager_url=opts.manager_url,
            username=opts.username or "",
            password=opts.password or "",
            login_domain=opts.login_domain or None,
            allow_insecure_connections=opts.allow_insecure_connections,
            tls_cacert_file=opts.tls_cacert_file or None,
            connect_timeout=opts.connect_timeout,
            read_timeout=opts.read_timeout,
            max_api_version=opts.max_api_version,
            connection_pool_size=opts.connection_pool_size,
            max_polling_attempts=opts.max_polling_attempts,
            task_timeout=opts.task_timeout,
            task_poll_interval=opts.task_poll_interval,
            task_poll_max_interval=max(opts.task_poll_max_interval, opts.task_poll_interval),
            request_retries=opts.request_retries,
            etag_update_attempts=opts.etag_update_attempts,
        )


def normalise_url(url: str) -> str:
    """``oneview.example.com`` -> ``https://oneview.example.com``; no trailing slash or path."""
    url = (url or "").strip()
    if not url:
        raise ConfigurationError("[oneview] manager_url is empty.")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"[oneview] manager_url {url!r} is not an http(s) URL.")
    return f"{parts.scheme}://{parts.netloc}"
