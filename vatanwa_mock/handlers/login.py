"""The ``login`` tag: log a device in by phone or QR, watch the login, log out."""

from __future__ import annotations

import time
from typing import Any

from vatanwa_mock import logins
from vatanwa_mock.errors import ApiError
from vatanwa_mock.handlers import (
    current,
    not_connected,
    reg_id_text,
    registration_or_404,
)
from vatanwa_mock.numbers import normalize
from vatanwa_mock.runtime import Runtime
from vatanwa_mock.store import Registration

Answer = tuple[dict[str, Any], int]


def _start(runtime: Runtime, tenant: str, method: str, phone: str | None) -> Registration:
    now = time.time()
    settings = runtime.settings
    delay = settings.effective_login_delay
    number = phone if phone is not None else logins.random_number()
    return runtime.store.create_registration(
        tenant,
        method=method,
        phone=phone,
        code=logins.pairing_code() if method == "phone" else None,
        qr=logins.qr_payload() if method == "qr" else None,
        created_at=now,
        expires_at=now + settings.login_timeout,
        pairs_at=now + delay if delay > 0 else None,
        device=logins.device_for(number),
    )


def _success(runtime: Runtime, operation_id: str, data: Any) -> dict[str, Any]:
    return {
        "code": 200,
        "status": "success",
        "description": runtime.contract.success_description(operation_id),
        "data": data,
    }


async def login_phone(body: dict[str, Any]) -> Answer:
    """Start a login by pairing code for ``body.phone``."""
    runtime, tenant = current()
    registration = _start(runtime, tenant, "phone", normalize(body["phone"]))
    data = {"code": registration.code, "regId": registration.reg_id}
    return _success(runtime, "login_phone", data), 200


async def login_qr() -> Answer:
    """Start a login by QR code."""
    runtime, tenant = current()
    registration = _start(runtime, tenant, "qr", None)
    data = {"qr": registration.qr, "regId": registration.reg_id}
    return _success(runtime, "login_qr", data), 200


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


async def login_check_active(body: dict[str, Any]) -> Answer:
    """Answer at once whether the device is connected."""
    runtime, tenant = current()
    registration = registration_or_404(runtime, tenant, reg_id_text(body["reg_id"]))
    now = time.time()
    if registration.state(now) != "connected":
        raise not_connected(registration, now)
    example = runtime.contract.operations["login_check_active"].examples[200]
    answer = _success(runtime, "login_check_active", device_view(registration))
    answer.update(is_connect=True, message=example["message"])
    return answer, 200


async def login_check(body: dict[str, Any]) -> Answer:
    """Wait (long-poll) until the login pairs (200) or expires (400)."""
    runtime, tenant = current()
    reg_id = reg_id_text(body["reg_id"])
    registration = registration_or_404(runtime, tenant, reg_id)
    deadline = time.monotonic() + runtime.settings.login_timeout
    while True:
        now = time.time()
        state = registration.state(now)
        if state == "connected":
            example = runtime.contract.operations["login_check"].examples[200]["data"]
            data = {"is_connect": True, "message": example["message"]}
            return _success(runtime, "login_check", data), 200
        change = registration.next_change(now)
        remaining = deadline - time.monotonic()
        if state != "pending" or change is None or remaining <= 0:
            timeout = runtime.settings.login_timeout
            if state == "logged_out":
                raise not_connected(registration, now)
            raise ApiError(400, f"No login was detected within {timeout:g} seconds.")
        await runtime.logins.wait(reg_id, min(change - now, remaining))
        found = runtime.store.registration(tenant, reg_id)
        if found is None:  # removed by a reset while waiting
            raise ApiError(404, f"No device with reg_id {reg_id} in this account.")
        registration = found


async def logout(body: dict[str, Any]) -> Answer:
    """Log the device out; afterwards its ``reg_id`` is refused."""
    runtime, tenant = current()
    registration = registration_or_404(runtime, tenant, reg_id_text(body["reg_id"]))
    now = time.time()
    if registration.state(now) != "connected":
        raise not_connected(registration, now)
    runtime.store.logout(tenant, registration.reg_id, at=now)
    return runtime.contract.operations["logout"].example(200), 200
