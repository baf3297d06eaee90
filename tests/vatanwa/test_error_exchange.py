"""Errors carry httpx's own request and response, and connection errors their httpx cause."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.servers import free_port
from vatanwa import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncVatanwa,
    AuthenticationError,
    InternalServerError,
    RetryPolicy,
    Vatanwa,
    status_error,
)

from .conftest import CLIENT_ID, CLIENT_SECRET, FAST_RETRY
from .scripted import Answer, ScriptedServer, documented_example

NO_RETRY = RetryPolicy(max_retries=0)


def test_a_status_error_carries_the_httpx_request_and_response(
    api: Vatanwa, server: ScriptedServer
) -> None:
    envelope = {"code": 401, "status": "error", "description": "wrong credentials"}
    server.script("/messages/send", Answer(401, envelope, headers={"x-trace": "t-1"}))
    with pytest.raises(AuthenticationError) as raised:
        api.messages.send("3641473184", "+905459260314", "merhaba")
    error = raised.value
    assert isinstance(error.response, httpx.Response)
    assert isinstance(error.request, httpx.Request)
    assert error.response.status_code == 401
    assert error.response.headers["x-trace"] == "t-1"
    assert error.response.json() == envelope
    assert error.request.method == "POST"
    assert error.request.url == httpx.URL(server.base_url + "/messages/send")
    assert error.response.request is error.request


def test_an_unreadable_error_page_keeps_its_httpx_response(
    api: Vatanwa, server: ScriptedServer
) -> None:
    server.script("/messages/send", Answer(500, body=b"<html>oops</html>"))
    with pytest.raises(InternalServerError) as raised:
        api.messages.send("3641473184", "+905459260314", "merhaba")
    assert isinstance(raised.value.response, httpx.Response)
    assert raised.value.response.text == "<html>oops</html>"
    assert isinstance(raised.value.request, httpx.Request)


def test_a_success_off_the_contract_carries_the_httpx_response(
    api: Vatanwa, server: ScriptedServer
) -> None:
    server.script("/login/phone", Answer(200, {"code": 200, "status": "success"}))
    with pytest.raises(APIResponseValidationError) as raised:
        api.login.phone("+905459260314")
    assert isinstance(raised.value.response, httpx.Response)
    assert raised.value.response.status_code == 200
    assert isinstance(raised.value.request, httpx.Request)
    assert raised.value.request.url.path.endswith("/login/phone")


def test_a_refused_connection_keeps_its_request_and_cause() -> None:
    base_url = f"http://127.0.0.1:{free_port()}/api/whatsapp/v1"  # nothing listens there
    with (
        Vatanwa("id", "secret", base_url=base_url, retry=NO_RETRY) as api,
        pytest.raises(APIConnectionError) as raised,
    ):
        api.devices.list()
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert isinstance(raised.value.request, httpx.Request)
    assert raised.value.request.method == "GET"
    assert raised.value.request.url == httpx.URL(base_url + "/devices")
    assert not hasattr(raised.value, "response")


def test_a_timeout_keeps_its_request_and_cause(server: ScriptedServer) -> None:
    server.answers.clear()
    server.script("/devices", Answer(200, documented_example("/devices"), delay=0.6))
    with (
        Vatanwa(
            CLIENT_ID, CLIENT_SECRET, base_url=server.base_url, timeout=0.2, retry=NO_RETRY
        ) as api,
        pytest.raises(APITimeoutError) as raised,
    ):
        api.devices.list()
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    assert isinstance(raised.value.request, httpx.Request)
    assert raised.value.request.url.path.endswith("/devices")


def test_the_async_twin_carries_the_same(server: ScriptedServer) -> None:
    server.answers.clear()
    server.script("/devices", *[Answer(503, body=b"down")] * 3)
    refused = f"http://127.0.0.1:{free_port()}/api/whatsapp/v1"

    async def scenario() -> tuple[InternalServerError, APIConnectionError]:
        async with AsyncVatanwa(
            CLIENT_ID, CLIENT_SECRET, base_url=server.base_url, retry=FAST_RETRY
        ) as api:
            with pytest.raises(InternalServerError) as status:
                await api.devices.list()
        async with AsyncVatanwa("id", "secret", base_url=refused, retry=NO_RETRY) as api:
            with pytest.raises(APIConnectionError) as connection:
                await api.login.qr()
        return status.value, connection.value

    status, connection = asyncio.run(scenario())
    assert isinstance(status.response, httpx.Response)
    assert status.response.status_code == 503
    assert isinstance(status.request, httpx.Request)
    assert status.response.request is status.request
    assert isinstance(connection.__cause__, httpx.ConnectError)
    assert isinstance(connection.request, httpx.Request)
    assert connection.request.url.path.endswith("/login/qr")


def test_status_error_takes_the_request_from_the_response() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/api/whatsapp/v1/devices")
    response = httpx.Response(404, content=b"{}", request=request)
    error = status_error(404, response.content, response=response)
    assert error.response is response
    assert error.request is request
    unbound = status_error(404, None, response=httpx.Response(404))
    assert unbound.request is None
    assert status_error(404, None).request is None
