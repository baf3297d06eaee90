"""The store: migrations, tenant scoping, the derived login state, finishing messages once."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.vatanwa_mock.stores import login
from vatanwa_mock.store import Conflict, MessageFilter, Store
from vatanwa_mock.store.migrations import MIGRATIONS


def test_a_login_state_follows_its_timestamps() -> None:
    store = Store()
    pending = login(store, "a", pairs_at=103.0)
    assert pending.state(101) == "pending"
    assert pending.next_change(101) == 103.0
    assert pending.state(103) == "connected"
    never = login(store, "a")
    assert never.state(129.9) == "pending"
    assert never.state(130) == "expired"
    late = login(store, "a", pairs_at=200.0)  # after the expiry: never pairs by itself
    assert late.paired_at is None


def test_pairing_and_logout_only_from_the_right_state() -> None:
    store = Store()
    registration = login(store, "a")
    with pytest.raises(KeyError):
        store.pair("b", registration.reg_id, at=101)  # another tenant's login is unknown
    paired = store.pair("a", registration.reg_id, at=101)
    assert paired.state(101) == "connected"
    with pytest.raises(Conflict):
        store.pair("a", registration.reg_id, at=102)
    assert store.logout("a", registration.reg_id, at=103).state(103) == "logged_out"
    with pytest.raises(Conflict):
        store.logout("a", registration.reg_id, at=104)
    expired = login(store, "a")
    with pytest.raises(Conflict, match="expired"):
        store.pair("a", expired.reg_id, at=500)


def test_everything_is_scoped_by_tenant_and_reset_forgets_one_tenant() -> None:
    store = Store()
    a = store.pair("a", login(store, "a").reg_id, at=101)
    b = store.pair("b", login(store, "b").reg_id, at=101)
    for tenant, registration in (("a", a), ("b", b)):
        store.enqueue(
            tenant,
            registration.reg_id,
            items=[("905459260314", "hi")],
            send_speed=1,
            report_id=None,
            attachment_id=None,
            now=101,
            interval=1,
        )
    assert store.registration("b", a.reg_id) is None
    assert [m.tenant for m in store.messages("a")] == ["a"]
    assert [r.reg_id for r in store.connected("b", now=102)] == [b.reg_id]
    store.set_callback_url("a", "http://127.0.0.1:9/a")
    assert store.callback_url("b") is None
    store.reset("a")
    assert store.messages("a") == []
    assert store.registration("a", a.reg_id) is None
    assert store.callback_url("a") is None
    assert len(store.messages("b")) == 1


def test_messages_are_paced_per_device_and_finish_exactly_once() -> None:
    store = Store()
    reg = store.pair("a", login(store, "a").reg_id, at=100).reg_id
    ids = store.enqueue(
        "a",
        reg,
        items=[("1", "x"), ("2", "y")],
        send_speed=2,
        report_id="5",
        attachment_id=None,
        now=100,
        interval=2,
    )
    more = store.enqueue(
        "a",
        reg,
        items=[("3", "z")],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=101,
        interval=1,
    )
    due = [m.due_at for m in store.messages("a")]
    assert due == [102, 104, 105]
    first = store.next_queued()
    assert first is not None
    assert first.id == ids[0]
    finished = store.finish_message(ids[0], status="sent", error=None, at=102)
    assert finished is not None
    assert finished.status == "sent"
    assert store.finish_message(ids[0], status="failed", error="again", at=103) is None
    with pytest.raises(ValueError, match="sent or failed"):
        store.finish_message(more[0], status="queued", error=None, at=103)
    assert [m.id for m in store.messages("a", MessageFilter(status="queued"))] == [ids[1], more[0]]
    assert [m.id for m in store.messages("a", MessageFilter(report_id="5"))] == ids
    assert [m.id for m in store.messages("a", MessageFilter(to="3"))] == more


def test_attachments_keep_their_bytes() -> None:
    store = Store()
    attachment = store.add_attachment(
        "a", filename="f.pdf", content_type="application/pdf", data=b"%PDF", created_at=1
    )
    found = store.attachment_content(attachment.token)
    assert found == (attachment, b"%PDF")
    assert store.attachment_content("nope") is None


def test_a_file_is_migrated_once_and_reopened(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = Store(path)
    reg = login(store, "a").reg_id
    store.close()
    reopened = Store(path)
    assert reopened.registration("a", reg) is not None
    assert reopened.schema_version == len(MIGRATIONS)
    reopened.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        Store(path)


def test_a_sends_text_is_stored_once_and_reports_store_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = Store(path)
    reg = login(store, "a").reg_id
    text = "x" * 65536
    ids = store.enqueue(
        "a",
        reg,
        items=[(f"90545926{n:04d}", text) for n in range(3000)],
        send_speed=1,
        report_id="9",
        attachment_id=None,
        now=100,
        interval=1,
    )
    for message_id in ids[:50]:
        store.finish_message(message_id, status="sent", error=None, at=200)
    reports = store.outbox.deliveries("a")
    assert len(reports) == 50
    assert all(json.loads(r.body)["content"] == text for r in reports)
    store.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM message_texts").fetchone()[0] == 1
        columns = {row[1] for row in connection.execute("PRAGMA table_info(deliveries)")}
        assert "body" not in columns
    # 3,000 recipients of a 64 KiB text: well under one copy per recipient (192 MB).
    files = [path, Path(f"{path}-wal")]
    assert sum(f.stat().st_size for f in files if f.exists()) < 5_000_000


def test_a_file_of_schema_3_keeps_its_texts_and_report_bodies(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        for number, script in enumerate(MIGRATIONS[:3], start=1):
            connection.executescript(f"{script}\nPRAGMA user_version = {number};")
        connection.execute(
            "INSERT INTO messages (id, tenant, reg_id, recipient, content, report_id, send_speed, "
            "status, created_at, due_at, finished_at) "
            "VALUES (1, 'a', '1234567890', '905459260314', 'merhaba', 33, 1, 'sent', 1, 2, 3)"
        )
        old_body = (
            '{"callback_data":"33","status":"1","phone":"905459260314","content":"merhaba",'
            '"send_time":"1970-01-01 03:00:03 +0300 +03"}'
        )
        connection.execute(
            "INSERT INTO deliveries (tenant, message_id, report_id, body, status, created_at, "
            "due_at) VALUES ('a', 1, 33, ?, 'pending', 3, 3)",
            (old_body,),
        )
    store = Store(path)
    (message,) = store.messages("a")
    assert message.content == "merhaba"
    (report,) = store.outbox.deliveries("a")
    assert report.body == old_body
    store.close()


def test_listings_page_by_id() -> None:
    store = Store()
    reg = login(store, "a").reg_id
    ids = store.enqueue(
        "a",
        reg,
        items=[(f"9054592603{n:02d}", "t") for n in range(7)],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=1,
        interval=1,
    )
    first = store.messages("a", limit=3)
    rest = store.messages("a", after=first[-1].id, limit=10)
    assert [m.id for m in first + rest] == ids


def test_report_ids_written_as_numbers_are_migrated_to_their_text(tmp_path: Path) -> None:
    # A file written before report_id became text (schema version 2) keeps its reports.
    path = tmp_path / "v2.sqlite3"
    with sqlite3.connect(path) as connection:
        for number, script in enumerate(MIGRATIONS[:2], start=1):
            connection.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        connection.execute(
            "INSERT INTO messages (tenant, reg_id, recipient, content, report_id, send_speed, "
            "status, created_at, due_at, finished_at) "
            "VALUES ('a', '1', '905459260314', 'x', 33, 1, 'sent', 1, 1, 2)"
        )
        connection.execute(
            "INSERT INTO deliveries (tenant, message_id, report_id, body, status, created_at, "
            "due_at) VALUES ('a', 1, 33, '{}', 'pending', 2, 2)"
        )
    store = Store(path)
    try:
        (message,) = store.messages("a", MessageFilter(report_id="33"))
        assert message.report_id == "33"
        (delivery,) = store.outbox.deliveries("a", report_id="33")
        assert delivery.report_id == "33"
        # Text from now on: "0033" is kept as sent and is not "33".
        reg = store.pair("a", login(store, "a").reg_id, at=100).reg_id
        store.enqueue(
            "a",
            reg,
            items=[("905459260314", "y")],
            send_speed=1,
            report_id="0033",
            attachment_id=None,
            now=100,
            interval=1,
        )
        assert [m.report_id for m in store.messages("a", MessageFilter(report_id="0033"))] == [
            "0033"
        ]
        assert len(store.messages("a", MessageFilter(report_id="33"))) == 1
    finally:
        store.close()


def test_ids_returned_by_a_send_are_its_stored_messages() -> None:
    store = Store()
    reg = store.pair("a", login(store, "a").reg_id, at=100).reg_id
    texts: dict[str, int] = {}
    single = store.enqueue(
        "a",
        reg,
        items=[("1", "x")],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=100,
        interval=1,
    )
    many = store.enqueue(
        "a",
        reg,
        items=[("2", "y"), ("3", "x"), ("4", "y")],
        send_speed=1,
        report_id="8",
        attachment_id=None,
        now=100,
        interval=1,
        texts=texts,
    )
    later = store.enqueue(
        "a",
        reg,
        items=[("5", "y")],
        send_speed=1,
        report_id="8",
        attachment_id=None,
        now=100,
        interval=1,
        texts=texts,
    )
    stored = {m.id: (m.recipient, m.content) for m in store.messages("a")}
    assert [stored[i] for i in single + many + later] == [
        ("1", "x"),
        ("2", "y"),
        ("3", "x"),
        ("4", "y"),
        ("5", "y"),
    ]
    assert sorted(texts) == ["x", "y"]  # the slices of one send share its texts
    count = store._query("SELECT COUNT(*) FROM message_texts")[0][0]
    assert count == 2  # a short text sent again is not stored again
    assert (
        store.enqueue(
            "a", reg, items=[], send_speed=1, report_id=None, attachment_id=None, now=1, interval=1
        )
        == []
    )


def test_a_device_is_paced_by_its_own_queue_not_by_another_devices() -> None:
    store = Store()
    busy = store.pair("a", login(store, "a").reg_id, at=100).reg_id
    idle = store.pair("b", login(store, "b").reg_id, at=100).reg_id
    store.enqueue(
        "a",
        busy,
        items=[(str(n), "x") for n in range(50)],
        send_speed=4,
        report_id=None,
        attachment_id=None,
        now=100,
        interval=8,
    )
    (first,) = store.enqueue(
        "b",
        idle,
        items=[("1", "y")],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=100,
        interval=1,
    )
    assert [m.due_at for m in store.messages("b")] == [101]
    # The device's last queued message is found in its own queue, whatever the others hold.
    plan = store._query(
        "EXPLAIN QUERY PLAN SELECT MAX(due_at) FROM messages "
        "WHERE reg_id = ? AND status = 'queued' AND tenant = ?",
        (idle, "b"),
    )
    assert "messages_device_queue" in " ".join(str(row[3]) for row in plan)
    assert store.finish_message(first, status="sent", error=None, at=101) is not None
    store.enqueue(
        "b",
        idle,
        items=[("2", "y")],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=150,
        interval=1,
    )
    assert [m.due_at for m in store.messages("b")] == [101, 151]


def test_a_failed_transaction_is_rolled_back_and_frees_the_store() -> None:
    store = Store()
    reg = store.pair("a", login(store, "a").reg_id, at=101).reg_id
    with pytest.raises(Conflict):
        store.pair("a", reg, at=102)
    with pytest.raises(sqlite3.IntegrityError):
        store.enqueue(
            "a",
            reg,
            items=[("905459260314", "x")],
            send_speed=1,
            report_id=None,
            attachment_id=404,  # no such attachment: the insert fails after the text's
            now=103,
            interval=1,
        )
    assert store.messages("a") == []
    assert store._query("SELECT COUNT(*) FROM message_texts")[0][0] == 0
    store.enqueue(  # the rolled-back text is not taken for a stored one
        "a",
        reg,
        items=[("905459260314", "x")],
        send_speed=1,
        report_id=None,
        attachment_id=None,
        now=103,
        interval=1,
    )
    assert [m.content for m in store.messages("a")] == ["x"]
    done: list[str] = []
    worker = threading.Thread(target=lambda: done.append(login(store, "a").reg_id))
    worker.start()
    worker.join(5)
    assert len(done) == 1  # the lock was released
