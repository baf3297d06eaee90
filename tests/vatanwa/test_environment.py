"""``Vatanwa()`` and ``AsyncVatanwa()`` without arguments read their settings from the
environment; arguments win; missing credentials raise a clear error."""

from __future__ import annotations

import asyncio

import pytest

from vatanwa import DEFAULT_BASE_URL, AsyncVatanwa, Vatanwa, VatanwaError
from vatanwa.types import DevicesResponse

from .scripted import Answer, ScriptedServer, documented_example

ENV = ("VATANWA_CLIENT_ID", "VATANWA_CLIENT_SECRET", "VATANWA_BASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def configure(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("VATANWA_CLIENT_ID", "env-id")
    monkeypatch.setenv("VATANWA_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("VATANWA_BASE_URL", base_url)


def test_a_client_without_arguments_uses_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.requests.clear()
    server.script("/devices", Answer(200, documented_example("/devices")))
    configure(monkeypatch, server.base_url)
    with Vatanwa() as api:
        assert api.base_url == server.base_url.rstrip("/")
        assert isinstance(api.devices.list(), DevicesResponse)
    (request,) = server.requests_to("/devices")
    assert request.headers["client-id"] == "env-id"
    assert request.headers["client-secret"] == "env-secret"


def test_the_async_client_uses_the_environment_too(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.requests.clear()
    server.script("/devices", Answer(200, documented_example("/devices")))
    configure(monkeypatch, server.base_url)

    async def scenario() -> None:
        async with AsyncVatanwa() as api:
            assert isinstance(await api.devices.list(), DevicesResponse)

    asyncio.run(scenario())
    (request,) = server.requests_to("/devices")
    assert request.headers["client-id"] == "env-id"


def test_arguments_win_over_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.requests.clear()
    server.script("/devices", Answer(200, documented_example("/devices")))
    configure(monkeypatch, "http://127.0.0.1:9/not-used")
    with Vatanwa("arg-id", "arg-secret", base_url=server.base_url) as api:
        api.devices.list()
    (request,) = server.requests_to("/devices")
    assert request.headers["client-id"] == "arg-id"
    assert request.headers["client-secret"] == "arg-secret"


def test_without_a_base_url_anywhere_the_client_talks_to_the_live_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VATANWA_CLIENT_ID", "env-id")
    monkeypatch.setenv("VATANWA_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("VATANWA_BASE_URL", "")
    with Vatanwa() as api:
        assert api.base_url == DEFAULT_BASE_URL


@pytest.mark.parametrize("client", [Vatanwa, AsyncVatanwa])
def test_missing_credentials_name_the_argument_and_the_variable(
    client: type[Vatanwa] | type[AsyncVatanwa], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(VatanwaError) as raised:
        client()
    message = str(raised.value)
    assert "VATANWA_CLIENT_ID" in message
    assert "VATANWA_CLIENT_SECRET" in message

    monkeypatch.setenv("VATANWA_CLIENT_ID", "env-id")
    monkeypatch.setenv("VATANWA_CLIENT_SECRET", "")
    with pytest.raises(VatanwaError, match="VATANWA_CLIENT_SECRET") as only_secret:
        client()
    assert "VATANWA_CLIENT_ID" not in str(only_secret.value)
    with pytest.raises(VatanwaError, match="client_id"):
        client("", "secret")
