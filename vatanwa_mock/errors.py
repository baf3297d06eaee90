"""Every failure, answered in the provider's envelope ``{code, status: "error", description}``.

The twin refuses requests with its own exceptions (:mod:`vatanwa_mock.twin.errors`, each with
its status); the request layer raises :class:`ApiError` (or one of its subclasses) where a
request cannot be parsed; connexion's own problems (security, validation, media type),
Starlette's routing errors (404, 405), a multipart body that does not parse and anything
unexpected are mapped into the same envelope by :func:`register`. Nothing reaches the client
as problem+json or as a stack trace.

    ApiError (status, description)
    |-- MalformedBody        400: JSON or multipart that does not parse, invalid UTF-8
    |-- SchemaViolation      422: the body parses but breaks the schema
    |-- PayloadTooLarge      413
    `-- UnsupportedMedia     415
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from connexion.exceptions import (
    BadRequestProblem,
    ProblemException,
    TypeValidationError,
    Unauthorized,
    UnsupportedMediaTypeProblem,
)
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from vatanwa_mock.spec import JSON, dumps
from vatanwa_mock.twin import TwinError, twin_of

logger = logging.getLogger("vatanwa_mock")

_DEFAULT_DESCRIPTIONS = {
    400: "The request is not well-formed.",
    401: "The client-id and client-secret headers are missing or wrong.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    415: "Unsupported content type.",
    422: "The request breaks the schema.",
    429: "Too many requests; try again later.",
    500: "Internal server error.",
}


class ApiError(ProblemException):  # type: ignore[misc]
    """A failure with its HTTP status and the envelope's description."""

    def __init__(
        self, status: int, description: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status=status, title=str(status), detail=description, headers=headers)
        self.description = description


class MalformedBody(ApiError):
    """The body does not parse (JSON, multipart, text encoding): 400."""

    def __init__(self, description: str) -> None:
        super().__init__(400, description)


class SchemaViolation(ApiError):
    """The body parses but breaks the contract's schema: 422."""

    def __init__(self, description: str) -> None:
        super().__init__(422, description)


class PayloadTooLarge(ApiError):
    """The body (or the attachment) is larger than the contract allows: 413."""

    def __init__(self, description: str) -> None:
        super().__init__(413, description)


class UnsupportedMedia(ApiError):
    """The body's or the attachment's media type is not accepted: 415."""

    def __init__(self, description: str) -> None:
        super().__init__(415, description)


def envelope(status: int, description: str) -> dict[str, Any]:
    """The provider's error envelope."""
    return {"code": status, "status": "error", "description": description}


def envelope_response(
    status: int, description: str | None = None, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    """A complete error response in the envelope."""
    text = description or _DEFAULT_DESCRIPTIONS.get(status, "Error.")
    return ConnexionResponse(
        status_code=status,
        mimetype=JSON,
        content_type=JSON,
        body=dumps(envelope(status, text)),
        headers=headers or {},
    )


def _problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if not isinstance(exc, ProblemException):
        return _unexpected(_request, exc)
    status = int(exc.status)
    # connexion's parameter errors carry jsonschema's whole report; its first line says it.
    detail = str(exc.detail).split("\n", 1)[0] if exc.detail else None
    if isinstance(exc, Unauthorized):
        detail = _DEFAULT_DESCRIPTIONS[401]
    elif isinstance(exc, TypeValidationError):
        status = 422
    elif isinstance(exc, UnsupportedMediaTypeProblem):
        detail = f"Unsupported content type: {detail}" if detail else None
    elif isinstance(exc, BadRequestProblem) and detail == "RequestBody is required":
        detail = "The request body is required."
    if status >= 500:
        logger.error("%s: %s", type(exc).__name__, detail)
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "content-type"}
    return envelope_response(status, detail, headers)


def _domain(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if not isinstance(exc, TwinError):
        return _unexpected(_request, exc)
    return envelope_response(exc.status, exc.description)


def _http(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if not isinstance(exc, HTTPException):
        return _unexpected(_request, exc)
    status = exc.status_code
    detail = _DEFAULT_DESCRIPTIONS.get(status)
    if status == 404:
        detail = "No such route: see openapi/vatanwa.yaml for the operations."
    return envelope_response(status, detail, dict(exc.headers or {}))


def _multipart(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return envelope_response(400, f"The multipart body does not parse: {exc}")


def count_unexpected(scope: Any, exc: BaseException) -> None:
    """Log an exception nothing mapped, and count it on the app's twin."""
    logger.error("unexpected error while serving a request", exc_info=exc)
    with contextlib.suppress(LookupError, AttributeError):
        twin_of(scope).unexpected_errors += 1


def _unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # The last resort: every input a client can send has its own 4xx; reaching this is a bug.
    count_unexpected(request.scope, exc)
    return envelope_response(500)


def register(app: Any) -> None:
    """Install the envelope mapping on a connexion app."""
    app.add_error_handler(TwinError, _domain)
    app.add_error_handler(ProblemException, _problem)
    app.add_error_handler(HTTPException, _http)
    app.add_error_handler(MultiPartException, _multipart)
    app.add_error_handler(Exception, _unexpected)
