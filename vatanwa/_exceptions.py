"""Every exception the SDK raises. Catch at any level of the tree:

```
VatanwaError
├── APIError                          the API call did not give its documented success (request)
│   ├── APIConnectionError            no answer: connection refused or lost (__cause__: httpx's)
│   │   └── APITimeoutError           no answer in time
│   ├── APIResponseValidationError    a 2xx answer that does not match the contract (response)
│   └── APIStatusError                an error envelope {code, status: "error", description}
│       ├── BadRequestError           400: malformed body, device not logged in, no login yet
│       ├── AuthenticationError       401: client-id/client-secret missing or wrong
│       ├── NotFoundError             404: no device with this reg_id
│       ├── PayloadTooLargeError      413: attachment too large
│       ├── UnsupportedMediaTypeError 415: body or attachment type not accepted
│       ├── UnprocessableEntityError  422: body breaks the schema
│       ├── RateLimitError            429: too many requests (retry_after)
│       └── InternalServerError       5xx: the service failed
└── WebhookError                      a delivery report your receiver should refuse
    ├── InvalidWebhookCredentialsError   wrong client-id/client-secret headers (answer 401)
    └── InvalidWebhookPayloadError       a body that is not a delivery report (answer 400)
```

Every :class:`APIError` raised by a client carries the ``httpx.Request`` that failed as
``request``; :class:`APIStatusError` and :class:`APIResponseValidationError` also carry the
``httpx.Response`` as ``response`` (its ``status_code``, ``headers`` and ``content``). A
:class:`APIConnectionError` has no response: the httpx error it wraps is its ``__cause__``.
Other 4xx statuses raise :class:`APIStatusError` itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import httpx
from vatanwa_client.models import ErrorEnvelope

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "InternalServerError",
    "InvalidWebhookCredentialsError",
    "InvalidWebhookPayloadError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "VatanwaError",
    "WebhookError",
    "status_error",
]


class VatanwaError(Exception):
    """Root of every exception the SDK raises."""


class APIError(VatanwaError):
    """An API call that did not give its documented success answer.

    ``request`` is the ``httpx.Request`` that was sent (``None`` only for an error built by hand).
    """

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APIConnectionError(APIError):
    """No answer came back: the connection was refused, reset or could not be made.

    The httpx error is the ``__cause__``; ``request`` is the request that got no answer.
    """

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """No answer came back in time."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """A success status whose body does not match the contract. ``response`` is the answer."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request or _request_of(response))
        self.response = response


class APIStatusError(APIError):
    """The service answered with an error status, normally in its error envelope.

    ``status_code`` is the HTTP status; ``code`` and ``description`` come from the envelope
    (``code`` repeats the status; ``description`` is the raw body text when the body is not an
    envelope). ``response`` is the ``httpx.Response``, with ``content`` and ``headers``;
    ``request`` the ``httpx.Request`` it answered.
    """

    def __init__(
        self,
        status_code: int,
        description: str,
        *,
        code: int | None = None,
        response: httpx.Response | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(f"{status_code}: {description}", request=request or _request_of(response))
        self.status_code = status_code
        self.code = status_code if code is None else code
        self.description = description
        self.response = response


class BadRequestError(APIStatusError):
    """400: a malformed body, a device that is not logged in, or no login within 30 seconds."""


class AuthenticationError(APIStatusError):
    """401: the client-id or client-secret header is missing or wrong."""


class NotFoundError(APIStatusError):
    """404: no device of this account has this reg_id."""


class PayloadTooLargeError(APIStatusError):
    """413: the body (its attachment) is larger than the service accepts."""


class UnsupportedMediaTypeError(APIStatusError):
    """415: the body's or the attachment's type is not accepted."""


class UnprocessableEntityError(APIStatusError):
    """422: the body parses but breaks the schema."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the wait the service asked for, in seconds."""

    def __init__(
        self,
        status_code: int,
        description: str,
        *,
        code: int | None = None,
        response: httpx.Response | None = None,
        request: httpx.Request | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status_code, description, code=code, response=response, request=request)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: the service failed."""


class WebhookError(VatanwaError):
    """A delivery-report request that a receiver should refuse."""


class InvalidWebhookCredentialsError(WebhookError):
    """The client-id/client-secret headers of a delivery report are missing or wrong."""


class InvalidWebhookPayloadError(WebhookError, ValueError):
    """The body of a delivery-report request is not a delivery report."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(
    status_code: int,
    envelope: ErrorEnvelope | Mapping[str, Any] | bytes | str | None,
    *,
    response: httpx.Response | None = None,
    request: httpx.Request | None = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the exception for an error answer: the class of ``status_code``, filled from its body.

    ``envelope`` is the parsed error envelope, its JSON as a mapping, or the raw body (read as an
    envelope when it is one, kept as text otherwise). ``response`` and ``request`` are the
    ``httpx`` objects of the exchange, kept on the exception.
    """
    code: int | None = None
    description: str
    if isinstance(envelope, bytes | str):
        envelope = _envelope_from_text(envelope)
    if isinstance(envelope, ErrorEnvelope):
        code, description = envelope.code, envelope.description
    elif isinstance(envelope, Mapping):
        raw_code, raw_description = envelope.get("code"), envelope.get("description")
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
        description = raw_description if isinstance(raw_description, str) else json.dumps(envelope)
    elif envelope:
        description = envelope
    else:
        description = _reason(status_code)
    if status_code == 429:
        return RateLimitError(
            status_code,
            description,
            code=code,
            response=response,
            request=request,
            retry_after=retry_after,
        )
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = InternalServerError if status_code >= 500 else APIStatusError
    return cls(status_code, description, code=code, response=response, request=request)


def _request_of(response: httpx.Response | None) -> httpx.Request | None:
    if response is None:
        return None
    try:
        return response.request
    except RuntimeError:  # a response built by hand, not received by a client
        return None


def _envelope_from_text(body: bytes | str) -> Mapping[str, Any] | str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(text)
    except ValueError:
        return text.strip()
    return parsed if isinstance(parsed, Mapping) else text.strip()


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "error"
