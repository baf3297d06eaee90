"""The ceiling: a bare Starlette app answering each benchmarked route with fixed bytes.

It serves the bytes the twin answered to the same request (``BENCH_BARE_RESPONSES`` names a
JSON file of ``{"METHOD /path": [status, content_type, body]}``), with no validation, no
authentication and no store: what one Python ASGI process on this stack can do at most.
Run with ``uvicorn bench.bare:app``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _routes(path: Path) -> list[Route]:
    table: dict[str, list[object]] = json.loads(path.read_text(encoding="utf-8"))
    routes = []
    for key, (status, content_type, body) in table.items():
        method, url_path = key.split(" ", 1)
        payload = str(body).encode()

        async def endpoint(
            request: Request,
            payload: bytes = payload,
            status: object = status,
            content_type: object = content_type,
        ) -> Response:
            await request.body()  # read it, as every real handler does
            return Response(payload, status_code=int(str(status)), media_type=str(content_type))

        routes.append(Route(url_path, endpoint, methods=[method]))
    return routes


app = Starlette(routes=_routes(Path(os.environ["BENCH_BARE_RESPONSES"])))
