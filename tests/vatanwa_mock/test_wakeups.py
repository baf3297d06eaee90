"""Every state change wakes whoever waits for it: nothing waits for an idle timer.

The dispatcher and the delivery worker sleep an hour when idle here, so each step below can
only finish within its second because the twin woke the right task.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx
import pytest

from tests.delivery.receiver import Receiver
from tests.delivery.support import GOOD, clients, connected_device, send
from tests.support.polling import eventually
from tests.support.servers import MockServer, run_mock

HOUR = "3600"
#: Far below the idle timers: only a wake-up meets it.
WITHIN = 1.0
T = TypeVar("T")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with run_mock(
        "--dispatcher-idle",
        HOUR,
        "--delivery-idle",
        HOUR,
        "--login-delay",
        "0",
        "--speed-factor",
        "0.001",
        tmp_path=tmp_path_factory.mktemp("wakeups"),
    ) as running:
        yield running


def within(probe: Callable[[], T | None], seconds: float = WITHIN) -> T:
    return eventually(probe, seconds, what="nothing woke the waiter", interval=0.01)


def test_pairing_answers_a_pending_login_check(server: MockServer) -> None:
    with clients(server) as (api, control):
        reg_id = api.post("/login/qr").json()["data"]["regId"]
        answers: list[httpx.Response] = []
        check = threading.Thread(
            target=lambda: answers.append(api.post("/login/check", json={"reg_id": reg_id}))
        )
        check.start()
        time.sleep(0.3)  # the check is waiting
        assert not answers
        assert control.post(f"/logins/{reg_id}/pair").status_code == 200
        paired = time.monotonic()
        check.join(timeout=5)
        assert answers, "the check did not answer"
        assert answers[0].status_code == 200, answers[0].text
        assert time.monotonic() - paired < WITHIN


def test_queuing_wakes_the_dispatcher_and_a_report_wakes_the_worker(
    server: MockServer,
) -> None:
    receiver = Receiver().start()
    try:
        with clients(server) as (api, control):
            assert control.put("/callback", json={"url": receiver.url}).status_code == 200
            reg_id = connected_device(api, control)
            time.sleep(0.3)  # both tasks are asleep on their idle timers
            send(api, reg_id, [GOOD], report_id=71)
            within(
                lambda: control.get("/messages", params={"report_id": 71, "status": "sent"}).json()
            )
            within(lambda: receiver.accepted())
    finally:
        receiver.stop()


def test_a_callback_url_and_a_replay_wake_the_worker(server: MockServer) -> None:
    receiver = Receiver().start()
    try:
        with clients(server) as (api, control):
            assert control.put("/callback", json={"url": None}).status_code == 200
            reg_id = connected_device(api, control)
            send(api, reg_id, [GOOD], report_id=72)
            within(lambda: control.get("/deliveries", params={"report_id": 72}).json())
            time.sleep(0.3)  # the report waits for a URL; the worker sleeps
            assert control.put("/callback", json={"url": receiver.url}).status_code == 200
            within(lambda: receiver.accepted())
            (report,) = within(
                lambda: control.get(
                    "/deliveries", params={"report_id": 72, "status": "delivered"}
                ).json()
            )
            time.sleep(0.3)
            assert control.post(f"/deliveries/{report['id']}/replay").status_code == 200
            within(lambda: len(receiver.accepted()) >= 2)
    finally:
        receiver.stop()


def test_expiring_answers_a_pending_login_check(server: MockServer) -> None:
    with clients(server) as (api, control):
        reg_id = api.post("/login/qr").json()["data"]["regId"]
        answers: list[httpx.Response] = []
        check = threading.Thread(
            target=lambda: answers.append(api.post("/login/check", json={"reg_id": reg_id}))
        )
        check.start()
        time.sleep(0.3)
        expired = control.post(f"/logins/{reg_id}/expire")
        assert expired.status_code == 200, expired.text
        assert expired.json()["state"] == "expired"
        at = time.monotonic()
        check.join(timeout=5)
        assert answers, "the check did not answer"
        assert answers[0].status_code == 400, answers[0].text
        assert time.monotonic() - at < WITHIN
        again = control.post(f"/logins/{reg_id}/expire")
        assert again.status_code == 409, again.text
        assert control.post(f"/logins/{reg_id}/pair").status_code == 409
