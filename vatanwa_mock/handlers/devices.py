"""The ``devices`` tag: the account's connected devices."""

from __future__ import annotations

from typing import Any

from vatanwa_mock.handlers import picture_url, success, timestamp
from vatanwa_mock.twin import Twin


async def list_devices(twin: Twin, tenant: str, root: str) -> tuple[dict[str, Any], int]:
    """The tenant's connected devices, in the documented shape."""
    devices = [
        {
            "reg_id": registration.reg_id,
            "sender": registration.device.device_number,
            "platform": registration.device.platform,
            "user_name": registration.device.user_name,
            "profile_picture": picture_url(root, registration),
            "created_at": timestamp(registration.paired_at or registration.created_at),
        }
        for registration in twin.devices(tenant)
    ]
    return success(twin, "list_devices", devices), 200
