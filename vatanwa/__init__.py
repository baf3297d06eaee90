"""vatanwa: a typed Python SDK of the Vatansms WhatsApp bulk-messaging API.

The HTTP work is done by the generated client (``vatanwa_client``); this package adds the
credentials, the exceptions, safe retries, the login and bulk-sending helpers, and the receiving
side of delivery reports. The models of requests and answers are in :mod:`vatanwa.types`.
"""

from . import types
from ._bodies import Attachment
from ._client import DEFAULT_BASE_URL, AsyncVatanwa, Vatanwa
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    InvalidWebhookCredentialsError,
    InvalidWebhookPayloadError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    VatanwaError,
    WebhookError,
    status_error,
)
from ._gotime import format_go_time, parse_go_time
from ._retry import RetryPolicy
from ._version import __version__
from ._webhooks import (
    DeliveryStatus,
    ParsedDeliveryReport,
    parse_delivery_report,
    require_webhook_credentials,
    verify_webhook_credentials,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncVatanwa",
    "Attachment",
    "AuthenticationError",
    "BadRequestError",
    "DeliveryStatus",
    "InternalServerError",
    "InvalidWebhookCredentialsError",
    "InvalidWebhookPayloadError",
    "NotFoundError",
    "ParsedDeliveryReport",
    "PayloadTooLargeError",
    "RateLimitError",
    "RetryPolicy",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "Vatanwa",
    "VatanwaError",
    "WebhookError",
    "__version__",
    "format_go_time",
    "parse_delivery_report",
    "parse_go_time",
    "require_webhook_credentials",
    "status_error",
    "types",
    "verify_webhook_credentials",
]
