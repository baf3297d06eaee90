"""The transport under every API group: the generated client, credentials, errors and retries.

The generated functions do the HTTP work; this module decides what their answers mean (the
success model, or the exception of :mod:`vatanwa._exceptions`) and whether to try again
(:mod:`vatanwa._retry`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
from vatanwa_client import Client
from vatanwa_client.models import ErrorEnvelope
from vatanwa_client.types import Response

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
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

#: Reports each retry decision; records carry ``operation``, ``attempt``, ``reason`` and ``wait``.
logger = logging.getLogger("vatanwa")


@dataclass(slots=True)
class _Exchange:
    """The raw requests and answers of one try of a call."""

    requests: list[httpx.Request] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)


# The raw exchange of the call in progress, so that errors carry httpx's request and response,
# and an answer the generated parser could not read (a proxy's HTML error page under a documented
# status) can still be reported by its status.
_exchange: ContextVar[_Exchange | None] = ContextVar("vatanwa_exchange", default=None)


def _keep_request(request: httpx.Request) -> None:
    kept = _exchange.get()
    if kept is not None:
        kept.requests.append(request)


def _keep_response(response: httpx.Response) -> None:
    kept = _exchange.get()
    if kept is not None:
        kept.responses.append(response)


async def _keep_request_async(request: httpx.Request) -> None:
    _keep_request(request)


async def _keep_response_async(response: httpx.Response) -> None:
    _keep_response(response)


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What one try of a call came to: a result, or an error and the wait before trying again.

    ``reason`` names the failure and ``why_not`` why it is not tried again (when ``retry_in`` is
    ``None``); neither holds anything the service sent or a credential.
    """

    result: Any = None
    error: APIError | None = None
    retry_in: float | None = None
    reason: str = ""
    why_not: str = ""


_NOT_REPEATABLE = "the operation is not safe to repeat once the request may have arrived"


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
        self._base_path = httpx.URL(self.base_url).path.rstrip("/")
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

    #: The httpx event hooks that keep the raw exchange (coroutines for the async transport).
    _request_hook: Callable[[httpx.Request], Any]
    _response_hook: Callable[[httpx.Response], Any]

    def _generated_client(self, timeout: httpx.Timeout) -> Client:
        hooks = {"request": [type(self)._request_hook], "response": [type(self)._response_hook]}
        return Client(
            base_url=self.base_url,
            headers=dict(self._headers),
            timeout=timeout,
            httpx_args={"event_hooks": hooks},
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
        exchange: _Exchange,
        success: type[Any],
        *,
        idempotent: bool,
        attempt: int,
    ) -> _Verdict:
        error: APIError
        headers: Mapping[str, str]
        request = exchange.requests[-1] if exchange.requests else _request_of(outcome)
        raw = exchange.responses[-1] if exchange.responses else None
        if isinstance(outcome, httpx.TransportError):
            kind = (
                APITimeoutError
                if isinstance(outcome, httpx.TimeoutException)
                else APIConnectionError
            )
            error = kind(f"{type(outcome).__name__}: {outcome}", request=request)
            error.__cause__ = outcome
            retryable = transport_error_is_retryable(outcome, idempotent=idempotent)
            return self._verdict(
                error,
                type(outcome).__name__,
                self.retry.backoff(attempt) if retryable else None,
                "" if retryable else _NOT_REPEATABLE,
                attempt,
            )
        if isinstance(outcome, BaseException):
            # The generated parser choked on the body; judge the answer by its status.
            if raw is None:
                raise outcome
            if raw.is_success:
                error = APIResponseValidationError(
                    f"the {raw.status_code} answer does not match the contract: {outcome!r}",
                    response=raw,
                    request=request,
                )
                error.__cause__ = outcome
                return _Verdict(
                    error=error,
                    reason=f"{_status_text(raw.status_code)} off the contract",
                    why_not="an answer came",
                )
            status, headers, parsed, content = raw.status_code, raw.headers, None, raw.content
        else:
            status, headers = int(outcome.status_code), outcome.headers
            parsed, content = outcome.parsed, outcome.content
            if 200 <= status < 300:
                if isinstance(parsed, success):
                    return _Verdict(result=parsed)
                return _Verdict(
                    error=APIResponseValidationError(
                        f"the {status} answer is not a {success.__name__}",
                        response=raw,
                        request=request,
                    ),
                    reason=f"{_status_text(status)} off the contract",
                    why_not="an answer came",
                )
        wait = retry_after(headers)
        body = parsed if isinstance(parsed, ErrorEnvelope) else content
        error = status_error(status, body, response=raw, request=request, retry_after=wait)
        reason = _status_text(status)
        if wait is not None:
            reason += f", Retry-After {wait:g} s"
        delay, why_not = self._status_delay(status, wait, idempotent, attempt)
        return self._verdict(error, reason, delay, why_not, attempt)

    def _verdict(
        self, error: APIError, reason: str, delay: float | None, why_not: str, attempt: int
    ) -> _Verdict:
        if delay is not None and attempt >= self.retry.max_retries:
            delay, why_not = None, f"no retries left (max_retries={self.retry.max_retries})"
        return _Verdict(error=error, retry_in=delay, reason=reason, why_not=why_not)

    def _status_delay(
        self, status: int, wait: float | None, idempotent: bool, attempt: int
    ) -> tuple[float | None, str]:
        """The wait before trying an error status again, or ``None`` and why it is not."""
        if status == 429:
            if wait is None:
                return self.retry.backoff(attempt), ""
            if wait <= MAX_RETRY_AFTER:
                return wait, ""
            return None, f"the Retry-After is above {MAX_RETRY_AFTER:g} s"
        if status >= 500:
            if not idempotent:
                return None, _NOT_REPEATABLE
            if wait is not None and wait <= MAX_RETRY_AFTER:
                return wait, ""
            return self.retry.backoff(attempt), ""
        return None, "the service refused the request"

    def _report(self, verdict: _Verdict, attempt: int) -> None:
        """Log the retry decision on a failed try (never a header, a body or a URL's query)."""
        request = verdict.error.request if verdict.error is not None else None
        operation = self._operation(request)
        details = {
            "operation": operation,
            "attempt": attempt + 1,
            "reason": verdict.reason,
            "wait": verdict.retry_in,
        }
        retried = verdict.retry_in is not None
        decision = "retrying" if retried else f"not retried: {verdict.why_not}"
        logger.info(
            "retry decision: operation=%r attempt=%d reason=%r wait=%s -> %s",
            operation,
            attempt + 1,
            verdict.reason,
            "None" if verdict.retry_in is None else f"{verdict.retry_in:.2f}s",
            decision,
            extra=details,
        )

    def _operation(self, request: httpx.Request | None) -> str:
        if request is None:
            return "request"
        path = request.url.path
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path) :] or "/"
        return f"{request.method} {path}"


