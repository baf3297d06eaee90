"""connexion's per-request work on an operation, done once per operation instead.

connexion 3.3 rebuilds an operation's decorators on every request: ``AsyncOperation.fn`` makes a
new ``StarletteDecorator`` whose wrapper calls ``decorate`` (and so ``inspect.signature`` of the
handler) again, and its apiKey security handler asks ``inspect.signature`` of the check function
whether it takes ``request`` and ``required_scopes``, twice per scheme per request; and each
middleware asks the operation for its request body's definition several times per request, each
time matching the content type against the contract's media ranges again. None of these answers
changes while the app runs, so they are computed once here; routing, validation and the
security check itself stay connexion's, driven by the contract.

- :class:`OperationApi` (installed by :func:`install`) makes each operation's handler once;
- :data:`SECURITY_MAP` is connexion's ``security_map`` with an apiKey handler that remembers
  the check function's signature;
- :class:`BodyOperation` (also installed by :func:`install`) remembers an operation's body
  definition per content type.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.decorators import StarletteDecorator
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.operations import OpenAPIOperation
from connexion.security import SECURITY_HANDLERS, ApiKeySecurityHandler
from connexion.spec import OpenAPISpecification
from connexion.utils import is_nullable, split_content_type
from starlette.types import Receive, Scope, Send

from vatanwa_mock.calls import DirectCall


class OnceDecorator(StarletteDecorator):  # type: ignore[misc]
    """connexion's decorator of a handler, which decorates it once rather than per request."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._decorated: dict[Callable[..., Any], Callable[..., Any]] = {}

    def decorate(self, function: Callable[..., Any]) -> Callable[..., Any]:
        # The decorated function reads the operation and request from connexion's context at
        # call time, so one per handler serves every request.
        decorated = self._decorated.get(function)
        if decorated is None:
            decorated = self._decorated[function] = super().decorate(function)
        return decorated


class Operation(AsyncOperation):  # type: ignore[misc]
    """An operation whose decorated handler is made on its first request and then kept, and
    whose handler is called directly (:class:`~vatanwa_mock.calls.DirectCall`) for the
    requests where that gives connexion's result."""

    direct: DirectCall | None = None

    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        decorator = OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)  # type: ignore[no-any-return]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        direct = self.direct
        if direct is not None and direct.applies(scope):
            await direct(scope, receive, send)
            return
        response = await self.fn()
        await response(scope, receive, send)


class OperationApi(AsyncApi):  # type: ignore[misc]
    """connexion's API of an AsyncApp, with :class:`Operation` for its operations."""

    def make_operation(self, operation: Any) -> Operation:
        made: Operation = Operation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
        if not self.pythonic_params:
            made.direct = DirectCall.for_operation(operation.function, operation, self.jsonifier)
        return made


@functools.cache
def _accepts(function: Callable[..., Any], keyword: str) -> bool:
    return ApiKeySecurityHandler._accepts_kwarg(function, keyword)  # type: ignore[no-any-return]


class OnceApiKeySecurityHandler(ApiKeySecurityHandler):  # type: ignore[misc]
    """connexion's apiKey handler, reading the check function's signature once."""

    @staticmethod
    def _accepts_kwarg(func: Callable[..., Any], keyword: str) -> bool:
        return _accepts(func, keyword)


#: connexion's security handlers, with :class:`OnceApiKeySecurityHandler` for ``apiKey``.
SECURITY_MAP: dict[str, type] = {**SECURITY_HANDLERS, "apiKey": OnceApiKeySecurityHandler}


class BodyOperation(OpenAPIOperation):  # type: ignore[misc]
    """connexion's OpenAPI 3 operation, which looks its body definition up once per content
    type (connexion's own returns the same object each time, from the parsed contract)."""

    def body_definition(self, content_type: str | None = None) -> dict[str, Any]:
        bodies: dict[str | None, dict[str, Any]] = self.__dict__.setdefault("_bodies", {})
        found = bodies.get(content_type)
        if found is None:
            found = bodies[content_type] = super().body_definition(content_type)
        return found


