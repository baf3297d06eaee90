"""The SDK client against a real server on a loopback port that answers what each test scripts."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

import vatanwa
from tests.support.servers import free_port
from vatanwa import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncVatanwa,
    Attachment,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    Vatanwa,
)
from vatanwa.types import (
    DevicesResponse,
    LoginCheckActiveResponse,
    LoginCheckResponse,
    LoginPhoneResponse,
    LoginQrResponse,
    NToNItem,
    ProfilePictureResponse,
    SuccessEnvelope,
)

from .conftest import CLIENT_ID, CLIENT_SECRET, FAST_RETRY
from .scripted import Answer, ScriptedServer, documented_example, spec

ENVELOPE_500 = {"code": 500, "status": "error", "description": "Internal server error."}


def test_default_base_url_is_the_contracts_live_server() -> None:
    assert spec()["servers"][0]["url"] == vatanwa.DEFAULT_BASE_URL
    assert "api.vatansms.net" in vatanwa.DEFAULT_BASE_URL


def test_every_group_returns_the_generated_success_models(
    api: Vatanwa, server: ScriptedServer
) -> None:
    phone = api.login.phone("+905459260314")
    assert isinstance(phone, LoginPhoneResponse)
    assert phone.data.reg_id == documented_example("/login/phone")["data"]["regId"]
    assert isinstance(phone.data.reg_id, str)
    assert isinstance(api.login.qr(), LoginQrResponse)
    assert isinstance(api.login.check(phone.data.reg_id), LoginCheckResponse)
    active = api.login.check_active(phone.data.reg_id)
    assert isinstance(active, LoginCheckActiveResponse)
    assert active.is_connect is True
    assert isinstance(api.profile.picture("3641473184"), ProfilePictureResponse)
    devices = api.devices.list()
    assert isinstance(devices, DevicesResponse)
    assert devices.data[0].reg_id == documented_example("/devices")["data"][0]["reg_id"]
    sent = api.messages.send("3641473184", "+905459260314", "merhaba", report_id=7)
    assert isinstance(sent, SuccessEnvelope)
    assert isinstance(api.login.logout("3641473184"), SuccessEnvelope)
    assert [r.path for r in server.requests] == [
        "/login/phone",
        "/login/qr",
        "/login/check",
        "/login/check/active",
        "/profile-picture",
        "/devices",
        "/messages/send",
        "/logout",
    ]


def test_both_credential_headers_go_with_every_request(
    api: Vatanwa, server: ScriptedServer
) -> None:
    api.devices.list()
    api.messages.send("3641473184", "+905459260314", "merhaba")
    assert len(server.requests) == 2
    for request in server.requests:
        assert request.headers["client-id"] == CLIENT_ID
        assert request.headers["client-secret"] == CLIENT_SECRET
        assert request.headers["user-agent"].startswith("vatanwa/")


def test_reg_id_stays_a_string_in_json_bodies(api: Vatanwa, server: ScriptedServer) -> None:
    api.login.check_active("3641473184")
    api.profile.picture("3641473184")
    api.messages.send("3641473184", "+905459260314", "merhaba", send_speed=2, report_id=9)
    bodies = [json.loads(r.body) for r in server.requests]
    assert [b["reg_id"] for b in bodies] == ["3641473184"] * 3
    assert bodies[2] == {
        "reg_id": "3641473184",
        "to": "+905459260314",
        "message": "merhaba",
        "send_speed": 2,
        "report_id": 9,
    }
    assert server.requests[2].headers["content-type"] == "application/json"


def test_n_to_n_from_pairs_dicts_and_models(api: Vatanwa, server: ScriptedServer) -> None:
    api.messages.send_n_to_n(
        "3641473184",
        [
            ("+905459260314", "bir"),
            {"to": "+903222450353", "message": "iki"},
            NToNItem(to="905000000001", message="üç"),
        ],
    )
    body = json.loads(server.requests_to("/messages/send/nToN")[0].body)
    assert body["n_to_n"] == [
        {"to": "+905459260314", "message": "bir"},
        {"to": "+903222450353", "message": "iki"},
        {"to": "905000000001", "message": "üç"},
    ]
    assert body["send_speed"] == 1
    assert "report_id" not in body


def test_one_to_n_joins_a_list_of_numbers(api: Vatanwa, server: ScriptedServer) -> None:
    api.messages.send_one_to_n("3641473184", ["+905459260314", "+903222450353"], "hepsine")
    body = json.loads(server.requests_to("/messages/send/oneToN")[0].body)
    assert body["to"] == "+905459260314,+903222450353"


def test_attachment_from_a_path_goes_as_multipart(
    api: Vatanwa, server: ScriptedServer, tmp_path: Path
) -> None:
    pdf = tmp_path / "fatura.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    api.messages.send("3641473184", "+905459260314", "ekte", report_id=3, attachment=pdf)
    (request,) = server.requests_to("/messages/send")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert request.form == {
        "reg_id": "3641473184",
        "to": "+905459260314",
        "message": "ekte",
        "send_speed": "1",
        "report_id": "3",
        "attachment": ("fatura.pdf", pdf.read_bytes(), "application/pdf"),
    }


def test_n_to_n_with_attachment_bytes_carries_the_list_as_json_text(
    api: Vatanwa, server: ScriptedServer
) -> None:
    png = Attachment.from_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "logo.png")
    api.messages.send_n_to_n("3641473184", [("+905459260314", "bir")], attachment=png)
    api.messages.send_one_to_n("3641473184", "+905459260314", "hepsi", attachment=png)
    n_to_n, one_to_n = server.requests
    assert n_to_n.form is not None
    assert json.loads(n_to_n.form["n_to_n"]) == [{"to": "+905459260314", "message": "bir"}]
    assert n_to_n.form["attachment"] == ("logo.png", png.content, "image/png")
    assert one_to_n.form is not None
    assert one_to_n.form["attachment"] == ("logo.png", png.content, "image/png")


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (400, vatanwa.BadRequestError),
        (401, vatanwa.AuthenticationError),
        (404, vatanwa.NotFoundError),
        (413, vatanwa.PayloadTooLargeError),
        (415, vatanwa.UnsupportedMediaTypeError),
        (422, vatanwa.UnprocessableEntityError),
        (429, vatanwa.RateLimitError),
        (500, vatanwa.InternalServerError),
    ],
)
def test_every_documented_error_envelope_raises_its_exception(
    api: Vatanwa, server: ScriptedServer, status: int, exception: type[APIStatusError]
) -> None:
    envelope = {"code": status, "status": "error", "description": f"failure {status}"}
    # Enough answers for every retry a status may get.
    server.script("/messages/send", *[Answer(status, envelope)] * 3)
    with pytest.raises(exception) as raised:
        api.messages.send("3641473184", "+905459260314", "merhaba")
    assert raised.value.status_code == status
    assert raised.value.code == status
    assert raised.value.description == f"failure {status}"
    assert raised.value.response is not None
    assert json.loads(raised.value.response.content) == envelope


def test_429_waits_retry_after_then_succeeds_even_for_a_send(
    api: Vatanwa, server: ScriptedServer
) -> None:
    limited = {"code": 429, "status": "error", "description": "Too many requests"}
    server.script("/messages/send", Answer(429, limited, headers={"Retry-After": "1"}))
    started = time.monotonic()
    answer = api.messages.send("3641473184", "+905459260314", "merhaba")
    elapsed = time.monotonic() - started
    assert isinstance(answer, SuccessEnvelope)
    assert len(server.requests_to("/messages/send")) == 2
    assert elapsed >= 0.95


def test_429_gives_up_after_max_retries_with_retry_after(
    api: Vatanwa, server: ScriptedServer
) -> None:
    limited = {"code": 429, "status": "error", "description": "Too many requests"}
    server.script("/devices", *[Answer(429, limited, headers={"Retry-After": "0"})] * 3)
    with pytest.raises(RateLimitError) as raised:
        api.devices.list()
    assert raised.value.retry_after == 0
    assert len(server.requests_to("/devices")) == 1 + FAST_RETRY.max_retries


def test_429_asking_for_a_long_wait_is_raised_at_once(api: Vatanwa, server: ScriptedServer) -> None:
    limited = {"code": 429, "status": "error", "description": "Too many requests"}
    server.script("/devices", Answer(429, limited, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError) as raised:
        api.devices.list()
    assert raised.value.retry_after == 3600
    assert len(server.requests_to("/devices")) == 1


def test_5xx_is_retried_for_a_safe_call(api: Vatanwa, server: ScriptedServer) -> None:
    server.script(
        "/devices",
        Answer(500, ENVELOPE_500),
        Answer(502, body=b"<html>Bad Gateway</html>"),
    )
    assert isinstance(api.devices.list(), DevicesResponse)
    assert len(server.requests_to("/devices")) == 3


def test_5xx_is_not_retried_for_a_send(api: Vatanwa, server: ScriptedServer) -> None:
    server.script("/messages/send", Answer(500, ENVELOPE_500))
    with pytest.raises(InternalServerError):
        api.messages.send("3641473184", "+905459260314", "merhaba")
    assert len(server.requests_to("/messages/send")) == 1


def test_5xx_is_not_retried_for_a_login_start(api: Vatanwa, server: ScriptedServer) -> None:
    server.script("/login/qr", Answer(503, body=b"down"))
    with pytest.raises(InternalServerError) as raised:
        api.login.qr()
    assert raised.value.status_code == 503
    assert raised.value.description == "down"
    assert len(server.requests_to("/login/qr")) == 1


def test_an_html_page_under_a_documented_status_still_maps_to_its_exception(
    api: Vatanwa, server: ScriptedServer
) -> None:
    server.script("/messages/send", Answer(500, body=b"<html>oops</html>"))
    with pytest.raises(InternalServerError) as raised:
        api.messages.send("3641473184", "+905459260314", "merhaba")
    assert raised.value.description == "<html>oops</html>"
    assert raised.value.response is not None
    assert raised.value.response.content == b"<html>oops</html>"


def test_a_success_body_that_breaks_the_contract_is_reported(
    api: Vatanwa, server: ScriptedServer
) -> None:
    server.script("/login/phone", Answer(200, {"code": 200, "status": "success"}))
    with pytest.raises(APIResponseValidationError):
        api.login.phone("+905459260314")


def test_undocumented_4xx_raises_the_base_status_error(
    api: Vatanwa, server: ScriptedServer
) -> None:
    server.script("/devices", Answer(403, {"code": 403, "status": "error", "description": "no"}))
    with pytest.raises(APIStatusError) as raised:
        api.devices.list()
    assert type(raised.value) is APIStatusError
    assert raised.value.description == "no"


def test_wait_returns_true_on_login_and_false_after_the_window(
    api: Vatanwa, server: ScriptedServer
) -> None:
    timeout = {"code": 400, "status": "error", "description": "No login was detected"}
    server.script(
        "/login/check", Answer(200, documented_example("/login/check")), Answer(400, timeout)
    )
    assert api.login.wait("3641473184") is True
    assert api.login.wait("3641473184") is False


def test_wait_outlasts_the_clients_ordinary_read_timeout(server: ScriptedServer) -> None:
    server.answers.clear()
    server.script("/login/check", Answer(200, documented_example("/login/check"), delay=1.2))
    server.script("/devices", Answer(200, documented_example("/devices"), delay=1.2))
    with Vatanwa(
        CLIENT_ID, CLIENT_SECRET, base_url=server.base_url, timeout=0.5, max_retries=0
    ) as api:
        assert api.login.wait("3641473184") is True
        with pytest.raises(APITimeoutError):
            api.devices.list()


def test_read_timeouts_are_retried_only_where_safe(server: ScriptedServer) -> None:
    server.answers.clear()
    server.requests.clear()
    slow = Answer(200, documented_example("/messages/send"), delay=0.6)
    server.script("/messages/send", slow)
    server.script("/devices", *[Answer(200, documented_example("/devices"), delay=0.6)] * 3)
    with Vatanwa(
        CLIENT_ID, CLIENT_SECRET, base_url=server.base_url, timeout=0.2, retry=FAST_RETRY
    ) as api:
        with pytest.raises(APITimeoutError):
            api.messages.send("3641473184", "+905459260314", "merhaba")
        with pytest.raises(APITimeoutError):
            api.devices.list()
    # The server records a request when it arrives, before answering late.
    time.sleep(0.1)
    assert len(server.requests_to("/messages/send")) == 1
    assert len(server.requests_to("/devices")) == 1 + FAST_RETRY.max_retries


def test_a_refused_connection_is_retried_then_raised() -> None:
    port = free_port()  # nothing listens there
    policy = RetryPolicy(max_retries=2, initial_delay=0.2, max_delay=0.2)
    with Vatanwa("id", "secret", base_url=f"http://127.0.0.1:{port}/x", retry=policy) as api:
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as raised:
            api.messages.send("3641473184", "+905459260314", "merhaba")
    # Two waits of 0.1 to 0.2 s: the send was tried again, since it never left.
    assert time.monotonic() - started >= 0.2
    assert not isinstance(raised.value, APITimeoutError)


def test_the_secret_is_not_in_the_clients_repr() -> None:
    api = Vatanwa("id", "very-secret-value")
    assert "very-secret-value" not in repr(api)
    api.close()


def test_the_async_twin_does_the_same_work(server: ScriptedServer) -> None:
    server.answers.clear()
    server.requests.clear()
    server.script("/devices", Answer(500, ENVELOPE_500))
    server.script("/messages/send", Answer(500, ENVELOPE_500))
    server.script(
        "/login/check",
        Answer(400, {"code": 400, "status": "error", "description": "No login was detected"}),
    )

    async def scenario() -> None:
        async with AsyncVatanwa(
            CLIENT_ID, CLIENT_SECRET, base_url=server.base_url, retry=FAST_RETRY
        ) as api:
            phone = await api.login.phone("+905459260314")
            assert isinstance(phone, LoginPhoneResponse)
            assert await api.login.wait(phone.data.reg_id) is False
            assert isinstance(await api.devices.list(), DevicesResponse)
            with pytest.raises(InternalServerError):
                await api.messages.send("3641473184", "+905459260314", "merhaba")
            await api.messages.send_n_to_n(phone.data.reg_id, [("+905459260314", "bir")])
            assert isinstance(await api.profile.picture("1"), ProfilePictureResponse)
            assert isinstance(await api.login.check_active("1"), LoginCheckActiveResponse)
            assert isinstance(await api.login.qr(), LoginQrResponse)
            assert isinstance(await api.login.logout("1"), SuccessEnvelope)
            with pytest.raises(BadRequestError):
                await api.login.check("1")

    server.script(
        "/login/check",
        Answer(400, {"code": 400, "status": "error", "description": "No login was detected"}),
    )
    asyncio.run(scenario())
    assert len(server.requests_to("/devices")) == 2
    assert len(server.requests_to("/messages/send")) == 1
    assert all(r.headers["client-secret"] == CLIENT_SECRET for r in server.requests)


def test_a_report_id_goes_out_as_it_was_given(api: Vatanwa, server: ScriptedServer) -> None:
    # A UUID string stays a string, a number a number; a multipart part carries either's text.
    uuid_text = "4b2e9c1e-6f1a-4a57-9a0e-0c6b8f1d2e3a"
    api.messages.send("3641473184", "+905459260314", "bir", report_id=uuid_text)
    api.messages.send_one_to_n("3641473184", ["+905459260314"], "iki", report_id="0042")
    api.messages.send_n_to_n("3641473184", [("+905459260314", "üç")], report_id=42)
    png = Attachment.from_bytes(b"\x89PNG\r\n\x1a\n", "a.png")
    api.messages.send("3641473184", "+905459260314", "dört", report_id=uuid_text, attachment=png)
    first, second, third, fourth = server.requests
    assert json.loads(first.body)["report_id"] == uuid_text
    assert json.loads(second.body)["report_id"] == "0042"
    assert json.loads(third.body)["report_id"] == 42
    assert fourth.form is not None
    assert fourth.form["report_id"] == uuid_text
