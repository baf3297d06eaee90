"""The ``profile`` group: profile information of a logged-in device."""

from __future__ import annotations

from vatanwa_client.api.profile import get_profile_picture
from vatanwa_client.models import ProfilePictureResponse, RegIdStringRequest

from .._base_client import AsyncTransport, SyncTransport


class Profile:
    """``POST /profile-picture``."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def picture(self, reg_id: str) -> ProfilePictureResponse:
        """The URL of the WhatsApp profile picture of the device ``reg_id`` (``data.image``)."""
        body = RegIdStringRequest(reg_id=str(reg_id))
        return self._transport.call(
            lambda client: get_profile_picture.sync_detailed(client=client, body=body),
            ProfilePictureResponse,
            idempotent=True,
        )


class AsyncProfile:
    """``POST /profile-picture``, async."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def picture(self, reg_id: str) -> ProfilePictureResponse:
        """The URL of the WhatsApp profile picture of the device ``reg_id`` (``data.image``)."""
        body = RegIdStringRequest(reg_id=str(reg_id))
        return await self._transport.call(
            lambda client: get_profile_picture.asyncio_detailed(client=client, body=body),
            ProfilePictureResponse,
            idempotent=True,
        )
