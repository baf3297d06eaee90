"""The outbox of delivery reports, and the log of every attempt to deliver them.

:func:`add_report` runs inside the transaction of :meth:`Store.finish_messages`, so a message
that reached ``sent`` or ``failed`` with a ``report_id`` has exactly one report, whatever
happens to the process afterwards. The report's body is not stored: it is built from its
message (whose text is stored once per send) each time the report is read, and a finished
message never changes, so every attempt posts the same bytes.

The delivery worker (:mod:`vatanwa_mock.delivery`) takes due reports with :meth:`Outbox.start`,
which claims them and logs the start of an attempt of each, a batch in one transaction. A claim
is a lease: a report claimed by a process that died becomes claimable again once its lease runs
out, and the attempt that process left unfinished is logged as ``interrupted``. Attempts are
completed when they end (:meth:`Outbox.finish`, again a batch in one transaction), which also
moves each report to ``delivered``, back to ``pending`` with the time of its next attempt, or
to ``dead``. Until then a report stays claimed: whatever happens to the process, it is posted
again unless its success was written.

Nothing here knows HTTP; the worker decides what an attempt's outcome is.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from vatanwa_mock.store.errors import Conflict, NotFound
from vatanwa_mock.store.models import ReportFacts, StoredMessage

#: Builds the body of a delivery report (see :mod:`vatanwa_mock.reports`).
ReportBody = Callable[[ReportFacts], str]

OutboxStatus = Literal["pending", "delivered", "dead"]
OUTBOX_STATUSES: tuple[OutboxStatus, ...] = ("pending", "delivered", "dead")
AttemptOutcome = Literal["delivered", "retry", "dead", "interrupted"]

#: What an attempt left unfinished by a process that stopped is logged with.
INTERRUPTED = "interrupted: the mock stopped before the attempt finished"

_DELIVERY_COLUMNS = (
    "d.id, d.tenant, d.message_id, d.report_id, d.status, d.created_at, d.due_at, "
    "d.attempts, d.window_started_at, d.finished_at, d.replays, "
    "m.recipient, m.status AS message_status, t.content"
)
_DELIVERY_FROM = (
    "FROM deliveries d JOIN messages m ON m.id = d.message_id "
    "JOIN message_texts t ON t.id = m.text_id"
)
_DELIVERY_SELECT = f"SELECT {_DELIVERY_COLUMNS} {_DELIVERY_FROM}"
_ATTEMPT_COLUMNS = (
    "delivery_id, number, url, started_at, finished_at, http_status, latency_ms, error, outcome"
)


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt to post a report; ``outcome`` is None while it runs."""

    number: int
    url: str
    started_at: float
    finished_at: float | None
    http_status: int | None
    latency_ms: float | None
    error: str | None
    outcome: AttemptOutcome | None


@dataclass(frozen=True)
class Delivery:
    """A delivery report in the outbox.

    ``body`` is the JSON text posted on every attempt. ``attempts`` counts the attempts since
    the report was written or last replayed, ``window_started_at`` is the first of them (the
    age limit counts from there); ``log`` holds every attempt ever made, replays included,
    when the report was read with its log.
    """

    id: int
    tenant: str
    message_id: int
    report_id: str
    body: str
    status: OutboxStatus
    created_at: float
    due_at: float
    attempts: int
    window_started_at: float | None
    finished_at: float | None
    replays: int
    log: tuple[DeliveryAttempt, ...] = ()


@dataclass(frozen=True)
class StartedAttempt:
    """What the worker needs to judge an attempt once it ends."""

    id: int
    number: int
    attempts: int
    window_started_at: float


@dataclass(frozen=True)
class ClaimedAttempt:
    """A report claimed with its attempt already logged as started (:meth:`Outbox.start`)."""

    delivery: Delivery
    claim: str
    attempt: StartedAttempt


