"""Reading delivery reports and checking their credential headers."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import Headers as StarletteHeaders
from werkzeug.datastructures import Headers as WerkzeugHeaders

from vatanwa import (
    DeliveryStatus,
    InvalidWebhookCredentialsError,
    InvalidWebhookPayloadError,
    ParsedDeliveryReport,
    format_go_time,
    parse_delivery_report,
    require_webhook_credentials,
    verify_webhook_credentials,
)
from vatanwa.types import DeliveryReport, DeliveryReportStatus

from .scripted import spec

ISTANBUL = timezone(timedelta(hours=3))


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = spec()["components"]["schemas"]["DeliveryReport"]
    return schema


def documented_report() -> dict[str, Any]:
    """The delivery-report example of the contract's callback."""
    callback = spec()["paths"]["/messages/send"]["post"]["callbacks"]["deliveryReport"]
    (path_item,) = callback.values()
    body = path_item["post"]["requestBody"]["content"]["application/json"]
    return dict(body["example"])


def test_the_documented_example_in_every_form() -> None:
    example = documented_report()
    raw = json.dumps(example)
    for body in (example, raw, raw.encode()):
        parsed = parse_delivery_report(body)
        assert isinstance(parsed, ParsedDeliveryReport)
        assert isinstance(parsed.report, DeliveryReport)
        assert parsed.report.to_dict() == example
        assert parsed.report_id == example["callback_data"]
        assert parsed.status is DeliveryStatus.FAILED
        assert parsed.report.status is DeliveryReportStatus(example["status"])
        assert parsed.phone == example["phone"]
        assert parsed.content == example["content"]
        assert parsed.sent_at == datetime(2024, 5, 20, 14, 49, 55, tzinfo=ISTANBUL)
        assert parsed.sent_at.utcoffset() == timedelta(hours=3)


def test_the_status_enum_has_the_contracts_values() -> None:
    assert {s.value for s in DeliveryStatus} == set(_schema()["properties"]["status"]["enum"])
    assert {s.value for s in DeliveryStatus} == {s.value for s in DeliveryReportStatus}
    assert DeliveryStatus("1") is DeliveryStatus.SENT
    assert DeliveryStatus.SENT.generated is DeliveryReportStatus("1")


def test_integer_values_are_accepted() -> None:
    body = {**documented_report(), "callback_data": 33, "status": 1, "phone": 905459260314}
    parsed = parse_delivery_report(json.dumps(body))
    assert parsed.report_id == "33"
    assert parsed.status is DeliveryStatus.SENT
    assert parsed.phone == "905459260314"
    assert parsed.report.callback_data == "33"
    jsonschema.validate(parsed.report.to_dict(), _schema())


def test_fractional_seconds_and_the_monotonic_suffix() -> None:
    body = {**documented_report(), "send_time": "2024-05-20 14:49:55.250 +0300 +03 m=+12.5"}
    parsed = parse_delivery_report(body)
    assert parsed.sent_at == datetime(2024, 5, 20, 14, 49, 55, 250000, tzinfo=ISTANBUL)
    assert parsed.report.send_time == body["send_time"]


def test_extra_fields_are_kept() -> None:
    parsed = parse_delivery_report({**documented_report(), "message_id": "abc"})
    assert parsed.report.additional_properties == {"message_id": "abc"}


def _without(name: str) -> dict[str, Any]:
    body = documented_report()
    del body[name]
    return body


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe{}",
        "[1, 2]",
        '"a string"',
        "null",
        *(_without(name) for name in ("callback_data", "status", "phone", "content", "send_time")),
        {**documented_report(), "status": "3"},
        {**documented_report(), "status": 0},
        {**documented_report(), "status": True},
        {**documented_report(), "status": None},
        {**documented_report(), "callback_data": ""},
        {**documented_report(), "callback_data": 1.5},
        {**documented_report(), "content": ["x"]},
        {**documented_report(), "send_time": "2024-05-20T14:49:55+03:00"},
        {**documented_report(), "send_time": "yesterday"},
        {**documented_report(), "send_time": 1716205795},
    ],
)
def test_bad_bodies_are_payload_errors(body: Any) -> None:
    with pytest.raises(InvalidWebhookPayloadError):
        parse_delivery_report(body)


