"""The security check connexion calls for the ``clientId`` and ``clientSecret`` schemes.

The contract's two apiKey schemes are required together; each is checked with both headers,
so a request passes only when the pair matches one configured tenant. The tenant is the
client-id; it goes into connexion's operation context, from which connexion hands it to the
handlers as their ``tenant`` argument. The result is cached in the request's scope, as
connexion calls this once per scheme.
"""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest

from vatanwa_mock.twin import twin_of

#: Where the tenant of an authenticated request is cached in its scope.
TENANT_KEY = "vatanwa.tenant"
_UNSET = object()


def check_api_key(
    api_key: str, required_scopes: Any = None, *, request: ConnexionRequest
) -> dict[str, str] | None:
    """connexion's ``x-apikeyInfoFunc``: ``{"sub": tenant}``, or None for a 401."""
    scope = request.scope
    tenant = scope.get(TENANT_KEY, _UNSET)
    if tenant is _UNSET:
        headers = request.headers
        tenant = twin_of(scope).authenticate(headers.get("client-id"), headers.get("client-secret"))
        scope[TENANT_KEY] = tenant
        if isinstance(tenant, str):
            request.context["tenant"] = tenant
    return {"sub": tenant} if isinstance(tenant, str) else None
