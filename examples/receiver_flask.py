"""A complete delivery-report receiver on Flask.

Run it (from the repository root) and set its URL as the callback URL of your Vatansms panel, or
of the offline twin::

    .venv/bin/python -m flask --app examples.receiver_flask run --port 8000

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

from flask import Flask, request

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
) -> Flask:
    """A receiver that checks the credentials, reads the report and passes it to ``on_report``."""
    app = Flask(__name__)

    @app.post("/vatansms/callback")
    def delivery_report() -> tuple[str, int]:
        if not vatanwa.verify_webhook_credentials(request.headers, client_id, client_secret):
            return "wrong credentials", 401
        try:
            report = vatanwa.parse_delivery_report(request.get_data())
        except vatanwa.InvalidWebhookPayloadError as error:
            return str(error), 400
        on_report(report)
        return "ok", 200

    return app


app = create_app(
    os.environ.get("VATANWA_CLIENT_ID", "vatanwa-local-id"),
    os.environ.get("VATANWA_CLIENT_SECRET", "vatanwa-local-secret"),
)
