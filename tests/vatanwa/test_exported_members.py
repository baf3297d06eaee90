"""The public API is exactly what ``vatanwa.__all__`` lists, and nothing private leaks."""

from __future__ import annotations

import vatanwa

EXPECTED = [
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
    "verify_webhook_credentials",
]


def test_all_is_pinned() -> None:
    assert vatanwa.__all__ == EXPECTED


def test_every_exported_member_exists_and_belongs_to_the_package() -> None:
    for name in vatanwa.__all__:
        member = getattr(vatanwa, name)
        module = getattr(member, "__module__", None)
        if module is not None and not isinstance(member, str):
            assert module.startswith("vatanwa."), (name, module)


def test_public_names_not_in_all_are_only_private_modules() -> None:
    public = {name for name in vars(vatanwa) if not name.startswith("_")}
    assert public <= set(vatanwa.__all__)
