"""The outbox in the store: one report per finished message with a report_id, written with
it; leases; the attempt log; replay; reset."""

from __future__ import annotations

import json
import time

import pytest

from tests.delivery.support import FAILING, GOOD, report_validator
from vatanwa import parse_delivery_report
from vatanwa_mock.store import DeviceInfo, Store

TENANT = "tenant-a"


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


def test_a_claim_is_a_lease_and_a_lapsed_one_logs_its_attempt_as_interrupted() -> None:
    store = Store()
    (message,) = queued(store, [GOOD], report_id="1")
    now = time.time()
    store.finish_message(message, status="sent", error=None, at=now)
    outbox = store.outbox
    assert outbox.claim({"someone-else"}, now=now, limit=5, lease=10) == []
    ((delivery, claim),) = outbox.claim({TENANT}, now=now, limit=5, lease=10)
    attempt = outbox.start_attempt(delivery.id, claim, url="http://127.0.0.1:9/", at=now)
    assert attempt is not None
    assert outbox.claim({TENANT}, now=now + 9, limit=5, lease=10) == []
    assert outbox.next_due({TENANT}) == pytest.approx(now + 10)

    ((again, new_claim),) = outbox.claim({TENANT}, now=now + 10, limit=5, lease=10)
    assert again.id == delivery.id
    (logged,) = outbox.deliveries(TENANT)[0].log
    assert logged.outcome == "interrupted"
    # The first holder's answer comes too late to move the report: it is logged, that's all.
    assert not outbox.finish_attempt(
        delivery.id, claim, attempt, at=now + 11, http_status=200, latency_ms=1.0, error=None,
        outcome="delivered",
    )  # fmt: skip
    assert outbox.deliveries(TENANT)[0].status == "pending"
    second = outbox.start_attempt(delivery.id, new_claim, url="http://127.0.0.1:9/", at=now + 11)
    assert second is not None
    assert second.number == 2
    assert outbox.finish_attempt(
        delivery.id, new_claim, second, at=now + 12, http_status=204, latency_ms=1.0,
        error=None, outcome="delivered",
    )  # fmt: skip
    final = outbox.deliveries(TENANT, status="delivered")[0]
    assert [a.number for a in final.log] == [1, 2]
    assert final.finished_at == now + 12


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
    ((delivery, claim),) = outbox.claim({TENANT}, now=now, limit=1, lease=10)
    attempt = outbox.start_attempt(delivery.id, claim, url="http://127.0.0.1:9/", at=now)
    assert attempt is not None
    outbox.finish_attempt(
        delivery.id, claim, attempt, at=now, http_status=None, latency_ms=1.0,
        error="ConnectError: refused", outcome="dead",
    )  # fmt: skip
    replayed = outbox.replay(TENANT, delivery.id, now=now + 1)
    assert (replayed.status, replayed.attempts, replayed.replays) == ("pending", 0, 1)
    assert replayed.window_started_at is None
    assert len(replayed.log) == 1

    store.reset(TENANT)
    assert outbox.deliveries(TENANT) == []
    assert outbox.next_due({TENANT}) is None
