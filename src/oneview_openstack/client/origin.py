"""The appliance's origin: the only place a request, and so the session token, may go.

OneView hands out URIs (task ``uri``, ``Location``, ``nextPageUri``, redirects). A relative one, or
an absolute one on ``manager_url``'s own scheme, host and port, is followed; anything else is
refused before a byte is sent, because requests would carry the ``Auth`` header there too. URLs are
parsed with urllib3's parser, the one that decides where the connection really goes.
"""

from __future__ import annotations

from urllib.parse import urljoin

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .errors import ForeignOriginError

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_SHOWN = 200  # characters of a refused URI quoted in an error


def origin_of(url: str) -> str | None:
    """``https://OV.example:443/x`` -> ``https://ov.example:443``; None if not an http(s) URL."""
    try:
        parts = parse_url(url)
    except LocationParseError:
        return None
    scheme = (parts.scheme or "").lower()
    if scheme not in DEFAULT_PORTS or not parts.host:
        return None
    return f"{scheme}://{parts.host.lower()}:{parts.port or DEFAULT_PORTS[scheme]}"


class Origin:
    """``manager_url``'s origin, and the check every outgoing URL passes."""

    def __init__(self, base_url: str) -> None:
        origin = origin_of(base_url)
        if origin is None:  # ClientSettings already refuses such a URL
            raise ValueError(f"{base_url!r} is not an http(s) URL")
        self.base_url = base_url
        self.origin = origin

    def url_for(self, uri: str, *, method: str) -> str:
        """The absolute URL for ``uri`` (relative, or absolute on our origin).

        :raises ForeignOriginError: ``uri`` leads anywhere else.
        """
        url = urljoin(self.base_url + "/", uri) if uri else self.base_url
        self.check(url, method=method, shown=uri)
        return url

    def path_of(self, uri: str, *, method: str = "GET") -> str:
        """``uri`` as a path on the appliance (``/rest/...?...``), whichever form it came in.

        :raises ForeignOriginError: ``uri`` is on another origin.
        """
        url = self.url_for(uri, method=method)
        parts = parse_url(url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query is not None else "")

    def check(self, url: str, *, method: str, shown: str | None = None) -> None:
        """Refuse ``url`` unless it is on the appliance's origin.

        :raises ForeignOriginError: naming the foreign origin (never a header or a token).
        """
        found = origin_of(url)
        if found == self.origin:
            return
        what = shown if shown is not None else url
        if len(what) > MAX_SHOWN:
            what = what[:MAX_SHOWN] + "..."
        raise ForeignOriginError(
            f"Refused to send {method} to {found or 'an unparsable URL'} (URI {what!r} handed out "
            f"by OneView): it is not the origin of manager_url ({self.origin}), and the session "
            "token goes to the appliance only.",
            origin=found or "",
            error_code="FOREIGN_ORIGIN",
            method=method,
            recommended_actions=[
                "Point [oneview]/manager_url at the address the appliance itself uses, or fix "
                "the proxy or load balancer in front of it that rewrites URIs or redirects."
            ],
        )
