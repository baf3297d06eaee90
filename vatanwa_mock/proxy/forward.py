"""The proxy itself: an ASGI middleware in front of the mock's connexion app.

- Requests under the contract's base path are forwarded to ``--upstream`` unchanged (method,
  path, query, body bytes, headers with the credentials; hop-by-hop headers and ``Host`` are
  left out), and the upstream's answer goes back unchanged (status, headers but the hop-by-hop
  ones, body bytes). They never reach connexion, whose validation would refuse a request that
  breaks the contract instead of forwarding it. Before the answer goes back, both sides are
  checked (:class:`~vatanwa_mock.proxy.contract.ContractChecker`) and recorded
  (:class:`~vatanwa_mock.proxy.recorder.Recorder`).
- ``POST`` at ``--callback-path`` is a delivery report from the provider: checked against the
  contract's callback, recorded, forwarded to ``--forward-callbacks-to`` and answered with the
  receiver's answer.
- ``/_mock/violations`` and ``/_mock/violations/summary`` go on to connexion, with the caller
  identified here: only a ``client-id``/``client-secret`` pair the upstream accepted passes
  the control API's security check there.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from vatanwa_mock.auth import TENANT_KEY
from vatanwa_mock.config import Settings
from vatanwa_mock.errors import PayloadTooLarge
from vatanwa_mock.middleware import send_envelope
from vatanwa_mock.proxy.bodies import Body, decompress, read_body
from vatanwa_mock.proxy.contract import ContractChecker, Problem, Route
from vatanwa_mock.proxy.recorder import Exchange, Owner, Recorder
from vatanwa_mock.proxy.redaction import finish, redact_headers, redact_value
from vatanwa_mock.redact import redact_url
from vatanwa_mock.spec import Contract

logger = logging.getLogger("vatanwa_mock.proxy")

#: Headers of one connection, never forwarded (RFC 9110, 7.6.1), and those httpx sets itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
#: The login check long-polls for up to 30 s; the upstream gets that and more.
UPSTREAM_TIMEOUT = 90.0
VIOLATIONS_PATH = "/_mock/violations"
#: Where the control API's handlers find the recorder and the caller (connexion's context).
CONTEXT_KEY = "violations"


class ViolationsView:
    """The recorder as one caller may see it (handed to the control API's handlers)."""

    def __init__(self, recorder: Recorder, caller: Owner) -> None:
        self.recorder = recorder
        self.caller = caller

    def violations(self, **filters: Any) -> list[dict[str, Any]]:
        return self.recorder.violations(self.caller, **filters)

    def summary(self) -> dict[str, Any]:
        return self.recorder.summary(self.caller)


def _headers(pairs: list[tuple[str, str]]) -> Headers:
    return Headers(raw=[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs])


def _forwarded(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    named_in_connection = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == b"connection"
        for token in value.decode("latin-1").split(",")
    }
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in headers
        if name.decode("latin-1").lower() not in HOP_BY_HOP | named_in_connection
    ]


