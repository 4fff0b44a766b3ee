"""The connector (after sushy's): every OneView request of the product goes through here.

It adds what each request needs (the negotiated X-API-Version, the shared session's token) and
recovers once from the two answers that mean "your context is stale": 401 (log in again,
single-flight, and replay) and a 412 refusing our X-API-Version (negotiate again and replay).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from oslo_log import log as logging

from . import forksafe
from .errors import AuthenticationError, ClientClosed, PreconditionFailed
from .metrics import ClientMetrics
from .session import LoginSession
from .settings import ClientSettings
from .transport import Transport, json_body, malformed
from .version import negotiate

LOG = logging.getLogger(__name__)
# A collection longer than this many pages is a nextPageUri loop, not a real inventory.
MAX_PAGES = 10_000


@dataclass
class Reply:
    """A successful answer: status, parsed JSON body (or None) and the headers that matter."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str | None:
        return self.headers.get("location")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")


def is_version_refusal(error: PreconditionFailed) -> bool:
    text = f"{error.error_code or ''} {error.message}".lower()
    return "api_version" in text or "api version" in text


class Connector:
    def __init__(self, settings: ClientSettings, metrics: ClientMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or ClientMetrics()
        self.transport = Transport(settings, self.metrics)
        self.session = LoginSession(
            self.transport, settings, self.metrics, lambda: self.api_version
        )
        self._version: int | None = None
        self._version_lock = threading.Lock()
        self._closed = False
        forksafe.register(self)

    # -- API version ---------------------------------------------------------------------
    @property
    def api_version(self) -> int:
        """The negotiated X-API-Version (asked of the appliance on first use, not at start-up)."""
        version = self._version
        if version is None:
            with self._version_lock:
                if self._version is None:
                    self._version = negotiate(self.transport, self.settings.max_api_version)
                version = self._version
        return version

    def _renegotiate(self, refused: int) -> int:
        with self._version_lock:
            if self._version == refused:
                self._version = negotiate(self.transport, self.settings.max_api_version)
            return self._version or refused

    # -- requests ------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool | None = None,
    ) -> Reply:
        """One request with the session and version it needs; replayed once after a 401 (new
        login) or a 412 refusing our X-API-Version (new negotiation).

        :raises ClientClosed: the client was closed.
        :raises ForeignOriginError: ``path`` (or a redirect) leads off the appliance's origin.
        :raises HTTPError: OneView's error answer (a subclass per status and errorCode).
        :raises OneViewConnectionError: no answer, after the retries that are safe.
        :raises MalformedResponse: a success whose body is not JSON.
        """
        if self._closed:
            raise ClientClosed("The OneView client is closed.", method=method, uri=path)
        renewed = renegotiated = False
        while True:
            version = self.api_version
            token = self.session.token()
            try:
                response = self.transport.send(
                    method,
                    path,
                    token=token,
                    api_version=version,
                    json=json,
                    params=params,
                    headers=headers,
                    retry=retry,
                )
            except AuthenticationError as error:
                if renewed or error.status != 401:
                    raise
                renewed = True
                self.session.renew(token)
                continue
            except PreconditionFailed as error:
                if renegotiated or not is_version_refusal(error):
                    raise
                renegotiated = True
                LOG.warning("OneView refused X-API-Version %d; negotiating again", version)
                if self._renegotiate(version) == version:
                    raise
                continue
            body = json_body(response, method, path)
            kept = {k.lower(): v for k, v in response.headers.items() if k.lower() in _KEPT}
            return Reply(response.status_code, body, kept)

    def get(self, path: str, params: Any = None) -> Any:
        return self.request("GET", path, params=params).body

    def get_object(self, path: str, params: Any = None) -> dict[str, Any]:
        """GET a resource (a JSON object).

        :raises MalformedResponse: the answer is not a JSON object.
        :raises OneViewError: as :meth:`request`.
        """
        body = self.get(path, params)
        if not isinstance(body, dict):
            raise malformed(f"expected a JSON object, got {_kind(body)}", "GET", path)
        return body

    def pages(self, path: str, params: Any = None) -> Iterator[list[dict[str, Any]]]:
        """Each page's members of a collection, following ``nextPageUri`` to the end.

        A ``nextPageUri`` may be relative or on the appliance's own origin.

        :raises ForeignOriginError: a ``nextPageUri`` on another origin (nothing is sent there).
        :raises MalformedResponse: a ``nextPageUri`` that is not a /rest/ URI, one seen before
            (a loop: the collection would be incomplete), or more than ``MAX_PAGES`` pages.
        """
        body = self.get_object(path, params)
        seen: set[str] = set()
        while True:
            yield members_of(body, path)
            next_uri = body.get("nextPageUri")
            if not next_uri:
                return
            if not isinstance(next_uri, str):
                raise malformed(f"nextPageUri {next_uri!r} is not a /rest/ URI", "GET", path)
            next_path = self.transport.origin.path_of(next_uri)
            if not next_path.startswith("/rest/"):
                raise malformed(f"nextPageUri {next_uri!r} is not a /rest/ URI", "GET", path)
            if next_path in seen:
                raise malformed(
                    f"nextPageUri {next_uri!r} was already followed (a paging loop; the "
                    f"collection would be incomplete after {len(seen) + 1} pages)",
                    "GET",
                    path,
                )
            if len(seen) >= MAX_PAGES:
                raise malformed(f"more than {MAX_PAGES} pages (a nextPageUri loop?)", "GET", path)
            seen.add(next_path)
            path = next_path
            body = self.get_object(next_path)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Log out and drop the pooled connections; later requests raise ClientClosed."""
        if self._closed:
            return
        self._closed = True
        try:
            self.session.logout()
        finally:
            self.transport.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def reset_after_fork(self) -> None:
        """In a forked child: new sockets, no session (the parent's token stays the parent's)."""
        self._version_lock = threading.Lock()
        if self._closed:
            return
        self.transport = Transport(self.settings, self.metrics)
        self.session = LoginSession(
            self.transport, self.settings, self.metrics, lambda: self.api_version
        )


def members_of(page: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """A collection page's ``members``: a list of objects (missing or null: none)."""
    members = page.get("members")
    if members is None:
        return []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise malformed(f"members is not a list of objects but {_kind(members)}", "GET", path)
    return members


def _kind(value: Any) -> str:
    if value is None:
        return "an empty body"
    if isinstance(value, list):
        return "a JSON array"
    return f"a JSON {type(value).__name__}"


_KEPT = frozenset({"location", "etag", "content-type"})