def _request_of(outcome: object) -> httpx.Request | None:
    try:
        return outcome.request if isinstance(outcome, httpx.RequestError) else None
    except RuntimeError:  # an httpx error raised without its request
        return None


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class SyncTransport(_BaseTransport):
    """Runs calls of the generated ``sync_detailed`` functions with retries."""

    _request_hook = staticmethod(_keep_request)
    _response_hook = staticmethod(_keep_response)

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
            exchange = _Exchange()
            token = _exchange.set(exchange)
            try:
                outcome: Response[Any] | BaseException = operation(client)
            except (httpx.TransportError, ValueError, KeyError, TypeError) as exc:
                outcome = exc
            finally:
                _exchange.reset(token)
            verdict = self._judge(
                outcome, exchange, success, idempotent=idempotent, attempt=attempt
            )
            if verdict.error is None:
                return verdict.result  # type: ignore[no-any-return]
            self._report(verdict, attempt)
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

    _request_hook = staticmethod(_keep_request_async)
    _response_hook = staticmethod(_keep_response_async)

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
            exchange = _Exchange()
            token = _exchange.set(exchange)
            try:
                outcome: Response[Any] | BaseException = await operation(client)
            except (httpx.TransportError, ValueError, KeyError, TypeError) as exc:
                outcome = exc
            finally:
                _exchange.reset(token)
            verdict = self._judge(
                outcome, exchange, success, idempotent=idempotent, attempt=attempt
            )
            if verdict.error is None:
                return verdict.result  # type: ignore[no-any-return]
            self._report(verdict, attempt)
            if verdict.retry_in is None:
                raise verdict.error
            await asyncio.sleep(verdict.retry_in)
            attempt += 1

    async def close(self) -> None:
        await self.client.get_async_httpx_client().aclose()
        if self._long_poll_client is not None:
            await self._long_poll_client.get_async_httpx_client().aclose()
