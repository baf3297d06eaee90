"""The proxy in front of an upstream that breaks the contract on purpose: each break is
recorded with its operation, side, pointer and rule, and nothing recorded holds the secret or a
whole phone number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.servers import BASE_PATH, MockServer, free_port, run_mock, serve_asgi
from tests.vatanwa_mock import conformance

CLIENT_ID = "acct-4242"
SECRET = "S3cr3t-Upstream-Key"
WRONG_SECRET = "Wr0ng-Secret-Value"
PHONE = "+905459260314"
CALLBACK_PATH = "/reports"


def creds(secret: str = SECRET) -> dict[str, str]:
    return {"client-id": CLIENT_ID, "client-secret": secret}


async def login_qr(request: Request) -> JSONResponse:
    # regId renamed to reg_id.
    return JSONResponse(
        {
            "code": 200,
            "status": "success",
            "description": "ok",
            "data": {"qr": "2@x", "reg_id": "7"},
        }
    )


async def login_phone(request: Request) -> JSONResponse:
    # status is not "error", and the description echoes the secret and the number.
    phone = (await request.json())["phone"]
    secret = request.headers["client-secret"]
    return JSONResponse(
        {"code": 500, "status": "fail", "description": f"key {secret} refused for {phone}"},
        status_code=500,
    )


async def login_check(request: Request) -> JSONResponse:
    # A string where the contract says boolean.
    return JSONResponse(
        {
            "code": 200,
            "status": "success",
            "description": "ok",
            "data": {"is_connect": "true", "message": "device connected"},
        }
    )


async def login_check_active(request: Request) -> Response:
    # The documented body, with the wrong content type.
    return Response("device connected", media_type="text/plain")


async def devices(request: Request) -> Response:
    if request.headers.get("client-secret") != SECRET:
        # Refused credentials, with an envelope missing its description.
        return JSONResponse({"code": 401, "status": "error"}, status_code=401)
    # An undocumented status.
    return Response("I'm a teapot", status_code=418, media_type="text/plain")


WRONG = Starlette(
    routes=[
        Route(BASE_PATH + "/login/qr", login_qr, methods=["POST"]),
        Route(BASE_PATH + "/login/phone", login_phone, methods=["POST"]),
        Route(BASE_PATH + "/login/check", login_check, methods=["POST"]),
        Route(BASE_PATH + "/login/check/active", login_check_active, methods=["POST"]),
        Route(BASE_PATH + "/devices", devices, methods=["GET"]),
    ]
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wrong-upstream")


@pytest.fixture(scope="module")
def proxy(files: Path) -> Iterator[MockServer]:
    async def receiver(request: Request) -> Response:
        return Response(status_code=204)

    receiving = Starlette(routes=[Route("/hook", receiver, methods=["POST"])])
    with (
        serve_asgi(WRONG) as upstream,
        serve_asgi(receiving) as hook,
        run_mock(
            "--mode",
            "proxy",
            "--upstream",
            upstream + BASE_PATH,
            "--violations",
            str(files / "violations.jsonl"),
            "--record",
            str(files / "exchanges"),
            "--callback-path",
            CALLBACK_PATH,
            "--forward-callbacks-to",
            hook + "/hook",
            "--validate-responses",
            tmp_path=files,
        ) as server,
    ):
        yield server


@pytest.fixture(scope="module")
def exchanged(proxy: MockServer) -> dict[str, httpx.Response]:
    """Every broken exchange, made once."""
    with httpx.Client(base_url=proxy.base_url, headers=creds(), timeout=30) as api:
        answers = {
            "login_qr": api.post("/login/qr"),
            "login_phone": api.post("/login/phone", json={"phone": PHONE}),
            "login_check": api.post("/login/check", json={"reg_id": "7"}),
            "login_check_active": api.post("/login/check/active", json={"reg_id": "7"}),
            "list_devices": api.get("/devices", params={"phone": PHONE, "token": "tok-12345"}),
            "refused": api.get("/devices", headers=creds(WRONG_SECRET)),
        }
    answers["delivery_report"] = httpx.post(
        proxy.root_url + CALLBACK_PATH,
        headers=creds(),
        json={"callback_data": "3", "status": "1", "phone": PHONE[1:], "content": "Merhaba"},
    )
    return answers


def control(proxy: MockServer, path: str = "", secret: str = SECRET) -> httpx.Response:
    return httpx.get(f"{proxy.root_url}/_mock/violations{path}", headers=creds(secret))


def _found(violations: list[dict[str, Any]]) -> set[tuple[str, str, str, str, str]]:
    return {(v["operation"], v["side"], v["location"], v["pointer"], v["rule"]) for v in violations}


EXPECTED = {
    ("login_qr", "response", "body", "/data/regId", "required"),
    ("login_phone", "response", "body", "/status", "enum"),
    ("login_check", "response", "body", "/data/is_connect", "type"),
    ("login_check_active", "response", "header", "/content-type", "content-type"),
    ("list_devices", "response", "status", "", "status"),
    ("delivery_report", "request", "body", "/send_time", "required"),
}


def test_the_answers_pass_through_unchanged(exchanged: dict[str, httpx.Response]) -> None:
    teapot = exchanged["list_devices"]
    assert (teapot.status_code, teapot.text) == (418, "I'm a teapot")
    assert teapot.headers["content-type"].startswith("text/plain")
    assert len(teapot.headers.get_list("server")) == 1
    assert len(teapot.headers.get_list("date")) == 1
    assert exchanged["login_qr"].json()["data"] == {"qr": "2@x", "reg_id": "7"}
    assert SECRET in exchanged["login_phone"].json()["description"]
    assert exchanged["delivery_report"].status_code == 204  # the receiver's status


def test_each_break_is_recorded_with_its_pointer_and_rule(
    proxy: MockServer, exchanged: dict[str, httpx.Response], files: Path
) -> None:
    listed = control(proxy)
    assert listed.status_code == 200, listed.text
    conformance.check(listed)
    conformance.check(control(proxy, "/summary"))
    assert _found(control(proxy, "?side=request").json()) == {
        v for v in EXPECTED if v[1] == "request"
    }
    assert [v["operation"] for v in control(proxy, "?rule=type&limit=1").json()] == ["login_check"]
    assert _found(listed.json()) == EXPECTED
    written = [json.loads(line) for line in (files / "violations.jsonl").read_text().splitlines()]
    # The file also holds the refused exchange, which no caller sees.
    assert _found(written) == EXPECTED | {
        ("list_devices", "response", "body", "/description", "required")
    }
    teapot = next(v for v in listed.json() if v["rule"] == "status")
    assert teapot["status"] == 418
    assert teapot["response"]["body"] == {"format": "text", "value": "I'm a teapot"}
    assert teapot["request"]["query"] == {"phone": "+********0314", "token": "***"}
    assert teapot["request"]["path"] == BASE_PATH + "/devices"
    for violation in EXPECTED:
        assert f"violation: {violation[0]} {violation[1]}" in proxy.log()
    summary = control(proxy, "/summary").json()
    assert summary["violations_per_rule"] == {
        "content-type": 1,
        "enum": 1,
        "required": 2,
        "status": 1,
        "type": 1,
    }
    assert summary["exchanges_per_operation"]["list_devices"] == 1


def test_nothing_recorded_holds_the_secret_or_a_whole_number(
    proxy: MockServer, exchanged: dict[str, httpx.Response], files: Path
) -> None:
    texts = {
        "violations file": (files / "violations.jsonl").read_bytes(),
        "control API": control(proxy).content,
        **{path.name: path.read_bytes() for path in (files / "exchanges").glob("*.json")},
    }
    assert len(texts) == 2 + len(exchanged)
    for where, raw in texts.items():
        assert SECRET.encode() not in raw, where
        assert WRONG_SECRET.encode() not in raw, where
        assert CLIENT_ID.encode() not in raw, where
        assert PHONE[1:].encode() not in raw, where
    phone = next(v for v in control(proxy).json() if v["operation"] == "login_phone")
    assert phone["request"]["headers"]["client-secret"] == "***"
    assert phone["request"]["body"] == {"format": "json", "value": {"phone": "+********0314"}}
    assert phone["response"]["body"]["value"]["description"] == "key *** refused for +********0314"
    report = json.loads(
        next((files / "exchanges").glob("*-delivery_report.json")).read_text("utf-8")
    )
    assert report["request"]["body"]["value"]["phone"] == "********0314"


def test_only_the_contract_is_forwarded(proxy: MockServer) -> None:
    unknown = httpx.get(proxy.base_url + "/nope", headers=creds())
    assert unknown.status_code == 404
    assert unknown.json()["status"] == "error"
    assert httpx.post(proxy.base_url + "/devices", headers=creds()).status_code == 405


def test_an_upstream_that_does_not_answer_is_a_502(tmp_path: Path) -> None:
    with run_mock(
        "--mode",
        "proxy",
        "--upstream",
        f"http://127.0.0.1:{free_port()}{BASE_PATH}",
        tmp_path=tmp_path,
    ) as server:
        answer = httpx.post(server.base_url + "/login/qr", headers=creds())
    assert answer.status_code == 502
    assert answer.json()["code"] == 502
    assert "did not answer" in answer.json()["description"]


def test_only_accepted_credentials_see_violations(
    proxy: MockServer, exchanged: dict[str, httpx.Response]
) -> None:
    assert control(proxy, secret=WRONG_SECRET).status_code == 401
    assert httpx.get(proxy.root_url + "/_mock/violations").status_code == 401
    stranger = httpx.get(
        proxy.root_url + "/_mock/violations",
        headers={"client-id": "someone-else", "client-secret": SECRET},
    )
    assert stranger.status_code == 401


def test_an_account_sees_only_its_own_violations(
    proxy: MockServer, exchanged: dict[str, httpx.Response]
) -> None:
    other = {"client-id": "acct-other", "client-secret": "Other-Secret-Value"}
    answer = httpx.post(proxy.base_url + "/login/check", headers=other, json={"reg_id": "8"})
    assert answer.status_code == 200
    theirs = httpx.get(proxy.root_url + "/_mock/violations", headers=other).json()
    assert _found(theirs) == {("login_check", "response", "body", "/data/is_connect", "type")}
    assert _found(control(proxy).json()) == EXPECTED
    mine = control(proxy, "/summary").json()
    assert mine["exchanges_per_operation"]["login_check"] == 1
    both = {**other, "client-secret": SECRET}  # another account's id with this secret
    assert httpx.get(proxy.root_url + "/_mock/violations", headers=both).status_code == 401


def test_the_summary_is_printed_when_the_proxy_stops(
    proxy: MockServer, exchanged: dict[str, httpx.Response]
) -> None:
    proxy.process.terminate()
    proxy.process.wait(timeout=15)
    log = proxy.log()
    assert "proxy summary: 8 exchanges, 8 violations" in log, log
    assert "    list_devices: 2\n" in log
    assert "    delivery_report: 1\n" in log
    assert "    required: 3\n" in log
    assert "    type: 2\n" in log
    assert SECRET not in log
