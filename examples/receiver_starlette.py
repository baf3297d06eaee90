"""A complete delivery-report receiver on Starlette.

Run it (from the repository root) and set its URL as the callback URL of your Vatansms panel, or
of the offline twin::

    .venv/bin/python -m uvicorn examples.receiver_starlette:app --port 8000

It answers 401 to a request without the account's ``client-id``/``client-secret`` headers, 400
to a body that is not a delivery report, and 200 once the report is handled. Reports arrive at
least once: the same report may come again, so handle it idempotently, keyed on
(report_id, phone, status), the report's (callback_data, phone, status).
The credentials come from ``VATANWA_CLIENT_ID`` and ``VATANWA_CLIENT_SECRET`` (the offline
twin's local defaults when unset).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import vatanwa


def print_report(report: vatanwa.ParsedDeliveryReport) -> None:
    print(
        f"report {report.report_id}: {report.phone} {report.status.name} at {report.sent_at}",
        flush=True,
    )


def create_app(
    client_id: str,
    client_secret: str,
    on_report: Callable[[vatanwa.ParsedDeliveryReport], None] = print_report,
) -> Starlette:
    """A receiver that checks the credentials, reads the report and passes it to ``on_report``."""

    async def delivery_report(request: Request) -> PlainTextResponse:
        if not vatanwa.verify_webhook_credentials(request.headers, client_id, client_secret):
            return PlainTextResponse("wrong credentials", status_code=401)
        try:
            report = vatanwa.parse_delivery_report(await request.body())
        except vatanwa.InvalidWebhookPayloadError as error:
            return PlainTextResponse(str(error), status_code=400)
        on_report(report)
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/vatansms/callback", delivery_report, methods=["POST"])])


app = create_app(
    os.environ.get("VATANWA_CLIENT_ID", "vatanwa-local-id"),
    os.environ.get("VATANWA_CLIENT_SECRET", "vatanwa-local-secret"),
)
