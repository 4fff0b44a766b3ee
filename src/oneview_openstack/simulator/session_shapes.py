"""JSON shapes of the session answers: a /rest/logindomains member and a /rest/sessions body.

Builders return fresh containers on every call: the store mutates resources in place, so no
two resources may share a list or dict.
"""

from __future__ import annotations

from typing import Any

# The role OneView gives its built-in Administrator (chosen for every simulated login).
ADMINISTRATOR_ROLES = ("Infrastructure administrator",)
# What /rest/sessions shows for the session identifier: never the token itself (chosen).
MASKED_SESSION_ID = "*****"


def login_domain(name: str, description: str | None) -> dict[str, Any]:
    """A /rest/logindomains member, a LoginDomainConfigVersion2 (HP OneView 1.0 REST API
    Reference, logindomains: name, loginDomain, uri; directory settings authProtocol, useSsl, top,
    org, userNameField, directoryServers). Its URI does not follow the /rest/<category>/<id> rule.
    """
    local = name == "LOCAL"
    return {
        "uri": f"/rest/logindomains/{name}",
        "category": "logindomains",
        "name": name,
        "description": description,
        "state": None,
        "status": None,
        "loginDomain": name,
        "authProtocol": "LOCAL" if local else "AD",
        "useSsl": not local,
        "top": None if local else ",".join(f"dc={part}" for part in name.split(".")),
        "org": None if local else "cn=Users",
        "userNameField": None if local else "cn",
        "directoryServers": [],
    }


def session(
    *, user: str, domain: str, client_host: str, server_host: str, number: int
) -> dict[str, Any]:
    """``GET /rest/sessions``: the Session model of the 1.0 REST API Reference (sessions:
    loginDomain, username, clientHost, serverHost, userDefinedData, sessionID, loggingID, roles)."""
    return {
        "loginDomain": domain,
        "username": user,
        "clientHost": client_host,
        "serverHost": server_host,
        "userDefinedData": None,
        "sessionID": MASKED_SESSION_ID,
        "loggingID": f"session-{number}",
        "roles": list(ADMINISTRATOR_ROLES),
    }
