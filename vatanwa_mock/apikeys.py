"""The contract's apiKey headers, checked without connexion's per-request wrappers.

connexion checks a security requirement through a chain built from the contract: for each
request a new ``ConnexionRequest``, then a coroutine per level (the alternatives, the schemes
of a requirement, the header lookup, the call of the check function) for each scheme. For a
contract whose operations require one set of apiKey headers (the Vatansms API requires
``client-id`` and ``client-secret`` together), :class:`HeaderKeysOperation` takes the same
steps in one function: each scheme's header, in the contract's order; a missing header is
connexion's "No authorization token provided", a check function answering None is its
"Provided apikey is not valid" (both 401, :class:`~connexion.exceptions.OAuthProblem`); on
success the operation context gets connexion's ``user`` and ``token_info``.

The requirement, the schemes, their headers and their check functions (``x-apikeyInfoFunc``)
are read from the contract as connexion reads them; any other requirement (none, alternatives,
other scheme types) is checked by connexion's own code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connexion.exceptions import OAuthProblem, OAuthResponseProblem
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.security import NO_VALUE
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True)
class HeaderKey:
    """One apiKey scheme of a requirement: its header and how its check function is called."""

    scheme: str
    header: str
    check: Callable[..., Any]
    required_scopes: list[str]
    takes_scopes: bool
    takes_request: bool


class HeaderKeysOperation(SecurityOperation):  # type: ignore[misc]
    """connexion's security check of one operation, done in one step when the operation
    requires exactly one set of apiKey headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = self._header_keys()
        #: Each key's header name as the ASGI scope holds it, in the keys' order.
        self._wanted = tuple(key.header.lower().encode("latin-1") for key in self.keys or ())
        self._takes_request = any(key.takes_request for key in self.keys or ())

    def _header_keys(self) -> list[HeaderKey] | None:
        if not self.security or len(self.security) != 1 or not self.security[0]:
            return None
        handler = self.security_handler_factory.security_handlers["apiKey"]()
        keys = []
        for name, scopes in self.security[0].items():
            scheme = self.security_schemes[name]
            if (
                scheme.get("type") != "apiKey"
                or scheme.get("in") != "header"
                or scheme.get("x-authentication-scheme", "").lower() == "bearer"
            ):
                return None
            check = handler._resolve_func(scheme)
            if check is None:
                return None
            keys.append(
                HeaderKey(
                    scheme=name,
                    header=scheme["name"],
                    check=check,
                    required_scopes=scopes,
                    takes_scopes=handler._accepts_kwarg(check, handler.required_scopes_kw),
                    takes_request=handler._accepts_kwarg(check, handler.request_kw),
                )
            )
        return keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        keys = self.keys
        if keys is None:
            await super().__call__(scope, receive, send)
            return
        # One pass over the raw headers finds every scheme's header (the first of each name,
        # compared as Starlette's lookup compares them); the request object is made only for a
        # check that takes it.
        wanted = self._wanted
        found: dict[bytes, str] = {}
        for name, raw in scope["headers"]:
            if name in wanted and name not in found:
                found[name] = raw.decode("latin-1")
        request = ConnexionRequest(scope) if self._takes_request else None
        token_info: dict[str, Any] = {}
        for key, header in zip(keys, wanted, strict=True):
            value = found.get(header)
            if value is None:
                raise OAuthProblem(detail="No authorization token provided")
            kwargs: dict[str, Any] = {}
            if key.takes_scopes:
                kwargs["required_scopes"] = key.required_scopes
            if key.takes_request:
                kwargs["request"] = request
            info = key.check(value, **kwargs)
            while asyncio.iscoroutine(info):
                info = await info
            if info is NO_VALUE:
                raise OAuthProblem(detail="No authorization token provided")
            if info is None:
                raise OAuthResponseProblem(detail="Provided apikey is not valid")
            token_info[key.scheme] = info
        context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
        context.update(
            {"user": token_info.get("sub", token_info.get("uid")), "token_info": token_info}
        )
        await self.next_app(scope, receive, send)


class HeaderKeysApi(SecurityAPI):  # type: ignore[misc]
    """connexion's security API, with :class:`HeaderKeysOperation` for operations."""

    def make_operation(self, operation: Any) -> SecurityOperation:
        return HeaderKeysOperation.from_operation(
            operation,
            next_app=self.next_app,
            security_handler_factory=self.security_handler_factory,
        )


class HeaderKeysMiddleware(SecurityMiddleware):  # type: ignore[misc]
    """connexion's security middleware, with :class:`HeaderKeysApi`."""

    api_cls = HeaderKeysApi
