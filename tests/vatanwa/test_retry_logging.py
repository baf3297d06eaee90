"""The ``vatanwa`` logger reports each retry decision, and never a credential."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.support.servers import free_port
from vatanwa import (
    APIConnectionError,
    AsyncVatanwa,
    AuthenticationError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    Vatanwa,
)

from .conftest import FAST_RETRY
from .scripted import Answer, ScriptedServer

ENVELOPE_500 = {"code": 500, "status": "error", "description": "Internal server error."}
SECRET_ID = "id-b7f1c2d9e4"
SECRET = "secret-5a9e0c3f1d7b"


def _decisions(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "vatanwa"]


def _fields(record: logging.LogRecord) -> tuple[object, object, object, object]:
    return (
        getattr(record, "operation", None),
        getattr(record, "attempt", None),
        getattr(record, "reason", None),
        getattr(record, "wait", None),
    )


def test_each_retry_of_a_safe_call_is_logged_with_its_wait(
    api: Vatanwa, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vatanwa")
    server.script("/devices", Answer(500, ENVELOPE_500), Answer(502, body=b"<html>x</html>"))
    api.devices.list()
    first, second = _decisions(caplog)
    assert _fields(first)[:3] == ("GET /devices", 1, "500 Internal Server Error")
    assert _fields(second)[:3] == ("GET /devices", 2, "502 Bad Gateway")
    for record in (first, second):
        wait = getattr(record, "wait", None)
        assert isinstance(wait, float)
        assert 0 < wait <= FAST_RETRY.max_delay
        assert record.levelno == logging.INFO
        message = record.getMessage()
        assert message.startswith("retry decision: operation='GET /devices' attempt=")
        assert message.endswith(f"wait={wait:.2f}s -> retrying")


def test_a_call_not_retried_says_why(
    api: Vatanwa, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vatanwa")
    server.script("/messages/send", Answer(500, ENVELOPE_500))
    with pytest.raises(InternalServerError):
        api.messages.send("3641473184", "+905459260314", "merhaba")
    (record,) = _decisions(caplog)
    assert _fields(record) == ("POST /messages/send", 1, "500 Internal Server Error", None)
    assert record.getMessage() == (
        "retry decision: operation='POST /messages/send' attempt=1"
        " reason='500 Internal Server Error' wait=None"
        " -> not retried: the operation is not safe to repeat once the request may have arrived"
    )


def test_giving_up_after_the_last_retry_is_logged(
    api: Vatanwa, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vatanwa")
    limited = {"code": 429, "status": "error", "description": "Too many requests"}
    server.script("/devices", *[Answer(429, limited, headers={"Retry-After": "0"})] * 3)
    with pytest.raises(RateLimitError):
        api.devices.list()
    records = _decisions(caplog)
    reason = "429 Too Many Requests, Retry-After 0 s"
    assert [_fields(r) for r in records] == [
        ("GET /devices", 1, reason, 0.0),
        ("GET /devices", 2, reason, 0.0),
        ("GET /devices", 3, reason, None),
    ]
    assert "not retried: no retries left (max_retries=2)" in records[-1].getMessage()


def test_a_too_long_retry_after_is_logged_as_the_reason_to_stop(
    api: Vatanwa, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vatanwa")
    limited = {"code": 429, "status": "error", "description": "Too many requests"}
    server.script("/devices", Answer(429, limited, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError):
        api.devices.list()
    (record,) = _decisions(caplog)
    assert getattr(record, "wait", "missing") is None
    assert "Retry-After is above 60 s" in record.getMessage()


def test_a_refused_connection_is_logged_as_retried(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="vatanwa")
    policy = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.01)
    base_url = f"http://127.0.0.1:{free_port()}/api/whatsapp/v1"
    with (
        Vatanwa("id", "secret", base_url=base_url, retry=policy) as api,
        pytest.raises(APIConnectionError),
    ):
        api.messages.send("3641473184", "+905459260314", "merhaba")
    assert [_fields(r)[:3] for r in _decisions(caplog)] == [
        ("POST /messages/send", 1, "ConnectError"),
        ("POST /messages/send", 2, "ConnectError"),
    ]


def test_the_async_twin_logs_the_same(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vatanwa")
    server.answers.clear()
    server.script("/login/check/active", Answer(503, body=b"down"))

    async def scenario() -> None:
        async with AsyncVatanwa("id", "secret", base_url=server.base_url, retry=FAST_RETRY) as api:
            await api.login.check_active("3641473184")

    asyncio.run(scenario())
    (record,) = _decisions(caplog)
    assert _fields(record)[:3] == ("POST /login/check/active", 1, "503 Service Unavailable")
    assert isinstance(getattr(record, "wait", None), float)


def test_no_record_ever_holds_a_credential(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything at DEBUG, from every logger: the SDK's, httpx's and httpcore's.
    caplog.set_level(logging.DEBUG)
    server.answers.clear()
    echo = {"code": 401, "status": "error", "description": f"bad {SECRET_ID}:{SECRET}"}
    server.script("/devices", Answer(500, echo), Answer(401, echo))
    server.script("/messages/send", Answer(429, echo, headers={"Retry-After": "0"}))
    base_url = server.base_url
    with Vatanwa(SECRET_ID, SECRET, base_url=base_url, retry=FAST_RETRY) as api:
        with pytest.raises(AuthenticationError):
            api.devices.list()
        api.messages.send("3641473184", "+905459260314", "merhaba")
    refused = f"http://127.0.0.1:{free_port()}/api/whatsapp/v1"
    with (
        Vatanwa(SECRET_ID, SECRET, base_url=refused, retry=FAST_RETRY) as api,
        pytest.raises(APIConnectionError),
    ):
        api.login.qr()
    assert len(_decisions(caplog)) == 6
    for record in caplog.records:
        shown = [record.getMessage(), repr(record.args), repr(vars(record))]
        for text in shown:
            assert SECRET not in text, record
            assert SECRET_ID not in text, record
