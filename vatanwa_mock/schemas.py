"""Compiled JSON Schema validators, built once per schema and reused for every request.

connexion compiles a fresh jsonschema validator for each request it validates; the mock
compiles each schema of the contract once (with ``jsonschema_rs`` when it is installed, the
pure-Python ``jsonschema`` otherwise) and keeps it for the life of the process. OpenAPI 3.0
schemas are JSON Schema Draft 4 with extra keywords, which both validators ignore.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

MAX_DESCRIPTION = 300


class SchemaValidator(Protocol):
    """What the mock needs from a compiled schema."""

    def first_error(self, instance: Any) -> str | None:
        """A one-line description of the first violation, naming its field, or None."""
        ...

    def first_violation(self, instance: Any) -> tuple[list[str | int], str] | None:
        """Where the first violation is (the path into ``instance``) and what it is, or None."""
        ...


def where(path: list[str | int]) -> str:
    """``["n_to_n", 0, "to"]`` -> ``n_to_n[0].to``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def describe(path: list[str | int], message: str) -> str:
    """The envelope's description of a violation: the field, then what is wrong with it."""
    if len(message) > MAX_DESCRIPTION:
        message = message[: MAX_DESCRIPTION - 3] + "..."
    return f"{where(path)}: {message}" if path else message


try:
    import jsonschema_rs

    HAVE_RUST = True
except ImportError:  # pragma: no cover - jsonschema_rs is pinned in the development set
    HAVE_RUST = False


class _RustValidator:
    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = jsonschema_rs.Draft4Validator(schema, validate_formats=True)

    def first_violation(self, instance: Any) -> tuple[list[str | int], str] | None:
        try:
            for error in self._validator.iter_errors(instance):
                return _explain(error)
        except (ValueError, OverflowError) as exc:  # numbers beyond what it represents
            return [], str(exc) or "a value is out of range"
        return None

    def first_error(self, instance: Any) -> str | None:
        found = self.first_violation(instance)
        return None if found is None else describe(*found)


def _explain(error: Any) -> tuple[list[str | int], str]:
    """Where ``error`` is and what it is; for an ``anyOf``, the error of the branch of the
    value's own type ("5 is greater than the maximum of 4", not "not valid under any of the
    schemas"), or what each branch wants when the value has the type of none."""
    path = list(error.instance_path)
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Enum):
        # Its own message names two options and "2 other candidates": name them all.
        options = ", ".join(json.dumps(option, ensure_ascii=False) for option in error.kind.options)
        return path, f"{json.dumps(error.instance, ensure_ascii=False)} is not one of {options}"
    branches = getattr(error.kind, "context", None)
    if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AnyOf) or not branches:
        return path, str(error.message)

    def wrong_type(branch: list[Any]) -> bool:
        return any(
            isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Type)
            and list(e.instance_path) == path
            for e in branch
        )

    typed = [branch for branch in branches if branch and not wrong_type(branch)]
    if len(typed) == 1:
        return _explain(typed[0][0])
    return path, "; or ".join(str(branch[0].message) for branch in branches if branch)


class _PythonValidator:
    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema import Draft4Validator

        self._validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)

    def first_violation(self, instance: Any) -> tuple[list[str | int], str] | None:
        from jsonschema.exceptions import best_match

        error = best_match(self._validator.iter_errors(instance))
        return None if error is None else (list(error.absolute_path), error.message)

    def first_error(self, instance: Any) -> str | None:
        found = self.first_violation(instance)
        return None if found is None else describe(*found)


#: The ranges OpenAPI's integer formats promise; JSON Schema knows nothing of ``format: int64``.
INTEGER_FORMATS = {"int32": 2**31, "int64": 2**63}


def to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema.

    ``nullable: true`` becomes a null type, and an integer format becomes the bounds it implies
    (where the schema sets none tighter), so that a value beyond int64 is refused, not stored.
    """
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: to_json_schema(value) for key, value in schema.items() if key != "nullable"}
    bound = (
        INTEGER_FORMATS.get(schema.get("format", "")) if schema.get("type") == "integer" else None
    )
    if bound is not None:
        converted["minimum"] = max(converted.get("minimum", -bound), -bound)
        converted["maximum"] = min(converted.get("maximum", bound - 1), bound - 1)
    if schema.get("nullable") is True:
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
        if any(key in converted for key in ("allOf", "anyOf", "oneOf", "$ref")):
            converted = {"anyOf": [{"type": "null"}, converted]}
    return converted


_by_identity: dict[int, tuple[dict[str, Any], SchemaValidator]] = {}
_lock = threading.Lock()


def compile_schema(schema: dict[str, Any]) -> SchemaValidator:
    """The compiled validator of ``schema``, built on first use and then reused.

    connexion hands the same schema object to every request of an operation (with the
    document's ``components`` attached, which a resolved document does not need), so the
    cache is keyed by identity and holds the schema to keep its identity from being reused.
    """
    entry = _by_identity.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    with _lock:
        bare = to_json_schema({k: v for k, v in schema.items() if k != "components"})
        validator = (_RustValidator if HAVE_RUST else _PythonValidator)(bare)
        _by_identity[id(schema)] = (schema, validator)
        return validator
