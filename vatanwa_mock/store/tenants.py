"""Tenants created at run time (``POST /_mock/tenants``) and their credentials.

The secret is kept as given: the delivery worker must send it in the ``client-secret`` header
of every report, as the provider does. It is a random token of the twin's own making, never a
real credential. Rows are never deleted; a reset forgets a tenant's state, not the tenant.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]
Query = Callable[[str, Sequence[Any]], list[Any]]


class TenantCredentials:
    """The ``tenant_credentials`` table, through the store's transaction and query."""

    def __init__(self, transaction: Transaction, query: Query) -> None:
        self._transaction = transaction
        self._query = query

    def add(self, client_id: str, client_secret: str, *, created_by: str, at: float) -> bool:
        """Store a new pair; False (and nothing stored) when ``client_id`` is taken."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO tenant_credentials (client_id, client_secret, created_by, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING",
                (client_id, client_secret, created_by, at),
            )
            return cursor.rowcount == 1

    def all(self) -> list[tuple[str, str]]:
        """Every stored ``(client_id, client_secret)``, oldest first."""
        rows = self._query(
            "SELECT client_id, client_secret FROM tenant_credentials ORDER BY created_at, rowid",
            (),
        )
        return [(row["client_id"], row["client_secret"]) for row in rows]
