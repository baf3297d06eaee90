"""The SQLite store: the only code that touches the database.

One connection serves the whole process (the mock runs one event loop); a lock guards it so
that a thread (a test, a future worker) can use it too. Every query that reads or changes a
tenant's data is scoped by the tenant. The store knows nothing of HTTP: it writes delivery
reports into an outbox (:mod:`vatanwa_mock.store.outbox`) and leaves delivering them to others.

Registrations are read on every request (each send checks its device), so the store keeps the
rows it has read in memory and refreshes them in the same locked step as every write to them.
Only the rows are kept: a login's state is derived from their timestamps at read time, so a
pairing delay or an expiry is seen on time. The ids of short texts sent lately are kept too, so
that a text sent again is not stored again. A file another connection has written to (another
process on the same ``--db``) is noticed by SQLite's ``data_version``, and all of it is read
again.
"""

from __future__ import annotations

import dataclasses
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vatanwa_mock.store import outbox, tenants
from vatanwa_mock.store.errors import Conflict, NotFound
from vatanwa_mock.store.migrations import migrate
from vatanwa_mock.store.models import (
    Attachment,
    DeviceInfo,
    MessageFilter,
    MessageStatus,
    Registration,
    StoredMessage,
)
from vatanwa_mock.store.outbox import ReportBody

_REGISTRATION_COLUMNS = (
    "reg_id, tenant, method, phone, code, qr, created_at, expires_at, paired_at, "
    "logged_out_at, device_number, platform, user_name, j_id, picture_token"
)
#: At most this many registrations of one tenant are kept in memory (a test that logs in
#: thousands of devices does not grow the process for ever); more start the cache afresh.
_CACHED_PER_TENANT = 10_000
#: Texts (of at most so many characters) a send may share with earlier ones of its tenant.
_REMEMBERED_TEXTS = 1024
_REMEMBERED_TEXT_LENGTH = 2048
_REMEMBERED_PER_SEND = 16
_ATTACHMENT_COLUMNS = "id, tenant, token, filename, content_type, size, created_at"
_MESSAGE_SELECT = (
    "SELECT m.id, m.tenant, m.reg_id, m.recipient, t.content, m.report_id, m.send_speed, "
    "m.status, m.error, m.created_at, m.due_at, m.finished_at, "
    "a.id AS attachment_id, a.token AS attachment_token, a.filename AS attachment_filename, "
    "a.content_type AS attachment_content_type, a.size AS attachment_size, "
    "a.created_at AS attachment_created_at "
    "FROM messages m JOIN message_texts t ON t.id = m.text_id "
    "LEFT JOIN attachments a ON a.id = m.attachment_id"
)


def new_reg_id() -> str:
    """A fresh registration id: 10 digits, no leading zero, like the provider's."""
    return str(secrets.randbelow(9_000_000_000) + 1_000_000_000)


