"""The contract as the contract tests read it: operations, schemas and strategies from the YAML.

Nothing here restates a schema. Request bodies come from schemathesis' own generator for the
operation; response bodies come from the same generator, pointed at the response schemas by a
derived document (each documented response of each operation becomes the request body of a
synthetic operation, its ``$ref`` untouched, next to the original ``components``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import schemathesis
import yaml
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "vatanwa.yaml"
JSON = "application/json"
MULTIPART = "multipart/form-data"


@functools.cache
def raw_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The YAML as a plain document (read once; callers must not mutate it)."""
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


def base_path(document: Mapping[str, Any] | None = None) -> str:
    """The path part of the first server URL (``/api/whatsapp/v1``)."""
    url: str = (document or raw_spec())["servers"][0]["url"]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def resolve(node: Mapping[str, Any], document: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Follow a local ``$ref`` (as many times as it takes)."""
    document = document or raw_spec()
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return dict(node)


@dataclass(frozen=True)
class Operation:
    """One operation of the contract, with what the tests need to know about it."""

    path: str
    method: str
    operation_id: str
    tag: str
    definition: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def statuses(self) -> tuple[int, ...]:
        """Every documented status (the contract has no ranges on the paths)."""
        return tuple(int(code) for code in self.definition["responses"])

    @property
    def request_media_types(self) -> tuple[str, ...]:
        body = self.definition.get("requestBody")
        return tuple(resolve(body)["content"]) if body else ()

    def request_schema(self, media_type: str) -> dict[str, Any]:
        return dict(resolve(self.definition["requestBody"])["content"][media_type]["schema"])

    def request_example(self, media_type: str = JSON) -> Any:
        return resolve(self.definition["requestBody"])["content"][media_type].get("example")

    def response(self, status: int) -> dict[str, Any]:
        return resolve(self.definition["responses"][str(status)])

    def response_schema(self, status: int) -> dict[str, Any]:
        return dict(self.response(status)["content"][JSON]["schema"])

    @property
    def has_reg_id(self) -> bool:
        """Whether the JSON request body names a device by ``reg_id``."""
        if JSON not in self.request_media_types:
            return False
        return "reg_id" in resolve(self.request_schema(JSON)).get("properties", {})

    def client_module(self) -> ModuleType:
        """The generated client's module of this operation (named by tag and operationId)."""
        return importlib.import_module(f"vatanwa_client.api.{self.tag}.{self.operation_id}")

    def client_body_class(self, media_type: str) -> type[Any]:
        """The generated model of the request body in ``media_type`` (named after its schema)."""
        models = importlib.import_module("vatanwa_client.models")
        name = self.request_schema(media_type)["$ref"].rsplit("/", 1)[1]
        model: type[Any] = getattr(models, name)
        return model


def operations(document: Mapping[str, Any] | None = None) -> list[Operation]:
    """Every operation on the contract's paths, in document order."""
    document = document or raw_spec()
    found = []
    for path, item in document["paths"].items():
        for method, definition in item.items():
            if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                found.append(
                    Operation(
                        path, method, definition["operationId"], definition["tags"][0], definition
                    )
                )
    return found


def operation(operation_id: str) -> Operation:
    """The operation with this ``operationId``."""
    for candidate in operations():
        if candidate.operation_id == operation_id:
            return candidate
    raise KeyError(operation_id)


def documented_responses() -> Iterator[tuple[Operation, int]]:
    """Every (operation, status) pair the contract documents with a JSON body."""
    for op in operations():
        for status in op.statuses:
            if JSON in op.response(status).get("content", {}):
                yield op, status


@functools.cache
def loaded_schema(path: Path = SPEC_PATH) -> OpenApiSchema:
    """The contract loaded by schemathesis (its settings from ``schemathesis.toml``)."""
    return schemathesis.openapi.from_path(path)


def request_cases(op: Operation, media_type: str) -> st.SearchStrategy[Any]:
    """Positive ``schemathesis.Case`` objects for ``op`` whose body is in ``media_type``."""
    api_operation = loaded_schema()[op.path][op.method.upper()]
    return api_operation.as_strategy(generation_mode=GenerationMode.POSITIVE).filter(
        lambda case: case.media_type == media_type
    )


@functools.cache
def _response_document() -> OpenApiSchema:
    spec = raw_spec()
    paths: dict[str, Any] = {}
    for op, status in documented_responses():
        paths[_response_path(op, status)] = {
            "post": {
                "operationId": f"{op.operation_id}_{status}",
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": copy.deepcopy(op.response_schema(status))}},
                },
                "responses": {"200": {"description": "unused"}},
            }
        }
    document = {
        "openapi": spec["openapi"],
        "info": {"title": "responses of " + spec["info"]["title"], "version": "0"},
        "paths": paths,
        "components": copy.deepcopy(spec["components"]),
    }
    return schemathesis.openapi.from_dict(document)


def _response_path(op: Operation, status: int) -> str:
    return f"/{op.operation_id}/{status}"


def response_bodies(op: Operation, status: int) -> st.SearchStrategy[Any]:
    """JSON bodies that conform to the documented response ``status`` of ``op``."""
    api_operation = _response_document()[_response_path(op, status)]["POST"]
    strategy = api_operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    return strategy.map(lambda case: case.body)


def with_instants(value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` with every string the schema types ``format: date-time`` parsed to an instant.

    Two JSON documents that differ only in how they spell the same instants compare equal after
    this, which is how a date-time round trip through the client is judged.
    """
    schema = resolve(schema)
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key, []):
            value = with_instants(value, branch)
    if isinstance(value, str) and schema.get("format") == "date-time":
        # Aware datetimes compare as instants, whatever their offsets.
        return dt.datetime.fromisoformat(value)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {
            key: with_instants(item, properties[key]) if key in properties else item
            for key, item in value.items()
        }
    if isinstance(value, list) and "items" in schema:
        return [with_instants(item, schema["items"]) for item in value]
    return value
