"""The apiKey headers checked in one step answer exactly what connexion's chain answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from connexion.middleware.security import SecurityOperation

from tests.support.servers import BASE_PATH, CLIENT_ID, CLIENT_SECRET
from vatanwa_mock.apikeys import HeaderKeysMiddleware, HeaderKeysOperation
from vatanwa_mock.app import create_app
from vatanwa_mock.config import Credentials, Settings


@pytest.fixture
def app() -> Any:
    settings = Settings(credentials=(Credentials(CLIENT_ID, CLIENT_SECRET),), login_delay=0)
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    with app.test_client() as test_client:
        yield test_client


def security_operations(app: Any) -> list[HeaderKeysOperation]:
    """The security middleware's operations (once the app has started)."""
    found: list[HeaderKeysOperation] = []
    layer = app.middleware.app
    while layer is not None:
        if isinstance(layer, HeaderKeysMiddleware):
            for apis in layer.apis.values():
                for api in apis:
                    found += list(api.operations.values())
        layer = getattr(layer, "app", None)
    return found


HEADER_SETS: list[dict[str, str] | list[tuple[str, str]]] = [
    {},
    {"client-id": CLIENT_ID},
    {"client-secret": CLIENT_SECRET},
    {"client-id": CLIENT_ID, "client-secret": "wrong"},
    {"client-id": "nobody", "client-secret": CLIENT_SECRET},
    {"client-id": "", "client-secret": ""},
    {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET},
    {"Client-ID": CLIENT_ID, "CLIENT-SECRET": CLIENT_SECRET},
    [("client-id", "nobody"), ("client-id", CLIENT_ID), ("client-secret", CLIENT_SECRET)],
    [("client-id", CLIENT_ID), ("client-id", "nobody"), ("client-secret", CLIENT_SECRET)],
    [("client-id", CLIENT_ID), ("client-secret", CLIENT_SECRET), ("client-secret", "x")],
]


@pytest.mark.parametrize("sent", HEADER_SETS)
def test_one_step_answers_what_connexions_chain_answers(
    client: Any, sent: dict[str, str] | list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def ask() -> list[tuple[int, bytes]]:
        return [
            (r.status_code, r.content)
            for r in (
                client.get(BASE_PATH + "/devices", headers=sent),
                client.post(BASE_PATH + "/login/check/active", json={"reg_id": 1}, headers=sent),
                client.get("/_mock/chaos", headers=sent),
                client.get("/_mock/health", headers=sent),
            )
        ]

    one_step = ask()
    with monkeypatch.context() as chained:
        chained.setattr(HeaderKeysOperation, "__call__", SecurityOperation.__call__)
        through_chain = ask()
    assert one_step == through_chain
    assert one_step[-1][0] == 200  # the health check requires no key


def test_the_contracts_requirement_is_read_from_the_contract(app: Any, client: Any) -> None:
    operations = security_operations(app)
    checked = [op for op in operations if op.keys is not None]
    assert checked, "no operation is checked in one step"
    for operation in checked:
        assert [(k.scheme, k.header) for k in operation.keys or []] == [
            ("clientId", "client-id"),
            ("clientSecret", "client-secret"),
        ]
    # Operations that require no key (security: []) keep connexion's passthrough.
    assert any(op.keys is None and not op.security for op in operations)
