"""The twin in-process: its rules, its errors, and the changes it publishes per tenant."""

from __future__ import annotations

import asyncio

import pytest

from tests.delivery.support import GOOD
from vatanwa_mock.config import Settings
from vatanwa_mock.spec import load_contract
from vatanwa_mock.store import Store
from vatanwa_mock.twin import Change, Changes, Conflict, NotConnected, NotFound, Twin
from vatanwa_mock.twin.changes import BACKLOG
from vatanwa_mock.twin.core import QUEUE_SLICE

TENANT = "vatanwa-local-id"


def make_twin() -> Twin:
    return Twin(Settings(login_delay=0), load_contract(), Store())


def test_each_state_change_is_published_to_its_tenant_only() -> None:
    async def scenario() -> list[Change]:
        twin = make_twin()
        with twin.changes.subscribe(TENANT) as mine, twin.changes.subscribe("other") as theirs:
            login = twin.start_login(TENANT, "qr", None)
            twin.pair(TENANT, login.reg_id)
            await twin.queue_messages(
                TENANT, login.reg_id, [(GOOD, "hi")], send_speed=1, report_id="1"
            )
            twin.set_callback_url(TENANT, "http://127.0.0.1:9/hook")
            twin.reset(TENANT)
            assert theirs.pending() == 0
            return [await mine.get() for _ in range(5)]

    changes = asyncio.run(scenario())
    assert [c.topic for c in changes] == ["logins", "logins", "messages", "settings", "reset"]
    assert [c.version for c in changes] == [1, 2, 3, 4, 5]


def test_a_slow_subscriber_is_told_to_resync_instead_of_growing() -> None:
    async def scenario() -> Change:
        changes = Changes()
        with changes.subscribe(TENANT) as subscription:
            for _ in range(BACKLOG + 10):
                changes.publish(TENANT, "messages")
            return await subscription.get()

    resync = asyncio.run(scenario())
    assert resync.topic == "resync"
    assert resync.version == BACKLOG + 1


def test_rules_are_refused_with_the_twins_own_errors() -> None:
    twin = make_twin()
    with pytest.raises(NotFound):
        twin.connected_device(TENANT, "1234567890")
    login = twin.start_login(TENANT, "phone", GOOD)
    with pytest.raises(NotConnected, match="still pending"):
        asyncio.run(
            twin.queue_messages(TENANT, login.reg_id, [(GOOD, "hi")], send_speed=1, report_id=None)
        )
    twin.pair(TENANT, login.reg_id)
    with pytest.raises(Conflict):
        twin.pair(TENANT, login.reg_id)
    twin.logout(TENANT, login.reg_id)
    with pytest.raises(NotConnected, match="logged out"):
        twin.logout(TENANT, login.reg_id)


def test_queuing_and_finishing_wake_the_background_tasks() -> None:
    async def scenario() -> tuple[bool, bool]:
        twin = make_twin()
        login = twin.start_login(TENANT, "qr", None)
        twin.pair(TENANT, login.reg_id)
        twin.queue_changed.clear()
        await twin.queue_messages(TENANT, login.reg_id, [(GOOD, "hi")], send_speed=1, report_id="3")
        queued = twin.queue_changed.is_set()
        twin.deliveries_changed.clear()
        (message,) = twin.messages(TENANT)
        twin.finish_message(message, message.due_at)
        return queued, twin.deliveries_changed.is_set()

    assert asyncio.run(scenario()) == (True, True)


def test_a_send_of_several_slices_stores_its_text_once_and_returns_every_id() -> None:
    twin = make_twin()
    login = twin.start_login(TENANT, "qr", None)
    twin.pair(TENANT, login.reg_id)
    count = QUEUE_SLICE + 3
    items = [(f"9054592{n:05d}", "same" if n % 2 else f"own {n}") for n in range(count)]
    ids = asyncio.run(
        twin.queue_messages(TENANT, login.reg_id, items, send_speed=1, report_id=None)
    )
    stored = {m.id: (m.recipient, m.content) for m in twin.messages(TENANT)}
    assert [stored[i] for i in ids] == items
    texts = twin.store._query("SELECT COUNT(*) FROM message_texts")[0][0]
    assert texts == len({content for _, content in items})  # "same" once, not per slice
