"""When a failed call is tried again, and after how long.

A call is tried again only when trying it cannot do a thing twice:

- 429 Too Many Requests, for every operation: the service refused the request without acting on
  it. The wait is the ``Retry-After`` it sent (a wait above ``MAX_RETRY_AFTER`` is not sat
  through: the error is raised at once).
- a connection that could not be made (refused, connect timeout, no free pooled connection),
  for every operation: the request never left.
- a 5xx answer, a read timeout or a connection lost mid-request, only for operations that are
  safe to repeat (``/login/check/active``, ``/login/check``, ``/profile-picture``,
  ``/devices``). Sending, starting a login (each start makes a new ``regId``) and logging out
  are not repeated: the service may have acted before it failed.

The wait is exponential with jitter: attempt *n* (from 0) sleeps a random time between half and
all of ``min(max_delay, initial_delay * 2**n)``.

Each decision (retry after a wait, or not, and why) is logged by the ``vatanwa`` logger at INFO.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

MAX_RETRY_AFTER = 60.0

# httpx errors raised before any byte of the request was sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to try a call again, and the bounds of the exponential backoff."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("retry settings must not be negative")

    def backoff(self, attempt: int) -> float:
        """The jittered wait before try ``attempt + 1``, ``attempt`` counting from 0."""
        ceiling = min(self.max_delay, self.initial_delay * 2.0**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not secrecy


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` header in seconds (a number or an HTTP date), if there is a valid one."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def transport_error_is_retryable(error: httpx.TransportError, *, idempotent: bool) -> bool:
    """Whether a call that failed with ``error`` may be tried again."""
    return idempotent or isinstance(error, _NOT_SENT)
