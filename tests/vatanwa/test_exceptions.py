"""Every documented error status maps to its exception, filled from the provider's envelope."""

from __future__ import annotations

import pytest

import vatanwa
from vatanwa import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    VatanwaError,
    WebhookError,
    status_error,
)
from vatanwa.types import ErrorEnvelope

from .scripted import documented_statuses, spec

BY_STATUS = {
    400: vatanwa.BadRequestError,
    401: vatanwa.AuthenticationError,
    404: vatanwa.NotFoundError,
    413: vatanwa.PayloadTooLargeError,
    415: vatanwa.UnsupportedMediaTypeError,
    422: vatanwa.UnprocessableEntityError,
    429: vatanwa.RateLimitError,
    500: vatanwa.InternalServerError,
}


def _documented_error_statuses() -> set[int]:
    return {
        status for path in spec()["paths"] for status in documented_statuses(path) if status >= 400
    }


def test_every_error_status_of_the_contract_has_its_class() -> None:
    assert _documented_error_statuses() == set(BY_STATUS)


@pytest.mark.parametrize(("status", "cls"), sorted(BY_STATUS.items()))
def test_an_envelope_maps_to_its_class(status: int, cls: type[APIStatusError]) -> None:
    envelope = ErrorEnvelope.from_dict({"code": status, "status": "error", "description": "why"})
    error = status_error(status, envelope)
    assert type(error) is cls
    assert isinstance(error, APIStatusError)
    assert isinstance(error, APIError)
    assert isinstance(error, VatanwaError)
    assert (error.status_code, error.code, error.description) == (status, status, "why")
    assert str(error) == f"{status}: why"


@pytest.mark.parametrize("status", sorted(BY_STATUS))
def test_a_json_body_or_mapping_maps_the_same_way(status: int) -> None:
    body = {"code": status, "status": "error", "description": "from json"}
    for given in (body, f'{{"code": {status}, "status": "error", "description": "from json"}}'):
        error = status_error(status, given)
        assert type(error) is BY_STATUS[status]
        assert error.description == "from json"


def test_other_5xx_are_internal_server_errors_and_other_4xx_the_base_class() -> None:
    assert type(status_error(502, b"<html>Bad Gateway</html>")) is InternalServerError
    assert status_error(502, b"<html>Bad Gateway</html>").description == "<html>Bad Gateway</html>"
    assert type(status_error(503, None)) is InternalServerError
    assert status_error(503, None).description == "Service Unavailable"
    forbidden = status_error(403, {"code": 403, "status": "error", "description": "no"})
    assert type(forbidden) is APIStatusError
    assert status_error(499, "").description == "error"


def test_rate_limit_carries_retry_after() -> None:
    error = status_error(429, None, retry_after=2.5)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 2.5


def test_code_falls_back_to_the_status_when_the_envelope_has_none() -> None:
    error = status_error(400, {"description": "x", "code": "400"})
    assert error.code == 400
    assert error.description == "x"


def test_the_tree() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(vatanwa.APIResponseValidationError, APIError)
    assert issubclass(vatanwa.InvalidWebhookCredentialsError, WebhookError)
    assert issubclass(vatanwa.InvalidWebhookPayloadError, WebhookError)
    assert issubclass(vatanwa.InvalidWebhookPayloadError, ValueError)
    assert issubclass(WebhookError, VatanwaError)
    assert not issubclass(WebhookError, APIError)


def test_the_docstring_draws_every_exception_class() -> None:
    from vatanwa import _exceptions

    doc = _exceptions.__doc__ or ""
    classes = [name for name in _exceptions.__all__ if isinstance(getattr(_exceptions, name), type)]
    for name in classes:
        assert f" {name} " in doc or f"\n{name}\n" in doc, name