@dataclass(frozen=True)
class FinishedAttempt:
    """How an attempt of ``delivery`` under ``claim`` ended, for :meth:`Outbox.finish`."""

    delivery: Delivery
    claim: str
    attempt: StartedAttempt
    at: float
    http_status: int | None
    latency_ms: float
    error: str | None
    outcome: AttemptOutcome
    next_at: float | None = None


def add_report(db: sqlite3.Connection, message: StoredMessage, at: float) -> None:
    """Write the report of ``message`` (finished at ``at``) in the caller's transaction."""
    db.execute(
        "INSERT INTO deliveries (tenant, message_id, report_id, status, created_at, due_at) "
        "VALUES (?, ?, ?, 'pending', ?, ?)",
        (message.tenant, message.id, message.report_id, at, at),
    )


def _delivery(
    row: sqlite3.Row, report_body: ReportBody, log: tuple[DeliveryAttempt, ...] = ()
) -> Delivery:
    facts = ReportFacts(
        report_id=row["report_id"],
        status=row["message_status"],
        recipient=row["recipient"],
        content=row["content"],
        at=row["created_at"],
    )
    return Delivery(
        id=row["id"],
        tenant=row["tenant"],
        message_id=row["message_id"],
        report_id=row["report_id"],
        body=report_body(facts),
        status=row["status"],
        created_at=row["created_at"],
        due_at=row["due_at"],
        attempts=row["attempts"],
        window_started_at=row["window_started_at"],
        finished_at=row["finished_at"],
        replays=row["replays"],
        log=log,
    )


