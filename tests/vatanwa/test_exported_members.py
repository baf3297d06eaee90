"""The public API is exactly what ``vatanwa.__all__`` and ``vatanwa.types.__all__`` list."""

from __future__ import annotations

import typing

import vatanwa_client.models
import vatanwa_client.types

import vatanwa
from vatanwa import _resources

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
    "types",
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


#: Public subpackages that ``import vatanwa`` never imports (the command line, ``vatanwa.cli``;
#: the pytest plugin, ``vatanwa.pytest_plugin``, which pytest loads through its entry point):
#: they appear on the package once something imports them, and are not re-exported.
ON_DEMAND = {"cli", "pytest_plugin"}


def public_names(module: object) -> set[str]:
    # pytest's assertion rewriting (it rewrites the package of every pytest11 plugin) adds
    # globals such as "@py_builtins", which are not names Python code can use.
    return {name for name in vars(module) if not name.startswith("_") and name.isidentifier()}


def test_public_names_not_in_all_are_only_private_modules() -> None:
    assert public_names(vatanwa) - ON_DEMAND <= set(vatanwa.__all__)


TYPES_EXPECTED = [
    "UNSET",
    "ConnectedDevice",
    "ConnectionStatus",
    "DeliveryReport",
    "DeliveryReportStatus",
    "Device",
    "DevicesResponse",
    "ErrorEnvelope",
    "ErrorEnvelopeStatus",
    "File",
    "LoginCheckActiveResponse",
    "LoginCheckResponse",
    "LoginPhoneData",
    "LoginPhoneRequest",
    "LoginPhoneResponse",
    "LoginPhoneUrlencoded",
    "LoginQrData",
    "LoginQrResponse",
    "NToNItem",
    "ProfilePicture",
    "ProfilePictureResponse",
    "RegIdNumberRequest",
    "RegIdStringRequest",
    "RegIdUrlencoded",
    "SendMessageForm",
    "SendMessageNToNForm",
    "SendMessageNToNRequest",
    "SendMessageNToNUrlencoded",
    "SendMessageOneToNForm",
    "SendMessageOneToNRequest",
    "SendMessageOneToNUrlencoded",
    "SendMessageRequest",
    "SendMessageUrlencoded",
    "SuccessEnvelope",
    "SuccessEnvelopeCode",
    "SuccessEnvelopeStatus",
    "Unset",
]


def test_types_all_is_pinned() -> None:
    assert vatanwa.types.__all__ == TYPES_EXPECTED


def test_types_holds_every_generated_model() -> None:
    missing = set(vatanwa_client.models.__all__) - set(vatanwa.types.__all__)
    assert not missing, f"models a user meets but cannot import from vatanwa.types: {missing}"


def test_types_are_the_generated_classes_themselves() -> None:
    for name in vatanwa.types.__all__:
        member = getattr(vatanwa.types, name)
        generated = getattr(vatanwa_client.models, name, None) or getattr(
            vatanwa_client.types, name
        )
        assert member is generated, name


def test_types_public_names_are_all_in_all() -> None:
    assert public_names(vatanwa.types) == set(vatanwa.types.__all__)


def test_every_model_a_client_method_returns_is_in_types() -> None:
    returned = {
        typing.get_type_hints(method)["return"]
        for group in vars(_resources).values()
        if isinstance(group, type)
        for name, method in vars(group).items()
        if not name.startswith("_") and callable(method)
    }
    generated = {t for t in returned if getattr(t, "__module__", "").startswith("vatanwa_client.")}
    assert len(generated) >= 5, returned
    assert generated <= {getattr(vatanwa.types, name) for name in vatanwa.types.__all__}
