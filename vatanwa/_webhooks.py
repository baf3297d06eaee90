"""The receiving side of delivery reports: read the body, check the credential headers.

The provider POSTs one JSON delivery report per message sent with a ``report_id`` to the callback
URL set in its panel, with the account's ``client-id`` and ``client-secret`` headers. Its table
types ``callback_data`` and ``status`` as integers while its example sends strings, so both are
accepted here.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import attrs
from vatanwa_client.models import DeliveryReport, DeliveryReportStatus

from ._exceptions import InvalidWebhookCredentialsError, InvalidWebhookPayloadError
from ._gotime import parse_go_time

__all__ = [
    "DeliveryStatus",
    "ParsedDeliveryReport",
    "parse_delivery_report",
    "require_webhook_credentials",
    "verify_webhook_credentials",
]

Headers = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str | bytes, str | bytes]]


class DeliveryStatus(StrEnum):
    """What a delivery report says happened to the message (the contract's ``status`` values)."""

    SENT = DeliveryReportStatus("1").value
    FAILED = DeliveryReportStatus("2").value

    @property
    def generated(self) -> DeliveryReportStatus:
        """The same value as the generated client's enum."""
        return DeliveryReportStatus(self.value)


@dataclass(frozen=True, slots=True)
class ParsedDeliveryReport:
    """A delivery report read from a request body.

    ``report`` is the generated model exactly as received (values as strings); the other fields
    are its values parsed: ``report_id`` (the ``callback_data``: the send's ``report_id`` as text,
    exactly as it was sent, ``"33"`` for the number 33 or a UUID string),
    ``status``, ``phone``, ``content`` and ``sent_at`` (``send_time`` as an aware datetime).
    """

    report: DeliveryReport
    report_id: str
    status: DeliveryStatus
    phone: str
    content: str
    sent_at: datetime


_STRING_FIELDS = tuple(
    field.name for field in attrs.fields(DeliveryReport) if field.name != "additional_properties"
)


def parse_delivery_report(body: bytes | str | Mapping[str, Any]) -> ParsedDeliveryReport:
    """Read a delivery report from a request body (raw bytes, text, or already-decoded JSON).

    Values may be strings (as the provider's example sends them) or integers (as its table types
    ``callback_data`` and ``status``). Unknown extra fields are kept in the model's
    ``additional_properties``.

    Raises :class:`InvalidWebhookPayloadError` when the body is not a delivery report: not JSON,
    not an object, a field missing or of the wrong type, an unknown ``status``, an empty
    ``callback_data``, or a ``send_time`` not in Go's time format.
    """
    document = _decode(body)
    values = dict(document)
    for name in _STRING_FIELDS:
        if name not in values:
            raise InvalidWebhookPayloadError(f"the delivery report has no {name!r}")
        value = values[name]
        if isinstance(value, int) and not isinstance(value, bool):
            values[name] = str(value)
        elif not isinstance(value, str):
            raise InvalidWebhookPayloadError(
                f"{name!r} must be a string or an integer, not {type(value).__name__}"
            )
    try:
        report = DeliveryReport.from_dict(values)
    except ValueError as exc:
        raise InvalidWebhookPayloadError(f"'status' is not a delivery status: {exc}") from exc
    if not report.callback_data:
        raise InvalidWebhookPayloadError("'callback_data' is empty: it must carry the report_id")
    try:
        sent_at = parse_go_time(report.send_time)
    except ValueError as exc:
        raise InvalidWebhookPayloadError(f"'send_time' is not a Go time: {exc}") from exc
    return ParsedDeliveryReport(
        report=report,
        report_id=report.callback_data,
        status=DeliveryStatus(report.status.value),
        phone=report.phone,
        content=report.content,
        sent_at=sent_at,
    )


def _decode(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    if isinstance(body, bytes | bytearray | memoryview):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidWebhookPayloadError("the body is not UTF-8 text") from exc
    if not isinstance(body, str):
        raise InvalidWebhookPayloadError(f"cannot read a body of type {type(body).__name__}")
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise InvalidWebhookPayloadError(f"the body is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidWebhookPayloadError("the body is not a JSON object")
    return document


def verify_webhook_credentials(headers: Headers, client_id: str, client_secret: str) -> bool:
    """Tell whether a request's ``client-id`` and ``client-secret`` headers are the account's.

    ``headers`` is any mapping or sequence of (name, value) pairs: Starlette's, Flask's, httpx's,
    a plain dict, or an ASGI scope's raw byte pairs. Names are compared case-insensitively, the
    values in constant time, both of them always, so the timing does not tell which one was
    wrong. A header that is missing or repeated counts as wrong.
    """
    if not client_id or not client_secret:
        raise ValueError("the expected client_id and client_secret must not be empty")
    received = _credential_headers(headers)
    id_ok = hmac.compare_digest(received.get("client-id", b""), client_id.encode())
    secret_ok = hmac.compare_digest(received.get("client-secret", b""), client_secret.encode())
    return id_ok & secret_ok


def require_webhook_credentials(headers: Headers, client_id: str, client_secret: str) -> None:
    """Like :func:`verify_webhook_credentials`, but raise when they are wrong.

    Raises :class:`InvalidWebhookCredentialsError` (answer it with 401).
    """
    if not verify_webhook_credentials(headers, client_id, client_secret):
        raise InvalidWebhookCredentialsError("the client-id/client-secret headers are wrong")


def _credential_headers(headers: Headers) -> dict[str, bytes]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found: dict[str, bytes] = {}
    repeated: set[str] = set()
    for raw_name, raw_value in pairs:
        name = _as_bytes(raw_name).decode("latin-1").lower()
        if name not in ("client-id", "client-secret"):
            continue
        if name in found:
            repeated.add(name)
        found[name] = _as_bytes(raw_value)
    for name in repeated:
        del found[name]
    return found


def _as_bytes(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        # Starlette and WSGI decode header bytes as latin-1: this gives back the bytes received.
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()
