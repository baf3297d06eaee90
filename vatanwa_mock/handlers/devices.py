"""The ``devices`` tag: the account's connected devices."""

from __future__ import annotations

import time
from typing import Any

from vatanwa_mock.handlers import current, picture_url, timestamp


async def list_devices() -> tuple[dict[str, Any], int]:
    """The tenant's connected devices, in the documented shape."""
    runtime, tenant = current()
    devices = [
        {
            "reg_id": registration.reg_id,
            "sender": registration.device.device_number,
            "platform": registration.device.platform,
            "user_name": registration.device.user_name,
            "profile_picture": picture_url(registration),
            "created_at": timestamp(registration.paired_at or registration.created_at),
        }
        for registration in runtime.store.connected(tenant, now=time.time())
    ]
    return {
        "code": 200,
        "status": "success",
        "description": runtime.contract.success_description("list_devices"),
        "data": devices,
    }, 200
