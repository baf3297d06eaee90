"""Read openapi/vatanwa.yaml for the tests: load it, follow its ``$ref``s, find its examples.

The walk over the document follows the structure of OpenAPI 3.0 (paths, operations, callbacks,
components, media types, schemas) rather than matching key names, so a property that happens to
be called ``example`` is not mistaken for an example; ``example_keys`` is the blunt key scan the
tests use to prove the walk missed nothing.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "vatanwa.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The base URI under which the document is registered, so that its local `#/components/...`
# references resolve against the whole document wherever the schema being checked sits.
DOCUMENT_URI = "urn:vatanwa:openapi"

Json = Any


@functools.cache
def _load(path: Path) -> dict[str, Json]:
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    assert isinstance(document, dict)
    return document


def load(path: Path = SPEC_PATH) -> dict[str, Json]:
    """The YAML as plain data (a fresh copy: callers may modify it)."""
    return copy.deepcopy(_load(path))


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape(str(token)) for token in tokens)


def at(document: Json, json_pointer: str) -> Json:
    """The node at ``json_pointer`` (RFC 6901) in ``document``."""
    node = document
    for raw in json_pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def deref(document: Json, node: Json) -> Json:
    """Follow a chain of local ``$ref``s to the node it names."""
    seen = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        assert isinstance(ref, str)
        assert ref.startswith("#/"), f"not a local $ref: {ref!r}"
        assert ref not in seen, f"$ref cycle through {ref}"
        seen.add(ref)
        node = at(document, ref[1:])
    return node


def deref_pointer(document: Json, json_pointer: str) -> str:
    """The pointer of the node that the node at ``json_pointer`` finally refers to."""
    node = at(document, json_pointer)
    while isinstance(node, Mapping) and "$ref" in node:
        json_pointer = node["$ref"][1:]
        node = at(document, json_pointer)
    return json_pointer


def ref_name(node: Json) -> str | None:
    """The component name of a ``$ref`` node (``ErrorEnvelope`` for ``#/components/.../X``)."""
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def resolve_deep(document: Json, node: Json) -> Json:
    """``node`` with every ``$ref`` inside it replaced by a copy of its target."""
    node = deref(document, node)
    if isinstance(node, Mapping):
        return {key: resolve_deep(document, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_deep(document, item) for item in node]
    return node


@dataclass(frozen=True)
class Operation:
    """One operation of the document, under ``paths`` or inside a callback."""

    method: str
    path: str
    node: dict[str, Json]
    location: str  # JSON pointer of the operation object
    callback_of: str | None = None  # operationId of the operation declaring the callback

    @property
    def operation_id(self) -> str:
        return str(self.node.get("operationId", ""))


def _path_item_operations(
    document: Json, path: str, item: Json, location: str, callback_of: str | None
) -> Iterator[Operation]:
    item = deref(document, item)
    for method in HTTP_METHODS:
        if method in item:
            yield Operation(method, path, item[method], f"{location}/{method}", callback_of)


def operations(document: Json, *, callbacks: bool = False) -> Iterator[Operation]:
    """Every operation under ``paths``; with ``callbacks``, also every callback operation."""
    for path, item in document.get("paths", {}).items():
        location = pointer("paths", path)
        for operation in _path_item_operations(document, path, item, location, None):
            yield operation
            if not callbacks:
                continue
            for name, callback in operation.node.get("callbacks", {}).items():
                callback = deref(document, callback)
                for expression, cb_item in callback.items():
                    cb_location = f"{operation.location}{pointer('callbacks', name, expression)}"
                    yield from _path_item_operations(
                        document, expression, cb_item, cb_location, operation.operation_id
                    )


def operation_by_id(document: Json, operation_id: str) -> Operation:
    for operation in operations(document, callbacks=True):
        if operation.operation_id == operation_id:
            return operation
    raise KeyError(f"no operation {operation_id!r} in the document")


# --- examples ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleSite:
    """An example and the schema it must satisfy, both located by JSON pointer."""

    location: str
    instance: Json
    schema_location: str


class RuntimeExpressionError(LookupError):
    """A link uses a runtime expression that cannot be evaluated from the document's examples."""


class _ExampleWalker:
    def __init__(self, document: Json) -> None:
        self.document = document
        self.sites: list[ExampleSite] = []
        # Pointers of the objects whose `example`/`examples` keys were collected.
        self.holders: set[str] = set()

    # A `$ref`'d object is walked where it is defined (under components), not where it is used.

    def schema(self, node: Json, location: str) -> None:
        if not isinstance(node, Mapping) or "$ref" in node:
            return
        if "example" in node:
            self.holders.add(location)
            self.sites.append(ExampleSite(f"{location}/example", node["example"], location))
        for name, sub in node.get("properties", {}).items():
            self.schema(sub, f"{location}{pointer('properties', name)}")
        for keyword in ("items", "not", "additionalProperties"):
            if isinstance(node.get(keyword), Mapping):
                self.schema(node[keyword], f"{location}/{keyword}")
        for keyword in ("allOf", "anyOf", "oneOf"):
            for index, sub in enumerate(node.get(keyword, [])):
                self.schema(sub, f"{location}/{keyword}/{index}")

    def _examples(self, node: Json, location: str, schema_location: str) -> None:
        """The `example` and `examples` of a media type, parameter or header."""
        if "example" in node:
            self.holders.add(location)
            self.sites.append(ExampleSite(f"{location}/example", node["example"], schema_location))
        if "examples" in node:
            self.holders.add(location)
            for name, example in node["examples"].items():
                example = deref(self.document, example)
                assert "value" in example, f"{location}/examples/{name} has no literal value"
                self.sites.append(
                    ExampleSite(
                        f"{location}{pointer('examples', name)}", example["value"], schema_location
                    )
                )

    def media_type(self, node: Json, location: str) -> None:
        self.schema(node.get("schema"), f"{location}/schema")
        self._examples(node, location, f"{location}/schema")
        for name, encoding in node.get("encoding", {}).items():
            for header, value in encoding.get("headers", {}).items():
                self.parameter(value, f"{location}{pointer('encoding', name, 'headers', header)}")

    def parameter(self, node: Json, location: str) -> None:
        """A parameter or a header object (same shape)."""
        if "$ref" in node:
            return
        if "schema" in node:
            self.schema(node["schema"], f"{location}/schema")
            self._examples(node, location, f"{location}/schema")
        for media, value in node.get("content", {}).items():
            self.media_type(value, f"{location}{pointer('content', media)}")

    def request_body(self, node: Json, location: str) -> None:
        if "$ref" in node:
            return
        for media, value in node.get("content", {}).items():
            self.media_type(value, f"{location}{pointer('content', media)}")

    def response(self, node: Json, location: str, operation: Operation | None) -> None:
        if "$ref" not in node:
            for name, header in node.get("headers", {}).items():
                self.parameter(header, f"{location}{pointer('headers', name)}")
            for media, value in node.get("content", {}).items():
                self.media_type(value, f"{location}{pointer('content', media)}")
        if operation is None:
            return
        # Links are checked where they are used: their runtime expressions are evaluated
        # against the examples of the response (and request) they start from.
        resolved = deref(self.document, node)
        for name, link in resolved.get("links", {}).items():
            self.link(link, f"{location}{pointer('links', name)}", resolved, operation)

    def operation(self, operation: Operation) -> None:
        node, location = operation.node, operation.location
        for index, parameter in enumerate(node.get("parameters", [])):
            self.parameter(parameter, f"{location}/parameters/{index}")
        if "requestBody" in node:
            self.request_body(node["requestBody"], f"{location}/requestBody")
        for status, response in node.get("responses", {}).items():
            self.response(response, f"{location}{pointer('responses', status)}", operation)

    def link(self, node: Json, location: str, response: Json, source: Operation) -> None:
        link = deref(self.document, node)
        assert "operationRef" not in link, f"{location}: use operationId, not operationRef"
        target = operation_by_id(self.document, link["operationId"])
        context = _ExpressionContext(self.document, source, response)
        if "requestBody" in link:
            body = deref(self.document, target.node["requestBody"])
            assert "application/json" in body["content"], (
                f"{location}: {target.operation_id} takes no JSON body"
            )
            target_body = deref_pointer(self.document, f"{target.location}/requestBody")
            self.sites.append(
                ExampleSite(
                    f"{location}/requestBody",
                    context.evaluate(link["requestBody"]),
                    f"{target_body}{pointer('content', 'application/json', 'schema')}",
                )
            )
        for name, value in link.get("parameters", {}).items():
            index = _parameter_index(self.document, target, name)
            self.sites.append(
                ExampleSite(
                    f"{location}{pointer('parameters', name)}",
                    context.evaluate(value),
                    deref_pointer(self.document, f"{target.location}/parameters/{index}")
                    + "/schema",
                )
            )

    def walk(self) -> list[ExampleSite]:
        document = self.document
        for operation in operations(document, callbacks=True):
            self.operation(operation)
        components = document.get("components", {})
        for name, schema in components.get("schemas", {}).items():
            self.schema(schema, pointer("components", "schemas", name))
        for name, response in components.get("responses", {}).items():
            self.response(response, pointer("components", "responses", name), None)
        for kind in ("parameters", "headers"):
            for name, value in components.get(kind, {}).items():
                self.parameter(value, pointer("components", kind, name))
        for name, body in components.get("requestBodies", {}).items():
            self.request_body(body, pointer("components", "requestBodies", name))
        return self.sites


def _parameter_index(document: Json, operation: Operation, name: str) -> int:
    bare = name.split(".", 1)[-1]  # a link may qualify a parameter name: `header.client-id`
    for index, parameter in enumerate(operation.node.get("parameters", [])):
        if deref(document, parameter)["name"] == bare:
            return index
    raise KeyError(f"{operation.operation_id} has no parameter {name!r}")


_EMBEDDED_EXPRESSION = re.compile(r"\{(\$[^}]+)\}")


class _ExpressionContext:
    """Evaluates a link's runtime expressions against the examples of its source operation."""

    def __init__(self, document: Json, source: Operation, response: Json) -> None:
        self.document = document
        self.source = source
        self.response = response

    def _example_body(self, holder: Json, what: str) -> Json:
        media = deref(self.document, holder).get("content", {}).get("application/json", {})
        if "example" in media:
            return media["example"]
        for example in media.get("examples", {}).values():
            return deref(self.document, example)["value"]
        raise RuntimeExpressionError(f"{self.source.operation_id}: the {what} has no JSON example")

    def expression(self, expression: str) -> Json:
        if expression.startswith("$response.body#"):
            body = self._example_body(self.response, "response")
            return at(body, expression.split("#", 1)[1])
        if expression.startswith("$request.body#"):
            body = self._example_body(self.source.node.get("requestBody", {}), "request body")
            return at(body, expression.split("#", 1)[1])
        if expression.startswith("$response.header."):
            name = expression.removeprefix("$response.header.")
            return deref(self.document, self.response["headers"][name])["example"]
        raise RuntimeExpressionError(
            f"cannot evaluate the runtime expression {expression!r} from the document"
        )

    def evaluate(self, value: Json) -> Json:
        """``value`` with every runtime expression replaced by its value in the examples."""
        if isinstance(value, Mapping):
            return {key: self.evaluate(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.evaluate(item) for item in value]
        if isinstance(value, str) and value.startswith("$"):
            return self.expression(value)
        if isinstance(value, str):
            return _EMBEDDED_EXPRESSION.sub(lambda m: str(self.expression(m.group(1))), value)
        return value


def example_sites(document: Json) -> list[ExampleSite]:
    """Every example of the document (schema, media type, parameter, header, link body)."""
    return _ExampleWalker(document).walk()


def example_holders(document: Json) -> set[str]:
    """Pointers of the objects whose examples ``example_sites`` collects."""
    walker = _ExampleWalker(document)
    walker.walk()
    return walker.holders


# Values, not OpenAPI structure: a key called `example` inside them is data. (Link objects hold
# no examples in OpenAPI 3.0, only literal data.)
_DATA_KEYWORDS = frozenset({"example", "examples", "default", "enum", "value", "links"})


def example_keys(node: Json, location: str = "", parent_key: str = "") -> Iterator[str]:
    """Pointers of every object holding an ``example``/``examples`` key, found by key name alone.

    It does not look inside data (example values, defaults, enums, link bodies), nor treat a
    property named ``example`` as one.
    """
    if isinstance(node, Mapping):
        holder = parent_key not in {"properties", "components"}
        if holder and ("example" in node or "examples" in node):
            yield location
        for key, value in node.items():
            if key.startswith("x-") or (key in _DATA_KEYWORDS and parent_key != "components"):
                continue
            yield from example_keys(value, f"{location}/{escape(str(key))}", str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from example_keys(item, f"{location}/{index}", parent_key)


# --- schema validation ----------------------------------------------------------------------------

_URI_CHARACTERS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")


def _is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986): a scheme, only URI characters, a host for http(s)."""
    if not isinstance(value, str):
        return True  # formats constrain strings only
    if not _URI_CHARACTERS.match(value):
        return False
    parts = urlsplit(value)
    if not _URI_SCHEME.match(parts.scheme):
        return False
    return parts.scheme.lower() not in {"http", "https"} or bool(parts.hostname)


def format_checker() -> FormatChecker:
    """OpenAPI 3.0's format checker, plus ``uri``.

    openapi-schema-validator checks ``uri`` only when an optional URI package is installed;
    without one it silently accepts anything, so the tests bring their own check.
    """
    checker = copy.deepcopy(oas30_format_checker)
    checker.checks("uri")(_is_uri)
    return checker


def validator(document: Json, schema_location: str) -> OAS30Validator:
    """An OpenAPI 3.0 validator of the schema at ``schema_location``, formats checked."""
    registry: Registry[Json] = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT4)
    )
    return OAS30Validator(
        {"$ref": f"{DOCUMENT_URI}#{schema_location}"},
        registry=registry,
        format_checker=format_checker(),
    )


def formats_used(node: Json) -> set[str]:
    """Every ``format`` value used by a schema of the document."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        if isinstance(node.get("format"), str):
            found.add(node["format"])
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                found |= formats_used(value)
    elif isinstance(node, list):
        for item in node:
            found |= formats_used(item)
    return found