def test_a_payload_error_is_a_value_error_for_generic_handlers() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        parse_delivery_report(b"{")


@given(
    report_id=st.integers(min_value=0, max_value=2**63 - 1),
    status=st.sampled_from(list(DeliveryStatus)),
    phone=st.from_regex(r"\A[1-9][0-9]{7,14}\Z"),
    content=st.text(),
    moment=st.datetimes(
        timezones=st.integers(min_value=-1439, max_value=1439).map(
            lambda m: timezone(timedelta(minutes=m))
        )
    ),
    as_int=st.booleans(),
)
def test_any_report_the_mock_could_send_validates_and_reads_back(
    report_id: int,
    status: DeliveryStatus,
    phone: str,
    content: str,
    moment: datetime,
    as_int: bool,
) -> None:
    body = {
        "callback_data": report_id if as_int else str(report_id),
        "status": int(status.value) if as_int else status.value,
        "phone": phone,
        "content": content,
        "send_time": format_go_time(moment),
    }
    parsed = parse_delivery_report(json.dumps(body).encode())
    jsonschema.validate(parsed.report.to_dict(), _schema())
    assert (parsed.report_id, parsed.status, parsed.phone, parsed.content) == (
        str(report_id),
        status,
        phone,
        content,
    )
    assert parsed.sent_at == moment


@given(st.datetimes(timezones=st.timezones()))
def test_the_formatter_matches_the_contracts_send_time_pattern(moment: datetime) -> None:
    offset = moment.utcoffset()
    if offset is None or offset.total_seconds() % 60:
        return
    pattern = _schema()["properties"]["send_time"]["pattern"]
    assert re.search(pattern, format_go_time(moment))


GOOD = {"client-id": "the-id", "client-secret": "the-secret"}


@pytest.mark.parametrize(
    "headers",
    [
        GOOD,
        {"Client-Id": "the-id", "CLIENT-SECRET": "the-secret"},
        StarletteHeaders(GOOD),
        WerkzeugHeaders(GOOD),
        httpx.Headers(GOOD),
        [(b"client-id", b"the-id"), (b"client-secret", b"the-secret"), (b"x", b"y")],
    ],
)
def test_right_credentials_in_any_header_container(headers: Any) -> None:
    assert verify_webhook_credentials(headers, "the-id", "the-secret") is True
    require_webhook_credentials(headers, "the-id", "the-secret")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"client-id": "the-id"},
        {"client-secret": "the-secret"},
        {"client-id": "the-id", "client-secret": "wrong"},
        {"client-id": "wrong", "client-secret": "the-secret"},
        {"client-id": "the-secret", "client-secret": "the-id"},
        {"client-id": "the-id", "client-secret": "the-secret-and-more"},
        {"client-id": "the-id", "client-secret": ""},
        [("client-id", "the-id"), ("client-secret", "the-secret"), ("client-secret", "x")],
    ],
)
def test_wrong_credentials(headers: Any) -> None:
    assert verify_webhook_credentials(headers, "the-id", "the-secret") is False
    with pytest.raises(InvalidWebhookCredentialsError):
        require_webhook_credentials(headers, "the-id", "the-secret")


def test_empty_expected_credentials_are_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        verify_webhook_credentials({"client-id": "", "client-secret": ""}, "", "")


def test_non_ascii_secrets_compare_by_their_bytes() -> None:
    secret = "şifre-ğüç"
    raw = [(b"client-id", b"id"), (b"client-secret", secret.encode())]
    assert verify_webhook_credentials(raw, "id", secret)
    # Starlette decodes header bytes as latin-1.
    decoded = StarletteHeaders(raw=raw)
    assert verify_webhook_credentials(decoded, "id", secret)
    assert verify_webhook_credentials({"client-id": "id", "client-secret": secret}, "id", secret)


@given(report_id=st.text(min_size=1, max_size=64))
def test_a_report_id_sent_as_text_comes_back_unchanged(report_id: str) -> None:
    # A UUID, a reference with letters, "0033": callback_data echoes the report_id as sent.
    body = {**documented_report(), "callback_data": report_id}
    parsed = parse_delivery_report(json.dumps(body).encode())
    jsonschema.validate(parsed.report.to_dict(), _schema())
    assert parsed.report_id == report_id
    assert isinstance(parsed.report_id, str)
