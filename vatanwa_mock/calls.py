"""A handler called the way connexion calls it, without connexion's per-request machinery.

For every request connexion's decorators build a ``ConnexionRequest``, parse the JSON body a
second time (the validator has already parsed it), parse an empty form to look for files,
resolve the query and path parameters through the URI parser, walk the operation's parameter
definitions, and then serialise the answer through three layers of response inference. For an
operation with no parameters, whose body (if any) is JSON, all of that comes to: the parsed
body, the operation context's values the handler names, and a JSON answer. :class:`DirectCall`
does exactly that, with everything that depends only on the operation worked out once.

It applies to a request only when the result is certain to be the one connexion's decorators
give; any other request (a form or multipart body, an empty optional body, an operation with
parameters, an answer that is not a JSON object with a status) goes through connexion's
decorators as before. ``tests/vatanwa_mock/test_calls.py`` compares both paths.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from connexion.decorators.parameter import sanitized, unwrap_decorators
from connexion.decorators.response import AsyncResponseDecorator
from connexion.frameworks.starlette import Starlette as StarletteFramework
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionResponse
from connexion.utils import is_json_mimetype
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

#: Where the JSON request validator leaves the body it parsed and validated, for the handler.
PARSED_BODY_KEY = "vatanwa.parsed_body"
#: The scope extension in which connexion keeps the operation context (the handlers' values).
_CONTEXT = "connexion_context"
_JSON = "application/json"
_JSON_BYTES = _JSON.encode()


def remember_body(scope: MutableMapping[str, Any], body: Any) -> None:
    """Keep the validated JSON ``body`` of the request of ``scope`` for :class:`DirectCall`."""
    scope[PARSED_BODY_KEY] = body


class DirectCall:
    """The handler of one operation, called as connexion's decorators call it.

    Build it with :meth:`for_operation`, which returns None for an operation it cannot call
    (parameters, answers other than JSON, a handler that is not a coroutine function or takes
    ``**kwargs`` or ``context_``).
    """

    def __init__(
        self,
        handler: Callable[..., Awaitable[Any]],
        arguments: frozenset[str],
        body_argument: str | None,
        jsonifier: Jsonifier,
    ) -> None:
        self.handler = handler
        self.arguments = arguments
        self.body_argument = body_argument
        # json.dumps(data, cls=C, **options) is C(**options).encode(data): one encoder serves
        # every answer, where Jsonifier.dumps makes one per answer.
        options = dict(jsonifier.dumps_args)
        self._encoder = options.pop("cls", json.JSONEncoder)(**options)
        self._responses = AsyncResponseDecorator(framework=StarletteFramework, jsonifier=jsonifier)

    @classmethod
    def for_operation(
        cls, handler: Callable[..., Any], operation: Any, jsonifier: Jsonifier
    ) -> DirectCall | None:
        """A direct call of ``handler`` for the contract ``operation``, if one gives the same
        result as connexion's decorators; otherwise None."""
        function = unwrap_decorators(handler)
        if not inspect.iscoroutinefunction(function) or operation.parameters:
            return None
        if list(set(operation.produces)) != [_JSON] or jsonifier.json is not json:
            return None
        signature = inspect.signature(function)
        if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            return None
        arguments = frozenset(signature.parameters)
        if "context_" in arguments:
            return None
        body_argument = None
        if operation.is_request_body_defined:
            body_argument = sanitized(operation.body_name(_JSON))
            if body_argument not in arguments:
                body_argument = None
        return cls(function, arguments, body_argument, jsonifier)

    def applies(self, scope: Scope) -> bool:
        """Whether this request's body (if the handler takes one) is the validated JSON the
        validator kept; otherwise connexion's decorators handle the request."""
        if self.body_argument is None:
            return True
        if PARSED_BODY_KEY not in scope:
            return False
        for name, value in scope["headers"]:
            if name == b"content-type":
                return bool(is_json_mimetype(value.decode("latin-1").split(";", 1)[0].strip()))
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Call the handler with this request's arguments and send its answer."""
        kwargs: dict[str, Any] = {}
        if self.body_argument is not None:
            kwargs[self.body_argument] = scope[PARSED_BODY_KEY]
        context = scope.get("extensions", {}).get(_CONTEXT, {})
        for key, value in context.items():
            if key in self.arguments:
                kwargs[key] = value
        answer = await self.handler(**kwargs)
        if isinstance(answer, tuple) and len(answer) == 2:
            data, status = answer
            if (
                isinstance(data, (dict, list))
                and isinstance(status, int)
                and status >= 200
                and status not in (204, 304)
            ):
                # The messages Starlette's Response would send for connexion's JSON answer.
                body = (self._encoder.encode(data) + "\n").encode("utf-8")
                headers = [(b"content-type", _JSON_BYTES), (b"content-length", b"%d" % len(body))]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.response(answer)(scope, receive, send)

    def response(self, answer: Any) -> Response:
        """The response connexion's response decorator builds for any other ``answer``."""
        if StarletteFramework.is_framework_response(answer):
            return answer  # type: ignore[no-any-return]
        if isinstance(answer, ConnexionResponse):
            return StarletteFramework.connexion_to_framework_response(answer)  # type: ignore[no-any-return]
        return self._responses.build_framework_response(answer)  # type: ignore[no-any-return]
