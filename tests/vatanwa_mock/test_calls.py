"""Handlers called directly answer exactly what connexion's decorators answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.servers import BASE_PATH, CLIENT_ID, CLIENT_SECRET
from tests.support.tenants import headers
from vatanwa_mock.app import create_app
from vatanwa_mock.calls import DirectCall
from vatanwa_mock.config import Credentials, Settings
from vatanwa_mock.operations import Operation


def operations(app: Any) -> dict[str, Operation]:
    """The app's operations by handler name, both documents (once the app has started)."""
    found: dict[str, Operation] = {}
    for apis in app._middleware_app.apis.values():
        for api in apis:
            found.update({key.rpartition(".")[2]: op for key, op in api.operations.items()})
    return found


@pytest.fixture
def app() -> Any:
    settings = Settings(
        credentials=(Credentials(CLIENT_ID, CLIENT_SECRET),), login_delay=0, speed_factor=0.0001
    )
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations whose handler was called directly, in order."""
    seen: list[str] = []
    original = DirectCall.__call__

    async def counting(self: DirectCall, scope: Any, receive: Any, send: Any) -> None:
        seen.append(self.handler.__name__)
        await original(self, scope, receive, send)

    monkeypatch.setattr(DirectCall, "__call__", counting)
    return seen


def connected(client: Any) -> str:
    reg_id = str(client.post(BASE_PATH + "/login/qr", headers=headers()).json()["data"]["regId"])
    client.post(f"/_mock/logins/{reg_id}/pair", headers=headers()).raise_for_status()
    return reg_id


def answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    kept = [(k, v) for k, v in response.headers.items() if k not in ("date", "server")]
    return response.status_code, kept, response.content


def requests(reg_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Requests of every kind the direct path takes, and of kinds it leaves to connexion."""
    send = {"reg_id": int(reg_id), "to": "+905459260314", "message": "çğış ✓", "send_speed": 1}
    as_json = {**headers(), "content-type": "application/json"}
    return [
        ("POST", "/messages/send", {"json": send, "headers": headers()}),
        (
            "POST",
            "/messages/send",
            {
                "content": json.dumps(send).encode("utf-16"),
                "headers": {**headers(), "content-type": "application/json; charset=utf-16"},
            },
        ),
        ("POST", "/messages/send", {"json": {**send, "send_speed": "2"}, "headers": headers()}),
        ("POST", "/messages/send", {"json": {**send, "send_speed": 9}, "headers": headers()}),
        ("POST", "/messages/send", {"json": {**send, "reg_id": 999999}, "headers": headers()}),
        ("POST", "/messages/send", {"content": b"{not json", "headers": as_json}),
        ("POST", "/messages/send", {"json": send, "headers": headers(CLIENT_ID, "wrong")}),
        ("POST", "/messages/send", {"data": {**send, "reg_id": reg_id}, "headers": headers()}),
        ("POST", "/login/check/active", {"json": {"reg_id": int(reg_id)}, "headers": headers()}),
        ("POST", "/login/check", {"json": {"reg_id": reg_id}, "headers": headers()}),
        ("GET", "/devices", {"headers": headers()}),
        ("GET", "/devices", {"headers": {"client-id": CLIENT_ID}}),
        ("GET", "/_mock/chaos", {"headers": headers()}),
        ("PUT", "/_mock/chaos", {"json": {"latency_ms": 0}, "headers": headers()}),
        ("GET", "/_mock/logins", {"params": {"state": "connected"}, "headers": headers()}),
    ]


def test_direct_calls_answer_what_connexions_decorators_answer(
    app: Any, client: Any, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reg_id = connected(client)
    for method, path, options in requests(reg_id):
        url = path if path.startswith("/_mock") else BASE_PATH + path
        direct = client.request(method, url, **options)
        with monkeypatch.context() as undirected:
            undirected.setattr(DirectCall, "applies", lambda self, scope: False)
            through_connexion = client.request(method, url, **options)
        assert answer(direct) == answer(through_connexion), (method, path, options)
    assert {"send_message", "login_check_active", "login_check", "list_devices"} <= set(calls)


def test_the_hot_operations_are_called_directly(app: Any, client: Any) -> None:
    found = operations(app)
    for operation_id in ("send_message", "login_check_active", "list_devices", "health"):
        assert found[operation_id].direct is not None, operation_id
    # Parameters are resolved by connexion: such operations keep its decorators.
    assert found["list_messages"].direct is None


def test_a_form_body_goes_through_connexions_decorators(client: Any, calls: list[str]) -> None:
    reg_id = connected(client)
    calls.clear()
    sent = client.post(
        BASE_PATH + "/messages/send",
        data={"reg_id": reg_id, "to": "+905459260314", "message": "hi", "send_speed": "1"},
        headers=headers(),
    )
    assert sent.status_code == 200, sent.text
    assert calls == []
    stored = client.get("/_mock/messages", headers=headers()).json()
    assert [m["message"] for m in stored] == ["hi"]
