"""The ``devices`` group: the devices connected to the account."""

from __future__ import annotations

from vatanwa_client.api.devices import list_devices
from vatanwa_client.models import DevicesResponse

from .._base_client import AsyncTransport, SyncTransport


class Devices:
    """``GET /devices``."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def list(self) -> DevicesResponse:
        """The devices connected to the account (each with its ``reg_id``, a digit string)."""
        return self._transport.call(
            lambda client: list_devices.sync_detailed(client=client),
            DevicesResponse,
            idempotent=True,
        )


class AsyncDevices:
    """``GET /devices``, async."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def list(self) -> DevicesResponse:
        """The devices connected to the account (each with its ``reg_id``, a digit string)."""
        return await self._transport.call(
            lambda client: list_devices.asyncio_detailed(client=client),
            DevicesResponse,
            idempotent=True,
        )
