"""schemathesis hooks of the contract runs (``hooks`` in ``schemathesis.toml``).

schemathesis judges a ``multipart/form-data`` body as if it were JSON, which it is not. Three
consequences would be reported as failures of the mock; each is recognised here by judging the
body the way it travels, against the same YAML, and only that failure is dropped:

- every part travels as text, so the digit string ``"42"`` in an integer field is the same bytes
  as the integer 42. A link writes exactly such a value: ``reg_id`` comes from the ``regId``
  string of a login response, and the form types ``reg_id`` as an integer. The other way round,
  a number generated "invalid" for a text field (``message``) arrives as the text ``"3.0"``;
- a part whose ``encoding`` is ``application/json`` is sent as the JSON text of its value, so an
  array a link writes into ``n_to_n`` arrives as the JSON text the form's string field holds;
- once a link or a hook has changed a body, schemathesis re-judges it, and judges every body
  with a file in it invalid. Stateful requests with an attachment would all count as
  "schema-violating" and their acceptance as a failure.

So a "schema-violating request accepted" failure on a multipart body is dropped when that body,
read as it travels, conforms to the form's schema and nothing else of the request was generated
invalid.

The same failure is also dropped when the only invalid part was the headers, generated without
the credentials to test their absence, and the request went out with both credential headers all
the same: in the stateful phase schemathesis adds the configured credentials to every request.

Also, a part whose encoding is JSON and whose schema is a string holds, as the contract says in
prose, the JSON text of the same field of the operation's JSON body (``n_to_n``: the JSON text
of an ``NToNList``). OpenAPI 3.0 cannot state that, so the generator produces any string, and
the mock answers 422 to one that is not such JSON text. A "schema-valid request rejected"
failure is dropped only in exactly that case (the part's text holds no valid value, and the
answer is a 422 envelope naming the field); ``tests/contract/test_negative.py`` asserts that
answer.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import schemathesis
from schemathesis.core.transforms import to_wire_text

from tests.contract import spec


@functools.cache
def _form_properties(operation_id: str) -> dict[str, dict[str, Any]]:
    op = spec.operation(operation_id)
    if spec.MULTIPART not in op.request_media_types:
        return {}
    form = spec.resolve(op.request_schema(spec.MULTIPART))
    return {name: spec.resolve(prop) for name, prop in form.get("properties", {}).items()}


@functools.cache
def json_text_parts(operation_id: str) -> dict[str, jsonschema.protocols.Validator]:
    """Form fields whose part is JSON text, with a validator of the value the text must hold."""
    op = spec.operation(operation_id)
    if spec.MULTIPART not in op.request_media_types or spec.JSON not in op.request_media_types:
        return {}
    body = spec.resolve(op.definition["requestBody"])
    encoding = body["content"][spec.MULTIPART].get("encoding", {})
    json_properties = spec.resolve(op.request_schema(spec.JSON)).get("properties", {})
    parts: dict[str, jsonschema.protocols.Validator] = {}
    for name, prop in _form_properties(operation_id).items():
        is_json = encoding.get(name, {}).get("contentType") == spec.JSON
        if is_json and prop.get("type") == "string" and name in json_properties:
            # The root carries the components, so the property's `$ref` resolves inside it.
            schema = {**json_properties[name], "components": spec.raw_spec()["components"]}
            parts[name] = jsonschema.Draft4Validator(schema)
    return parts


def _operation_id(case: schemathesis.Case[Any]) -> str | None:
    definition = case.operation.definition.raw
    return definition.get("operationId") if isinstance(definition, dict) else None


def _is_canonical_integer(value: object) -> bool:
    return isinstance(value, str) and value.lstrip("-").isdigit() and str(int(value)) == value


def _holds_valid_json(validator: jsonschema.protocols.Validator, text: object) -> bool:
    if not isinstance(text, str):
        return True  # not the generator's string: not the case this hook is about
    try:
        return bool(validator.is_valid(json.loads(text)))
    except ValueError:
        return False


@functools.cache
def _form_validator(operation_id: str) -> jsonschema.protocols.Validator:
    op = spec.operation(operation_id)
    schema = {**op.request_schema(spec.MULTIPART), "components": spec.raw_spec()["components"]}
    return jsonschema.Draft4Validator(schema)


def _as_travelling(operation_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The form as the server reads it back: integers from their digits, JSON parts as text."""
    properties = _form_properties(operation_id)
    json_parts = json_text_parts(operation_id)
    read: dict[str, Any] = {}
    for name, value in body.items():
        kind = properties.get(name, {}).get("type")
        if isinstance(value, bytes):
            value = value.decode("latin-1")  # a file's bytes: any string will do for `binary`
        elif kind == "integer" and _is_canonical_integer(value):
            value = int(value)
        elif name in json_parts and not isinstance(value, str):
            value = json.dumps(value)
        elif kind == "string" and not isinstance(value, str):
            value = to_wire_text(value)  # how schemathesis writes a non-text value into a part
        read[name] = value
    return read


def _invalid_components(case: schemathesis.Case[Any]) -> set[str]:
    meta = case.meta
    if meta is None:
        return set()
    return {
        loc.container_name for loc, info in meta.components.items() if not info.mode.is_positive
    }


def _body_valid_as_travelling(operation_id: str | None, case: schemathesis.Case[Any]) -> bool:
    """Whether a multipart body judged invalid conforms to the form as it travels."""
    if operation_id is None or case.media_type != spec.MULTIPART or not isinstance(case.body, dict):
        return False
    return bool(_form_validator(operation_id).is_valid(_as_travelling(operation_id, case.body)))


def _part_without_valid_json(
    operation_id: str,
    case: schemathesis.Case[Any],
    response: schemathesis.Response,
) -> bool:
    """Whether a 422 envelope names a JSON-text part whose text holds no valid value."""
    if response.status_code != 422 or not isinstance(case.body, dict):
        return False
    try:
        envelope = response.json()
    except ValueError:
        return False
    if not isinstance(envelope, dict) or envelope.get("code") != 422:
        return False
    description = str(envelope.get("description", ""))
    return any(
        description.startswith(name) and not _holds_valid_json(validator, case.body.get(name))
        for name, validator in json_text_parts(operation_id).items()
    )


@functools.cache
def _credential_headers() -> frozenset[str]:
    schemes = spec.raw_spec()["components"]["securitySchemes"].values()
    return frozenset(
        s["name"].lower() for s in schemes if s["type"] == "apiKey" and s["in"] == "header"
    )


def _sent_with_credentials(response: schemathesis.Response) -> bool:
    return _credential_headers() <= {name.lower() for name in response.request.headers}


def _misjudged_as_invalid(
    operation_id: str | None,
    case: schemathesis.Case[Any],
    response: schemathesis.Response,
) -> bool:
    """Whether every part of the request judged invalid was in fact valid as it was sent."""
    invalid = _invalid_components(case)
    if not invalid or not invalid <= {"headers", "body"}:
        return False
    if "headers" in invalid and not _sent_with_credentials(response):
        return False
    return "body" not in invalid or _body_valid_as_travelling(operation_id, case)


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext,
    failure: Any,
    case: schemathesis.Case[Any],
    response: schemathesis.Response,
) -> bool:
    """Keep every failure but the misjudgements described above."""
    code = getattr(failure, "code", None)
    operation_id = _operation_id(case)
    if code == "ST201" and _misjudged_as_invalid(operation_id, case, response):
        return False
    if code != "ST202" or operation_id is None or case.media_type != spec.MULTIPART:
        return True
    return not _part_without_valid_json(operation_id, case, response)
