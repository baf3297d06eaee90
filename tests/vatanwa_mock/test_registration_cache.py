"""What the store keeps in memory (registrations, texts sent lately): every write, of this
process or of another connection to the same file, is seen by the very next read, and a
login's state still follows the clock."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.delivery.support import GOOD
from tests.vatanwa_mock.stores import login as new_login
from vatanwa_mock.config import Settings
from vatanwa_mock.spec import load_contract
from vatanwa_mock.store import Registration, Store
from vatanwa_mock.twin import NotConnected, NotFound, Twin

TENANT = "vatanwa-local-id"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def login(store: Store, tenant: str, *, at: float = 100.0, pairs_at: float | None = None) -> str:
    """A pending login's ``reg_id``."""
    return new_login(store, tenant, at=at, pairs_at=pairs_at).reg_id


def cached(store: Store, tenant: str, reg_id: str) -> Registration:
    """Read twice: the second read is served from memory."""
    first = store.registration(tenant, reg_id)
    assert first is not None
    assert store.registration(tenant, reg_id) is first
    return first


def test_pairing_expiry_and_logout_are_seen_by_the_next_read() -> None:
    store = Store()
    reg = login(store, "a")
    assert cached(store, "a", reg).state(101) == "pending"
    store.pair("a", reg, at=101)
    assert cached(store, "a", reg).state(101) == "connected"
    assert [r.reg_id for r in store.connected("a", now=101)] == [reg]
    store.logout("a", reg, at=102)
    assert cached(store, "a", reg).state(102) == "logged_out"
    assert store.connected("a", now=102) == []
    other = login(store, "a")
    assert cached(store, "a", other).state(101) == "pending"
    store.expire("a", other, at=105)
    assert cached(store, "a", other).state(105) == "expired"


def test_a_reset_forgets_the_cached_registrations_of_its_tenant_only() -> None:
    store = Store()
    mine = store.pair("a", login(store, "a"), at=101).reg_id
    theirs = store.pair("b", login(store, "b"), at=101).reg_id
    cached(store, "a", mine)
    cached(store, "b", theirs)
    assert len(store.connected("a", now=102)) == 1
    store.reset("a")
    assert store.registration("a", mine) is None
    assert store.connected("a", now=102) == []
    assert store.registration("b", theirs) is not None
    assert store.registration("b", mine) is None  # never another tenant's


def test_a_login_that_pairs_by_itself_is_connected_once_its_time_comes() -> None:
    store = Store()
    reg = login(store, "a", pairs_at=110.0)
    assert cached(store, "a", reg).state(109) == "pending"
    assert store.connected("a", now=109) == []
    # No write in between: the time alone makes it a device.
    assert cached(store, "a", reg).state(110) == "connected"
    assert [r.reg_id for r in store.connected("a", now=110)] == [reg]


def test_another_connection_to_the_file_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = Store(path)
    try:
        reg = store.pair("a", login(store, "a"), at=101).reg_id
        assert cached(store, "a", reg).state(102) == "connected"
        assert len(store.connected("a", now=102)) == 1
        with sqlite3.connect(path) as other:
            other.execute("UPDATE registrations SET logged_out_at = 102 WHERE reg_id = ?", (reg,))
        assert cached(store, "a", reg).state(103) == "logged_out"
        assert store.connected("a", now=103) == []
    finally:
        store.close()


def make_twin(clock: Clock, *, login_delay: float = 0) -> Twin:
    return Twin(Settings(login_delay=login_delay), load_contract(), Store(), clock=clock)


async def send(twin: Twin, reg_id: str) -> list[int]:
    return await twin.queue_messages(TENANT, reg_id, [(GOOD, "hi")], send_speed=1, report_id=None)


def test_a_send_right_after_a_logout_expiry_or_new_pairing_sees_it() -> None:
    async def scenario() -> None:
        clock = Clock()
        twin = make_twin(clock)
        first = twin.start_login(TENANT, "qr", None).reg_id
        twin.pair(TENANT, first)
        assert len(await send(twin, first)) == 1
        twin.logout(TENANT, first)
        with pytest.raises(NotConnected, match="logged out"):
            await send(twin, first)
        again = twin.start_login(TENANT, "qr", None).reg_id
        with pytest.raises(NotConnected, match="pending"):
            await send(twin, again)
        twin.pair(TENANT, again)
        assert len(await send(twin, again)) == 1
        late = twin.start_login(TENANT, "qr", None).reg_id
        with pytest.raises(NotConnected, match="pending"):
            await send(twin, late)
        twin.expire(TENANT, late)
        with pytest.raises(NotConnected, match="expired"):
            await send(twin, late)
        twin.reset(TENANT)
        with pytest.raises(NotFound):
            await send(twin, again)

    asyncio.run(scenario())


def test_the_pairing_delay_and_the_login_window_follow_the_clock() -> None:
    async def scenario() -> None:
        clock = Clock()
        twin = make_twin(clock, login_delay=5)
        reg = twin.start_login(TENANT, "qr", None).reg_id
        with pytest.raises(NotConnected, match="pending"):
            await send(twin, reg)
        clock.now += 5
        assert len(await send(twin, reg)) == 1
        assert [r.reg_id for r in twin.devices(TENANT)] == [reg]
        manual = make_twin(clock)  # no pairing by itself: the login window runs out
        unpaired = manual.start_login(TENANT, "qr", None).reg_id
        with pytest.raises(NotConnected, match="pending"):
            await send(manual, unpaired)
        clock.now += manual.settings.login_timeout
        with pytest.raises(NotConnected, match="expired"):
            await send(manual, unpaired)

    asyncio.run(scenario())


def queue(store: Store, tenant: str, reg_id: str, text: str) -> int:
    (message_id,) = store.enqueue(
        tenant,
        reg_id,
        items=[("905459260314", text)],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=200,
        interval=1,
    )
    return message_id


def texts(store: Store) -> int:
    return int(store._query("SELECT COUNT(*) FROM message_texts")[0][0])


def test_a_text_sent_again_is_shared_within_its_tenant_until_a_reset() -> None:
    store = Store()
    mine = store.pair("a", login(store, "a"), at=101).reg_id
    theirs = store.pair("b", login(store, "b"), at=101).reg_id
    queue(store, "a", mine, "hi")
    queue(store, "a", mine, "hi")
    assert texts(store) == 1
    queue(store, "b", theirs, "hi")  # never another tenant's row
    assert texts(store) == 2
    store.reset("a")
    mine = store.pair("a", login(store, "a"), at=101).reg_id
    queue(store, "a", mine, "hi")  # stored again: the reset removed it
    assert [m.content for m in store.messages("a")] == ["hi"]
    assert [m.content for m in store.messages("b")] == ["hi"]


def test_texts_removed_by_another_connection_are_stored_again(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = Store(path)
    try:
        reg = store.pair("a", login(store, "a"), at=101).reg_id
        queue(store, "a", reg, "hi")
        with sqlite3.connect(path) as other:
            other.execute("DELETE FROM messages")
            other.execute("DELETE FROM message_texts")
        queue(store, "a", reg, "hi")
        assert [m.content for m in store.messages("a")] == ["hi"]
    finally:
        store.close()
