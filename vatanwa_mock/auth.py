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
        client_id, client_secret = _credentials(scope["headers"])
        tenant = twin_of(scope).authenticate(client_id, client_secret)
        scope[TENANT_KEY] = tenant
        if isinstance(tenant, str):
            context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
            context["tenant"] = tenant
    return {"sub": tenant} if isinstance(tenant, str) else None


def _credentials(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None]:
    """The first ``client-id`` and ``client-secret`` of the raw headers, as Starlette's
    ``Headers.get`` finds them, in one pass."""
    client_id = client_secret = None
    for name, value in headers:
        if name == b"client-id":
            if client_id is None:
                client_id = value.decode("latin-1")
        elif name == b"client-secret" and client_secret is None:
            client_secret = value.decode("latin-1")
    return client_id, client_secret
