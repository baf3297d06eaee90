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
from connexion.operations import OpenAPIOperation
from connexion.security import SECURITY_HANDLERS, ApiKeySecurityHandler
from connexion.spec import OpenAPISpecification


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
    """An operation whose decorated handler is made on its first request and then kept."""

    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        decorator = OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)  # type: ignore[no-any-return]


class OperationApi(AsyncApi):  # type: ignore[misc]
    """connexion's API of an AsyncApp, with :class:`Operation` for its operations."""

    def make_operation(self, operation: Any) -> Operation:
        return Operation.from_operation(  # type: ignore[no-any-return]
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


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
