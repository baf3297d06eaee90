"""The outbox in the store: one report per finished message with a report_id, written with
it; leases; the attempt log; replay; reset."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from tests.delivery.support import FAILING, GOOD, report_validator
from vatanwa import parse_delivery_report
from vatanwa_mock.store import AttemptOutcome, ClaimedAttempt, DeviceInfo, FinishedAttempt, Store

TENANT = "tenant-a"
URL = "http://127.0.0.1:9/"


def queued(store: Store, numbers: list[str], report_id: str | None) -> list[int]:
    now = time.time()
    registration = store.create_registration(
        TENANT,
        method="qr",
        phone=None,
        code=None,
        qr="2@x",
        created_at=now,
        expires_at=now + 30,
        pairs_at=now,
        device=DeviceInfo(GOOD, "android", "test", f"{GOOD}@s.whatsapp.net"),
    )
    return store.enqueue(
        TENANT,
        registration.reg_id,
        items=[(n, "text") for n in numbers],
        send_speed=1,
        report_id=report_id,
        attachment_id=None,
        now=now,
        interval=0.0,
    )


def test_finishing_a_message_writes_its_report_once() -> None:
    store = Store()
    sent, failed = queued(store, [GOOD, FAILING[0]], report_id="12")
    (silent,) = queued(store, [GOOD], report_id=None)
    at = time.time()
    store.finish_message(sent, status="sent", error=None, at=at)
    store.finish_message(failed, status="failed", error="test number", at=at)
    store.finish_message(silent, status="sent", error=None, at=at)
    assert store.finish_message(sent, status="sent", error=None, at=at) is None

    reports = store.outbox.deliveries(TENANT)
    assert [(d.message_id, d.status, d.attempts) for d in reports] == [
        (sent, "pending", 0),
        (failed, "pending", 0),
    ]
    for delivery, status, phone in zip(reports, ("1", "2"), (GOOD, FAILING[0]), strict=True):
        report_validator().validate(json.loads(delivery.body))
        parsed = parse_delivery_report(delivery.body)
        assert (parsed.report_id, parsed.status.value, parsed.phone) == ("12", status, phone)
        assert abs(parsed.sent_at.timestamp() - at) < 1
        assert parsed.sent_at.utcoffset() is not None
        assert parsed.report.send_time.endswith(" +0300 +03")


def finished(
    claimed: ClaimedAttempt, at: float, outcome: AttemptOutcome, http_status: int | None = 200
) -> FinishedAttempt:
    return FinishedAttempt(
        delivery=claimed.delivery,
        claim=claimed.claim,
        attempt=claimed.attempt,
        at=at,
        http_status=http_status,
        latency_ms=1.0,
        error=None if outcome == "delivered" else "ConnectError: refused",
        outcome=outcome,
    )


def test_a_claim_is_a_lease_and_a_lapsed_one_logs_its_attempt_as_interrupted() -> None:
    store = Store()
    (message,) = queued(store, [GOOD], report_id="1")
    now = time.time()
    store.finish_message(message, status="sent", error=None, at=now)
    outbox = store.outbox
    assert outbox.start({"someone-else": URL}, now=now, limit=5, lease=10) == []
    (first,) = outbox.start({TENANT: URL}, now=now, limit=5, lease=10)
    assert (first.attempt.number, first.attempt.attempts) == (1, 1)
    assert outbox.start({TENANT: URL}, now=now + 9, limit=5, lease=10) == []
    assert outbox.next_due({TENANT}) == pytest.approx(now + 10)

    (second,) = outbox.start({TENANT: URL}, now=now + 10, limit=5, lease=10)
    assert second.delivery.id == first.delivery.id
    assert (second.attempt.number, second.attempt.attempts) == (2, 2)
    assert second.attempt.window_started_at == now
    interrupted, running = outbox.deliveries(TENANT)[0].log
    assert (interrupted.outcome, running.outcome, running.url) == ("interrupted", None, URL)
    # The first holder's answer comes too late to move the report: it is logged, that's all.
    assert outbox.finish([finished(first, now + 11, "delivered")]) == [False]
    assert outbox.deliveries(TENANT)[0].status == "pending"
    assert outbox.finish([finished(second, now + 12, "delivered", 204)]) == [True]
    final = outbox.deliveries(TENANT, status="delivered")[0]
    assert [a.number for a in final.log] == [1, 2]
    assert final.finished_at == now + 12


def test_a_batch_claimed_but_never_finished_is_delivered_after_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "mock.sqlite"
    store = Store(database)
    messages = queued(store, [GOOD, FAILING[0], GOOD], report_id="4")
    now = time.time()
    for message in messages:
        store.finish_message(message, status="sent", error=None, at=now)
    batch = store.outbox.start({TENANT: URL}, now=now, limit=5, lease=10)
    assert len(batch) == 3
    # One attempt ended and was written; the process dies before the two others are.
    assert store.outbox.finish([finished(batch[0], now + 1, "delivered")]) == [True]
    store.close()

    reopened = Store(database)
    assert reopened.outbox.start({TENANT: URL}, now=now + 9, limit=5, lease=10) == []
    again = reopened.outbox.start({TENANT: URL}, now=now + 10, limit=5, lease=10)
    assert [c.delivery.id for c in again] == [c.delivery.id for c in batch[1:]]
    assert [c.delivery.body for c in again] == [c.delivery.body for c in batch[1:]]
    assert reopened.outbox.finish([finished(c, now + 11, "delivered") for c in again]) == [
        True,
        True,
    ]
    reports = reopened.outbox.deliveries(TENANT)
    assert [d.status for d in reports] == ["delivered"] * 3
    assert [[a.outcome for a in d.log] for d in reports] == [
        ["delivered"],
        ["interrupted", "delivered"],
        ["interrupted", "delivered"],
    ]


def test_a_batch_moves_each_report_on_by_its_outcome() -> None:
    store = Store()
    messages = queued(store, [GOOD, GOOD, GOOD], report_id="5")
    now = time.time()
    for message in messages:
        store.finish_message(message, status="sent", error=None, at=now)
    delivered, retried, dead = store.outbox.start({TENANT: URL}, now=now, limit=5, lease=10)
    retry = dataclasses.replace(finished(retried, now + 1, "retry", None), next_at=now + 5)
    with pytest.raises(ValueError, match="next attempt"):
        store.outbox.finish([finished(retried, now + 1, "retry", None)])
    assert store.outbox.finish(
        [finished(delivered, now + 1, "delivered"), retry, finished(dead, now + 1, "dead", 500)]
    ) == [True, True, True]
    reports = store.outbox.deliveries(TENANT)
    assert [(d.status, d.due_at) for d in reports] == [
        ("delivered", now),
        ("pending", now + 5),
        ("dead", now),
    ]
    assert store.outbox.start({TENANT: URL}, now=now + 4, limit=5, lease=10) == []
    (later,) = store.outbox.start({TENANT: URL}, now=now + 5, limit=5, lease=10)
    assert (later.delivery.id, later.attempt.number) == (retried.delivery.id, 2)


def test_replay_and_reset() -> None:
    store = Store()
    (message,) = queued(store, [GOOD], report_id="3")
    now = time.time()
    store.finish_message(message, status="sent", error=None, at=now)
    outbox = store.outbox
    with pytest.raises(ValueError, match="pending"):
        outbox.replay(TENANT, 1, now=now)
    with pytest.raises(KeyError):
        outbox.replay("another-tenant", 1, now=now)
    (claimed,) = outbox.start({TENANT: URL}, now=now, limit=1, lease=10)
    assert outbox.finish([finished(claimed, now, "dead", None)]) == [True]
    replayed = outbox.replay(TENANT, claimed.delivery.id, now=now + 1)
    assert (replayed.status, replayed.attempts, replayed.replays) == ("pending", 0, 1)
    assert replayed.window_started_at is None
    assert len(replayed.log) == 1

    store.reset(TENANT)
    assert outbox.deliveries(TENANT) == []
    assert outbox.next_due({TENANT}) is None


def test_the_next_report_due_is_the_first_unclaimed_one_or_the_first_claim_to_lapse() -> None:
    store = Store()
    first, second, third = queued(store, [GOOD, GOOD, GOOD], report_id="6")
    now = time.time()
    for message in (first, second, third):
        store.finish_message(message, status="sent", error=None, at=now)
    outbox = store.outbox
    assert outbox.next_due({"someone-else"}) is None
    assert outbox.next_due({TENANT}) == now
    claimed = outbox.start({TENANT: URL}, now=now, limit=2, lease=10)
    assert outbox.next_due({TENANT}) == now  # the third, unclaimed
    retry = dataclasses.replace(finished(claimed[0], now + 1, "retry", None), next_at=now + 30)
    assert outbox.finish([retry]) == [True]
    (third_claim,) = outbox.start({TENANT: URL}, now=now + 1, limit=5, lease=10)
    assert third_claim.delivery.message_id == third
    assert outbox.next_due({TENANT}) == now + 10  # the second's claim lapses first
    assert outbox.finish([finished(claimed[1], now + 2, "delivered")]) == [True]
    assert outbox.next_due({TENANT}) == now + 11  # then the third's
    assert outbox.finish([finished(third_claim, now + 3, "delivered")]) == [True]
    assert outbox.next_due({TENANT}) == now + 30  # the retry, unclaimed again
    # Neither question reads every pending report: see how SQLite runs what it was asked.
    issued: list[str] = []
    store._connection.set_trace_callback(issued.append)
    outbox.next_due({TENANT})
    store._connection.set_trace_callback(None)
    plans = [
        " ".join(str(row["detail"]) for row in store._query(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in issued
    ]
    assert len(plans) == 2
    assert "deliveries_due" in plans[0]
    assert "deliveries_claimed" in plans[1]