def _registration(row: sqlite3.Row) -> Registration:
    return Registration(
        reg_id=row["reg_id"],
        tenant=row["tenant"],
        method=row["method"],
        phone=row["phone"],
        code=row["code"],
        qr=row["qr"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        paired_at=row["paired_at"],
        logged_out_at=row["logged_out_at"],
        device=DeviceInfo(
            device_number=row["device_number"],
            platform=row["platform"],
            user_name=row["user_name"],
            j_id=row["j_id"],
        ),
        picture_token=row["picture_token"],
    )


_TEXT_INSERT = "INSERT INTO message_texts (tenant, content) VALUES (?, ?)"
_MESSAGE_INSERT = (
    "INSERT INTO messages (tenant, reg_id, recipient, text_id, report_id, send_speed, "
    "attachment_id, status, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)"
)


def _insert(db: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Within a transaction: insert ``rows`` into a table with AUTOINCREMENT ids; their ids."""
    if len(rows) <= 1:
        return [int(db.execute(sql, row).lastrowid or 0) for row in rows]
    db.executemany(sql, rows)
    # The ids of one transaction's rows are consecutive: AUTOINCREMENT gives each the largest
    # id so far plus one, and the transaction holds the database's write lock.
    (last,) = db.execute("SELECT last_insert_rowid()").fetchone()
    return list(range(last - len(rows) + 1, last + 1))


class _Transaction:
    """``with``: the store's lock held, ``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` when
    the block raises. A class rather than a generator: every request opens one."""

    __slots__ = ("_connection", "_lock")

    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self._connection = connection
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._connection

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self._connection.execute("COMMIT")
        finally:
            try:
                if self._connection.in_transaction:  # the block raised, or COMMIT failed
                    self._connection.execute("ROLLBACK")
            finally:
                self._lock.release()


def _require_state(
    db: sqlite3.Connection, tenant: str, reg_id: str, at: float, expected: str, subject: str
) -> None:
    """Within a transaction: :class:`NotFound` if ``reg_id`` is unknown to ``tenant``,
    :class:`Conflict` unless its state at ``at`` is ``expected``."""
    rows = db.execute(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations "  # noqa: S608
        "WHERE tenant = ? AND reg_id = ?",
        (tenant, reg_id),
    ).fetchall()
    if not rows:
        raise NotFound(f"no registration {reg_id}")
    state = _registration(rows[0]).state(at)
    if state != expected:
        raise Conflict(f"{subject} is {state.replace('_', ' ')}, not {expected}")


def _attachment(row: sqlite3.Row, prefix: str = "") -> Attachment | None:
    if row[f"{prefix}id"] is None:
        return None
    return Attachment(
        id=row[f"{prefix}id"],
        tenant=row["tenant"],
        token=row[f"{prefix}token"],
        filename=row[f"{prefix}filename"],
        content_type=row[f"{prefix}content_type"],
        size=row[f"{prefix}size"],
        created_at=row[f"{prefix}created_at"],
    )


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        id=row["id"],
        tenant=row["tenant"],
        reg_id=row["reg_id"],
        recipient=row["recipient"],
        content=row["content"],
        report_id=row["report_id"],
        send_speed=row["send_speed"],
        status=row["status"],
        error=row["error"],
        created_at=row["created_at"],
        due_at=row["due_at"],
        finished_at=row["finished_at"],
        attachment=_attachment(row, "attachment_"),
    )


def _message_query(tenant: str, filters: MessageFilter | None) -> tuple[str, list[Any]]:
    """The select of the tenant's messages matching ``filters`` and its parameters, open for
    further ``AND`` conditions, ordering and a limit."""
    filters = filters or MessageFilter()
    sql = _MESSAGE_SELECT + " WHERE m.tenant = ?"
    parameters: list[Any] = [tenant]
    for column, value in (
        ("m.recipient", filters.to),
        ("m.reg_id", filters.reg_id),
        ("m.report_id", filters.report_id),
        ("m.status", filters.status),
    ):
        if value is not None:
            sql += f" AND {column} = ?"
            parameters.append(value)
    return sql, parameters


class Store:
    """The mock's state in SQLite: a file with ``path``, in memory without.

    ``report_body`` builds the delivery report of a finished message (default: from the
    contract the mock serves).
    """

    def __init__(self, path: Path | None = None, report_body: ReportBody | None = None) -> None:
        target = str(path) if path is not None else ":memory:"
        self._connection = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        if report_body is None:
            from vatanwa_mock.reports import contract_report_body

            report_body = contract_report_body()
        self._lock = threading.RLock()
        self._transactions = _Transaction(self._connection, self._lock)
        # Registrations read so far, by tenant and reg_id, and per tenant the devices that are
        # paired (or pair by themselves) and not logged out: see the module's docstring.
        self._registrations: dict[str, dict[str, Registration]] = {}
        self._paired: dict[str, list[Registration]] = {}
        # Texts stored lately, by tenant and content: a bulk script sending one text in many
        # requests stores it once. Only short texts, and a bounded number of them.
        self._texts: dict[tuple[str, str], int] = {}
        self._shared_file = path is not None
        self._data_version = -1
        with self._lock:
            if path is not None:
                self._connection.execute("PRAGMA journal_mode = WAL")
                self._connection.execute("PRAGMA synchronous = NORMAL")
            self._connection.execute("PRAGMA foreign_keys = ON")
            self.schema_version = migrate(self._connection)
        #: The delivery reports' outbox (:mod:`vatanwa_mock.store.outbox`).
        self.outbox = outbox.Outbox(self._transaction, self._query, report_body)
        #: Tenants created at run time (:mod:`vatanwa_mock.store.tenants`).
        self.tenants = tenants.TenantCredentials(self._transaction, self._query)

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        with self._lock:
            self._connection.close()

    def _transaction(self) -> _Transaction:
        return self._transactions

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def _check_cache(self) -> None:
        """Drop what is kept in memory if another connection changed the file (the lock is
        held)."""
        if self._shared_file:
            (version,) = self._connection.execute("PRAGMA data_version").fetchone()
            if version != self._data_version:
                self._data_version = version
                self._registrations.clear()
                self._paired.clear()
                self._texts.clear()

    def _forget(self, tenant: str, reg_id: str | None = None) -> None:
        """Drop the kept registration ``reg_id`` (with None: every one of ``tenant``, and its
        texts, which a reset deletes) and the tenant's paired devices (the lock is held)."""
        if reg_id is None:
            self._registrations.pop(tenant, None)
            for key in [key for key in self._texts if key[0] == tenant]:
                del self._texts[key]
        else:
            self._registrations.get(tenant, {}).pop(reg_id, None)
        self._paired.pop(tenant, None)

    # Tenants' settings

    def set_callback_url(self, tenant: str, url: str | None) -> None:
        """Set (or, with None, clear) the tenant's delivery-report URL."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO tenants (tenant, callback_url) VALUES (?, ?) "
                "ON CONFLICT (tenant) DO UPDATE SET callback_url = excluded.callback_url",
                (tenant, url),
            )

    def callback_url(self, tenant: str) -> str | None:
        """The tenant's delivery-report URL, if one was set."""
        rows = self._query("SELECT callback_url FROM tenants WHERE tenant = ?", (tenant,))
        return rows[0]["callback_url"] if rows else None

    def callback_urls(self) -> dict[str, str]:
        """Every delivery-report URL set per tenant, in one read (the worker's every pass)."""
        rows = self._query(
            "SELECT tenant, callback_url FROM tenants WHERE callback_url IS NOT NULL"
        )
        return {row["tenant"]: row["callback_url"] for row in rows}

    # Registrations

    def create_registration(
        self,
        tenant: str,
        *,
        method: str,
        phone: str | None,
        code: str | None,
        qr: str | None,
        created_at: float,
        expires_at: float,
        pairs_at: float | None,
        device: DeviceInfo,
    ) -> Registration:
        """Store a pending login with a fresh ``reg_id``.

        ``pairs_at`` is when it pairs by itself (None: only through :meth:`pair`); a time at
        or after ``expires_at`` is dropped, as the login expires first.
        """
        if pairs_at is not None and pairs_at >= expires_at:
            pairs_at = None
        with self._transaction() as db:
            while True:
                reg_id = new_reg_id()
                if not db.execute(
                    "SELECT 1 FROM registrations WHERE reg_id = ?", (reg_id,)
                ).fetchone():
                    break
            db.execute(
                f"INSERT INTO registrations ({_REGISTRATION_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
                (
                    reg_id,
                    tenant,
                    method,
                    phone,
                    code,
                    qr,
                    created_at,
                    expires_at,
                    pairs_at,
                    device.device_number,
                    device.platform,
                    device.user_name,
                    device.j_id,
                    secrets.token_urlsafe(16),
                ),
            )
            self._forget(tenant, reg_id)
        return self._existing(tenant, reg_id)

    def registration(self, tenant: str, reg_id: str) -> Registration | None:
        """The tenant's registration ``reg_id``, if it has one."""
        with self._lock:
            self._check_cache()
            cached = self._registrations.get(tenant)
            if cached is not None and reg_id in cached:
                return cached[reg_id]
            rows = self._connection.execute(
                f"SELECT {_REGISTRATION_COLUMNS} FROM registrations "  # noqa: S608
                "WHERE tenant = ? AND reg_id = ?",
                (tenant, reg_id),
            ).fetchall()
            if not rows:
                return None
            found = _registration(rows[0])
            if cached is None:
                cached = self._registrations[tenant] = {}
            elif len(cached) >= _CACHED_PER_TENANT:
                cached.clear()
            cached[reg_id] = found
            return found

    def _existing(self, tenant: str, reg_id: str) -> Registration:
        found = self.registration(tenant, reg_id)
        if found is None:
            raise NotFound(f"no registration {reg_id}")
        return found

    def registration_by_picture(self, token: str) -> Registration | None:
        """The registration whose profile picture has this (unguessable) token."""
        rows = self._query(
            f"SELECT {_REGISTRATION_COLUMNS} FROM registrations "  # noqa: S608
            "WHERE picture_token = ?",
            (token,),
        )
        return _registration(rows[0]) if rows else None

    def pair(
        self, tenant: str, reg_id: str, *, at: float, device: DeviceInfo | None = None
    ) -> Registration:
        """Pair a pending login now ("the phone scanned the code"), optionally as ``device``.

        Raises :class:`NotFound` for an unknown ``reg_id`` and :class:`Conflict` when the login
        is not pending (already paired, expired or logged out).
        """
        with self._transaction() as db:
            _require_state(db, tenant, reg_id, at, "pending", "the login")
            db.execute(
                "UPDATE registrations SET paired_at = ? WHERE tenant = ? AND reg_id = ?",
                (at, tenant, reg_id),
            )
            if device is not None:
                db.execute(
                    "UPDATE registrations SET device_number = ?, platform = ?, user_name = ?, "
                    "j_id = ? WHERE tenant = ? AND reg_id = ?",
                    (
                        device.device_number,
                        device.platform,
                        device.user_name,
                        device.j_id,
                        tenant,
                        reg_id,
                    ),
                )
            self._forget(tenant, reg_id)
        return self._existing(tenant, reg_id)

    def expire(self, tenant: str, reg_id: str, *, at: float) -> Registration:
        """End a pending login's window at ``at``: it will not pair. :class:`NotFound` if
        unknown, :class:`Conflict` if not pending."""
        with self._transaction() as db:
            _require_state(db, tenant, reg_id, at, "pending", "the login")
            db.execute(
                "UPDATE registrations SET expires_at = ?, paired_at = NULL "
                "WHERE tenant = ? AND reg_id = ?",
                (at, tenant, reg_id),
            )
            self._forget(tenant, reg_id)
        return self._existing(tenant, reg_id)

    def logout(self, tenant: str, reg_id: str, *, at: float) -> Registration:
        """Log a connected device out. :class:`NotFound` if unknown, :class:`Conflict` if not
        connected."""
        with self._transaction() as db:
            _require_state(db, tenant, reg_id, at, "connected", "the device")
            db.execute(
                "UPDATE registrations SET logged_out_at = ? WHERE tenant = ? AND reg_id = ?",
                (at, tenant, reg_id),
            )
            self._forget(tenant, reg_id)
        return self._existing(tenant, reg_id)

    def connected(self, tenant: str, *, now: float) -> list[Registration]:
        """The tenant's connected devices at ``now``, oldest pairing first."""
        with self._lock:
            self._check_cache()
            paired = self._paired.get(tenant)
            if paired is None:
                # Those that pair later by themselves too: the time decides at each read.
                rows = self._connection.execute(
                    f"SELECT {_REGISTRATION_COLUMNS} FROM registrations "  # noqa: S608
                    "WHERE tenant = ? AND logged_out_at IS NULL AND paired_at IS NOT NULL "
                    "ORDER BY paired_at, reg_id",
                    (tenant,),
                ).fetchall()
                paired = self._paired[tenant] = [_registration(row) for row in rows]
        return [r for r in paired if r.paired_at is not None and r.paired_at <= now]

    # Attachments

    def add_attachment(
        self, tenant: str, *, filename: str, content_type: str, data: bytes, created_at: float
    ) -> Attachment:
        """Store an attachment's bytes; its token makes its URL unguessable."""
        token = secrets.token_urlsafe(16)
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO attachments (tenant, token, filename, content_type, size, data, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (tenant, token, filename, content_type, len(data), data, created_at),
            )
            attachment_id = int(cursor.lastrowid or 0)
        return Attachment(
            id=attachment_id,
            tenant=tenant,
            token=token,
            filename=filename,
            content_type=content_type,
            size=len(data),
            created_at=created_at,
        )

    def attachment_content(self, token: str) -> tuple[Attachment, bytes] | None:
        """An attachment and its bytes, by token."""
        rows = self._query(
            f"SELECT {_ATTACHMENT_COLUMNS}, data FROM attachments WHERE token = ?",  # noqa: S608
            (token,),
        )
        if not rows:
            return None
        attachment = _attachment(rows[0])
        return (attachment, bytes(rows[0]["data"])) if attachment is not None else None

    # Messages

    def enqueue(
        self,
        tenant: str,
        reg_id: str,
        *,
        items: Sequence[tuple[str, str]],
        send_speed: int,
        report_id: str | None,
        attachment_id: int | None,
        now: float,
        interval: float,
        texts: dict[str, int] | None = None,
    ) -> list[int]:
        """Queue one message per ``(recipient, text)`` item, in one transaction; their ids.

        Each distinct text is stored once: ``texts`` (text -> id) holds those stored already by
        earlier slices of the same send, and the new ones are added to it; a short text the
        tenant sent lately is not stored again either. A device sends one message after
        another: each is due ``interval`` seconds after the device's last queued message (or
        after ``now``).
        """
        if not items:
            return []
        known = texts if texts is not None else {}
        with self._lock:
            with self._transaction() as db:
                self._check_cache()  # within the write lock: no system call to find out
                fresh: dict[str, None] = {}
                for _, content in items:
                    if content not in known:
                        stored = self._texts.get((tenant, content))
                        if stored is not None:
                            known[content] = stored
                        else:
                            fresh[content] = None
                new = list(fresh)
                ids = _insert(db, _TEXT_INSERT, [(tenant, content) for content in new])
                last = db.execute(
                    "SELECT MAX(due_at) FROM messages "
                    "WHERE reg_id = ? AND status = 'queued' AND tenant = ?",
                    (reg_id, tenant),
                ).fetchone()[0]
                known.update(zip(new, ids, strict=True))
                due = max(now, last or now)
                rows = []
                for recipient, content in items:
                    due += interval
                    rows.append(
                        (
                            tenant,
                            reg_id,
                            recipient,
                            known[content],
                            report_id,
                            send_speed,
                            attachment_id,
                            now,
                            due,
                        )
                    )
                queued = _insert(db, _MESSAGE_INSERT, rows)
            # Committed: later sends may share the texts (only the first few of a send of many
            # texts, each its own, which would push the others out for nothing).
            for content, text_id in zip(new[:_REMEMBERED_PER_SEND], ids, strict=False):
                if len(content) <= _REMEMBERED_TEXT_LENGTH:
                    if len(self._texts) >= _REMEMBERED_TEXTS:
                        self._texts.clear()
                    self._texts[tenant, content] = text_id
            return queued

    def next_queued(self) -> StoredMessage | None:
        """The queued message (of any tenant) that is due first."""
        rows = self._query(
            _MESSAGE_SELECT + " WHERE m.status = 'queued' ORDER BY m.due_at, m.id LIMIT 1"
        )
        return _message(rows[0]) if rows else None

    def finish_message(
        self, message_id: int, *, status: MessageStatus, error: str | None, at: float
    ) -> StoredMessage | None:
        """:meth:`finish_messages` for the one message ``message_id``: the finished message,
        or None when it was no longer queued (finished before, or removed by a reset)."""
        with self._lock:
            rows = self._connection.execute(
                _MESSAGE_SELECT + " WHERE m.id = ?", (message_id,)
            ).fetchall()
            if not rows:
                return None
            done = self.finish_messages([(_message(rows[0]), status, error)], at=at)
        return done[0] if done else None

    def due_messages(self, now: float, limit: int) -> list[StoredMessage]:
        """Up to ``limit`` queued messages (of any tenant) due at ``now``, first due first."""
        rows = self._query(
            _MESSAGE_SELECT + " WHERE m.status = 'queued' AND m.due_at <= ? "
            "ORDER BY m.due_at, m.id LIMIT ?",
            (now, limit),
        )
        return [_message(row) for row in rows]

    def finish_messages(
        self,
        finished: Sequence[tuple[StoredMessage, MessageStatus, str | None]],
        *,
        at: float,
    ) -> list[StoredMessage]:
        """Move each queued ``(message, status, error)`` to ``sent`` or ``failed``, in one
        transaction: the ONLY place that finishes messages.

        Whatever must happen exactly once when a message is finished (a delivery report in
        an outbox) belongs in this transaction. Returns the messages that were still queued,
        finished; one finished before, or removed by a reset, is left out.
        """
        for _, status, _ in finished:
            if status not in ("sent", "failed"):
                raise ValueError(f"a message finishes as sent or failed, not {status!r}")
        done: list[StoredMessage] = []
        with self._transaction() as db:
            for message, status, error in finished:
                cursor = db.execute(
                    "UPDATE messages SET status = ?, error = ?, finished_at = ? "
                    "WHERE id = ? AND status = 'queued'",
                    (status, error, at, message.id),
                )
                if cursor.rowcount != 1:
                    continue
                if message.report_id is not None:
                    outbox.add_report(db, message, at)
                done.append(
                    dataclasses.replace(message, status=status, error=error, finished_at=at)
                )
        return done

    def messages(
        self,
        tenant: str,
        filters: MessageFilter | None = None,
        *,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[StoredMessage]:
        """The tenant's messages matching ``filters``, oldest first: those with an id above
        ``after``, at most ``limit`` of them."""
        sql, parameters = _message_query(tenant, filters)
        if after is not None:
            sql += " AND m.id > ?"
            parameters.append(after)
        sql += " ORDER BY m.id"
        if limit is not None:
            sql += " LIMIT ?"
            parameters.append(limit)
        return [_message(row) for row in self._query(sql, parameters)]

    def reset(self, tenant: str) -> None:
        """Forget everything of ``tenant``: devices, messages, attachments, settings."""
        with self._transaction() as db:
            db.execute("DELETE FROM messages WHERE tenant = ?", (tenant,))
            db.execute("DELETE FROM message_texts WHERE tenant = ?", (tenant,))
            db.execute("DELETE FROM attachments WHERE tenant = ?", (tenant,))
            db.execute("DELETE FROM registrations WHERE tenant = ?", (tenant,))
            db.execute("DELETE FROM tenants WHERE tenant = ?", (tenant,))
            self._forget(tenant)
