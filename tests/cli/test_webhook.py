"""``vatanwa webhook listen`` receives the twin's real reports; ``trigger`` posts a sample."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.cli.support import SECRET, cli_env, control, invoke, logged_in, spawn
from tests.delivery.receiver import Receiver
from tests.support.servers import MockServer, free_port
from vatanwa import DeliveryStatus, parse_delivery_report


def _wait_listening(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        return
    raise AssertionError("the listener did not start")


@pytest.fixture
def listener_port() -> int:
    return free_port()


def _listen(twin: MockServer, port: int, *extra: str) -> Iterator[subprocess.Popen[str]]:
    process = spawn(["webhook", "listen", "--port", str(port), *extra], cli_env(twin))
    try:
        _wait_listening(port, process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.communicate(timeout=10)


def test_listen_receives_the_twins_reports(twin: MockServer, listener_port: int) -> None:
    reg_id = logged_in(twin)
    for process in _listen(twin, listener_port, "--count", "2", "--json"):
        with control(twin) as mock:
            url = f"http://127.0.0.1:{listener_port}/vatansms/callback"
            mock.put("/callback", json={"url": url}).raise_for_status()
        for to in ("+905459260314", "+905459260000"):  # the second fails: not on WhatsApp
            run = invoke(["send", reg_id, to, "Merhaba", "--report-id", "31"], cli_env(twin))
            assert run.exit_code == 0, run.stderr
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        reports = [json.loads(line) for line in out.splitlines()]
        assert {(r["phone"], r["status"], r["report_id"]) for r in reports} == {
            ("905459260314", "sent", "31"),
            ("905459260000", "failed", "31"),
        }
        assert SECRET not in out + err
    with control(twin) as mock:
        delivered = mock.get("/deliveries", params={"status": "delivered"}).json()
    assert len(delivered) == 2


def test_listen_prints_reports_and_forwards_them(twin: MockServer, listener_port: int) -> None:
    receiver = Receiver().start()
    try:
        for process in _listen(twin, listener_port, "--count", "1", "--forward-to", receiver.url):
            url = f"http://127.0.0.1:{listener_port}/vatansms/callback"
            run = invoke(
                ["webhook", "trigger", url, "--status", "failed", "--phone", "0545 926 03 14",
                 "--report-id", "9"],
                cli_env(twin),
            )  # fmt: skip
            assert run.exit_code == 0, run.stderr
            assert run.stdout.startswith("200 OK")
            out, err = process.communicate(timeout=30)
            assert process.returncode == 0, err
            [line] = out.splitlines()
            assert "905459260314" in line
            assert "failed" in line
            assert "report_id 9" in line
            assert line.endswith("-> 200")
    finally:
        receiver.stop()
    [forwarded] = receiver.requests
    assert forwarded.headers["client-secret"] == SECRET
    assert json.loads(forwarded.body)["callback_data"] == "9"


def test_listen_refuses_wrong_credentials_and_bodies_that_are_not_reports(
    twin: MockServer, listener_port: int
) -> None:
    url = f"http://127.0.0.1:{listener_port}/vatansms/callback"
    for process in _listen(twin, listener_port):
        wrong = invoke(
            ["webhook", "trigger", url, "--client-secret", "not-the-secret"], cli_env(twin)
        )
        assert wrong.exit_code == 1
        assert wrong.stdout.startswith("401")
        assert "the receiver answered 401" in wrong.stderr
        garbage = httpx.post(
            url, content=b"{}", headers={"client-id": "cli-tenant", "client-secret": SECRET}
        )
        assert garbage.status_code == 400
        elsewhere = httpx.post(url.replace("callback", "other"), content=b"{}")
        assert elsewhere.status_code == 404
        process.terminate()
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0  # SIGTERM stops it cleanly
        assert out == ""
        assert "wrong client-id/client-secret" in err
        assert SECRET not in err


def test_trigger_posts_a_report_in_the_contracts_shape(twin: MockServer) -> None:
    receiver = Receiver().start()
    try:
        run = invoke(["webhook", "trigger", receiver.url, "--json"], cli_env(twin))
    finally:
        receiver.stop()
    assert run.exit_code == 0, run.stderr
    [request] = receiver.requests
    body = json.loads(request.body)
    assert set(body) == {"callback_data", "status", "phone", "content", "send_time"}
    assert (body["status"], body["phone"], body["callback_data"]) == ("1", "905459260314", "1")
    assert request.headers["client-id"] == "cli-tenant"
    assert parse_delivery_report(request.body).status is DeliveryStatus.SENT
    assert run.json()["status_code"] == 200


def test_trigger_to_nowhere_fails_with_one_line(twin: MockServer) -> None:
    run = invoke(["webhook", "trigger", f"http://127.0.0.1:{free_port()}/x"], cli_env(twin))
    assert run.exit_code == 1
    assert run.stderr.startswith("vatanwa: error: could not reach")
