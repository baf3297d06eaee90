"""The proxy in front of the twin itself: the whole flow passes through, and nothing in it
breaks the contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.polling import eventually
from tests.support.servers import MockServer, run_mock, serve_asgi
from tests.support.tenants import CLIENT_SECRET, headers
from tests.vatanwa_mock.support import FAST

CALLBACK_PATH = "/provider/reports"


class Received:
    """What the user's own receiver got."""

    def __init__(self) -> None:
        self.reports: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, Received]]:
    received = Received()

    async def hook(request: Request) -> JSONResponse:
        received.reports.append(
            {"headers": dict(request.headers), "body": json.loads(await request.body())}
        )
        return JSONResponse({"ok": True}, status_code=202)

    with serve_asgi(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield url + "/hook", received


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with run_mock(*FAST, "--login-delay", "0", tmp_path=tmp_path_factory.mktemp("twin")) as server:
        yield server


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("proxy-files")


@pytest.fixture(scope="module")
def proxy(twin: MockServer, receiver: tuple[str, Received], files: Path) -> Iterator[MockServer]:
    with run_mock(
        "--mode",
        "proxy",
        "--upstream",
        twin.base_url,
        "--violations",
        str(files / "violations.jsonl"),
        "--record",
        str(files / "exchanges"),
        "--callback-path",
        CALLBACK_PATH,
        "--forward-callbacks-to",
        receiver[0],
        tmp_path=files,
    ) as server:
        yield server


def test_the_whole_flow_through_the_proxy_breaks_nothing(
    twin: MockServer, proxy: MockServer, receiver: tuple[str, Received], files: Path
) -> None:
    # The twin posts its delivery reports to the proxy, as the provider would.
    httpx.put(
        twin.root_url + "/_mock/callback",
        headers=headers(),
        json={"url": proxy.root_url + CALLBACK_PATH},
    ).raise_for_status()
    with httpx.Client(base_url=proxy.base_url, headers=headers(), timeout=30) as api:
        login = api.post("/login/qr")
        assert login.status_code == 200, login.text
        reg_id = login.json()["data"]["regId"]
        httpx.post(
            f"{twin.root_url}/_mock/logins/{reg_id}/pair", headers=headers()
        ).raise_for_status()
        assert api.post("/login/check", json={"reg_id": reg_id}).json()["data"]["is_connect"]
        assert api.post("/login/check/active", json={"reg_id": int(reg_id)}).status_code == 200
        sent = api.post(
            "/messages/send",
            json={
                "reg_id": reg_id,
                "to": "+905459260314",
                "message": "Merhaba",
                "send_speed": 1,
                "report_id": 5,
            },
        )
        assert sent.status_code == 200, sent.text
        as_form = api.post(
            "/messages/send",
            data={"reg_id": reg_id, "to": "905459260314", "message": "Form", "send_speed": "2"},
        )
        assert as_form.status_code == 200, as_form.text
        assert (
            api.post(
                "/messages/send/oneToN",
                json={
                    "reg_id": reg_id,
                    "to": "+905459260314,+903222450353",
                    "message": "Herkese",
                    "send_speed": 1,
                },
            ).status_code
            == 200
        )
        n_to_n = api.post(
            "/messages/send/nToN",
            data={
                "reg_id": reg_id,
                "send_speed": "1",
                "n_to_n": json.dumps([{"to": "+905459260314", "message": "Bir"}]),
            },
            files={"attachment": ("fatura.pdf", b"%PDF-1.4\n", "application/pdf")},
        )
        assert n_to_n.status_code == 200, n_to_n.text
        assert api.post("/profile-picture", json={"reg_id": reg_id}).status_code == 200
        devices = api.get("/devices")
        assert [d["reg_id"] for d in devices.json()["data"]] == [reg_id]
        assert api.post("/logout", json={"reg_id": reg_id}).status_code == 200
        # The twin's refusal passes through unchanged, in its envelope.
        refused = api.post("/logout", json={"reg_id": reg_id})
        assert refused.status_code in (400, 404)
        assert refused.json()["status"] == "error"

    reports = eventually(lambda: receiver[1].reports or None, timeout=20)
    assert reports[0]["body"]["callback_data"] == "5"
    assert reports[0]["headers"]["client-secret"] == CLIENT_SECRET

    control = httpx.Client(base_url=proxy.root_url + "/_mock", headers=headers())

    def with_report() -> dict[str, Any] | None:
        summary: dict[str, Any] = control.get("/violations/summary").json()
        return summary if summary["exchanges_per_operation"].get("delivery_report") else None

    summary = eventually(with_report, timeout=10)
    assert control.get("/violations").json() == []
    assert summary["violations"] == 0
    assert summary["violations_per_rule"] == {}
    per_operation = summary["exchanges_per_operation"]
    assert per_operation["send_message"] == 2
    for operation in (
        "login_qr",
        "login_check",
        "login_check_active",
        "send_message_one_to_n",
        "send_message_n_to_n",
        "get_profile_picture",
        "list_devices",
    ):
        assert per_operation[operation] == 1
    assert per_operation["logout"] == 2
    assert (files / "violations.jsonl").read_bytes() == b""
    recorded = sorted((files / "exchanges").glob("*.json"))
    assert len(recorded) == summary["exchanges"]
    for path in recorded:
        text = path.read_text("utf-8")
        assert CLIENT_SECRET not in text, path.name
        assert "905459260314" not in text, path.name
        assert "903222450353" not in text, path.name
    assert any("+********0314" in path.read_text("utf-8") for path in recorded)
    assert "violation:" not in proxy.log()


def test_the_control_api_needs_credentials_the_upstream_accepted(proxy: MockServer) -> None:
    base = proxy.root_url + "/_mock/violations"
    assert httpx.get(base).status_code == 401
    wrong = httpx.get(base, headers=headers(client_secret="not-the-secret"))
    assert wrong.status_code == 401
    assert wrong.json()["status"] == "error"
