"""The cost of one request is bounded: recipients per send, pages of lists, a send's writes
and a backlog's dispatch that leave the event loop to other requests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.delivery.support import GOOD
from tests.support.servers import CLIENT_ID, CLIENT_SECRET
from tests.support.tenants import headers
from vatanwa_mock import dispatcher
from vatanwa_mock.app import create_app
from vatanwa_mock.config import Credentials, Settings
from vatanwa_mock.spec import load_contract
from vatanwa_mock.store import MessageFilter, Store
from vatanwa_mock.twin import Twin
from vatanwa_mock.twin.core import QUEUE_SLICE

BASE = "/api/whatsapp/v1"
AUTH = headers()
TENANT = CLIENT_ID


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    settings = Settings(
        credentials=(Credentials(CLIENT_ID, CLIENT_SECRET),),
        login_delay=0,
        speed_factor=0.0001,
        max_recipients=50,
    )
    with create_app(settings).test_client() as test_client:
        yield test_client


@pytest.fixture(scope="module")
def device(client: Any) -> str:
    reg_id: str = client.post(BASE + "/login/qr", headers=AUTH).json()["data"]["regId"]
    assert client.post(f"/_mock/logins/{reg_id}/pair", headers=AUTH).status_code == 200
    return reg_id


def test_a_send_of_exactly_max_recipients_is_accepted(client: Any, device: str) -> None:
    body: dict[str, Any] = {"reg_id": device, "message": "m", "send_speed": 1}
    body["to"] = ",".join([GOOD] * 50)
    assert client.post(BASE + "/messages/send/oneToN", headers=AUTH, json=body).status_code == 200
    body["to"] = ",".join([GOOD] * 51)
    refused = client.post(BASE + "/messages/send/oneToN", headers=AUTH, json=body)
    assert refused.status_code == 413
    assert "--max-recipients" in refused.json()["description"]


def test_lists_are_paged_with_a_cursor_and_a_link(client: Any, device: str) -> None:
    body: dict[str, Any] = {"reg_id": device, "message": "p", "send_speed": 1}
    body.update(to=",".join([GOOD] * 7), report_id=4242)
    assert client.post(BASE + "/messages/send/oneToN", headers=AUTH, json=body).status_code == 200
    seen: list[int] = []
    params: dict[str, Any] = {"report_id": 4242, "limit": 3}
    pages = 0
    while True:
        answer = client.get("/_mock/messages", headers=AUTH, params=params)
        assert answer.status_code == 200
        seen += [m["id"] for m in answer.json()]
        pages += 1
        cursor = answer.headers.get("x-next-cursor")
        if cursor is None:
            assert "link" not in answer.headers
            break
        assert answer.headers["link"].endswith('>; rel="next"')
        assert f"cursor={cursor}" in answer.headers["link"]
        params["cursor"] = cursor
    assert pages == 3
    assert len(seen) == 7
    assert seen == sorted(set(seen))
    # The default page holds them all; the deliveries list pages the same way.
    assert len(client.get("/_mock/messages", headers=AUTH, params={"report_id": 4242}).json()) == 7
    first = client.get("/_mock/deliveries", headers=AUTH, params={"limit": 1})
    assert first.status_code == 200
    assert len(first.json()) <= 1


def _connected_twin(**settings: Any) -> tuple[Twin, str]:
    twin = Twin(Settings(login_delay=0, **settings), load_contract(), Store())
    login = twin.start_login(TENANT, "qr", None)
    twin.pair(TENANT, login.reg_id)
    return twin, login.reg_id


def test_a_large_send_is_written_in_slices_that_let_other_work_run() -> None:
    twin, reg_id = _connected_twin()
    items = [(GOOD, "same text")] * (QUEUE_SLICE * 3 + 1)

    async def scenario() -> tuple[int, list[int]]:
        observed: list[int] = []

        async def other_request() -> None:
            while True:
                observed.append(len(twin.messages(TENANT, MessageFilter(status="queued"))))
                await asyncio.sleep(0)

        watcher = asyncio.create_task(other_request())
        await asyncio.sleep(0)
        ids = await twin.queue_messages(TENANT, reg_id, items, send_speed=1, report_id=None)
        watcher.cancel()
        return len(ids), observed

    count, observed = asyncio.run(scenario())
    assert count == len(items)
    # The other request ran while the send was being written, between its slices.
    assert any(0 < seen < len(items) for seen in observed), observed[:10]


def test_a_backlog_is_dispatched_in_slices_that_let_other_work_run() -> None:
    twin, reg_id = _connected_twin(speed_factor=0.000001)
    total = 300

    async def scenario() -> list[int]:
        await twin.queue_messages(
            TENANT, reg_id, [(GOOD, "due")] * total, send_speed=1, report_id=None
        )
        await asyncio.sleep(0.01)  # all of them are due now
        observed: list[int] = []
        task = asyncio.create_task(dispatcher.run(twin))
        while not observed or observed[-1]:
            await asyncio.sleep(0)
            observed.append(len(twin.messages(TENANT, MessageFilter(status="queued"))))
        task.cancel()
        return observed

    observed = asyncio.run(scenario())
    assert observed[-1] == 0
    assert any(0 < seen < total for seen in observed)


def test_braces_inside_texts_do_not_count_as_objects(client: Any, device: str) -> None:
    body = {"reg_id": device, "to": GOOD, "message": "{[" * 5000, "send_speed": 1}
    answer = client.post(BASE + "/messages/send/oneToN", headers=AUTH, json=body)
    assert answer.status_code == 200, answer.text
