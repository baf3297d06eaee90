"""Delivery reports reach a real receiver on a loopback port: once each when all goes well,
eventually each when the receiver refuses, is down, or the mock is killed in between."""

from __future__ import annotations

import json
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.receiver import Receiver
from tests.delivery.support import (
    FAILING,
    FAST,
    GOOD,
    Key,
    all_delivered,
    check_report,
    clients,
    connected_device,
    deliveries,
    expected_status,
    key,
    received_keys,
    send,
)
from tests.support.polling import eventually
from tests.support.servers import CLIENT_SECRET, run_mock
from tests.support.tenants import OTHER_ID, OTHER_SECRET, TWO_TENANTS


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def test_one_valid_report_per_recipient_for_each_send_operation(
    receiver: Receiver, tmp_path: Path
) -> None:
    with (
        run_mock(*FAST, "--callback-url", receiver.url, tmp_path=tmp_path) as server,
        clients(server) as (api, control),
    ):
        reg_id = connected_device(api, control)
        expected: Counter[Key] = Counter()

        answer = api.post(
            "/messages/send",
            json={"reg_id": reg_id, "to": "+" + GOOD, "message": "one", "send_speed": 1,
                  "report_id": 101},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        expected[("101", GOOD, "1")] += 1

        one_to_n = [GOOD, *FAILING]
        answer = api.post(
            "/messages/send/oneToN",
            data={"reg_id": str(reg_id), "to": ",".join(one_to_n), "message": "many",
                  "send_speed": "1", "report_id": "102"},
            files={"attachment": ("pixel.png", b"\x89PNG\r\n\x1a\n", "image/png")},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        expected.update(("102", n, expected_status(n)) for n in one_to_n)

        n_to_n = [{"to": "+" + GOOD, "message": "first"}, {"to": FAILING[0], "message": "second"}]
        answer = api.post(
            "/messages/send/nToN",
            json={"reg_id": reg_id, "n_to_n": n_to_n, "send_speed": 1, "report_id": 103},
        )
        assert answer.status_code == 200, answer.text
        expected.update([("103", GOOD, "1"), ("103", FAILING[0], "2")])

        # Without a report_id a message has no report.
        send(api, reg_id, [GOOD], report_id=None)

        total = sum(expected.values())
        found = eventually(lambda: all_delivered(control, total), what="every report delivered")
        assert {d["report_id"] for d in found} == {"101", "102", "103"}
        assert len(control.get("/messages").json()) == total + 1
        assert received_keys(receiver.accepted()) == expected
        assert {"1", "2"} == {k[2] for k in expected}
        contents = {check_report(r).content for r in receiver.accepted()}
        assert contents == {"one", "many", "first", "second"}
        for delivery in found:
            (attempt,) = delivery["attempts"]
            assert attempt["http_status"] == 200
            assert attempt["outcome"] == "delivered"
            assert attempt["url"] == receiver.url
        by_report = {json.dumps(d["body"], sort_keys=True) for d in found}
        posted = {json.dumps(json.loads(r.body), sort_keys=True) for r in receiver.accepted()}
        assert by_report == posted


def test_reports_wait_for_a_callback_url_and_go_with_each_tenants_credentials(
    receiver: Receiver, tmp_path: Path
) -> None:
    with (
        run_mock(*FAST, *TWO_TENANTS, tmp_path=tmp_path) as server,
        clients(server) as (api, control),
        clients(server, OTHER_ID, OTHER_SECRET) as (other_api, other_control),
    ):
        reg_id = connected_device(api, control)
        send(api, reg_id, [GOOD, FAILING[1]], report_id=7)

        def two_pending() -> list[dict[str, Any]] | None:
            found = deliveries(control, status="pending")
            return found if len(found) == 2 else None

        waiting = eventually(two_pending, what="two waiting reports")
        assert all(d["attempts"] == [] and d["next_attempt_at"] for d in waiting)
        assert deliveries(other_control) == []
        refused = control.post(f"/deliveries/{waiting[0]['id']}/replay")
        assert refused.status_code == 409
        assert refused.json()["status"] == "error"
        assert other_control.post(f"/deliveries/{waiting[0]['id']}/replay").status_code == 404
        assert receiver.seen() == 0

        other_reg = connected_device(other_api, other_control)
        send(other_api, other_reg, [GOOD], report_id=8)
        assert control.put("/callback", json={"url": receiver.url}).status_code == 200
        eventually(lambda: all_delivered(control, 2), what="the first tenant's reports")
        assert received_keys(receiver.accepted()) == Counter(
            {("7", GOOD, "1"): 1, ("7", FAILING[1], "2"): 1}
        )
        # The second tenant's message may still be queued: its report waits once written.
        eventually(
            lambda: deliveries(other_control, status="pending"), what="the second tenant's report"
        )
        assert deliveries(control, report_id=8) == []

        assert other_control.put("/callback", json={"url": receiver.url}).status_code == 200
        eventually(lambda: all_delivered(other_control, 1), what="the second tenant's report")
        last = receiver.accepted()[-1]
        assert received_keys([last], OTHER_ID, OTHER_SECRET) == Counter({("8", GOOD, "1"): 1})
        assert last.headers["client-id"] == OTHER_ID


def test_a_refusing_or_slow_receiver_gets_every_report_once_it_recovers(
    receiver: Receiver, tmp_path: Path
) -> None:
    numbers = [GOOD, *FAILING, "905459260315"]
    # Held past the mock's timeout, then let go with the next answer (500).
    receiver.answer(200, hold=30.0)
    with (
        run_mock(
            *FAST, "--callback-url", receiver.url, "--delivery-timeout", "0.3",
            tmp_path=tmp_path,
        ) as server,
        clients(server) as (api, control),
    ):  # fmt: skip
        reg_id = connected_device(api, control)
        send(api, reg_id, numbers, report_id=55)

        def failed_attempts(error: str) -> bool:
            found = deliveries(control)
            return len(found) == len(numbers) and all(
                any(error in (a["error"] or "") for a in d["attempts"]) for d in found
            )

        eventually(lambda: failed_attempts("timed out"), what="every report timed out")
        receiver.answer(500)
        eventually(lambda: failed_attempts("HTTP 500"), what="every report refused")
        assert receiver.accepted() == []
        receiver.answer(200)
        found = eventually(lambda: all_delivered(control, len(numbers)), what="all delivered")

    # Compared as sets: an answer slower than the timeout would be a documented duplicate.
    expected = {("55", n, expected_status(n)) for n in numbers}
    assert set(received_keys(receiver.accepted())) == expected
    for delivery in found:
        attempts = delivery["attempts"]
        assert [a["number"] for a in attempts] == list(range(1, len(attempts) + 1))
        assert attempts[-1]["outcome"] == "delivered"
        assert attempts[-1]["http_status"] == 200
        assert all(a["outcome"] == "retry" for a in attempts[:-1])
        assert any(a["http_status"] is None and a["latency_ms"] >= 300 for a in attempts)
        refusals = [a for a in attempts if a["http_status"] == 500]
        assert refusals
        assert all(a["error"].startswith("HTTP 500") for a in refusals)
        # The receiver echoed the secret in its refusals; the attempt log does not keep it.
        assert CLIENT_SECRET not in json.dumps(delivery)
    assert CLIENT_SECRET not in server.log().split("client-secret:", 1)[1].split("\n", 1)[1]


def test_a_receiver_that_is_down_gets_every_report_once_it_is_up(tmp_path: Path) -> None:
    receiver = Receiver()  # its port stays closed for now
    numbers = [GOOD, FAILING[2], "905459260316"]
    try:
        with (
            run_mock(*FAST, "--callback-url", receiver.url, tmp_path=tmp_path) as server,
            clients(server) as (api, control),
        ):
            reg_id = connected_device(api, control)
            send(api, reg_id, numbers, report_id=9)
            eventually(
                lambda: (found := deliveries(control)) and len(found) == len(numbers)
                and all(len(d["attempts"]) >= 2 for d in found),
                what="two failed attempts each",
            )  # fmt: skip
            receiver.start()
            found = eventually(lambda: all_delivered(control, len(numbers)), what="all delivered")
    finally:
        receiver.stop()

    assert received_keys(receiver.accepted()) == Counter(
        ("9", n, expected_status(n)) for n in numbers
    )
    for delivery in found:
        *failures, last = delivery["attempts"]
        assert last["outcome"] == "delivered"
        for failure in failures:
            assert failure["http_status"] is None
            assert failure["outcome"] == "retry"
            assert "Connect" in failure["error"]


def test_killing_the_mock_between_send_and_delivery_loses_no_report(
    receiver: Receiver, tmp_path: Path
) -> None:
    database = tmp_path / "mock.sqlite"
    numbers = [GOOD, FAILING[0], "905459260317", "905459260318", "905459260319", "905459260320"]
    # The receiver holds the first reports, so the mock dies with attempts in flight, reports
    # waiting to be claimed and messages still queued.
    receiver.answer(200, hold=30.0)
    common = (*FAST, "--db", str(database), "--callback-url", receiver.url)
    with (
        run_mock(*common, "--delivery-timeout", "1", tmp_path=tmp_path) as first,
        clients(first) as (api, control),
    ):
        reg_id = connected_device(api, control)
        answer = api.post(
            "/messages/send/oneToN",
            json={"reg_id": reg_id, "to": ",".join(numbers), "message": "kill",
                  "send_speed": 4, "report_id": 77},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        eventually(lambda: receiver.seen() >= 1, what="a report in flight")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
        assert receiver.accepted() == []

    receiver.answer(200)
    with (
        run_mock(*common, "--delivery-timeout", "1", tmp_path=tmp_path) as second,
        clients(second) as (api, control),
    ):
        found = eventually(lambda: all_delivered(control, len(numbers)), what="all delivered")
        messages = control.get("/messages").json()

    assert len(messages) == len(numbers)
    assert all(m["status"] in ("sent", "failed") for m in messages)
    arrived = received_keys(receiver.accepted())
    assert set(arrived) == {("77", n, expected_status(n)) for n in numbers}
    interrupted = {
        (d["report_id"], d["body"]["phone"], d["body"]["status"])
        for d in found
        if any(a["outcome"] == "interrupted" for a in d["attempts"])
    }
    # At least the attempt the receiver held was cut off (others may have started too).
    assert interrupted
    # Only a report whose attempt was cut off by the kill may arrive twice.
    assert {k for k, count in arrived.items() if count > 1} <= interrupted


def test_a_report_dies_after_its_attempts_and_a_replay_delivers_it(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.answer(503)
    with (
        run_mock(
            *FAST, "--callback-url", receiver.url, "--retry-max-attempts", "3",
            tmp_path=tmp_path,
        ) as server,
        clients(server) as (api, control),
    ):  # fmt: skip
        reg_id = connected_device(api, control)
        send(api, reg_id, [FAILING[0]], report_id=31)
        (dead,) = eventually(lambda: deliveries(control, status="dead"), what="a dead report")
        assert [a["outcome"] for a in dead["attempts"]] == ["retry", "retry", "dead"]
        assert [a["http_status"] for a in dead["attempts"]] == [503, 503, 503]
        assert dead["finished_at"]
        assert dead["next_attempt_at"] is None
        assert receiver.seen() == 3
        assert deliveries(control, status="delivered") == []

        receiver.answer(200)
        replayed = control.post(f"/deliveries/{dead['id']}/replay")
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["replays"] == 1
        (delivered,) = eventually(lambda: all_delivered(control, 1), what="replayed")

    assert [a["outcome"] for a in delivered["attempts"]] == ["retry", "retry", "dead", "delivered"]
    assert delivered["attempts_since_replay"] == 1
    (report,) = receiver.accepted()
    assert key(check_report(report)) == ("31", FAILING[0], "2")
