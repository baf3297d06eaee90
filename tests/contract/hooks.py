"""schemathesis hooks of the contract runs (``hooks`` in ``schemathesis.toml``).

These hooks serve the project's own runs (``mode = "all"``, every check), not a stock run: a
stock run (``tests/compat/test_stock_schemathesis.py``) needs none. schemathesis misjudges a
``multipart/form-data`` body; each consequence that would be reported as a failure of the mock
is recognised here by judging the body the way it travels, against the same YAML, and only
that failure is dropped:

- every part but a file and the JSON array ``n_to_n`` travels as text, so a value generated
  "invalid" for such a field arrives as its text: a number for ``message`` as ``"3.0"``, an
  object for ``report_id`` (a number or any short text) as its JSON text, both valid text;
- once a link or a hook has changed a body, schemathesis re-judges it, and judges every body
  with a file in it invalid. Stateful requests with an attachment would all count as
  "schema-violating" and their acceptance as a failure.

So a "schema-violating request accepted" failure on a multipart body is dropped when that body,
read as it travels, conforms to the form's schema and nothing else of the request was generated
invalid.

The same failure is also dropped when the only invalid part was the headers, generated without
the credentials to test their absence, and the request went out with both credential headers all
the same: in the stateful phase schemathesis adds the configured credentials to every request.
"""

from __future__ import annotations

import functools
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


def _operation_id(case: schemathesis.Case[Any]) -> str | None:
    definition = case.operation.definition.raw
    return definition.get("operationId") if isinstance(definition, dict) else None


@functools.cache
def _form_validator(operation_id: str) -> jsonschema.protocols.Validator:
    op = spec.operation(operation_id)
    schema = {**op.request_schema(spec.MULTIPART), "components": spec.raw_spec()["components"]}
    return jsonschema.Draft4Validator(schema)


def _as_travelling(operation_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The form as the server reads it back: a file's bytes and every other part as text."""
    properties = _form_properties(operation_id)
    read: dict[str, Any] = {}
    for name, value in body.items():
        kind = properties.get(name, {}).get("type")
        if isinstance(value, bytes):
            value = value.decode("latin-1")  # a file's bytes: any string will do for `binary`
        elif kind != "array" and not isinstance(value, str):
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
    return not (code == "ST201" and _misjudged_as_invalid(_operation_id(case), case, response))
