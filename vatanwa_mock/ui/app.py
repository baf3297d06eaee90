"""The inspector's routes under ``/_mock/ui/`` and the middleware that serves them.

Every page reads through the functions the control API's handlers use, and every action
calls the function its control-API twin calls, so whatever the UI shows or does is available
over the documented API too:

    page or action                          control API
    GET  /_mock/ui/                         GET  /_mock/logins
    GET  /_mock/ui/logins/{reg_id}/qr.png   GET  /_mock/logins/{reg_id}/qr
    POST /_mock/ui/logins/{reg_id}/pair     POST /_mock/logins/{reg_id}/pair
    POST /_mock/ui/logins/{reg_id}/logout   POST /_mock/logins/{reg_id}/logout
    GET  /_mock/ui/messages                 GET  /_mock/messages, GET /_mock/deliveries
    GET  /_mock/ui/deliveries               GET  /_mock/deliveries, GET /_mock/callback
    POST /_mock/ui/deliveries/{id}/replay   POST /_mock/deliveries/{id}/replay
    POST /_mock/ui/callback                 PUT  /_mock/callback
    GET  /_mock/ui/settings                 GET  /_mock/chaos
    POST /_mock/ui/chaos                    PUT  /_mock/chaos
    POST /_mock/ui/reset                    POST /_mock/reset
    GET  /_mock/ui/events                   GET  /_mock/events

The pages authenticate with HTTP Basic (user = client-id, password = client-secret), as the
browser cannot send the API's headers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vatanwa_mock.errors import ApiError, envelope
from vatanwa_mock.twin import Twin, TwinError, twin_of
from vatanwa_mock.ui import actions, pages
from vatanwa_mock.ui.security import MEDIA_HEADERS, PAGE_HEADERS, REALM, basic_tenant

logger = logging.getLogger("vatanwa_mock")

PREFIX = "/_mock/ui"
STATIC = Path(__file__).resolve().parent / "static"

Handler = Callable[[Request, Twin, str], Awaitable[Response]]


def _json_error(status: int, description: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(envelope(status, description), ensure_ascii=False),
        status_code=status,
        media_type="application/json",
        headers={**PAGE_HEADERS, **(headers or {})},
    )


def _authenticated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        twin = twin_of(request.scope)
        tenant = basic_tenant(twin, request.headers.get("authorization"))
        if tenant is None:
            return _json_error(
                401,
                "Sign in with the tenant's client-id as user name and client-secret as password.",
                {"www-authenticate": f'Basic realm="{REALM}", charset="UTF-8"'},
            )
        try:
            return await handler(request, twin, tenant)
        except ApiError as exc:
            return pages.error_page(request, tenant, exc.status_code, exc.description)
        except TwinError as exc:
            return pages.error_page(request, tenant, exc.status, exc.description)
        except Exception:
            logger.exception("the inspector failed on %s %s", request.method, request.url.path)
            return _json_error(500, "Internal server error.")

    return endpoint


async def _to_ui(_request: Request) -> Response:
    return RedirectResponse(PREFIX + "/", status_code=307)


def build_router() -> Router:
    """The inspector's routes; each request finds the twin in its scope (lifespan state)."""

    def route(path: str, handler: Handler, method: str = "GET") -> Route:
        return Route(PREFIX + path, _authenticated(handler), methods=[method])

    return Router(
        routes=[
            Route("/", _to_ui),
            Route(PREFIX, _to_ui),
            Mount(PREFIX + "/static", app=StaticFiles(directory=STATIC), name="static"),
            route("/", pages.devices),
            route("/messages", pages.messages),
            route("/deliveries", pages.deliveries),
            route("/settings", pages.settings),
            route("/events", pages.events),
            route("/logins/{reg_id:str}/qr.png", pages.qr_png),
            route("/logins/{reg_id:str}/pair", actions.pair, "POST"),
            route("/logins/{reg_id:str}/logout", actions.logout, "POST"),
            route("/deliveries/{id:int}/replay", actions.replay, "POST"),
            route("/callback", actions.callback, "POST"),
            route("/chaos", actions.chaos, "POST"),
            route("/reset", actions.reset, "POST"),
        ]
    )


class UiMiddleware:
    """Serves ``/`` and ``/_mock/ui/...`` itself and hands everything else to the mock; adds
    the media headers to ``/_mock/media/`` downloads (files are never a page of this origin).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.router = build_router()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif path == "/" or path == PREFIX or path.startswith(PREFIX + "/"):
            try:
                await self.router(scope, receive, send)
            except HTTPException as exc:  # an unknown page, a GET of an action
                response = _json_error(exc.status_code, exc.detail, dict(exc.headers or {}))
                await response(scope, receive, send)
        elif path.startswith("/_mock/media/"):
            await self.app(scope, receive, _with_headers(send, MEDIA_HEADERS))
        else:
            await self.app(scope, receive, send)


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [
                (name.encode(), value.encode())
                for name, value in headers.items()
                if name.encode() not in present
            ]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
