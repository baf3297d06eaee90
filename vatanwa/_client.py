"""The clients: :class:`Vatanwa` and its async twin :class:`AsyncVatanwa`."""

from __future__ import annotations

from types import TracebackType

import httpx

from ._base_client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncTransport, SyncTransport
from ._environment import resolve
from ._resources import (
    AsyncDevices,
    AsyncLogin,
    AsyncMessages,
    AsyncProfile,
    Devices,
    Login,
    Messages,
    Profile,
)
from ._retry import RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncVatanwa", "Vatanwa"]


class Vatanwa:
    """A client of the Vatansms WhatsApp API.

    ``client_id`` and ``client_secret`` come from the Vatansms panel and go in the ``client-id``
    and ``client-secret`` headers of every request. ``base_url`` defaults to the live service;
    point it at the offline twin (``http://127.0.0.1:8080/api/whatsapp/v1``) in tests. Each of
    the three, when not given, is read from ``VATANWA_CLIENT_ID``, ``VATANWA_CLIENT_SECRET`` and
    ``VATANWA_BASE_URL``; missing credentials raise :class:`~vatanwa.VatanwaError`.
    ``timeout`` bounds each request (``/login/check`` always gets a read timeout longer than its
    30-second window). ``max_retries`` is how many times a failed call is tried again when that
    is safe: see :mod:`vatanwa._retry` for which calls and failures; ``retry`` (a
    :class:`RetryPolicy`, which then replaces ``max_retries``) also sets the backoff's bounds.

    One attribute per API group: :attr:`login`, :attr:`messages`, :attr:`profile`,
    :attr:`devices`. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
    ) -> None:
        client_id, client_secret, base_url = resolve(
            client_id, client_secret, base_url, DEFAULT_BASE_URL
        )
        policy = retry or RetryPolicy(max_retries=max_retries)
        self._transport = SyncTransport(
            client_id, client_secret, base_url=base_url, timeout=timeout, retry=policy
        )
        self.login = Login(self._transport)
        self.messages = Messages(self._transport)
        self.profile = Profile(self._transport)
        self.devices = Devices(self._transport)

    @property
    def base_url(self) -> str:
        """The service's base URL, ending in ``/api/whatsapp/v1``."""
        return self._transport.base_url

    def close(self) -> None:
        """Close the connections."""
        self._transport.close()

    def __enter__(self) -> Vatanwa:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Vatanwa(base_url={self.base_url!r})"


class AsyncVatanwa:
    """The async twin of :class:`Vatanwa`: the same groups, with ``async`` methods."""

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
    ) -> None:
        client_id, client_secret, base_url = resolve(
            client_id, client_secret, base_url, DEFAULT_BASE_URL
        )
        policy = retry or RetryPolicy(max_retries=max_retries)
        self._transport = AsyncTransport(
            client_id, client_secret, base_url=base_url, timeout=timeout, retry=policy
        )
        self.login = AsyncLogin(self._transport)
        self.messages = AsyncMessages(self._transport)
        self.profile = AsyncProfile(self._transport)
        self.devices = AsyncDevices(self._transport)

    @property
    def base_url(self) -> str:
        """The service's base URL, ending in ``/api/whatsapp/v1``."""
        return self._transport.base_url

    async def close(self) -> None:
        """Close the connections."""
        await self._transport.close()

    async def __aenter__(self) -> AsyncVatanwa:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncVatanwa(base_url={self.base_url!r})"
