"""A real HTTP server on a loopback port that answers what a test scripts, and records requests.

Unscripted requests get the contract's documented 200 example of their operation, read from
openapi/vatanwa.yaml.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.servers import BASE_PATH, ROOT, serve_asgi

SPEC_PATH = ROOT / "openapi" / "vatanwa.yaml"


@cache
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented_example(path: str, status: str = "200") -> Any:
    """The example the contract documents for ``status`` of the operation at ``path``."""
    (operation,) = spec()["paths"][path].values()
    response = _resolve(operation["responses"][status])
    return response["content"]["application/json"]["example"]


def documented_statuses(path: str) -> list[int]:
    (operation,) = spec()["paths"][path].values()
    return sorted(int(code) for code in operation["responses"])


@dataclass
class Answer:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, Any] | None = None


class ScriptedServer:
    def __init__(self) -> None:
        self.answers: dict[str, deque[Answer]] = defaultdict(deque)
        self.requests: list[Recorded] = []
        self.base_url = ""

    def script(self, path: str, *answers: Answer) -> None:
        """Answer the next requests to ``path`` (below the base path) with ``answers``, in order."""
        self.answers[path].extend(answers)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        path = request.url.path.removeprefix(BASE_PATH)
        body = await request.body()
        form: dict[str, Any] | None = None
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            parsed = await request.form()
            form = {}
            for key, value in parsed.multi_items():
                if isinstance(value, str):
                    form[key] = value
                else:
                    form[key] = (value.filename, await value.read(), value.content_type)
        self.requests.append(Recorded(request.method, path, dict(request.headers), body, form))
        queue = self.answers.get(path)
        answer = queue.popleft() if queue else Answer(json=documented_example(path))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.body is not None:
            response: Response = Response(
                answer.body, answer.status, answer.headers, media_type="text/html"
            )
        else:
            response = JSONResponse(answer.json, answer.status, answer.headers)
        await response(scope, receive, send)


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    app = ScriptedServer()
    with serve_asgi(app) as root:
        app.base_url = root + BASE_PATH
        yield app
