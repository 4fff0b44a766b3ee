"""HTTP to OneView: one pooled keep-alive ``requests`` session, verified TLS, bounded retries.

The transport knows nothing of logins or API versions; the connector hands it a token and a
version per request. It never logs a header or a body, so neither the password (login body) nor
the session token (``Auth`` header) can reach a log line, whatever the log level. Every URL it
sends to is checked against ``manager_url``'s origin first, and redirects are followed by hand,
only on that origin: requests would carry the custom ``Auth`` header to any host.
"""

from __future__ import annotations

import os
import re
import ssl
import time
import warnings
from typing import Any
from urllib.parse import urljoin

import requests
import urllib3
from oslo_log import log as logging
from requests.adapters import HTTPAdapter

from . import errors
from .metrics import ClientMetrics
from .origin import Origin
from .retry import IDEMPOTENT_METHODS, retrying
from .settings import ClientSettings

LOG = logging.getLogger(__name__)
MAX_ERROR_TEXT = 300
MAX_REDIRECTS = 5  # same-origin GET redirects followed per request


def system_trust() -> bool | str:
    """The system CA store (what ``tls_cacert_file`` unset means), else requests' own bundle."""
    paths = ssl.get_default_verify_paths()
    if paths.cafile and os.path.isfile(paths.cafile):
        return paths.cafile
    if paths.capath and os.path.isdir(paths.capath):
        return paths.capath
    return True


def tls_verify(settings: ClientSettings) -> bool | str:
    if settings.allow_insecure_connections:
        return False
    return settings.tls_cacert_file or system_trust()


