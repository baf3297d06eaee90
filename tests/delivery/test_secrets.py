"""The secrets of delivery reports stay out of what the mock shows: a receiver that echoes the
secret (in any case or encoding, across the 200-byte cut) and a callback URL with credentials
and a token leave nothing in the attempt log, the control API or the mock's own log."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.delivery.support import FAST, clients, connected_device, deliveries, send
from tests.support.polling import eventually
from tests.support.servers import CLIENT_ID, CLIENT_SECRET, free_port, run_mock

#: A configured secret (the mock prints only its documented local default at start-up).
SECRET = "Sekret-0f-the-tenant"
TOKEN = "tok3n-of-the-receiver"
PASSWORD = "pa55-w0rd"
#: Filler that cannot begin any spelling of a secret.
DOT = "."


def echo_body(secret: str, token: str) -> bytes:
    """A refusal that shows the secret back in every way a receiver might, and cuts one at
    byte 200."""
    basic = base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()
    text = (
        f"A {secret.upper()} B {quote(secret)} C {json.dumps(secret)} D Basic {basic} E {token} F "
    )
    text += DOT * (190 - len(text)) + secret + DOT * 300
    return text.encode()


EXPECTED_ERROR = (
    'HTTP 500 Internal Server Error: A *** B *** C "***" D Basic dmF0YW53YS1sb2NhbC1pZDpT***dA=='
    " E *** F "
)


@contextmanager
def echoing_receiver(body: Callable[[str, str], bytes]) -> Iterator[str]:
    """A receiver answering 500 with ``body(secret it got, token of its URL)``; its URL's path."""
    port = free_port()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            answer = body(self.headers.get("client-secret", ""), TOKEN)
            self.send_response(500)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_nothing_secret_is_stored_shown_or_logged(tmp_path: Path) -> None:
    with (
        echoing_receiver(echo_body) as address,
        run_mock(*FAST, tmp_path=tmp_path, client_secret=SECRET) as server,
    ):
        url = f"http://hook:{PASSWORD}@{address}/vatansms/callback?token={TOKEN}&v=1"
        shown = f"http://***:***@{address}/vatansms/callback?token=***&v=***"
        with clients(server, client_secret=SECRET) as (api, control):
            assert control.put("/callback", json={"url": url}).json() == {"url": shown}
            assert control.get("/callback").json() == {"url": shown}
            reg_id = connected_device(api, control)
            send(api, reg_id, ["905459260314"], report_id=7)

            def attempts() -> list[dict[str, Any]] | None:
                found = [a for d in deliveries(control) for a in d["attempts"]]
                return found if len(found) >= 2 and all(a["error"] for a in found[:2]) else None

            for attempt in eventually(attempts, what="two refused attempts")[:2]:
                assert attempt["http_status"] == 500
                assert attempt["url"] == shown
                # Byte for byte: the first 200 bytes of the answer after scrubbing.
                assert attempt["error"].startswith(EXPECTED_ERROR), attempt["error"]
                snippet = attempt["error"].removeprefix("HTTP 500 Internal Server Error: ")
                assert snippet.encode() == _scrubbed_cut()
                assert len(snippet.encode()) == 200
        log = server.log()
    for secret in (SECRET, SECRET.upper(), PASSWORD, TOKEN, quote(SECRET)):
        assert secret not in log


def _scrubbed_cut() -> bytes:
    """What the attempt log must hold of :func:`echo_body`: scrubbed first, then cut."""
    head = EXPECTED_ERROR.split(": ", 1)[1]
    original = echo_body(SECRET, TOKEN).decode()
    filler = 190 - len(original.split(" F ", 1)[0] + " F ")
    return (head + DOT * filler + "***" + DOT * 300).encode()[:200]


def test_a_name_resolving_to_a_link_local_address_is_refused_at_connect_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from vatanwa_mock.app import create_app
    from vatanwa_mock.config import Settings

    original = asyncio.BaseEventLoop.getaddrinfo

    async def getaddrinfo(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "receiver.test":
            return [(2, 1, 6, "", ("169.254.169.254", port))]
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    settings = Settings(
        login_delay=0,
        speed_factor=0.01,
        retry_base=10,
        callback_url=f"http://u:{PASSWORD}@receiver.test:8000/hook?token={TOKEN}",
    )
    caplog.set_level(logging.INFO, logger="vatanwa_mock")
    auth = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
    with create_app(settings).test_client() as client:
        base = "/api/whatsapp/v1"
        reg_id = client.post(base + "/login/qr", headers=auth).json()["data"]["regId"]
        client.post(f"/_mock/logins/{reg_id}/pair", headers=auth)
        sent = client.post(
            base + "/messages/send",
            headers=auth,
            json={"reg_id": reg_id, "to": "+905459260314", "message": "m", "send_speed": 1,
                  "report_id": 5},
        )  # fmt: skip
        assert sent.status_code == 200

        def attempt() -> dict[str, Any] | None:
            found = client.get("/_mock/deliveries", headers=auth).json()
            tried = [a for d in found for a in d["attempts"] if a["error"]]
            return tried[0] if tried else None

        first = eventually(attempt, what="a refused attempt")
    assert first["http_status"] is None
    assert first["url"] == "http://***:***@receiver.test:8000/hook?token=***"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "http://***:***@receiver.test:8000/hook?token=***" in logged
    assert PASSWORD not in logged
    assert TOKEN not in logged
    assert first["error"] == (
        "refused: the host receiver.test resolves to 169.254.169.254, a link-local address "
        "(such as the cloud metadata service)"
    )


def test_the_banner_shows_the_callback_url_without_its_secrets() -> None:
    from vatanwa_mock.__main__ import banner
    from vatanwa_mock.config import Settings

    url = f"http://hook:{PASSWORD}@127.0.0.1:9000/vatansms/callback?token={TOKEN}"
    shown = banner(Settings(callback_url=url), "/api/whatsapp/v1", "/_mock")
    assert "callback URL: http://***:***@127.0.0.1:9000/vatansms/callback?token=***" in shown
    assert PASSWORD not in shown
    assert TOKEN not in shown
