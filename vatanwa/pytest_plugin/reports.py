"""``vatanwa_reports``: a delivery-report receiver on a loopback port for one test.

It answers like a careful real receiver: 401 to a request without the tenant's ``client-id``
and ``client-secret`` headers, 400 to a body that is not a delivery report, 200 otherwise. It
keeps every accepted report (parsed by the SDK) and every refused request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vatanwa._exceptions import InvalidWebhookPayloadError
from vatanwa._webhooks import (
    ParsedDeliveryReport,
    parse_delivery_report,
    verify_webhook_credentials,
)

PATH = "/vatansms/callback"
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Refused:
    """A request the receiver refused: the status it answered and why."""

    status: int
    reason: str


class ReportReceiver:
    """Delivery reports posted to :attr:`url` for the tenant ``client_id``/``client_secret``."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        #: Every accepted report, in the order received.
        self.reports: list[ParsedDeliveryReport] = []
        #: Every refused request (wrong credentials, a body that is not a report).
        self.refused: list[Refused] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="vatanwa-reports",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def receive(self, headers: Any, body: bytes) -> tuple[int, str]:
        """Check and keep one posted report; return the status and text to answer."""
        if not verify_webhook_credentials(headers, self.client_id, self.client_secret):
            return self._refuse(401, "wrong or missing client-id/client-secret headers")
        try:
            report = parse_delivery_report(body)
        except InvalidWebhookPayloadError as exc:
            return self._refuse(400, str(exc))
        with self._lock:
            self.reports.append(report)
        return 200, "ok"

    def _refuse(self, status: int, reason: str) -> tuple[int, str]:
        with self._lock:
            self.refused.append(Refused(status, reason))
        return status, reason

    def wait_for(
        self, report_id: int | str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[ParsedDeliveryReport]:
        """Wait until ``count`` reports (of ``report_id``, or any) arrived and return them.

        ``report_id`` is compared as the text the report carries: ``7`` and ``"7"`` find the
        reports of a send with ``report_id=7``. After ``timeout`` seconds the test fails with
        the list of what did arrive.
        """
        wanted = None if report_id is None else str(report_id)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [r for r in self.reports if wanted is None or r.report_id == wanted]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                what = f"report_id {report_id}" if report_id is not None else "any report_id"
                pytest.fail(
                    f"Expected {count} delivery report(s) of {what} within {timeout:g} s, "
                    f"got {len(found)}.\n{self.describe()}",
                    pytrace=False,
                )
            time.sleep(POLL_SECONDS)

    def describe(self) -> str:
        """What the receiver got, for a failure's text."""
        with self._lock:
            reports, refused = list(self.reports), list(self.refused)
        lines = [f"The receiver at {self.url} accepted {len(reports)} report(s):"]
        lines += [
            f"  - report_id {r.report_id} to {r.phone}: {r.status.name} {r.content!r}"
            for r in reports
        ]
        if refused:
            lines.append(f"and refused {len(refused)} request(s):")
            lines += [f"  - HTTP {r.status}: {r.reason}" for r in refused]
        return "\n".join(lines)


def _handler_for(receiver: ReportReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            if self.path.split("?", 1)[0] != PATH:
                status, text = 404, "not found"
            else:
                status, text = receiver.receive(list(self.headers.items()), body)
            payload = text.encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test's output is the user's."""

    return Handler
