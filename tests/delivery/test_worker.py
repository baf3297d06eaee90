"""The delivery worker in-process, on httpx's mock transport: its lanes bound the attempts in
flight, and stopping it writes the attempts that ended and gives the others back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine

import httpx

from tests.delivery.support import GOOD
from vatanwa_mock.config import Settings
from vatanwa_mock.delivery import DeliveryWorker
from vatanwa_mock.spec import load_contract
from vatanwa_mock.store import Delivery, Store
from vatanwa_mock.twin import Twin

TENANT = "vatanwa-local-id"
URL = "http://127.0.0.1:9/reports"
Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


def twin_with_reports(count: int, concurrency: int) -> Twin:
    """A twin whose outbox holds ``count`` due reports, one per message."""
    settings = Settings(login_delay=0, callback_url=URL, delivery_concurrency=concurrency)
    twin = Twin(settings, load_contract(), Store())
    login = twin.start_login(TENANT, "qr", None)
    twin.pair(TENANT, login.reg_id)
    items = [(GOOD, f"message {i}") for i in range(count)]
    asyncio.run(twin.queue_messages(TENANT, login.reg_id, items, send_speed=1, report_id="8"))
    now = twin.clock()
    twin.clock = lambda: now + count + 1  # every message is due
    assert twin.finish_due_messages(count) == count
    return twin


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 - the store has no event to wait for
            await asyncio.sleep(0.005)


async def run_worker(
    twin: Twin, handler: Handler, lanes: int, body: Callable[[], Awaitable[None]]
) -> None:
    worker = DeliveryWorker(twin, [httpx.MockTransport(handler) for _ in range(lanes)])
    task = asyncio.create_task(worker.run())
    try:
        await body()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def by_status(twin: Twin, status: str) -> list[Delivery]:
    return [d for d in twin.deliveries(TENANT) if d.status == status]


def test_the_lanes_bound_the_attempts_in_flight_and_every_report_arrives_once() -> None:
    twin = twin_with_reports(7, concurrency=2)
    gate = asyncio.Event()
    running: list[str] = []
    arrived: list[str] = []
    most = 0

    async def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal most
        running.append(request.headers["client-id"])
        most = max(most, len(running))
        await gate.wait()
        arrived.append(json.loads(request.content)["content"])
        running.pop()
        return httpx.Response(200, stream=httpx.ByteStream(b"ok"))

    async def scenario() -> None:
        await until(lambda: len(running) == 2)
        await asyncio.sleep(0.05)
        assert len(running) == 2
        # Only the reports being posted are claimed: the others wait without attempts.
        pending = twin.deliveries(TENANT)
        assert sorted(len(d.log) for d in pending) == [0] * 5 + [1] * 2
        gate.set()
        await until(lambda: len(by_status(twin, "delivered")) == 7)

    asyncio.run(run_worker(twin, receiver, 2, scenario))
    assert most == 2
    assert sorted(arrived) == sorted(f"message {i}" for i in range(7))
    for delivery in twin.deliveries(TENANT):
        (attempt,) = delivery.log
        assert (attempt.outcome, attempt.http_status, attempt.url) == ("delivered", 200, URL)


def test_stopping_writes_the_attempts_that_ended_and_gives_the_others_back() -> None:
    twin = twin_with_reports(2, concurrency=2)
    answered: list[httpx.Request] = []

    async def scenario() -> None:
        async def receiver(request: httpx.Request) -> httpx.Response:
            if answered:
                await asyncio.Event().wait()  # the second report is never answered
            answered.append(request)
            # The worker stops right after this answer, before a pass could write it.
            asyncio.get_running_loop().call_soon(task.cancel)
            return httpx.Response(204, stream=httpx.ByteStream(b""))

        worker = DeliveryWorker(twin, [httpx.MockTransport(receiver) for _ in range(2)])
        task = asyncio.create_task(worker.run())
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert len(answered) == 1
    (delivered,) = by_status(twin, "delivered")
    assert [a.outcome for a in delivered.log] == ["delivered"]
    (given_back,) = by_status(twin, "pending")
    assert [a.outcome for a in given_back.log] == ["interrupted"]
    # Given back, not left to its lease: the next worker claims it at once.
    (again,) = twin.start_reports({TENANT: URL}, limit=5, lease=10)
    assert (again.delivery.id, again.attempt.number) == (given_back.id, 2)
