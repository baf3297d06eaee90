"""ASGI middleware of the mock: the twin for the handlers, the body-size limit, the last-resort
handler, and chaos."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vatanwa_mock.auth import TENANT_KEY
from vatanwa_mock.errors import PayloadTooLarge, count_unexpected, envelope
from vatanwa_mock.handlers import root_url
from vatanwa_mock.spec import JSON, dumps
from vatanwa_mock.twin import STATE_KEY, twin_of

#: Room for the other parts of a multipart body besides the largest attachment.
BODY_OVERHEAD = 1024 * 1024


async def send_envelope(
    send: Send, status: int, description: str, headers: dict[str, str] | None = None
) -> None:
    """Answer with the error envelope straight from middleware."""
    body = dumps(envelope(status, description))
    raw_headers = [
        (b"content-type", JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class TwinMiddleware:
    """Hands the twin to the handlers, refuses bodies over ``max_body_bytes``, and is the last
    resort for exceptions.

    The twin comes from the app's lifespan state (``scope["state"]``, which the server fills
    from what the lifespan yields); it is put into connexion's operation context, which
    connexion passes to every handler that declares a ``twin`` argument.

    A declared ``Content-Length`` over the limit is refused before the body is read; a body
    that grows over the limit while it streams raises :class:`PayloadTooLarge` from
    ``receive``, which the error handlers turn into a 413 envelope. An exception that escapes
    connexion's error handlers is logged, counted and answered with a 500 envelope (if no
    answer has started), never with connexion's problem+json.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extensions = scope.setdefault("extensions", {})
        twin = twin_of(scope)
        context = extensions.setdefault("connexion_context", {})
        context[STATE_KEY] = twin
        context["root"] = root_url(twin.settings, scope)
        declared = (Headers(scope=scope).get("content-length") or "").strip()
        # isdigit() alone admits '²' and the like, and int() refuses 5,000 digits.
        bounded = declared.isascii() and declared.isdigit()
        if bounded and (len(declared) > 18 or int(declared) > self.max_body_bytes):
            await send_envelope(send, 413, self._too_large(), {"connection": "close"})
            return
        received = 0
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise PayloadTooLarge(self._too_large())
            return message

        try:
            # The server delivers no more body than a declared Content-Length (it reads what
            # follows as the next request), so only a body without one is counted as it comes.
            await self.app(scope, receive if bounded else limited_receive, watched_send)
        except Exception as exc:
            count_unexpected(scope, exc)
            if not started:
                await send_envelope(send, 500, "Internal server error.")


class ChaosMiddleware:
    """Applies the tenant's chaos to the contract's operations (never to ``/_mock``).

    It sits after connexion's security check, so it knows the tenant; unauthenticated
    requests are left to the 401 they get anyway.
    """

    def __init__(self, app: ASGIApp, *, api_base_path: str) -> None:
        self.app = app
        self.api_base_path = api_base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chaos = None
        if scope["type"] == "http":
            routing: dict[str, Any] = scope.get("extensions", {}).get("connexion_routing", {})
            tenant = scope.get(TENANT_KEY)
            if isinstance(tenant, str) and routing.get("api_base_path") == self.api_base_path:
                chaos = twin_of(scope).chaos(tenant)
        if chaos is None:
            await self.app(scope, receive, send)
            return
        if chaos.latency_ms:
            await asyncio.sleep(chaos.latency_ms / 1000)
        outcome = chaos.roll()
        if outcome == "error":
            await send_envelope(
                send, 500, "Internal server error (chaos set through /_mock/chaos)."
            )
        elif outcome == "rate_limited":
            await send_envelope(
                send,
                429,
                "Too many requests; try again later (chaos set through /_mock/chaos).",
                {"retry-after": str(chaos.retry_after)},
            )
        else:
            await self.app(scope, receive, send)
