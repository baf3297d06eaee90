"""Reading a tenant's data a page at a time.

The control API's lists and the inspector UI read through here: messages and delivery reports
in pages by id (a send of 10,000 recipients is never read whole), and every login of a tenant.
Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vatanwa_mock.store import outbox
from vatanwa_mock.store.db import (
    _REGISTRATION_COLUMNS,
    Store,
    _message,
    _message_query,
    _registration,
)
from vatanwa_mock.store.models import MessageFilter, Registration, StoredMessage

Order = Literal["oldest", "newest"]


@dataclass(frozen=True)
class Page:
    """One page of a list and where the next one starts (``None`` after the last)."""

    items: Sequence[Any]
    next_cursor: int | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _paging(
    sql: str, parameters: list[Any], column: str, order: Order, after: int | None, limit: int
) -> str:
    if after is not None:
        sql += f" AND {column} {'<' if order == 'newest' else '>'} ?"
        parameters.append(after)
    sql += f" ORDER BY {column} {'DESC' if order == 'newest' else 'ASC'} LIMIT ?"
    parameters.append(limit)
    return sql


def _page(found: Sequence[Any], limit: int) -> Page:
    """The page of the first ``limit`` of ``found``, read one past the page to learn whether
    another follows."""
    items = found[:limit]
    return Page(items, items[-1].id if len(found) > limit else None)


def messages(
    store: Store,
    tenant: str,
    filters: MessageFilter | None = None,
    *,
    text: str | None = None,
    order: Order = "oldest",
    after: int | None = None,
    limit: int = 50,
) -> list[StoredMessage]:
    """The tenant's messages matching ``filters`` (and containing ``text``), in ``order`` by
    id, those past the id ``after`` in that order, at most ``limit``."""
    sql, parameters = _message_query(tenant, filters)
    if text:
        sql += " AND (t.content LIKE ? ESCAPE '\\' OR a.filename LIKE ? ESCAPE '\\')"
        pattern = f"%{_escape_like(text)}%"
        parameters += [pattern, pattern]
    sql = _paging(sql, parameters, "m.id", order, after, limit)
    return [_message(row) for row in store._query(sql, parameters)]


def message_page(
    store: Store,
    tenant: str,
    filters: MessageFilter | None = None,
    *,
    text: str | None = None,
    order: Order = "oldest",
    cursor: int | None = None,
    limit: int = 50,
) -> Page:
    """One page of :func:`messages`; ``cursor`` is the id of the previous page's last one."""
    found = messages(store, tenant, filters, text=text, order=order, after=cursor, limit=limit + 1)
    return _page(found, limit)


def message_counts(store: Store, tenant: str) -> dict[str, int]:
    """How many of the tenant's messages are in each state."""
    rows = store._query(
        "SELECT status, COUNT(*) FROM messages WHERE tenant = ? GROUP BY status", (tenant,)
    )
    return {status: count for status, count in rows}


def deliveries(
    store: Store,
    tenant: str,
    *,
    status: outbox.OutboxStatus | None = None,
    report_id: str | None = None,
    message_ids: Sequence[int] | None = None,
    order: Order = "oldest",
    after: int | None = None,
    limit: int = 50,
) -> list[outbox.Delivery]:
    """The tenant's delivery reports matching the filters, in ``order`` by id, those past the
    id ``after`` in that order, at most ``limit``, each with its log."""
    sql, parameters = outbox._delivery_query(tenant, status, report_id)
    if message_ids is not None:
        if not message_ids:
            return []
        sql += f" AND d.message_id IN ({outbox._marks(message_ids)})"
        parameters += list(message_ids)
    sql = _paging(sql, parameters, "d.id", order, after, limit)
    return store.outbox._with_logs(store._query(sql, parameters))


def delivery_page(
    store: Store,
    tenant: str,
    *,
    status: outbox.OutboxStatus | None = None,
    message_ids: Sequence[int] | None = None,
    order: Order = "oldest",
    cursor: int | None = None,
    limit: int = 50,
) -> Page:
    """One page of :func:`deliveries`; ``cursor`` is the id of the previous page's last one."""
    found = deliveries(
        store,
        tenant,
        status=status,
        message_ids=message_ids,
        order=order,
        after=cursor,
        limit=limit + 1,
    )
    return _page(found, limit)


def registrations(store: Store, tenant: str) -> list[Registration]:
    """Every login of the tenant, newest first."""
    rows = store._query(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations "  # noqa: S608
        "WHERE tenant = ? ORDER BY created_at DESC, reg_id",
        (tenant,),
    )
    return [_registration(row) for row in rows]
