"""The shop's own tests, using the vatanwa fixtures."""

from __future__ import annotations

import httpx
import pytest
from shop import Order, notify_customer

import vatanwa
from vatanwa.pytest_plugin import ReportReceiver, VatanwaMock

CUSTOMER = "+905321234567"


def test_the_customer_is_told_when_the_order_ships(
    vatanwa_env: dict[str, str],
    vatanwa_device: str,
    vatanwa_mock: VatanwaMock,
    vatanwa_reports: ReportReceiver,
) -> None:
    notify_customer(Order(id=1042, phone=CUSTOMER, device=vatanwa_device))

    message = vatanwa_mock.wait_for_message(to=CUSTOMER, status="sent")
    assert message["message"] == "Your order 1042 has shipped."
    (report,) = vatanwa_reports.wait_for(report_id=1042)
    assert report.status is vatanwa.DeliveryStatus.SENT
    assert report.phone == CUSTOMER.lstrip("+")


def test_a_number_not_on_whatsapp_fails(
    vatanwa_env: dict[str, str],
    vatanwa_device: str,
    vatanwa_mock: VatanwaMock,
    vatanwa_reports: ReportReceiver,
) -> None:
    notify_customer(Order(id=7, phone="+905459260000", device=vatanwa_device))

    failed = vatanwa_mock.wait_for_message(to="+905459260000", status="failed")
    assert failed["error"]
    (report,) = vatanwa_reports.wait_for(report_id=7)
    assert report.status is vatanwa.DeliveryStatus.FAILED


def test_every_test_has_its_own_tenant(vatanwa_mock: VatanwaMock) -> None:
    # The tests above sent messages; this tenant sees none of them.
    assert vatanwa_mock.messages() == []
    assert vatanwa_mock.deliveries() == []


def test_the_sdk_client_fixture(vatanwa_client: vatanwa.Vatanwa, vatanwa_device: str) -> None:
    vatanwa_client.messages.send_one_to_n(vatanwa_device, ["+905321234567", "+905321234568"], "Hi")
    devices = vatanwa_client.devices.list().data
    assert [d.reg_id for d in devices] == [vatanwa_device]


def test_filters_and_the_message_list(
    vatanwa_client: vatanwa.Vatanwa, vatanwa_device: str, vatanwa_mock: VatanwaMock
) -> None:
    vatanwa_client.messages.send(vatanwa_device, "+905321234567", "one", report_id=1)
    vatanwa_client.messages.send(vatanwa_device, "+905321234568", "two", report_id=2)
    vatanwa_mock.wait_for_message(to="+905321234568")
    assert [m["message"] for m in vatanwa_mock.messages(report_id=2)] == ["two"]
    assert [m["to"] for m in vatanwa_mock.messages(message="one")] == ["905321234567"]
    assert len(vatanwa_mock.messages(status="sent")) == 2


@pytest.mark.anyio
async def test_the_async_client_fixture(
    vatanwa_async_client: vatanwa.AsyncVatanwa, vatanwa_device: str, vatanwa_mock: VatanwaMock
) -> None:
    await vatanwa_async_client.messages.send(vatanwa_device, CUSTOMER, "async")
    assert vatanwa_mock.wait_for_message(to=CUSTOMER)["message"] == "async"


@pytest.mark.vatanwa_chaos(error_rate=1.0, seed=3)
def test_an_outage_is_an_error_the_shop_sees(
    vatanwa_client: vatanwa.Vatanwa, vatanwa_device: str
) -> None:
    # The device was connected before the chaos began; every call from here on fails.
    with pytest.raises(vatanwa.InternalServerError):
        vatanwa_client.messages.send(vatanwa_device, CUSTOMER, "lost")


def test_the_next_test_has_no_chaos(vatanwa_client: vatanwa.Vatanwa, vatanwa_device: str) -> None:
    vatanwa_client.messages.send(vatanwa_device, CUSTOMER, "fine")


def test_plain_http_without_the_sdk(vatanwa_mock: VatanwaMock) -> None:
    headers = {"client-id": vatanwa_mock.client_id, "client-secret": vatanwa_mock.client_secret}
    with httpx.Client(base_url=vatanwa_mock.base_url, headers=headers) as http:
        reg_id = http.post("/login/qr").json()["data"]["regId"]
        vatanwa_mock.pair(reg_id)
        body = {"reg_id": int(reg_id), "to": CUSTOMER, "message": "plain", "send_speed": 1}
        assert http.post("/messages/send", json=body).status_code == 200
    assert vatanwa_mock.wait_for_message(to=CUSTOMER)["message"] == "plain"