def _never_sent(error: requests.exceptions.RequestException) -> bool:
    """True when the connection was never established, so the request cannot have arrived."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    cause: Any = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class Transport:
    """Sends one request (with retries when safe) and turns failures into typed errors."""

    def __init__(self, settings: ClientSettings, metrics: ClientMetrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.base_url = settings.base_url
        self.verify = tls_verify(settings)
        self.timeout = (settings.connect_timeout, settings.read_timeout)
        self._session = requests.Session()
        # REQUESTS_CA_BUNDLE and friends would override ``verify``: tls_cacert_file must win.
        self._session.trust_env = False
        self._session.verify = self.verify
        adapter = HTTPAdapter(
            pool_connections=2, pool_maxsize=settings.connection_pool_size, max_retries=0
        )
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self.origin = Origin(self.base_url)
        if self.verify is False:
            _quiet_insecure_warnings_for(self.base_url)
            LOG.warning(
                "TLS verification of OneView at %s is DISABLED "
                "([oneview]/allow_insecure_connections=True): the connection can be intercepted. "
                "Set tls_cacert_file instead for production.",
                self.base_url,
            )

    def close(self) -> None:
        self._session.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        api_version: int | None = None,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool | None = None,
    ) -> requests.Response:
        """One logical request; ``retry`` defaults to "the method is idempotent"."""
        method = method.upper()
        idempotent = method in IDEMPOTENT_METHODS if retry is None else retry
        controller = retrying(
            retries=self.settings.request_retries,
            idempotent=idempotent,
            wait=self.settings.retry_wait,
            max_wait=self.settings.retry_max_wait,
            on_retry=lambda _error: self.metrics.count("retries"),
        )
        for attempt in controller:
            with attempt:
                return self._send_once(method, path, token, api_version, json, params, headers)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _send_once(
        self,
        method: str,
        path: str,
        token: str | None,
        api_version: int | None,
        json: Any,
        params: Any,
        extra: dict[str, str] | None,
    ) -> requests.Response:
        url = self.origin.url_for(path, method=method)  # before anything is sent
        path = self.origin.path_of(url, method=method)
        headers = {"Accept": "application/json", "Accept-Language": "en_US"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        if api_version is not None:
            headers["X-API-Version"] = str(api_version)
        if token is not None:
            headers["Auth"] = token
        headers.update(extra or {})
        self.metrics.request(method, path)
        started = time.monotonic()
        reply = self._request(method, url, path, headers, json, params)
        for _hop in range(MAX_REDIRECTS + 1):
            if not reply.is_redirect:
                break
            target = urljoin(reply.url or url, self._session.get_redirect_target(reply) or "")
            try:
                self.origin.check(target, method=method, shown=target)
            except errors.ForeignOriginError as refused:
                reply.close()
                raise errors.ForeignOriginError(
                    f"OneView at {self.base_url} redirected {method} {path} to "
                    f"{refused.origin}, another origin: not followed (the session token goes to "
                    "the appliance only).",
                    origin=refused.origin,
                    error_code=refused.error_code,
                    method=method,
                    uri=path,
                    recommended_actions=refused.recommended_actions,
                ) from None
            if method != "GET":
                break  # same origin, but a write is not replayed elsewhere: the caller decides
            reply.close()
            self.metrics.request(method, self.origin.path_of(target))
            url = target
            reply = self._request(method, url, path, headers, None, None)
        else:
            raise errors.OneViewConnectionError(
                f"OneView redirected {method} {path} more than {MAX_REDIRECTS} times.",
                method=method,
                uri=path,
                recommended_actions=["Check manager_url and the proxy in front of the appliance."],
            )
        elapsed_ms = (time.monotonic() - started) * 1000
        LOG.debug("OneView %s %s -> %d (%.0f ms)", method, path, reply.status_code, elapsed_ms)
        if reply.status_code >= 400:
            raise errors.from_body(
                reply.status_code, _json_or_none(reply), method, path, reply.text[:MAX_ERROR_TEXT]
            )
        return reply

    def _request(
        self,
        method: str,
        url: str,
        path: str,
        headers: dict[str, str],
        json: Any,
        params: Any,
    ) -> requests.Response:
        """One HTTP exchange, redirects not followed; failures become typed errors."""
        try:
            return self._session.request(
                method,
                url,
                json=json,
                params=params,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            raise errors.TLSVerificationError(
                f"TLS verification of OneView failed: {_short(error)}",
                method=method,
                uri=path,
                recommended_actions=[
                    "Set [oneview]/tls_cacert_file to the CA bundle that signed the appliance "
                    "certificate (allow_insecure_connections=True only for labs)."
                ],
            ) from error
        except requests.exceptions.RequestException as error:
            failure = errors.OneViewConnectionError(
                f"No answer from OneView at {self.base_url}: {_short(error)}",
                method=method,
                uri=path,
                recommended_actions=["Check that the appliance is up and reachable."],
                sent=not _never_sent(error),
            )
            LOG.debug("OneView %s %s failed: %s", method, path, failure)
            raise failure from error


def _quiet_insecure_warnings_for(base_url: str) -> None:
    """Silence urllib3's "Unverified HTTPS request" warning for this appliance's host only.

    The operator opted in (``allow_insecure_connections``) and is told once in the log; other
    hosts this process talks to keep their warning. A filter matched on the host, installed
    once, is thread-safe, which ``warnings.catch_warnings`` around each request is not.
    """
    host = urllib3.util.parse_url(base_url).host or ""
    warnings.filterwarnings(
        "ignore",
        message=f"Unverified HTTPS request is being made to host '{re.escape(host)}'",
        category=urllib3.exceptions.InsecureRequestWarning,
    )


def json_body(reply: requests.Response, method: str, path: str) -> Any:
    """The parsed JSON of a successful answer (None when empty); MalformedResponse otherwise.

    The error names the content type and size, never the text: a login answer holds a token.
    """
    if not reply.content:
        return None
    try:
        return reply.json()
    except ValueError as error:
        kind = reply.headers.get("Content-Type") or "no content type"
        raise errors.MalformedResponse(
            f"OneView answered HTTP {reply.status_code} with {len(reply.content)} bytes of "
            f"{kind} that are not JSON.",
            error_code="MALFORMED_RESPONSE",
            status=reply.status_code,
            method=method,
            uri=path,
            recommended_actions=[
                "Check that manager_url points at the OneView appliance itself, not a proxy "
                "or a maintenance page."
            ],
        ) from error


def malformed(what: str, method: str, path: str, status: int | None = None) -> Exception:
    """The error for a JSON answer of the wrong shape (``what`` says which part)."""
    return errors.MalformedResponse(
        f"OneView's answer is not what this client expects: {what}.",
        error_code="MALFORMED_RESPONSE",
        status=status,
        method=method,
        uri=path,
    )


def _json_or_none(reply: requests.Response) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= MAX_ERROR_TEXT else text[:MAX_ERROR_TEXT] + "..."
