"""Checking one exchange against the contract: the request a client sent and the answer the
upstream gave, or a delivery report the provider posted.

Everything comes from the resolved contract (:func:`vatanwa_mock.spec.load_contract`): the
operations and their paths, security headers, parameters, request bodies per media type,
documented statuses with their headers and bodies, and the callback of the send operations.
Schemas are checked with jsonschema (Draft 4, as OpenAPI 3.0 uses), after
:func:`vatanwa_mock.schemas.to_json_schema`; each failed keyword becomes a :class:`Problem`
named by its JSON pointer and its rule (the keyword, or ``status``, ``content-type``,
``security``, ``syntax``, ``envelope`` for what is not a schema keyword).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from jsonschema import Draft4Validator

from vatanwa_mock.proxy.bodies import FORM, MULTIPART, Body, FilePart, is_json, media_type
from vatanwa_mock.schemas import to_json_schema
from vatanwa_mock.spec import Contract

Side = Literal["request", "response"]
JsonObject = dict[str, Any]
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
MAX_MESSAGE = 300


@dataclass(frozen=True)
class Problem:
    """One way an exchange breaks the contract.

    ``location`` is ``body``, ``header``, ``query`` or ``status``; ``pointer`` is a JSON pointer
    into the body (``/data/is_connect``), or ``/<name>`` of a header or query parameter.
    """

    side: Side
    location: str
    pointer: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "side": self.side,
            "location": self.location,
            "pointer": self.pointer,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class Route:
    """An operation of the contract and how its path is matched."""

    operation_id: str
    method: str
    path: str
    pattern: re.Pattern[str]
    operation: JsonObject
    parameters: tuple[JsonObject, ...]


def pointer(path: Iterable[Any]) -> str:
    """``["data", 0, "to"]`` -> ``/data/0/to`` (RFC 6901)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _message(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


class _Validators:
    """One compiled validator per schema object of the resolved contract."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[JsonObject, Draft4Validator]] = {}

    def get(self, schema: JsonObject) -> Draft4Validator:
        entry = self._by_id.get(id(schema))
        if entry is None or entry[0] is not schema:
            validator = Draft4Validator(
                to_json_schema(schema), format_checker=Draft4Validator.FORMAT_CHECKER
            )
            entry = (schema, validator)
            self._by_id[id(schema)] = entry
        return entry[1]


def _properties(schema: Any) -> JsonObject:
    """The properties of an object schema, ``allOf`` branches merged."""
    if not isinstance(schema, dict):
        return {}
    found: JsonObject = dict(schema.get("properties", {}))
    for branch in schema.get("allOf", []):
        found.update(_properties(branch))
    return found


def _types(schema: Any) -> list[str]:
    """The JSON types a schema allows, its ``anyOf``/``oneOf`` branches included, in order."""
    if not isinstance(schema, dict):
        return []
    found = [schema["type"]] if isinstance(schema.get("type"), str) else []
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            found += [t for t in _types(branch) if t not in found]
    return found


def _media_entry(content: JsonObject, media: str) -> JsonObject | None:
    """The entry of ``content`` for ``media``: exact, then ``type/*``, then ``*/*``."""
    for key in (media, media.split("/", 1)[0] + "/*", "*/*"):
        entry = content.get(key)
        if isinstance(entry, dict):
            return entry
    return None


def coerce(text: str, schema: Any) -> Any:
    """A form field or a parameter (always text) as the value its schema types it as."""
    types = _types(schema)
    for kind in types:
        if kind == "integer" and re.fullmatch(r"[+-]?[0-9]+", text.strip()):
            return int(text)
        if kind == "number":
            try:
                return float(text)
            except ValueError:
                continue
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "string":
            return text
        if kind in ("array", "object"):
            try:
                return json.loads(text)
            except ValueError:
                continue
    return text


def _form_instance(fields: list[tuple[str, str | FilePart]], schema: Any) -> JsonObject:
    properties = _properties(schema)
    instance: JsonObject = {}
    for name, value in fields:
        prop = properties.get(name, {})
        item = (value.filename or "") if isinstance(value, FilePart) else coerce(value, prop)
        if "array" in _types(prop) and not isinstance(item, list):
            instance.setdefault(name, []).append(item)
        elif name not in instance:
            instance[name] = item
    return instance


class ContractChecker:
    """The contract's rules for both sides of an exchange."""

    def __init__(self, contract: Contract) -> None:
        self.spec = contract.resolved
        self.base_path = contract.base_path
        self._validators = _Validators()
        self.routes: list[Route] = []
        for path, item in self.spec["paths"].items():
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
            for method, operation in item.items():
                if method in _METHODS and isinstance(operation, dict):
                    self.routes.append(
                        Route(
                            operation_id=operation.get("operationId", f"{method} {path}"),
                            method=method.upper(),
                            path=path,
                            pattern=re.compile(f"^{regex}$"),
                            operation=operation,
                            parameters=(
                                *item.get("parameters", []),
                                *operation.get("parameters", []),
                            ),
                        )
                    )
        self.callback = self._callback()

    def _callback(self) -> Route | None:
        for route in self.routes:
            for callback in route.operation.get("callbacks", {}).values():
                for url, item in callback.items():
                    for method, operation in item.items():
                        if method in _METHODS and isinstance(operation, dict):
                            return Route(
                                operation_id=operation.get("operationId", "callback"),
                                method=method.upper(),
                                path=url,
                                pattern=re.compile("^$"),
                                operation=operation,
                                parameters=tuple(operation.get("parameters", [])),
                            )
        return None

    def match(self, method: str, path: str) -> tuple[Route | None, bool]:
        """The route of ``method`` on ``path`` (relative to the base path), and whether the
        path exists at all (for a 405 rather than a 404)."""
        known = False
        for route in self.routes:
            if route.pattern.match(path):
                known = True
                if route.method == method.upper():
                    return route, True
        return None, known

    # -- the two sides -------------------------------------------------------------------

    def check_request(
        self,
        route: Route,
        headers: Mapping[str, str],
        query: list[tuple[str, str]],
        body: Body,
        content_type: str | None,
    ) -> list[Problem]:
        """What the client's request breaks: security headers, parameters, body."""
        problems = self._security(route, headers)
        problems += self._parameters(route, headers, query)
        problems += self._request_body(route.operation.get("requestBody"), body, content_type)
        return problems

    def check_callback(
        self, headers: Mapping[str, str], body: Body, content_type: str | None
    ) -> list[Problem]:
        """What a delivery report the provider posted breaks (the callback's request)."""
        if self.callback is None:
            return []
        problems = self._parameters(self.callback, headers, [])
        problems += self._request_body(
            self.callback.operation.get("requestBody"), body, content_type
        )
        return problems

    def check_response(
        self,
        route: Route,
        status: int,
        headers: Mapping[str, str],
        body: Body | None,
        content_type: str | None,
    ) -> list[Problem]:
        """What the upstream's answer breaks: status, headers, content type, body, envelope."""
        responses: JsonObject = route.operation.get("responses", {})
        response = (
            responses.get(str(status))
            or responses.get(f"{status // 100}XX")
            or responses.get(f"{status // 100}xx")
            or responses.get("default")
        )
        if response is None:
            documented = ", ".join(sorted(responses))
            return [
                Problem(
                    "response",
                    "status",
                    "",
                    "status",
                    f"status {status} is not documented for {route.operation_id} "
                    f"(documented: {documented})",
                )
            ]
        problems: list[Problem] = []
        for name, header in response.get("headers", {}).items():
            value = headers.get(name.lower())
            if value is None:
                if header.get("required"):
                    problems.append(
                        Problem(
                            "response",
                            "header",
                            "/" + name.lower(),
                            "required",
                            f"the {name} header is missing",
                        )
                    )
                continue
            problems += self._value(
                header.get("schema"), value, "response", "header", "/" + name.lower()
            )
        content: JsonObject = response.get("content") or {}
        if not content or body is None:
            return problems
        media = media_type(content_type)
        schema_holder = _media_entry(content, media)
        if schema_holder is None:
            problems.append(
                Problem(
                    "response",
                    "header",
                    "/content-type",
                    "content-type",
                    f"{media or 'no content type'} is not documented for status "
                    f"{status} (documented: {', '.join(content)})",
                )
            )
            return problems
        if body.error is not None or (is_json(media) and body.format == "text"):
            problems.append(
                Problem(
                    "response",
                    "body",
                    "",
                    "syntax",
                    _message(f"the body is not {media}: {body.error}"),
                )
            )
            return problems
        if body.format == "none":
            problems.append(Problem("response", "body", "", "required", "the body is empty"))
            return problems
        schema = schema_holder.get("schema")
        if schema is not None and body.format == "json":
            problems += self._schema(schema, body.value, "response")
            problems += self._envelope(schema, body.value, status)
        return problems

    # -- pieces --------------------------------------------------------------------------

    def _security(self, route: Route, headers: Mapping[str, str]) -> list[Problem]:
        requirements = route.operation.get("security", self.spec.get("security", []))
        if not requirements:
            return []
        schemes = self.spec.get("components", {}).get("securitySchemes", {})
        first_missing: list[str] = []
        for requirement in requirements:
            missing = [
                schemes[name]["name"]
                for name in requirement
                if schemes.get(name, {}).get("in") == "header"
                and not headers.get(schemes[name]["name"].lower())
            ]
            if not missing:
                return []
            first_missing = first_missing or missing
        return [
            Problem(
                "request",
                "header",
                "/" + name.lower(),
                "security",
                f"the {name} header is required",
            )
            for name in first_missing
        ]

    def _parameters(
        self, route: Route, headers: Mapping[str, str], query: list[tuple[str, str]]
    ) -> list[Problem]:
        problems: list[Problem] = []
        given = {"header": {k.lower(): v for k, v in headers.items()}, "query": dict(query)}
        for parameter in route.parameters:
            where = parameter.get("in")
            if where not in given:
                continue
            name = parameter["name"].lower() if where == "header" else parameter["name"]
            value = given[where].get(name)
            if value is None:
                if parameter.get("required"):
                    problems.append(
                        Problem(
                            "request",
                            where,
                            "/" + name,
                            "required",
                            f"the {where} parameter {parameter['name']} is missing",
                        )
                    )
                continue
            problems += self._value(parameter.get("schema"), value, "request", where, "/" + name)
        return problems

    def _value(self, schema: Any, text: str, side: Side, where: str, at: str) -> list[Problem]:
        if not isinstance(schema, dict):
            return []
        return [
            Problem(side, where, at + p.pointer, p.rule, p.message)
            for p in self._schema(schema, coerce(text, schema), side)
        ]

    def _request_body(
        self, request_body: Any, body: Body, content_type: str | None
    ) -> list[Problem]:
        if not isinstance(request_body, dict):
            return []
        content: JsonObject = request_body.get("content", {})
        if body.format == "none":
            if request_body.get("required"):
                return [Problem("request", "body", "", "required", "the request has no body")]
            return []
        media = media_type(content_type)
        holder = _media_entry(content, media)
        if holder is None:
            return [
                Problem(
                    "request",
                    "header",
                    "/content-type",
                    "content-type",
                    f"{media or 'no content type'} is not accepted "
                    f"(the contract accepts: {', '.join(content)})",
                )
            ]
        if body.error is not None or (is_json(media) and body.format == "text"):
            return [
                Problem(
                    "request",
                    "body",
                    "",
                    "syntax",
                    _message(f"the body is not {media}: {body.error}"),
                )
            ]
        schema = holder.get("schema")
        if not isinstance(schema, dict):
            return []
        if media in (FORM, MULTIPART):
            problems = self._schema(schema, _form_instance(body.fields, schema), "request")
            return problems + self._encodings(holder.get("encoding", {}), body.fields)
        return self._schema(schema, body.value, "request")

    def _encodings(
        self, encoding: JsonObject, fields: list[tuple[str, str | FilePart]]
    ) -> list[Problem]:
        problems: list[Problem] = []
        for name, value in fields:
            declared = encoding.get(name, {}).get("contentType")
            if not isinstance(value, FilePart) or not declared:
                continue
            allowed = {t.strip().lower() for t in declared.split(",")}
            if media_type(value.content_type) not in allowed:
                problems.append(
                    Problem(
                        "request",
                        "body",
                        "/" + name,
                        "encoding",
                        f"a {value.content_type or 'file without a type'} part is "
                        "not among the types the contract accepts here",
                    )
                )
        return problems

    def _schema(self, schema: JsonObject, instance: Any, side: Side) -> list[Problem]:
        problems: list[Problem] = []
        errors = sorted(
            self._validators.get(schema).iter_errors(instance),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
        for error in errors:
            path = list(error.absolute_path)
            if error.validator == "required":
                missing = next(
                    (
                        name
                        for name in error.validator_value
                        if error.message.startswith(repr(name))
                    ),
                    None,
                )
                if missing is not None:
                    path.append(missing)
            problems.append(
                Problem(side, "body", pointer(path), str(error.validator), _message(error.message))
            )
        return problems

    def _envelope(self, schema: JsonObject, value: Any, status: int) -> list[Problem]:
        """``code`` of the provider's envelope repeats the HTTP status."""
        if not {"code", "status", "description"} <= set(_properties(schema)):
            return []
        if (
            isinstance(value, dict)
            and isinstance(value.get("code"), int)
            and value["code"] != status
        ):
            return [
                Problem(
                    "response",
                    "body",
                    "/code",
                    "envelope",
                    f"code {value['code']} does not repeat the HTTP status {status}",
                )
            ]
        return []
