"""connexion's per-request work is done once per operation; auth and validation still apply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import connexion.decorators.parameter
import connexion.security
import pytest
from connexion.operations import OpenAPIOperation

from tests.support.servers import BASE_PATH, CLIENT_ID, CLIENT_SECRET
from tests.support.tenants import headers
from vatanwa_mock.app import create_app
from vatanwa_mock.config import Credentials, Settings


@pytest.fixture
def inspections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every look at a handler's signature or an operation's body definition by connexion."""
    seen: list[str] = []
    for module in (connexion.decorators.parameter, connexion.security):
        original: Callable[..., Any] = module.inspect_function_arguments

        def counting(function: Callable[..., Any], original: Callable[..., Any] = original) -> Any:
            seen.append(getattr(function, "__name__", "?"))
            return original(function)

        monkeypatch.setattr(module, "inspect_function_arguments", counting)
    original_body: Callable[..., Any] = OpenAPIOperation.body_definition

    def counting_body(self: Any, content_type: str | None = None) -> Any:
        seen.append(f"body_definition {content_type}")
        return original_body(self, content_type)

    monkeypatch.setattr(OpenAPIOperation, "body_definition", counting_body)
    return seen


@pytest.fixture
def client() -> Iterator[Any]:
    settings = Settings(
        credentials=(Credentials(CLIENT_ID, CLIENT_SECRET),), login_delay=0, speed_factor=0.0001
    )
    with create_app(settings).test_client() as test_client:
        yield test_client


def send(client: Any, reg_id: str, **changes: Any) -> Any:
    body = {"reg_id": int(reg_id), "to": "+905459260314", "message": "hi", "send_speed": 1}
    return client.post(BASE_PATH + "/messages/send", json={**body, **changes}, headers=headers())


def test_signatures_are_read_once_per_operation_not_per_request(
    client: Any, inspections: list[str]
) -> None:
    reg_id = client.post(BASE_PATH + "/login/qr", headers=headers()).json()["data"]["regId"]
    client.post(f"/_mock/logins/{reg_id}/pair", headers=headers())
    assert send(client, reg_id).status_code == 200
    after_first = len(inspections)
    for _ in range(20):
        assert send(client, reg_id).status_code == 200
    assert len(inspections) == after_first
    stored = client.get("/_mock/messages", params={"limit": 100}, headers=headers()).json()
    assert len(stored) == 21


def test_the_cached_operations_still_authenticate_and_validate(client: Any) -> None:
    reg_id = client.post(BASE_PATH + "/login/qr", headers=headers()).json()["data"]["regId"]
    client.post(f"/_mock/logins/{reg_id}/pair", headers=headers())
    assert send(client, reg_id).status_code == 200
    wrong = client.post(
        BASE_PATH + "/messages/send",
        json={"reg_id": int(reg_id), "to": "+905459260314", "message": "x", "send_speed": 1},
        headers=headers(CLIENT_ID, "not-the-secret"),
    )
    assert wrong.status_code == 401
    assert wrong.json()["status"] == "error"
    invalid = send(client, reg_id, send_speed=9)
    assert invalid.status_code == 422
    assert "send_speed" in invalid.json()["description"]