class Proxy:
    """Forwards, checks and records; one per app."""

    def __init__(self, settings: Settings, contract: Contract, recorder: Recorder) -> None:
        self.settings = settings
        self.checker = ContractChecker(contract)
        self.recorder = recorder
        self.base_path = contract.base_path
        self.upstream = settings.upstream.rstrip("/")
        self.max_body_bytes = contract.attachments.max_bytes + 1024 * 1024
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, follow_redirects=False)
            # Only what the caller sent goes upstream: no User-Agent or Accept-Encoding of ours.
            self._client.headers = httpx.Headers()
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise PayloadTooLarge(
                    f"The request body is larger than {self.max_body_bytes} bytes."
                )
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _send(
        self, send: Send, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        raw = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers
            if name.lower() not in HOP_BY_HOP
        ]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _exchange(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        request = self.client.build_request(method, url, headers=headers, content=body)
        response = await self.client.send(request, stream=True)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return (
            response.status_code,
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
            raw,
        )

    # -- the contract's operations -------------------------------------------------------

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        path = scope["path"][len(self.base_path) :] or "/"
        route, known = self.checker.match(method, path)
        if route is None:
            status = 405 if known else 404
            what = "method" if known else "path"
            await send_envelope(
                send,
                status,
                f"{method} {path}: the {what} is not in the contract, so the "
                "proxy does not forward it.",
            )
            return
        try:
            body = await self._read(receive)
        except PayloadTooLarge as exc:
            await send_envelope(send, 413, str(exc), {"connection": "close"})
            return
        query = scope.get("query_string", b"").decode("latin-1")
        headers = _forwarded(scope["headers"])
        # The path as the client wrote it (percent-escapes and all), not as decoded for routing.
        raw_path = (scope.get("raw_path") or b"").decode("latin-1")
        sent_path = raw_path[len(self.base_path) :] if raw_path.startswith(self.base_path) else path
        url = self.upstream + sent_path + (f"?{query}" if query else "")
        try:
            status, answer_headers, answer = await self._exchange(method, url, headers, body)
        except httpx.HTTPError as exc:
            logger.warning(
                "the upstream %s did not answer: %s", redact_url(self.upstream), type(exc).__name__
            )
            await send_envelope(
                send,
                502,
                f"The upstream {redact_url(self.upstream)} did not answer ({type(exc).__name__}).",
            )
            return
        # Checked before the answer goes out: once a client has its answer, the exchange's
        # violations are printed, written and listed.
        try:
            await self._check(
                route, method, scope["path"], query, headers, body, status, answer_headers, answer
            )
        except Exception:  # a failed check must never cost the client its answer
            logger.exception("checking an exchange of %s failed", route.operation_id)
        await self._send(send, status, answer_headers, answer)

    async def _check(
        self,
        route: Route,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        status: int,
        answer_headers: list[tuple[str, str]],
        answer: bytes,
    ) -> None:
        request_headers = _headers(headers)
        response_headers = _headers(answer_headers)
        query_pairs = parse_qsl(query, keep_blank_values=True)
        request_body = await read_body(body, request_headers.get("content-type"))
        plain = decompress(answer, response_headers.get("content-encoding"))
        response_body = (
            await read_body(plain, response_headers.get("content-type"))
            if plain is not None
            else None
        )
        problems = self.checker.check_request(
            route, request_headers, query_pairs, request_body, request_headers.get("content-type")
        )
        problems += self.checker.check_response(
            route, status, response_headers, response_body, response_headers.get("content-type")
        )
        owner = self.recorder.owner(
            request_headers.get("client-id"), request_headers.get("client-secret")
        )
        self.recorder.accept(owner, status)
        secrets = [request_headers.get("client-secret", ""), request_headers.get("client-id", "")]
        self.recorder.record(
            _exchange(
                "api",
                route.operation_id,
                status,
                owner,
                secrets,
                problems,
                request={
                    "method": method,
                    "path": path,
                    "query": query_pairs,
                    "headers": headers,
                    "body": request_body,
                },
                response={"headers": answer_headers, "body": response_body},
            )
        )

    # -- delivery reports ----------------------------------------------------------------

    async def callback(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await send_envelope(send, 405, "Delivery reports are posted (POST).")
            return
        try:
            body = await self._read(receive)
        except PayloadTooLarge as exc:
            await send_envelope(send, 413, str(exc), {"connection": "close"})
            return
        headers = _forwarded(scope["headers"])
        target = self.settings.forward_callbacks_to
        status, answer, answer_headers = 200, b"", list[tuple[str, str]]()
        if target is not None:
            try:
                status, answer_headers, answer = await self._exchange("POST", target, headers, body)
            except httpx.HTTPError as exc:
                status, answer_headers = 502, [("content-type", "application/json")]
                answer = (
                    '{"code":502,"status":"error","description":"The receiver '
                    f'{redact_url(target)} did not answer ({type(exc).__name__})."}}'
                ).encode()
        try:
            await self._check_callback(scope["path"], headers, body, status, answer_headers, answer)
        except Exception:  # a failed check must never cost the provider its answer
            logger.exception("checking a delivery report failed")
        await self._send(send, status, answer_headers, answer)

    async def _check_callback(
        self,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        status: int,
        answer_headers: list[tuple[str, str]],
        answer: bytes,
    ) -> None:
        request_headers = _headers(headers)
        request_body = await read_body(body, request_headers.get("content-type"))
        problems = self.checker.check_callback(
            request_headers, request_body, request_headers.get("content-type")
        )
        owner = self.recorder.owner(
            request_headers.get("client-id"), request_headers.get("client-secret")
        )
        secrets = [request_headers.get("client-secret", ""), request_headers.get("client-id", "")]
        operation = self.checker.callback.operation_id if self.checker.callback else "callback"
        self.recorder.record(
            _exchange(
                "callback",
                operation,
                status,
                owner,
                secrets,
                problems,
                request={
                    "method": "POST",
                    "path": path,
                    "query": [],
                    "headers": headers,
                    "body": request_body,
                },
                response={
                    "headers": answer_headers,
                    "body": await read_body(answer, _headers(answer_headers).get("content-type")),
                },
            )
        )

    # -- the control API's callers -------------------------------------------------------

    def identify(self, scope: Scope) -> None:
        """Let connexion's security check pass only an accepted pair, and hand the handlers
        the caller's view of the recorder."""
        headers = Headers(scope=scope)
        owner = self.recorder.owner(headers.get("client-id"), headers.get("client-secret"))
        if owner is not None and self.recorder.accepted(owner):
            scope[TENANT_KEY] = owner.client_id
            context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
            context[CONTEXT_KEY] = ViolationsView(self.recorder, owner)
        else:
            scope[TENANT_KEY] = None


def _body_view(body: Body | None) -> dict[str, Any]:
    if body is None:
        return {"format": "encoded", "value": None}
    if body.format in ("form", "multipart"):
        fields: dict[str, Any] = {}
        for name, value in body.fields:
            shown = value.describe() if not isinstance(value, str) else value
            fields[name] = (
                [*fields[name], shown]
                if isinstance(fields.get(name), list)
                else ([fields[name], shown] if name in fields else shown)
            )
        return {"format": body.format, "value": redact_value(fields)}
    return {"format": body.format, "value": redact_value(body.value)}


def _exchange(
    kind: str,
    operation: str,
    status: int,
    owner: Owner | None,
    secrets: list[str],
    problems: list[Problem],
    *,
    request: dict[str, Any],
    response: dict[str, Any],
) -> Exchange:
    request_view = {
        "method": request["method"],
        "path": request["path"],
        "query": redact_value(dict(request["query"])),
        "headers": redact_headers(request["headers"]),
        "body": _body_view(request["body"]),
    }
    response_view = {
        "status": status,
        "headers": redact_headers(response["headers"]),
        "body": _body_view(response["body"]),
    }
    messages = [
        Problem(p.side, p.location, p.pointer, p.rule, redact_value(p.message)) for p in problems
    ]
    cleaned = finish(
        {
            "request": request_view,
            "response": response_view,
            "problems": [p.as_dict() for p in messages],
        },
        secrets,
    )
    return Exchange(
        kind=kind,
        operation=operation,
        status=status,
        request=cleaned["request"],
        response=cleaned["response"],
        problems=[Problem(**p) for p in cleaned["problems"]],
        owner=owner,
    )


class ProxyMiddleware:
    """Routes the contract's base path and the callback path to the :class:`Proxy`."""

    def __init__(self, app: ASGIApp, *, proxy: Proxy) -> None:
        self.app = app
        self.proxy = proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            base = self.proxy.base_path
            if path == base or path.startswith(base + "/"):
                await self.proxy.api(scope, receive, send)
                return
            if path == self.proxy.settings.callback_path:
                await self.proxy.callback(scope, receive, send)
                return
            if path == VIOLATIONS_PATH or path.startswith(VIOLATIONS_PATH + "/"):
                self.proxy.identify(scope)
        await self.app(scope, receive, send)