def install(app: AsyncApp) -> None:
    """Make the APIs ``app`` adds from now on use :class:`OperationApi` and
    :class:`BodyOperation`."""
    # connexion builds the operations of an OpenAPI 3 document from this class attribute; the
    # subclass only remembers answers, so other connexion apps in the process lose nothing.
    OpenAPISpecification.operation_cls = BodyOperation
    # AsyncApp builds its routing app before it can be given one; the class of the APIs that
    # app makes is a class attribute read at each add_api, so setting it on the instance is enough.
    app._middleware_app.api_cls = OperationApi


class ValidationOperation(RequestValidationOperation):  # type: ignore[misc]
    """connexion's request validation of one operation, with the answers that depend only on
    the operation (or on the request's media type) worked out once.

    Per request connexion builds a URI parser and a parameter validator (twice the parser),
    builds the media-range dictionary of the accepted content types, and matches the media
    type against the validator map's ranges. Here the parameter check runs only when the
    operation declares parameters or validation is strict (otherwise connexion's check finds
    nothing to do); the media-type answers are remembered per media type, up to
    :data:`MEDIA_TYPES_REMEMBERED` of them (clients choose them, so the memory is bounded).
    The validators themselves, and what they raise, are connexion's (and the mock's
    :data:`~vatanwa_mock.validation.VALIDATOR_MAP`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operation = self._operation
        self._checks_parameters = bool(operation.parameters) or self.strict_validation
        self._uri_parser = operation.uri_parser_class(
            operation.parameters, operation.body_definition()
        )
        self._accepted: dict[str, bool] = {}
        self._validators: dict[str, Any] = {}

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        # connexion's, without its runtime evaluation of a typing annotation on every call.
        content_type = None
        for key, value in headers:
            if key.lower() == b"content-type":
                content_type = value.decode("latin-1")
                break
        mime_type, encoding = split_content_type(content_type)
        if mime_type is None:
            consumes = self._operation.consumes
            mime_type = consumes[0] if consumes else "application/octet-stream"
        return mime_type, encoding or "utf-8"

    def validate_mime_type(self, mime_type: str) -> None:
        accepted = self._accepted.get(mime_type)
        if accepted is None:
            try:
                super().validate_mime_type(mime_type)
                accepted = True
            except UnsupportedMediaTypeProblem:
                accepted = False
            if len(self._accepted) < MEDIA_TYPES_REMEMBERED:
                self._accepted[mime_type] = accepted
        if not accepted:
            super().validate_mime_type(mime_type)

    def _body_validator(self, mime_type: str) -> Any:
        if mime_type in self._validators:
            return self._validators[mime_type]
        found = self._validator_map["body"].get(mime_type)
        if len(self._validators) < MEDIA_TYPES_REMEMBERED:
            self._validators[mime_type] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation = self._operation
        if self._checks_parameters:
            self._validator_map["parameter"](
                operation.parameters,
                uri_parser=self._uri_parser,
                strict_validation=self.strict_validation,
                security_query_params=self.security_query_params,
            ).validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        schema = operation.body_schema(mime_type)
        if schema:
            body_validator = self._body_validator(mime_type)
            if body_validator is not None:
                validator = body_validator(
                    schema=schema,
                    required=operation.request_body.get("required", False),
                    nullable=is_nullable(operation.body_definition(mime_type)),
                    encoding=encoding,
                    strict_validation=self.strict_validation,
                    uri_parser=self._uri_parser,
                )
                receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


#: The most media types one operation remembers its answers for.
MEDIA_TYPES_REMEMBERED = 32


class ValidationApi(RequestValidationAPI):  # type: ignore[misc]
    """connexion's request-validation API, with :class:`ValidationOperation` for operations."""

    def make_operation(self, operation: Any) -> ValidationOperation:
        return ValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class ValidationMiddleware(RequestValidationMiddleware):  # type: ignore[misc]
    """connexion's request-validation middleware, with :class:`ValidationApi`."""

    api_cls = ValidationApi
