"""The dispatcher: due messages finished in batches, never before they are due, each with its
report; slices sized by time; the queues read through indexes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tests.delivery.support import FAILING, GOOD
from vatanwa_mock import dispatcher
from vatanwa_mock.config import Settings
from vatanwa_mock.spec import load_contract
from vatanwa_mock.store import MessageFilter, Store
from vatanwa_mock.store.db import _message_query
from vatanwa_mock.twin import Twin
from vatanwa_mock.twin.changes import Subscription

TENANT = "vatanwa-local-id"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def topics(subscription: Subscription) -> list[str]:
    return sorted([(await subscription.get()).topic for _ in range(subscription.pending())])


def connected_twin(clock: Clock) -> tuple[Twin, str]:
    twin = Twin(Settings(login_delay=0), load_contract(), Store(), clock=clock)
    login = twin.start_login(TENANT, "qr", None)
    twin.pair(TENANT, login.reg_id)
    return twin, login.reg_id


def test_due_messages_are_finished_in_batches_first_due_first_with_their_reports() -> None:
    clock = Clock(1000.0)
    twin, reg_id = connected_twin(clock)
    recipients = [GOOD, FAILING[0], GOOD, GOOD, GOOD]
    # send_speed 1 at the default speed factor: one message a second, the first at 1001.
    items = [(number, f"m{i}") for i, number in enumerate(recipients)]
    ids = asyncio.run(twin.queue_messages(TENANT, reg_id, items, send_speed=1, report_id="9"))
    assert twin.finish_due_messages(10) == 0
    assert twin.next_message_due() == 1.0

    clock.now = 1004.0
    twin.deliveries_changed.clear()
    with twin.changes.subscribe(TENANT) as changes:
        assert twin.finish_due_messages(3) == 3
        # One change per topic for the batch, not one per message.
        assert asyncio.run(topics(changes)) == ["deliveries", "messages"]
    assert twin.deliveries_changed.is_set()
    assert twin.finish_due_messages(3) == 1  # the fifth is due at 1005
    assert twin.next_message_due() == 1.0

    messages = {m.id: m for m in twin.messages(TENANT)}
    assert [messages[i].status for i in ids] == ["sent", "failed", "sent", "sent", "queued"]
    assert [messages[i].finished_at for i in ids[:4]] == [1004.0] * 4
    assert messages[ids[1]].error
    reports = twin.deliveries(TENANT)
    assert [d.message_id for d in reports] == ids[:4]
    assert [d.body.count('"callback_data":"9"') for d in reports] == [1] * 4

    clock.now = 1005.0
    assert twin.finish_due_messages(3) == 1
    assert twin.next_message_due() is None
    assert len(twin.deliveries(TENANT)) == 5


def test_a_batch_skips_a_message_finished_meanwhile_and_fails_a_logged_out_device() -> None:
    clock = Clock(1000.0)
    twin, reg_id = connected_twin(clock)
    items = [(GOOD, "a"), (GOOD, "b")]
    first, second = asyncio.run(
        twin.queue_messages(TENANT, reg_id, items, send_speed=1, report_id="4")
    )
    clock.now = 1010.0
    stale = twin.store.due_messages(clock.now, 10)
    twin.logout(TENANT, reg_id)
    assert twin.finish_due_messages(1) == 1
    # ``stale`` was read before the first message was finished: it is finished once only.
    finished = twin.store.finish_messages(
        [(message, "sent", None) for message in stale], at=clock.now
    )
    assert [m.id for m in finished] == [second]
    messages = {m.id: m for m in twin.messages(TENANT)}
    assert (messages[first].status, messages[second].status) == ("failed", "sent")
    assert messages[first].error == "The device is not connected any more."
    assert [d.message_id for d in twin.deliveries(TENANT)] == [first, second]


def test_a_slice_is_sized_to_its_time_budget() -> None:
    budget = dispatcher.SLICE_SECONDS
    # Twice as many as took half the budget, but never more than twice the last batch.
    assert dispatcher.next_batch(100, 100, budget / 2) == 200
    assert dispatcher.next_batch(100, 100, budget / 8) == 200
    assert dispatcher.next_batch(100, 100, budget * 4) == 25
    # A batch that found fewer messages due is judged by those it finished.
    assert dispatcher.next_batch(400, 10, budget / 2) == 20
    assert dispatcher.next_batch(100, 100, budget * 1000) == dispatcher.MIN_BATCH
    assert dispatcher.next_batch(dispatcher.MAX_BATCH, 1000, 0.0) == dispatcher.MAX_BATCH


def test_the_queues_are_read_through_indexes() -> None:
    store = Store()

    def plan(sql: str, parameters: Sequence[object]) -> str:
        rows = store._query(f"EXPLAIN QUERY PLAN {sql}", parameters)
        return " | ".join(str(row["detail"]) for row in rows)

    # The dispatcher's due messages, first due first: no scan, no sort.
    now = 1000.0
    due = plan(
        "SELECT id FROM messages m WHERE m.status = 'queued' AND m.due_at <= ? "
        "ORDER BY m.due_at, m.id LIMIT ?",
        (now, 10),
    )
    assert "messages_queue" in due
    assert "TEMP B-TREE" not in due
    # A tenant's messages in one state, oldest first (what a script polls while a send drains).
    sql, parameters = _message_query(TENANT, MessageFilter(status="queued"))
    listed = plan(f"{sql} ORDER BY m.id LIMIT ?", [*parameters, 2])
    assert "messages_by_status" in listed
    assert "TEMP B-TREE" not in listed
