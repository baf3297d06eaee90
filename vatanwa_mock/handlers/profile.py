"""The ``profile`` tag: the device's profile picture, a PNG the mock serves itself."""

from __future__ import annotations

from typing import Any

from vatanwa_mock.handlers import picture_url, reg_id_text, success
from vatanwa_mock.twin import Twin


async def get_profile_picture(
    body: dict[str, Any], twin: Twin, tenant: str, root: str
) -> tuple[dict[str, Any], int]:
    """The URL of the connected device's profile picture."""
    registration = twin.connected_device(tenant, reg_id_text(body["reg_id"]))
    return success(twin, "get_profile_picture", {"image": picture_url(root, registration)}), 200
