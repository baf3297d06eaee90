"""The example receivers run for real on loopback ports, in-process and as the README runs them."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from examples import receiver_flask, receiver_starlette
from tests.support.servers import ROOT, free_port, serve_asgi, serve_wsgi
from vatanwa import DeliveryStatus, ParsedDeliveryReport

from .test_webhooks import documented_report

ID, SECRET = "receiver-id", "receiver-secret"
CREDENTIALS = {"client-id": ID, "client-secret": SECRET}


def _starlette(received: list[ParsedDeliveryReport]) -> contextlib.AbstractContextManager[str]:
    return serve_asgi(receiver_starlette.create_app(ID, SECRET, received.append))


def _flask(received: list[ParsedDeliveryReport]) -> contextlib.AbstractContextManager[str]:
    return serve_wsgi(receiver_flask.create_app(ID, SECRET, received.append))


RECEIVERS = pytest.mark.parametrize("run", [_starlette, _flask], ids=["starlette", "flask"])
Runner = Callable[[list[ParsedDeliveryReport]], contextlib.AbstractContextManager[str]]


@RECEIVERS
def test_a_valid_report_is_handled(run: Runner) -> None:
    received: list[ParsedDeliveryReport] = []
    with run(received) as root:
        answer = httpx.post(
            root + "/vatansms/callback", json=documented_report(), headers=CREDENTIALS
        )
        sent = {**documented_report(), "status": 1, "callback_data": 34}
        second = httpx.post(root + "/vatansms/callback", json=sent, headers=CREDENTIALS)
    assert (answer.status_code, second.status_code) == (200, 200)
    assert [(r.report_id, r.status) for r in received] == [
        ("33", DeliveryStatus.FAILED),
        ("34", DeliveryStatus.SENT),
    ]
    assert received[0].phone == documented_report()["phone"]


@RECEIVERS
@pytest.mark.parametrize(
    "headers",
    [{}, {"client-id": ID}, {"client-id": ID, "client-secret": "wrong"}],
    ids=["none", "no-secret", "wrong-secret"],
)
def test_wrong_credentials_get_401(run: Runner, headers: dict[str, str]) -> None:
    received: list[ParsedDeliveryReport] = []
    with run(received) as root:
        answer = httpx.post(root + "/vatansms/callback", json=documented_report(), headers=headers)
    assert answer.status_code == 401
    assert received == []


@RECEIVERS
@pytest.mark.parametrize(
    "body",
    [b"not json", json.dumps({**documented_report(), "status": "9"}).encode(), b"{}"],
    ids=["not-json", "bad-status", "empty-object"],
)
def test_a_bad_payload_gets_400(run: Runner, body: bytes) -> None:
    received: list[ParsedDeliveryReport] = []
    with run(received) as root:
        answer = httpx.post(
            root + "/vatansms/callback",
            content=body,
            headers={**CREDENTIALS, "content-type": "application/json"},
        )
    assert answer.status_code == 400
    assert received == []


README_COMMANDS = {
    "uvicorn": ["-m", "uvicorn", "examples.receiver_starlette:app", "--port"],
    "flask": ["-m", "flask", "--app", "examples.receiver_flask", "run", "--port"],
}


@pytest.mark.parametrize("name", sorted(README_COMMANDS))
def test_the_readme_commands_start_a_working_receiver(name: str, tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / f"{name}.log"
    env = {**os.environ, "VATANWA_CLIENT_ID": ID, "VATANWA_CLIENT_SECRET": SECRET}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, *README_COMMANDS[name], str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/vatansms/callback"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                refused = httpx.post(url, json=documented_report(), timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.05)
        accepted = httpx.post(url, json=documented_report(), headers=CREDENTIALS, timeout=2)
        assert (refused.status_code, accepted.status_code) == (401, 200)
        deadline = time.monotonic() + 5
        while "report 33:" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "report 33: 90xxxxxxxxxx FAILED at 2024-05-20 14:49:55+03:00" in log_path.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)
