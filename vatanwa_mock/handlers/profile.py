"""The ``profile`` tag: the device's profile picture, a PNG the mock serves itself."""

from __future__ import annotations

import time
from typing import Any

from vatanwa_mock.handlers import (
    current,
    not_connected,
    picture_url,
    reg_id_text,
    registration_or_404,
)


async def get_profile_picture(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The URL of the connected device's profile picture."""
    runtime, tenant = current()
    registration = registration_or_404(runtime, tenant, reg_id_text(body["reg_id"]))
    now = time.time()
    if registration.state(now) != "connected":
        raise not_connected(registration, now)
    return {
        "code": 200,
        "status": "success",
        "description": runtime.contract.success_description("get_profile_picture"),
        "data": {"image": picture_url(registration)},
    }, 200
