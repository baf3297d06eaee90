"""The SDK end to end against the offline twin (``python -m vatanwa_mock``) on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import vatanwa
from tests.support.polling import eventually
from tests.support.servers import CLIENT_ID, CLIENT_SECRET, MockServer, run_mock
from vatanwa import Attachment, RetryPolicy, Vatanwa

CONTROL_HEADERS = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    # Logins pair only through the control API, and expire after one second unpaired.
    with run_mock(
        "--login-delay",
        "0",
        "--login-timeout",
        "1",
        "--speed-factor",
        "0.01",
        "--validate-responses",
        "--log-level",
        "warning",
        tmp_path=tmp_path_factory.mktemp("mock"),
    ) as server:
        yield server


@pytest.fixture
def api(mock: MockServer) -> Iterator[Vatanwa]:
    httpx.post(mock.root_url + "/_mock/reset", headers=CONTROL_HEADERS).raise_for_status()
    with Vatanwa(CLIENT_ID, CLIENT_SECRET, base_url=mock.base_url, retry=FAST_RETRY) as client:
        yield client


def control(mock: MockServer, method: str, path: str, **kwargs: Any) -> Any:
    answer = httpx.request(
        method, mock.root_url + "/_mock" + path, headers=CONTROL_HEADERS, **kwargs
    )
    answer.raise_for_status()
    return answer.json()


def logged_in(api: Vatanwa, mock: MockServer) -> str:
    reg_id = api.login.phone("+905459260314").data.reg_id
    control(mock, "POST", f"/logins/{reg_id}/pair")
    assert api.login.wait(reg_id) is True
    return reg_id


def messages_of(mock: MockServer, reg_id: str, *, settled: int) -> list[dict[str, Any]]:
    """The captured messages of ``reg_id`` once ``settled`` of them are sent or failed."""

    def probe() -> list[dict[str, Any]] | None:
        captured: list[dict[str, Any]] = control(
            mock, "GET", "/messages", params={"reg_id": reg_id}
        )
        return captured if sum(m["status"] != "queued" for m in captured) >= settled else None

    return eventually(probe, 10, what=f"{settled} settled messages of {reg_id}", interval=0.05)


def test_login_send_and_logout(api: Vatanwa, mock: MockServer) -> None:
    reg_id = logged_in(api, mock)
    assert isinstance(reg_id, str)
    assert api.login.check_active(reg_id).is_connect is True
    assert reg_id in [device.reg_id for device in api.devices.list().data]
    assert api.profile.picture(reg_id).data.image.startswith("http")

    api.messages.send(reg_id, "+905459260314", "tek", report_id=1)
    api.messages.send(
        reg_id,
        "+905459260314",
        "ekli",
        report_id=2,
        attachment=Attachment.from_bytes(b"%PDF-1.4\n%test\n", "fatura.pdf"),
    )
    api.messages.send_one_to_n(reg_id, ["+905459260314", "+903222450353"], "herkese", report_id=3)
    api.messages.send_n_to_n(
        reg_id,
        [("+905459260314", "bir"), {"to": "+905320000000", "message": "iki"}],
        report_id=4,
    )
    captured = messages_of(mock, reg_id, settled=6)
    assert sorted((m["report_id"], m["to"]) for m in captured) == [
        ("1", "905459260314"),
        ("2", "905459260314"),
        ("3", "903222450353"),
        ("3", "905459260314"),
        ("4", "905320000000"),
        ("4", "905459260314"),
    ]
    # 0000 is one of the mock's documented failing test numbers.
    assert {m["to"]: m["status"] for m in captured if m["report_id"] == "4"} == {
        "905459260314": "sent",
        "905320000000": "failed",
    }

    api.login.logout(reg_id)
    with pytest.raises(vatanwa.BadRequestError):
        api.login.check_active(reg_id)


def test_n_to_n_with_an_attachment_goes_as_multipart(api: Vatanwa, mock: MockServer) -> None:
    reg_id = logged_in(api, mock)
    png = Attachment.from_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "logo.png")
    api.messages.send_n_to_n(
        reg_id, [("+905459260314", "bir"), ("+903222450353", "iki")], report_id=5, attachment=png
    )
    captured = messages_of(mock, reg_id, settled=2)
    assert sorted(m["to"] for m in captured) == ["903222450353", "905459260314"]


def test_wait_is_false_when_the_login_window_passes(api: Vatanwa) -> None:
    reg_id = api.login.qr().data.reg_id
    assert api.login.wait(reg_id) is False


def test_documented_errors_raise_their_exceptions(api: Vatanwa, mock: MockServer) -> None:
    with (
        Vatanwa(CLIENT_ID, "wrong", base_url=mock.base_url) as intruder,
        pytest.raises(vatanwa.AuthenticationError) as unauthorized,
    ):
        intruder.devices.list()
    assert unauthorized.value.code == 401
    with pytest.raises(vatanwa.NotFoundError):
        api.login.check_active("999999999")
    reg_id = logged_in(api, mock)
    with pytest.raises(vatanwa.UnprocessableEntityError) as invalid:
        api.messages.send(reg_id, "+905459260314", "hızlı", send_speed=5)
    assert "send_speed" in invalid.value.description
    with pytest.raises(vatanwa.UnsupportedMediaTypeError):
        api.messages.send(
            reg_id,
            "+905459260314",
            "program",
            attachment=Attachment.from_bytes(b"MZ\x90\x00", "setup.exe"),
        )


def test_rate_limits_and_failures_from_the_mocks_chaos(api: Vatanwa, mock: MockServer) -> None:
    control(mock, "PUT", "/chaos", json={"rate_limit_rate": 1.0, "retry_after": 0})
    with pytest.raises(vatanwa.RateLimitError) as limited:
        api.devices.list()
    assert limited.value.retry_after == 0
    control(mock, "PUT", "/chaos", json={"error_rate": 1.0})
    with pytest.raises(vatanwa.InternalServerError):
        api.devices.list()
    control(mock, "PUT", "/chaos", json={})
    assert api.devices.list().data == []
