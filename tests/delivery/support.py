"""Helpers of the delivery-report tests: a connected device, sends, and report checks."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import httpx
import yaml
from openapi_schema_validator import OAS30Validator

from tests.delivery.receiver import Received
from tests.support.servers import ROOT, MockServer
from tests.support.tenants import CLIENT_ID, CLIENT_SECRET, headers
from vatanwa import ParsedDeliveryReport, parse_delivery_report, verify_webhook_credentials
from vatanwa_mock.numbers import FAILING_SUFFIXES, failure_reason

#: Simulated time a hundred times faster; retries 0.1 s .. 0.5 s apart and no retry limit
#: that these tests could reach unless they set one.
FAST = (
    "--speed-factor",
    "0.01",
    "--login-delay",
    "0",
    "--validate-responses",
    "--retry-base",
    "10",
    "--retry-cap",
    "50",
    "--retry-max-attempts",
    "1000",
    "--retry-max-age",
    "100000",
)
#: A number that is sent, and the mock's documented test numbers that fail.
GOOD = "905459260314"
FAILING = tuple(f"90545926{suffix}" for suffix in FAILING_SUFFIXES)

Key = tuple[str, str, str]


@contextmanager
def clients(
    server: MockServer, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """httpx clients of the mocked API and of the control API, as a tenant."""
    auth = headers(client_id, client_secret)
    with (
        httpx.Client(base_url=server.base_url, headers=auth, timeout=30.0) as api,
        httpx.Client(base_url=server.root_url + "/_mock", headers=auth, timeout=30.0) as control,
    ):
        yield api, control


def connected_device(api: httpx.Client, control: httpx.Client) -> int:
    """Log a device in by QR and pair it through the control API; its ``reg_id``."""
    login = api.post("/login/qr")
    assert login.status_code == 200, login.text
    reg_id = str(login.json()["data"]["regId"])
    paired = control.post(f"/logins/{reg_id}/pair")
    assert paired.status_code == 200, paired.text
    return int(reg_id)


def send(api: httpx.Client, reg_id: int, to: list[str], report_id: int | None) -> None:
    """One message to each of ``to`` through ``/messages/send/oneToN`` (JSON)."""
    body: dict[str, Any] = {
        "reg_id": reg_id,
        "to": ",".join("+" + n for n in to),
        "message": "delivery test",
        "send_speed": 1,
    }
    if report_id is not None:
        body["report_id"] = report_id
    answer = api.post("/messages/send/oneToN", json=body)
    assert answer.status_code == 200, answer.text


def expected_status(number: str) -> str:
    """``"2"`` for the mock's failing numbers, ``"1"`` for the others."""
    return "2" if failure_reason(number) else "1"


@cache
def report_validator() -> OAS30Validator:
    """The contract's ``DeliveryReport`` schema, read from openapi/vatanwa.yaml."""
    document = yaml.safe_load((ROOT / "openapi" / "vatanwa.yaml").read_text(encoding="utf-8"))
    return OAS30Validator(document["components"]["schemas"]["DeliveryReport"])


def check_report(
    received: Received, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
) -> ParsedDeliveryReport:
    """A received report: valid by the contract, parsed by the SDK, with the tenant's headers."""
    assert received.headers.get("content-type") == "application/json"
    assert verify_webhook_credentials(received.headers, client_id, client_secret)
    report_validator().validate(json.loads(received.body))
    return parse_delivery_report(received.body)


def key(report: ParsedDeliveryReport) -> Key:
    return (report.report_id, report.phone, report.status.value)


def received_keys(
    received: list[Received], client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
) -> Counter[Key]:
    """How often each (report_id, phone, status) arrived, every report checked."""
    return Counter(key(check_report(r, client_id, client_secret)) for r in received)


def deliveries(control: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    answer = control.get("/deliveries", params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def all_delivered(control: httpx.Client, count: int) -> list[dict[str, Any]] | None:
    """The reports, once ``count`` exist and every one is delivered."""
    found = deliveries(control)
    if len(found) == count and all(d["status"] == "delivered" for d in found):
        return found
    return None
