"""The transport under every API group: the generated client, credentials, errors and retries.

The generated functions do the HTTP work; this module decides what their answers mean (the
success model, or the exception of :mod:`vatanwa._exceptions`) and whether to try again
(:mod:`vatanwa._retry`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from vatanwa_client import Client
from vatanwa_client.models import ErrorEnvelope
from vatanwa_client.types import Response

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    status_error,
)
from ._retry import MAX_RETRY_AFTER, RetryPolicy, retry_after, transport_error_is_retryable
from ._version import __version__

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.vatansms.net/api/whatsapp/v1"
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# /login/check answers within 30 seconds by contract; wait a little longer than that for it.
LONG_POLL_READ_TIMEOUT = 40.0

# The raw answers of the call in progress, so that an answer the generated parser could not read
# (a proxy's HTML error page under a documented status) can still be reported by its status.
_raw_responses: ContextVar[list[httpx.Response] | None] = ContextVar(
    "vatanwa_raw_responses", default=None
)


def _keep_raw_response(response: httpx.Response) -> None:
    kept = _raw_responses.get()
    if kept is not None:
        kept.append(response)


async def _keep_raw_response_async(response: httpx.Response) -> None:
    _keep_raw_response(response)


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What one try of a call came to: a result, or an error and the wait before trying again."""

    result: Any = None
    error: APIError | None = None
    retry_in: float | None = None


class _BaseTransport:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.long_poll_timeout = httpx.Timeout(
            connect=self.timeout.connect,
            read=max(self.timeout.read or 0.0, LONG_POLL_READ_TIMEOUT),
            write=self.timeout.write,
            pool=self.timeout.pool,
        )
        self.retry = retry
        self._headers = {
            "client-id": client_id,
            "client-secret": client_secret,
            "user-agent": f"vatanwa/{__version__}",
        }
        self.client = self._generated_client(self.timeout)
        self._long_poll_client: Client | None = None

    #: The httpx response hook that keeps raw responses (a coroutine for the async transport).
    _response_hook: Callable[[httpx.Response], Any]

    def _generated_client(self, timeout: httpx.Timeout) -> Client:
        return Client(
            base_url=self.base_url,
            headers=dict(self._headers),
            timeout=timeout,
            httpx_args={"event_hooks": {"response": [type(self)._response_hook]}},
        )

    @property
    def long_poll_client(self) -> Client:
        """The generated client with a read timeout long enough for ``/login/check``."""
        if self._long_poll_client is None:
            self._long_poll_client = self._generated_client(self.long_poll_timeout)
        return self._long_poll_client

    def _judge(
        self,
        outcome: Response[Any] | BaseException,
        raw: list[httpx.Response],
        success: type[Any],
        *,
        idempotent: bool,
        attempt: int,
    ) -> _Verdict:
        error: APIError
        can_retry = attempt < self.retry.max_retries
        if isinstance(outcome, httpx.TransportError):
            retryable = transport_error_is_retryable(outcome, idempotent=idempotent)
            kind = (
                APITimeoutError
                if isinstance(outcome, httpx.TimeoutException)
                else APIConnectionError
            )
            error = kind(f"{type(outcome).__name__}: {outcome}")
            error.__cause__ = outcome
            return _Verdict(
                error=error,
                retry_in=self.retry.backoff(attempt) if retryable and can_retry else None,
            )
        if isinstance(outcome, BaseException):
            # The generated parser choked on the body; judge the answer by its status.
            if not raw:
                raise outcome
            last = raw[-1]
            response: Response[Any] = Response(
                status_code=last.status_code,  # type: ignore[arg-type]
                content=last.content,
                headers=last.headers,
                parsed=None,
            )
            if last.is_success:
                error = APIResponseValidationError(
                    f"the {last.status_code} answer does not match the contract: {outcome!r}",
                    response=response,
                )
                error.__cause__ = outcome
                return _Verdict(error=error)
            outcome = response
        status = int(outcome.status_code)
        if 200 <= status < 300:
            if isinstance(outcome.parsed, success):
                return _Verdict(result=outcome.parsed)
            return _Verdict(
                error=APIResponseValidationError(
                    f"the {status} answer is not a {success.__name__}", response=outcome
                )
            )
        wait = retry_after(outcome.headers)
        body = outcome.parsed if isinstance(outcome.parsed, ErrorEnvelope) else outcome.content
        error = status_error(status, body, response=outcome, retry_after=wait)
        return _Verdict(error=error, retry_in=self._retry_delay(error, wait, idempotent, attempt))

    def _retry_delay(
        self, error: APIStatusError, wait: float | None, idempotent: bool, attempt: int
    ) -> float | None:
        if attempt >= self.retry.max_retries:
            return None
        if error.status_code == 429:
            if wait is None:
                return self.retry.backoff(attempt)
            return wait if wait <= MAX_RETRY_AFTER else None
        if error.status_code >= 500 and idempotent:
            if wait is not None and wait <= MAX_RETRY_AFTER:
                return wait
            return self.retry.backoff(attempt)
        return None


class SyncTransport(_BaseTransport):
    """Runs calls of the generated ``sync_detailed`` functions with retries."""

    _response_hook = staticmethod(_keep_raw_response)

    def call(
        self,
        operation: Callable[[Client], Response[Any]],
        success: type[T],
        *,
        idempotent: bool,
        long_poll: bool = False,
    ) -> T:
        """Call ``operation`` with the generated client until it succeeds or may not be retried."""
        client = self.long_poll_client if long_poll else self.client
        attempt = 0
        while True:
            raw: list[httpx.Response] = []
            token = _raw_responses.set(raw)
            try:
                outcome: Response[Any] | BaseException = operation(client)
            except (httpx.TransportError, ValueError, KeyError, TypeError) as exc:
                outcome = exc
            finally:
                _raw_responses.reset(token)
            verdict = self._judge(outcome, raw, success, idempotent=idempotent, attempt=attempt)
            if verdict.error is None:
                return verdict.result  # type: ignore[no-any-return]
            if verdict.retry_in is None:
                raise verdict.error
            time.sleep(verdict.retry_in)
            attempt += 1

    def close(self) -> None:
        self.client.get_httpx_client().close()
        if self._long_poll_client is not None:
            self._long_poll_client.get_httpx_client().close()


class AsyncTransport(_BaseTransport):
    """Runs calls of the generated ``asyncio_detailed`` functions with retries."""

    _response_hook = staticmethod(_keep_raw_response_async)

    async def call(
        self,
        operation: Callable[[Client], Awaitable[Response[Any]]],
        success: type[T],
        *,
        idempotent: bool,
        long_poll: bool = False,
    ) -> T:
        """Await ``operation`` with the generated client until it succeeds or may not be retried."""
        client = self.long_poll_client if long_poll else self.client
        attempt = 0
        while True:
            raw: list[httpx.Response] = []
            token = _raw_responses.set(raw)
            try:
                outcome: Response[Any] | BaseException = await operation(client)
            except (httpx.TransportError, ValueError, KeyError, TypeError) as exc:
                outcome = exc
            finally:
                _raw_responses.reset(token)
            verdict = self._judge(outcome, raw, success, idempotent=idempotent, attempt=attempt)
            if verdict.error is None:
                return verdict.result  # type: ignore[no-any-return]
            if verdict.retry_in is None:
                raise verdict.error
            await asyncio.sleep(verdict.retry_in)
            attempt += 1

    async def close(self) -> None:
        await self.client.get_async_httpx_client().aclose()
        if self._long_poll_client is not None:
            await self._long_poll_client.get_async_httpx_client().aclose()