def _attempt(row: sqlite3.Row) -> DeliveryAttempt:
    return DeliveryAttempt(
        number=row["number"],
        url=row["url"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        http_status=row["http_status"],
        latency_ms=row["latency_ms"],
        error=row["error"],
        outcome=row["outcome"],
    )


def _delivery_query(
    tenant: str, status: OutboxStatus | None, report_id: str | None
) -> tuple[str, list[Any]]:
    """The select of the tenant's reports with ``status`` and ``report_id`` (where given) and
    its parameters, open for further ``AND`` conditions, ordering and a limit."""
    sql = f"{_DELIVERY_SELECT} WHERE d.tenant = ?"
    parameters: list[Any] = [tenant]
    for column, value in (("d.status", status), ("d.report_id", report_id)):
        if value is not None:
            sql += f" AND {column} = ?"
            parameters.append(value)
    return sql, parameters


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" * len(values))


def _finish(db: sqlite3.Connection, done: FinishedAttempt) -> bool:
    """Within a transaction: complete an attempt and move its report on (see
    :meth:`Outbox.finish`); whether the claim still held."""
    db.execute(
        "UPDATE delivery_attempts SET finished_at = ?, http_status = ?, latency_ms = ?, "
        "error = ?, outcome = ? WHERE id = ?",
        (done.at, done.http_status, done.latency_ms, done.error, done.outcome, done.attempt.id),
    )
    if done.outcome == "retry":
        cursor = db.execute(
            "UPDATE deliveries SET due_at = ?, claim = NULL, claimed_until = NULL "
            "WHERE id = ? AND claim = ? AND status = 'pending'",
            (done.next_at, done.delivery.id, done.claim),
        )
    else:
        status: OutboxStatus = "delivered" if done.outcome == "delivered" else "dead"
        cursor = db.execute(
            "UPDATE deliveries SET status = ?, finished_at = ?, claim = NULL, "
            "claimed_until = NULL WHERE id = ? AND claim = ? AND status = 'pending'",
            (status, done.at, done.delivery.id, done.claim),
        )
    return cursor.rowcount == 1


class Outbox:
    """The outbox's queries, on the store's connection (see :attr:`Store.outbox`)."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[sqlite3.Connection]],
        query: Callable[[str, Sequence[Any]], list[Any]],
        report_body: ReportBody,
    ) -> None:
        self._transaction = transaction
        self._query = query
        self._report_body = report_body

    def start(
        self, urls: Mapping[str, str], *, now: float, limit: int, lease: float
    ) -> list[ClaimedAttempt]:
        """Claim up to ``limit`` due pending reports of the tenants in ``urls`` for ``lease``
        seconds and log the start of an attempt of each to its tenant's URL (as the log shows
        it), all in one transaction.

        A report is due when its time has come and nobody holds a live claim on it. A claim
        whose attempt never finished (its process died) lapses with its lease: the report is
        claimed again and the unfinished attempt is logged as interrupted.
        """
        if not urls or limit <= 0:
            return []
        tenant_list = sorted(urls)
        started: list[ClaimedAttempt] = []
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT {_DELIVERY_COLUMNS}, d.claim {_DELIVERY_FROM} "
                f"WHERE d.status = 'pending' AND d.due_at <= ? "
                f"AND (d.claimed_until IS NULL OR d.claimed_until <= ?) "
                f"AND d.tenant IN ({_marks(tenant_list)}) ORDER BY d.due_at, d.id LIMIT ?",
                (now, now, *tenant_list, limit),
            ).fetchall()
            for row in rows:
                delivery_id = row["id"]
                token = secrets.token_hex(8)
                if row["claim"] is not None:  # a lapsed claim may have left an attempt open
                    db.execute(
                        "UPDATE delivery_attempts SET outcome = 'interrupted', error = ?, "
                        "finished_at = ? WHERE delivery_id = ? AND outcome IS NULL",
                        (INTERRUPTED, now, delivery_id),
                    )
                attempts = int(row["attempts"]) + 1
                window = row["window_started_at"]
                window = float(window) if window is not None else now
                if row["claim"] is None and row["attempts"] == 0 and row["replays"] == 0:
                    number = 1  # never attempted: nothing logged yet
                else:
                    number = db.execute(
                        "SELECT COUNT(*) + 1 FROM delivery_attempts WHERE delivery_id = ?",
                        (delivery_id,),
                    ).fetchone()[0]
                cursor = db.execute(
                    "INSERT INTO delivery_attempts (delivery_id, number, claim, url, started_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (delivery_id, number, token, urls[row["tenant"]], now),
                )
                db.execute(
                    "UPDATE deliveries SET claim = ?, claimed_until = ?, attempts = ?, "
                    "window_started_at = ? WHERE id = ?",
                    (token, now + lease, attempts, window, delivery_id),
                )
                attempt = StartedAttempt(
                    id=int(cursor.lastrowid or 0),
                    number=int(number),
                    attempts=attempts,
                    window_started_at=window,
                )
                started.append(ClaimedAttempt(_delivery(row, self._report_body), token, attempt))
        return started

    def next_due(self, tenants: Collection[str]) -> float | None:
        """When the next pending report of ``tenants`` can be claimed (None: there is none).

        Asked after every pass of the worker that left a lane free, so it reads two indexes
        rather than every pending report (a receiver that is down may leave many): the
        unclaimed report due first, and the claims, which are few (the ones in flight and
        those a stopped process left to lapse).
        """
        if not tenants:
            return None
        tenant_list = sorted(tenants)
        marks = _marks(tenant_list)
        unclaimed = self._query(
            "SELECT due_at FROM deliveries "  # noqa: S608
            f"WHERE status = 'pending' AND claimed_until IS NULL AND tenant IN ({marks}) "
            "ORDER BY due_at LIMIT 1",
            tenant_list,
        )
        claimed = self._query(  # left to itself, SQLite reads the tenant's every report
            "SELECT MIN(MAX(due_at, claimed_until)) FROM deliveries "  # noqa: S608
            "INDEXED BY deliveries_claimed WHERE claimed_until IS NOT NULL "
            f"AND status = 'pending' AND tenant IN ({marks})",
            tenant_list,
        )
        found = [
            float(rows[0][0]) for rows in (unclaimed, claimed) if rows and rows[0][0] is not None
        ]
        return min(found, default=None)

    def finish(self, finished: Sequence[FinishedAttempt]) -> list[bool]:
        """Complete each attempt of ``finished`` and move its report on, in one transaction;
        for each, whether its claim still held (False: it was lost meanwhile).

        ``outcome`` ``delivered`` and ``dead`` finish the report; ``retry`` makes it due again
        at ``next_at``. An attempt is logged even when its claim was lost (the report is then
        left to whoever holds it now).
        """
        if any(done.outcome == "retry" and done.next_at is None for done in finished):
            raise ValueError("a retry needs the time of the next attempt")
        kept: list[bool] = []
        with self._transaction() as db:
            for done in finished:
                kept.append(_finish(db, done))
        return kept

    def release(self, claims: Collection[tuple[int, str]], *, at: float) -> None:
        """Give claims back at once (the worker is stopping), logging their running attempts as
        interrupted; the reports are due again as they were."""
        with self._transaction() as db:
            for delivery_id, claim in claims:
                db.execute(
                    "UPDATE delivery_attempts SET outcome = 'interrupted', error = ?, "
                    "finished_at = ? WHERE delivery_id = ? AND claim = ? AND outcome IS NULL",
                    (INTERRUPTED, at, delivery_id, claim),
                )
                db.execute(
                    "UPDATE deliveries SET claim = NULL, claimed_until = NULL "
                    "WHERE id = ? AND claim = ?",
                    (delivery_id, claim),
                )

    def deliveries(
        self,
        tenant: str,
        *,
        status: OutboxStatus | None = None,
        report_id: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """The tenant's reports matching the filters, oldest first, each with its log: those
        with an id above ``after``, at most ``limit`` of them."""
        sql, parameters = _delivery_query(tenant, status, report_id)
        if after is not None:
            sql += " AND d.id > ?"
            parameters.append(after)
        sql += " ORDER BY d.id"
        if limit is not None:
            sql += " LIMIT ?"
            parameters.append(limit)
        return self._with_logs(self._query(sql, parameters))

    def delivery(self, tenant: str, delivery_id: int) -> Delivery | None:
        """The tenant's report ``delivery_id`` with its log, if it has one."""
        rows = self._query(
            f"{_DELIVERY_SELECT} WHERE d.tenant = ? AND d.id = ?",
            (tenant, delivery_id),
        )
        found = self._with_logs(rows)
        return found[0] if found else None

    def _with_logs(self, rows: Sequence[sqlite3.Row]) -> list[Delivery]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        logs: dict[int, list[DeliveryAttempt]] = {}
        # SQLite allows 32766 parameters; a tenant's list stays well below in chunks.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for attempt_row in self._query(
                f"SELECT {_ATTEMPT_COLUMNS} FROM delivery_attempts "  # noqa: S608
                f"WHERE delivery_id IN ({_marks(chunk)}) ORDER BY delivery_id, number",
                chunk,
            ):
                logs.setdefault(attempt_row["delivery_id"], []).append(_attempt(attempt_row))
        return [_delivery(row, self._report_body, tuple(logs.get(row["id"], ()))) for row in rows]

    def replay(self, tenant: str, delivery_id: int, *, now: float) -> Delivery:
        """Make a delivered or dead report pending again, due ``now``; its log is kept.

        Raises :class:`NotFound` for an unknown report and :class:`Conflict` for one that is
        still pending.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT status FROM deliveries WHERE tenant = ? AND id = ?",
                (tenant, delivery_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"no delivery report {delivery_id}")
            if row["status"] == "pending":
                raise Conflict("the report is still pending")
            db.execute(
                "UPDATE deliveries SET status = 'pending', due_at = ?, attempts = 0, "
                "window_started_at = NULL, finished_at = NULL, claim = NULL, "
                "claimed_until = NULL, replays = replays + 1 WHERE id = ?",
                (now, delivery_id),
            )
        found = self.delivery(tenant, delivery_id)
        if found is None:  # removed by a reset in between
            raise NotFound(f"no delivery report {delivery_id}")
        return found
