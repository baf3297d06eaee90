"""``vatanwa webhook listen`` and ``vatanwa webhook trigger``: develop a delivery-report receiver.

``listen`` is a receiver for development, as ``stripe listen`` is: it checks the credential
headers in constant time, prints each report, answers 200, and with ``--forward-to`` posts the
same request on to your own receiver. ``trigger`` posts a sample report to a receiver.
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer
from vatanwa_client.models import DeliveryReport

from vatanwa import (
    DeliveryStatus,
    InvalidWebhookPayloadError,
    format_go_time,
    parse_delivery_report,
    verify_webhook_credentials,
)

from .errors import Failed, UsageProblem
from .options import Session, command
from .output import Ui
from .phones import normalise

app = typer.Typer(
    help="Receive delivery reports while you build your receiver, or send it a sample.",
    no_args_is_help=True,
)

DEFAULT_PATH = "/vatansms/callback"
#: A delivery report is a few hundred bytes; refuse anything far larger without reading it.
MAX_BODY = 1 << 20
FORWARD_TIMEOUT = 10.0
_ISTANBUL = timezone(timedelta(hours=3), "+03")


class ReportStatus(StrEnum):
    """``--status`` of ``trigger``."""

    sent = "sent"
    failed = "failed"


_STATUS_VALUES = {
    ReportStatus.sent: DeliveryStatus.SENT,
    ReportStatus.failed: DeliveryStatus.FAILED,
}


class _Listener:
    """What the request handlers share: the expected credentials, the output, the counter."""

    def __init__(
        self,
        ui: Ui,
        path: str,
        credentials: tuple[str, str],
        forward_to: str | None,
        count: int | None,
    ) -> None:
        self.ui = ui
        self.path = path
        self.credentials = credentials
        self.forward_to = forward_to
        self.count = count
        self.received = 0
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.forwarder = httpx.Client(timeout=FORWARD_TIMEOUT) if forward_to else None

    def handle(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, str]:
        """Judge one request; returns the status and the text to answer."""
        client_id, secret = self.credentials
        if not verify_webhook_credentials(headers, client_id, secret):
            self.ui.info("refused a request: wrong client-id/client-secret headers (401)")
            return HTTPStatus.UNAUTHORIZED, "wrong credentials"
        try:
            report = parse_delivery_report(body)
        except InvalidWebhookPayloadError as exc:
            self.ui.info(f"refused a request that is not a delivery report (400): {exc}")
            return HTTPStatus.BAD_REQUEST, str(exc)
        forwarded = self._forward(headers, body)
        status = "sent" if report.status is DeliveryStatus.SENT else "failed"
        with self.lock:
            self.received += 1
            if self.ui.json_mode:
                self.ui.json(
                    {
                        "received_at": datetime.now(UTC).isoformat(),
                        "report_id": report.report_id,
                        "phone": report.phone,
                        "status": status,
                        "sent_at": report.sent_at.isoformat(),
                        "content": report.content,
                        "forwarded": forwarded,
                    }
                )
            else:
                line = (
                    f"{report.sent_at:%Y-%m-%d %H:%M:%S %z}  {report.phone}  {status:<6}  "
                    f"report_id {report.report_id}"
                )
                if self.forward_to:
                    line += f"  -> {forwarded}"
                self.ui.line(line)
            if self.count is not None and self.received >= self.count:
                self.done.set()
        return HTTPStatus.OK, "ok"

    def _forward(self, headers: list[tuple[str, str]], body: bytes) -> str | None:
        if self.forwarder is None or self.forward_to is None:
            return None
        client_id, secret = self.credentials
        try:
            answer = self.forwarder.post(
                self.forward_to,
                content=body,
                headers={
                    "content-type": _header(headers, "content-type") or "application/json",
                    "client-id": client_id,
                    "client-secret": secret,
                },
            )
        except httpx.HTTPError as exc:
            self.ui.info(f"could not forward to {self.forward_to}: {type(exc).__name__}: {exc}")
            return f"error: {type(exc).__name__}"
        return str(answer.status_code)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _handler(listener: _Listener) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "vatanwa-listen"

        def do_POST(self) -> None:
            if urlsplit(self.path).path != listener.path:
                self._answer(HTTPStatus.NOT_FOUND, f"POST delivery reports to {listener.path}")
                return
            length = self.headers.get("content-length", "")
            if not length.isdigit() or int(length) > MAX_BODY:
                self._answer(HTTPStatus.LENGTH_REQUIRED, "a body with a content-length is needed")
                return
            body = self.rfile.read(int(length))
            status, text = listener.handle(list(self.headers.items()), body)
            self._answer(status, text)

        def do_GET(self) -> None:
            self._answer(HTTPStatus.METHOD_NOT_ALLOWED, "delivery reports are POSTed")

        def _answer(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            listener.ui.debug(format % args)

    return Handler


@app.command("listen")
@command
def listen(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")
    ] = 8000,
    path: Annotated[str, typer.Option("--path", help="Path reports are POSTed to.")] = DEFAULT_PATH,
    forward_to: Annotated[
        str | None,
        typer.Option(
            "--forward-to",
            metavar="URL",
            help="Post each valid report on to this URL (your receiver), with the same headers.",
            show_default=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    count: Annotated[
        int | None,
        typer.Option("--count", min=1, help="Stop after this many reports.", show_default=False),
    ] = None,
    *,
    session: Session,
) -> None:
    """Receive delivery reports: check the credential headers, print each report, answer 200.

    Point the provider's panel (or the twin: `vatanwa mock callback URL`) at
    http://HOST:PORT/PATH. Reports with wrong credentials get 401, bodies that are not reports
    400. Stops on Ctrl-C, or after --count reports.
    """
    if not path.startswith("/"):
        raise UsageProblem(f"--path must start with '/', not {path!r}")
    if forward_to is not None and urlsplit(forward_to).scheme not in ("http", "https"):
        raise UsageProblem(f"--forward-to must be an http:// or https:// URL, not {forward_to!r}")
    listener = _Listener(session.ui, path, session.credentials(), forward_to, count)
    try:
        server = ThreadingHTTPServer((host, port), _handler(listener))
    except OSError as exc:
        raise Failed(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port"
        ) from exc
    server.daemon_threads = True
    bound = server.server_address[1]
    session.ui.info(
        f"Listening for delivery reports on http://{host}:{bound}{path}"
        + (f", forwarding to {forward_to}" if forward_to else "")
        + " (Ctrl-C to stop)"
    )
    runner = threading.Thread(target=server.serve_forever, name="vatanwa-listen", daemon=True)
    runner.start()
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a service manager, a test harness) ends the listener as cleanly as Ctrl-C.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: listener.done.set())
    try:
        while not listener.done.wait(0.2):
            pass
    except KeyboardInterrupt:
        session.ui.info("Stopped.")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
        if listener.forwarder is not None:
            listener.forwarder.close()


@app.command("trigger")
@command
def trigger(
    url: Annotated[str, typer.Argument(metavar="URL", help="The receiver's URL.")],
    status: Annotated[
        ReportStatus, typer.Option("--status", help="The delivery status to report.")
    ] = ReportStatus.sent,
    phone: Annotated[
        str, typer.Option("--phone", metavar="N", help="The recipient the report is about.")
    ] = "905459260314",
    report_id: Annotated[
        str, typer.Option("--report-id", metavar="N", help="The report_id (callback_data).")
    ] = "1",
    content: Annotated[
        str, typer.Option("--content", help="The message text the report carries.")
    ] = "vatanwa webhook trigger",
    *,
    session: Session,
) -> None:
    """Post a sample delivery report, in the contract's shape and with the credential headers.

    Exit code 0 when the receiver answers 2xx, 1 otherwise.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise UsageProblem(f"URL must be an http:// or https:// URL, not {url!r}")
    recipient = normalise(phone)
    if recipient.digits is None:
        raise UsageProblem(f"--phone {phone!r} is {recipient.error}")
    if not report_id.strip():
        raise UsageProblem("--report-id must not be empty")
    client_id, secret = session.credentials()
    report = DeliveryReport(
        callback_data=report_id.strip(),
        status=_STATUS_VALUES[status].generated,
        phone=recipient.digits,
        content=content,
        send_time=format_go_time(datetime.now(_ISTANBUL).replace(microsecond=0)),
    )
    body = report.to_dict()
    try:
        answer = httpx.post(
            url,
            json=body,
            headers={"client-id": client_id, "client-secret": secret},
            timeout=FORWARD_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise Failed(f"could not reach {url}: {type(exc).__name__}: {exc}") from exc
    excerpt = " ".join(answer.text[:200].split())
    if session.json_mode:
        session.ui.json(
            {"url": url, "report": body, "status_code": answer.status_code, "answer": excerpt}
        )
    else:
        session.ui.line(f"{answer.status_code} {answer.reason_phrase}: {excerpt or '(empty)'}")
    if not answer.is_success:
        raise Failed(
            f"the receiver answered {answer.status_code}: {excerpt or answer.reason_phrase}"
        )
