"""The security check connexion calls for the ``clientId`` and ``clientSecret`` schemes.

The contract's two apiKey schemes are required together; each is checked with both headers,
so a request passes only when the pair matches one configured tenant. The tenant is the
client-id. The result is cached in the request's scope, as connexion calls this once per
scheme.
"""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest

from vatanwa_mock.runtime import TENANT_KEY, runtime_of

_UNSET = object()


def check_api_key(
    api_key: str, required_scopes: Any = None, *, request: ConnexionRequest
) -> dict[str, str] | None:
    """connexion's ``x-apikeyInfoFunc``: ``{"sub": tenant}``, or None for a 401."""
    scope = request.scope
    tenant = scope.get(TENANT_KEY, _UNSET)
    if tenant is _UNSET:
        headers = request.headers
        tenant = runtime_of(scope).authenticate(
            headers.get("client-id"), headers.get("client-secret")
        )
        scope[TENANT_KEY] = tenant
    return {"sub": tenant} if isinstance(tenant, str) else None


def tenant_of(scope: dict[str, Any]) -> str:
    """The tenant of an authenticated request."""
    tenant = scope.get(TENANT_KEY)
    if not isinstance(tenant, str):
        raise LookupError("the request is not authenticated")
    return tenant
