"""An independent check that every response the mock sends is one the contract declares.

It reads the YAML itself (not through the mock's loader), finds the operation by path and
method, and checks the status is declared, the body matches the declared schema (with
openapi-schema-validator, not the validators the mock uses) and declared required headers are
present. Hook it into an httpx client with :func:`event_hooks`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from tests.openapi import document as d

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi" / "vatanwa.yaml"
CONTROL = ROOT / "openapi" / "mock-control.yaml"


class NonConforming(AssertionError):
    """A response the documents do not allow."""


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    method: str
    operation: dict[str, Any]
    document: dict[str, Any]


def _routes(path: Path) -> list[_Route]:
    document = d.load(path)
    base = urlsplit(document["servers"][-1]["url"]).path.rstrip("/")
    routes = []
    for template, item in document["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(base + template))
        for method, operation in item.items():
            if method in d.HTTP_METHODS:
                routes.append(_Route(re.compile(f"^{regex}$"), method, operation, document))
    return routes


ROUTES = _routes(CONTRACT) + _routes(CONTROL)


def check(response: httpx.Response) -> None:
    """Raise :class:`NonConforming` unless the contract declares ``response``."""
    request = response.request
    path = request.url.path
    method = request.method.lower()
    route = next((r for r in ROUTES if r.method == method and r.pattern.match(path)), None)
    if route is None:
        # Not an operation: only the envelope's 404/405 may come back.
        body = response.json()
        if response.status_code not in (404, 405) or body.get("status") != "error":
            raise NonConforming(f"{method.upper()} {path}: {response.status_code} {body}")
        return
    responses = route.operation["responses"]
    declared = responses.get(str(response.status_code))
    if declared is None:
        raise NonConforming(
            f"{route.operation['operationId']}: status {response.status_code} is not declared "
            f"({response.text[:200]})"
        )
    declared = d.deref(route.document, declared)
    for name, header in (declared.get("headers") or {}).items():
        header = d.deref(route.document, header)
        if header.get("required") and name.lower() not in response.headers:
            raise NonConforming(f"{route.operation['operationId']}: header {name} missing")
    content = declared.get("content") or {}
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media not in content and "*/*" not in content:
        raise NonConforming(
            f"{route.operation['operationId']}: {response.status_code} as {media!r}, "
            f"declared {sorted(content)}"
        )
    if media != "application/json":
        return
    schema = d.resolve_deep(route.document, content[media]["schema"])
    errors = list(
        OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(
            json.loads(response.content)
        )
    )
    if errors:
        raise NonConforming(
            f"{route.operation['operationId']} {response.status_code}: {errors[0].message} "
            f"at {list(errors[0].absolute_path)}"
        )


def _hook(response: httpx.Response) -> None:
    response.read()
    check(response)


def event_hooks() -> dict[str, list[Any]]:
    """``httpx`` event hooks that check every response."""
    return {"response": [_hook]}
