"""The ``login`` group: log a device in, watch its login, log it out.

``regId`` comes back from the login operations as a digit string; every method here takes it as
that string (``reg_id``).
"""

from __future__ import annotations

from vatanwa_client.api.login import login_check, login_check_active, login_phone, login_qr, logout
from vatanwa_client.models import (
    LoginCheckActiveResponse,
    LoginCheckResponse,
    LoginPhoneRequest,
    LoginPhoneResponse,
    LoginQrResponse,
    RegIdNumberRequest,
    RegIdStringRequest,
    SuccessEnvelope,
)

from .._base_client import AsyncTransport, SyncTransport
from .._exceptions import BadRequestError


class Login:
    """``/login/phone``, ``/login/qr``, ``/login/check``, ``/login/check/active``, ``/logout``."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def phone(self, phone: str) -> LoginPhoneResponse:
        """Start a login of the WhatsApp account of ``phone`` by pairing code.

        Enter ``data.code`` on the phone within 30 seconds; ``data.regId`` names the device
        from then on. Not retried on a 5xx or a lost answer: each call starts a new login.
        """
        body = LoginPhoneRequest(phone=phone)
        return self._transport.call(
            lambda client: login_phone.sync_detailed(client=client, body=body),
            LoginPhoneResponse,
            idempotent=False,
        )

    def qr(self) -> LoginQrResponse:
        """Start a login by QR code: render ``data.qr`` and scan it within 30 seconds."""
        return self._transport.call(
            lambda client: login_qr.sync_detailed(client=client),
            LoginQrResponse,
            idempotent=False,
        )

    def check(self, reg_id: str) -> LoginCheckResponse:
        """Wait (up to 30 seconds, server side) for the first login of the device ``reg_id``.

        Raises :class:`BadRequestError` when no login was detected in time.
        """
        body = RegIdNumberRequest(reg_id=str(reg_id))
        return self._transport.call(
            lambda client: login_check.sync_detailed(client=client, body=body),
            LoginCheckResponse,
            idempotent=True,
            long_poll=True,
        )

    def wait(self, reg_id: str) -> bool:
        """Wait for the device ``reg_id`` to log in: ``True`` once it did, ``False`` if it did not
        within the service's 30-second window (the request's read timeout is longer than that).
        """
        try:
            answer = self.check(reg_id)
        except BadRequestError:
            return False
        return answer.data.is_connect

    def check_active(self, reg_id: str) -> LoginCheckActiveResponse:
        """Whether the device ``reg_id``, which logged in before, is logged in now (at once).

        Raises :class:`BadRequestError` when it is not logged in, :class:`NotFoundError` when no
        device has this ``reg_id``.
        """
        body = RegIdNumberRequest(reg_id=str(reg_id))
        return self._transport.call(
            lambda client: login_check_active.sync_detailed(client=client, body=body),
            LoginCheckActiveResponse,
            idempotent=True,
        )

    def logout(self, reg_id: str) -> SuccessEnvelope:
        """Log the device ``reg_id`` out; it can no longer send. Not retried (not repeatable)."""
        body = RegIdStringRequest(reg_id=str(reg_id))
        return self._transport.call(
            lambda client: logout.sync_detailed(client=client, body=body),
            SuccessEnvelope,
            idempotent=False,
        )


class AsyncLogin:
    """The async twin of :class:`Login`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def phone(self, phone: str) -> LoginPhoneResponse:
        """Start a login by pairing code (see :meth:`Login.phone`)."""
        body = LoginPhoneRequest(phone=phone)
        return await self._transport.call(
            lambda client: login_phone.asyncio_detailed(client=client, body=body),
            LoginPhoneResponse,
            idempotent=False,
        )

    async def qr(self) -> LoginQrResponse:
        """Start a login by QR code (see :meth:`Login.qr`)."""
        return await self._transport.call(
            lambda client: login_qr.asyncio_detailed(client=client),
            LoginQrResponse,
            idempotent=False,
        )

    async def check(self, reg_id: str) -> LoginCheckResponse:
        """Wait for the first login of the device ``reg_id`` (see :meth:`Login.check`)."""
        body = RegIdNumberRequest(reg_id=str(reg_id))
        return await self._transport.call(
            lambda client: login_check.asyncio_detailed(client=client, body=body),
            LoginCheckResponse,
            idempotent=True,
            long_poll=True,
        )

    async def wait(self, reg_id: str) -> bool:
        """``True`` once the device ``reg_id`` logged in, ``False`` if not in the 30-s window."""
        try:
            answer = await self.check(reg_id)
        except BadRequestError:
            return False
        return answer.data.is_connect

    async def check_active(self, reg_id: str) -> LoginCheckActiveResponse:
        """Whether the device ``reg_id`` is logged in now (see :meth:`Login.check_active`)."""
        body = RegIdNumberRequest(reg_id=str(reg_id))
        return await self._transport.call(
            lambda client: login_check_active.asyncio_detailed(client=client, body=body),
            LoginCheckActiveResponse,
            idempotent=True,
        )

    async def logout(self, reg_id: str) -> SuccessEnvelope:
        """Log the device ``reg_id`` out (see :meth:`Login.logout`)."""
        body = RegIdStringRequest(reg_id=str(reg_id))
        return await self._transport.call(
            lambda client: logout.asyncio_detailed(client=client, body=body),
            SuccessEnvelope,
            idempotent=False,
        )
