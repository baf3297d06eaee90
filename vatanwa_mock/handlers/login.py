"""The ``login`` tag: log a device in by phone or QR, watch the login, log out."""

from __future__ import annotations

from typing import Any

from vatanwa_mock.handlers import reg_id_text, success
from vatanwa_mock.numbers import normalize
from vatanwa_mock.store import Registration
from vatanwa_mock.twin import Twin

Answer = tuple[dict[str, Any], int]


async def login_phone(body: dict[str, Any], twin: Twin, tenant: str) -> Answer:
    """Start a login by pairing code for ``body.phone``."""
    registration = twin.start_login(tenant, "phone", normalize(body["phone"]))
    data = {"code": registration.code, "regId": registration.reg_id}
    return success(twin, "login_phone", data), 200


async def login_qr(twin: Twin, tenant: str) -> Answer:
    """Start a login by QR code."""
    registration = twin.start_login(tenant, "qr", None)
    data = {"qr": registration.qr, "regId": registration.reg_id}
    return success(twin, "login_qr", data), 200


def device_view(registration: Registration) -> dict[str, str]:
    """``ConnectedDevice``: the device as ``/login/check/active`` shows it."""
    device = registration.device
    return {
        "device_number": device.device_number,
        "platform": device.platform,
        "state": "1",
        "user_name": device.user_name,
        "j_id": device.j_id,
    }


async def login_check_active(body: dict[str, Any], twin: Twin, tenant: str) -> Answer:
    """Answer at once whether the device is connected."""
    registration = twin.connected_device(tenant, reg_id_text(body["reg_id"]))
    example = twin.contract.operations["login_check_active"].examples[200]
    answer = success(twin, "login_check_active", device_view(registration))
    answer.update(is_connect=True, message=example["message"])
    return answer, 200


async def login_check(body: dict[str, Any], twin: Twin, tenant: str) -> Answer:
    """Wait (long-poll) until the login pairs (200) or expires (400)."""
    await twin.await_login(tenant, reg_id_text(body["reg_id"]))
    example = twin.contract.operations["login_check"].examples[200]["data"]
    return success(twin, "login_check", {"is_connect": True, "message": example["message"]}), 200


async def logout(body: dict[str, Any], twin: Twin, tenant: str) -> Answer:
    """Log the device out; afterwards its ``reg_id`` is refused."""
    twin.logout(tenant, reg_id_text(body["reg_id"]))
    return twin.contract.operations["logout"].example(200), 200
