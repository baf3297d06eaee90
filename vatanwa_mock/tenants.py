"""Every tenant of one twin: those configured at start and those created at run time.

A tenant is its ``client-id``; its state (devices, messages, reports, chaos) is kept apart
from every other tenant's. Tenants configured with ``--client-id``/``--client-secret`` exist
from the start. Run-time tenants are made by ``POST /_mock/tenants``, which only a configured
tenant may call: whoever holds the twin's configured credentials can hand out fresh, isolated
pairs (one per test, say) without restarting it, and a handed-out pair cannot mint more.
Run-time tenants are kept in the store, so with ``--db`` they survive a restart; in memory they
last as long as the process.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Iterable

from vatanwa_mock.config import Credentials
from vatanwa_mock.store import Store

#: Prefix of the client-id of a tenant created at run time.
RUNTIME_ID_PREFIX = "vatanwa-tenant-"


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Tenants:
    """Authenticates requests and creates tenants; knows every tenant's credentials."""

    def __init__(self, configured: Iterable[Credentials], store: Store) -> None:
        self._configured = tuple(configured)
        self._store = store
        self._lock = threading.Lock()
        self._created = {client_id: secret for client_id, secret in store.tenants.all()}

    def authenticate(self, client_id: str | None, client_secret: str | None) -> str | None:
        """The tenant whose pair matches both headers, or None.

        Every configured pair is compared in constant time, whatever matched before; a
        run-time tenant's secret is compared in constant time too.
        """
        if client_id is None or client_secret is None:
            return None
        given_id, given_secret = _bytes(client_id), _bytes(client_secret)
        tenant = None
        for pair in self._configured:
            id_ok = hmac.compare_digest(given_id, _bytes(pair.client_id))
            secret_ok = hmac.compare_digest(given_secret, _bytes(pair.client_secret))
            if id_ok and secret_ok:
                tenant = pair.client_id
        created = self._created.get(client_id)
        if (
            tenant is None
            and created is not None
            and hmac.compare_digest(given_secret, _bytes(created))
        ):
            tenant = client_id
        return tenant

    def is_configured(self, tenant: str) -> bool:
        """Whether ``tenant`` was configured at start (and so may create tenants)."""
        return any(pair.client_id == tenant for pair in self._configured)

    def credentials(self, tenant: str) -> Credentials | None:
        """The pair of ``tenant``, to sign its delivery reports with."""
        for pair in self._configured:
            if pair.client_id == tenant:
                return pair
        secret = self._created.get(tenant)
        return Credentials(tenant, secret) if secret is not None else None

    def names(self) -> list[str]:
        """Every tenant: the configured ones first, then those created at run time."""
        return [pair.client_id for pair in self._configured] + list(self._created)

    def create(self, created_by: str) -> Credentials:
        """A new tenant with a random client-id and secret, stored before it is returned."""
        while True:
            client_id = RUNTIME_ID_PREFIX + secrets.token_hex(8)
            secret = secrets.token_urlsafe(32)
            if self.is_configured(client_id):
                continue
            with self._lock:
                if self._store.tenants.add(
                    client_id, secret, created_by=created_by, at=time.time()
                ):
                    self._created[client_id] = secret
                    return Credentials(client_id, secret)
