"""Request and response validators plugged into connexion through ``validator_map``.

They differ from connexion's own in three ways: each schema is compiled once
(:mod:`vatanwa_mock.schemas`), failures raise the mock's envelope errors (400 for a body that
does not parse, 422 for one that breaks the schema, naming the field), and nothing a client can
send (invalid UTF-8, an unknown charset, a broken multipart body, a file where a field belongs,
a number of 5,000 digits, a lone surrogate, a query integer beyond int64) escapes as a 500.

A body's ``charset`` is honoured the same way for validation and for the handler: a JSON body
in another encoding is passed on re-encoded as UTF-8, and a charset that is not a known text
encoding is refused with 400.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import re
import typing as t
from urllib.parse import parse_qsl, urlencode

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseBody
from connexion.frameworks import starlette as connexion_starlette
from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators import (
    AbstractRequestBodyValidator,
    AbstractResponseBodyValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Receive, Scope

from vatanwa_mock.calls import remember_body
from vatanwa_mock.errors import MalformedBody, PayloadTooLarge, SchemaViolation
from vatanwa_mock.numbers import international_hint
from vatanwa_mock.schemas import compile_schema, describe, where
from vatanwa_mock.twin import twin_of

#: The multipart parser's limit for one non-file part; a message may be 64 Ki characters.
MAX_FIELD_BYTES = 1024 * 1024
#: The most fields a form body may have: the largest form of the contract has five.
MAX_FORM_FIELDS = 1000
#: Objects and arrays a JSON body may hold besides one per recipient (the body, its array).
CONTAINER_SLACK = 16


#: A UTF-16 surrogate: a lone one (``"\\ud800"`` in JSON, or from a codec such as UTF-7) is
#: not a character, and SQLite, the JSON encoder and the wire all refuse it later.
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def charset_of(headers: Headers, default: str = "utf-8") -> str:
    """The codec of the ``charset`` parameter of ``Content-Type`` (any spacing, quoting or case).

    :raises MalformedBody: the charset is not a known text encoding.
    """
    _, options = parse_options_header(headers.get("content-type", ""))
    raw = options.get(b"charset")
    if raw is None:
        return default
    name = raw.decode("latin-1").strip()
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    # bytes-to-bytes codecs (base64, rot13) are known to Python but are not text encodings.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise MalformedBody(f"Unknown charset {name[:40]!r} in Content-Type.")
    try:
        "a".encode(info.name).decode(info.name)
    except UnicodeError:  # ``undefined`` decodes nothing at all
        raise MalformedBody(f"The charset {name[:40]!r} in Content-Type decodes no text.") from None
    return info.name


def surrogate_at(value: t.Any, path: list[str | int] | None = None) -> str | None:
    """Where the first lone surrogate in a parsed body is (``message``, ``n_to_n[0].to``)."""
    path = path or []
    if isinstance(value, str):
        return where(path) or "the body" if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                return where(path) or "the body"
            found = surrogate_at(item, [*path, key])
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = surrogate_at(item, [*path, index])
            if found:
                return found
    return None


def refuse_surrogates(value: t.Any, path: list[str | int] | None = None) -> None:
    """Raise :class:`MalformedBody` if a string of ``value`` holds a lone surrogate."""
    found = surrogate_at(value, path)
    if found:
        raise MalformedBody(
            f"{found}: the text holds a lone UTF-16 surrogate (such as \\ud800), "
            "which is not a character."
        )


def decode_text(raw: bytes, encoding: str = "utf-8") -> str:
    """``raw`` decoded with ``encoding``, or :class:`MalformedBody` saying why not."""
    try:
        return raw.decode(encoding)
    except LookupError:
        raise MalformedBody(f"Unknown charset {encoding[:40]!r} in Content-Type.") from None
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"The body is not valid {encoding}: {exc.reason}.") from None
    except UnicodeError:  # a codec that cannot decode at all (``undefined``)
        raise MalformedBody(f"The body cannot be decoded as {encoding!r}.") from None


#: A JSON string, escapes included: what the container count skips.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


#: A thousand containers opened in a row: nesting deeper than the parser follows.
_DEEP = re.compile(r"(?:[\[{]\s*){1000}")


def _too_many_containers(text: str, limit: int) -> bool:
    """Whether ``text`` holds more than ``limit`` JSON objects and arrays (braces inside
    strings not counted); a body nested too deeply is refused as such."""
    stripped = _JSON_STRING.sub("", text) if '"' in text else text
    if stripped.count("{") + stripped.count("[") <= limit:
        return False
    if _DEEP.search(stripped):
        raise MalformedBody("The request body is nested too deeply.")
    return True


def decode_json(raw: bytes, encoding: str = "utf-8", max_containers: int | None = None) -> t.Any:
    """Parse a JSON body, or raise :class:`MalformedBody` saying why it does not parse.

    With ``max_containers``, a body holding more objects and arrays than that is refused with
    :class:`PayloadTooLarge` before any of them is built: what a request may hold is bounded by
    what the contract allows, not by what fits in the body-size limit.
    """
    text = decode_text(raw, encoding)
    # The exact count (which skips strings) runs only when the quick upper bound is over.
    if (
        max_containers is not None
        and text.count("{") + text.count("[") > max_containers
        and _too_many_containers(text, max_containers)
    ):
        raise PayloadTooLarge(
            f"The JSON body holds more than {max_containers} objects and arrays; the largest "
            "request the contract allows (--max-recipients entries) holds fewer."
        )
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise MalformedBody("The request body is nested too deeply.") from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise MalformedBody("The request body holds a number with too many digits.") from None
    if _ESCAPED_SURROGATE.search(text) or _SURROGATE.search(text):
        refuse_surrogates(parsed)
    return parsed


def container_limit(scope: Scope) -> int | None:
    """The most objects and arrays a body of this app may hold (None outside a twin).

    A send holds at most --max-recipients entries, each one object, in one array and one
    object; every other body of both documents holds a handful.
    """
    with contextlib.suppress(LookupError):
        return twin_of(scope).settings.max_recipients + CONTAINER_SLACK
    return None


_ABSENT = object()
#: The contract's phone fields: a number written as people write it gets a suggestion.
PHONE_FIELDS = frozenset({"to", "phone"})


def _at(body: t.Any, path: list[str | int]) -> t.Any:
    for part in path:
        try:
            body = body[part]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _check(schema: dict[str, t.Any], body: t.Any) -> None:
    found = compile_schema(schema).first_violation(body)
    if found is None:
        return
    path, message = found
    value = _at(body, path)
    hint = (
        international_hint(value)
        if path and path[-1] in PHONE_FIELDS and isinstance(value, str)
        else None
    )
    if hint is not None:
        # The evidence shows numbers in international form only; the twin keeps that reading
        # (an assumption) and says exactly what to send instead.
        message = (
            f"{value[:50]!r} is not in international form; write {hint!r} (the country code "
            "and the digits, with no spaces, punctuation or leading 0)"
        )
    elif path == ["n_to_n"] and isinstance(value, str) and "does not match" in message:
        message = (
            f"{value[:50]!r} is not the JSON text of the array; write it as "
            '[{"to": "+905459260314", "message": "..."}] (to, then message, for each recipient)'
        )
    raise SchemaViolation(describe(path, message))


class _BodyValidator(AbstractRequestBodyValidator):  # type: ignore[misc]
    """Reads the whole body, parses and validates it, and replays it to the application.

    Unlike connexion's base class it does not trust ``Content-Length`` to tell whether a body
    was sent (a chunked body has none): an empty body is refused by ``_parse``.
    """

    def __init__(self, *, schema: dict[str, t.Any], **kwargs: t.Any) -> None:
        kwargs.pop("uri_parser", None)
        super().__init__(schema=schema, **kwargs)

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        messages: list[t.MutableMapping[str, t.Any]] = []

        async def stream() -> t.AsyncGenerator[bytes, None]:
            more_body = True
            while more_body:
                message = await receive()
                messages.append(message)
                more_body = message.get("more_body", False)
                yield message.get("body", b"")

        body = await self._parse(stream(), scope=scope)
        self._validate(body)
        return self._insert_messages(receive, messages=messages), scope


class JSONBodyValidator(_BodyValidator):
    """Validates a JSON request body with the operation's compiled schema.

    A body in another charset than UTF-8 reaches the handler re-encoded as UTF-8 (the handler
    parses bytes as JSON does: UTF-8), so both read the same text.
    """

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        # The body is read here rather than through the base class's stream: a JSON body is
        # parsed whole, and this is every JSON request's path.
        messages: list[t.MutableMapping[str, t.Any]] = []
        chunks: list[bytes] = []
        more_body = True
        while more_body:
            message = await receive()
            messages.append(message)
            more_body = message.get("more_body", False)
            chunks.append(message.get("body", b""))
        body = self._parse_bytes(b"".join(chunks), scope)
        self._validate(body)
        if body is not _ABSENT:
            remember_body(scope, body)
            if self._transcoded is not None:
                messages = [{"type": "http.request", "body": self._transcoded, "more_body": False}]
        return self._insert_messages(receive, messages=messages), scope

    def _parse_bytes(self, raw: bytes, scope: Scope) -> t.Any:
        self._transcoded: bytes | None = None
        encoding = charset_of(Headers(scope=scope))
        if not raw.strip():
            if self._required:
                raise MalformedBody("The request body is required.")
            return _ABSENT
        parsed = decode_json(raw, encoding, max_containers=container_limit(scope))
        if encoding != "utf-8":
            self._transcoded = json.dumps(parsed, ensure_ascii=False).encode("utf-8")
        return parsed

    def _validate(self, body: t.Any) -> None:
        if body is not _ABSENT:
            _check(self._schema, body)


def is_file_schema(schema: dict[str, t.Any]) -> bool:
    """Whether a property of a form schema is a file part."""
    return schema.get("type") == "string" and schema.get("format") in ("binary", "base64")


def json_items(name: str, texts: list[str], max_containers: int | None = None) -> list[t.Any]:
    """The array a form field declared as JSON (``n_to_n``) holds, from its parts' text.

    Two shapes are read, in order: one part holding the JSON text of the whole array (what
    the SDK and hand-written clients send), or one part per item, each the JSON text of one
    item (how OpenAPI tools serialise an array part of ``contentType: application/json``).
    A part holding an array contributes its items; any other JSON value is one item. With
    ``max_containers``, parts holding more objects and arrays than that (all together) are
    refused with :class:`PayloadTooLarge`, as :func:`decode_json` does.
    """
    items: list[t.Any] = []
    left = max_containers
    for text in texts:
        try:
            value = decode_json(text.encode("utf-8", "surrogatepass"), max_containers=left)
        except MalformedBody as exc:
            raise SchemaViolation(
                f"{name}: {text[:50]!r} is not JSON ({exc.description}); send the JSON text of "
                "the array (or one part per item, each the JSON text of one item)"
            ) from None
        if left is not None:
            left = max(0, left - text.count("{") - text.count("["))
        items.extend(value if isinstance(value, list) else [value])
    return items


def coerce_field(name: str, value: str, schema: dict[str, t.Any]) -> t.Any:
    """A form field's text as the type its schema declares, or :class:`SchemaViolation`.

    A field without one ``type`` (an ``anyOf`` of a number and a string) stays text, which
    its string branch reads.
    """
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value.strip())
        if kind == "number":
            return float(value.strip())
        if kind == "boolean":
            lowered = value.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(value)
            return lowered == "true"
    except ValueError:
        raise SchemaViolation(f"{name}: {value[:50]!r} is not of type {kind!r}") from None
    return value


class MultipartBodyValidator(_BodyValidator):
    """Parses and validates a ``multipart/form-data`` body.

    Text parts are converted to their schema's type, file parts must be files; the resulting
    object is validated against the operation's form schema (files stand in as empty strings).
    """

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        headers = Headers(scope=scope)
        # Starlette decodes parts with this charset and lets a codec's own errors escape.
        charset_of(headers)
        # The parser accepts a body cut short; one without its closing delimiter is malformed.
        _, options = parse_options_header(headers.get("content-type", ""))
        closing = b"--" + options.get(b"boundary", b"") + b"--"
        seen = 0
        closed = False
        window = b""

        async def counted() -> t.AsyncGenerator[bytes, None]:
            nonlocal seen, closed, window
            async for chunk in stream:
                seen += len(chunk)
                window = window[-len(closing) :] + chunk
                closed = closed or closing in window
                yield chunk

        parser = MultiPartParser(headers, counted(), max_part_size=MAX_FIELD_BYTES)
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise MalformedBody(f"The multipart body does not parse: {exc.message}") from None
        if not seen or not closed:
            await form.close()
            raise MalformedBody(
                "The multipart body does not parse: it ends before its closing boundary."
                if seen
                else "The request body is required."
            )
        try:
            properties = form_schema(self._schema).get("properties", {})
            texts: list[tuple[str, str]] = []
            body: dict[str, t.Any] = {}
            for name, value in form.multi_items():
                schema = properties.get(name, {})
                refuse_surrogates(name)
                text = value.filename if isinstance(value, UploadFile) else value
                refuse_surrogates(text or "", [name])
                if is_file_schema(schema):
                    if not isinstance(value, UploadFile):
                        raise SchemaViolation(f"{name}: must be a file part (with a filename)")
                    body[name] = ""
                elif isinstance(value, UploadFile):
                    raise SchemaViolation(f"{name}: must be a text part, not a file")
                else:
                    texts.append((name, value))
            return {**form_fields(texts, properties, container_limit(scope)), **body}
        finally:
            await form.close()

    def _validate(self, body: t.Any) -> None:
        _check(form_schema(self._schema), body)


def form_fields(
    texts: list[tuple[str, str]],
    properties: dict[str, t.Any],
    max_containers: int | None = None,
) -> dict[str, t.Any]:
    """The text fields of a form as the values their schemas declare.

    A field sent twice keeps its last value, except an array declared as JSON, whose parts
    are read together (see :func:`json_items`, which ``max_containers`` bounds).
    """
    body: dict[str, t.Any] = {}
    arrays: dict[str, list[str]] = {}
    for name, value in texts:
        schema = properties.get(name, {})
        if schema.get("type") == "array":
            arrays.setdefault(name, []).append(value)
        else:
            body[name] = coerce_field(name, value, schema)
    for name, parts in arrays.items():
        body[name] = json_items(name, parts, max_containers)
    return body


class UrlencodedBodyValidator(_BodyValidator):
    """Parses and validates an ``application/x-www-form-urlencoded`` body.

    The body is read as the WHATWG URL standard reads it (percent-escapes and raw bytes both
    as UTF-8, or the ``charset`` the Content-Type names) and validated like a multipart form.
    The application is then handed the same fields re-encoded as percent-escaped UTF-8:
    Starlette reads raw bytes of a form as Latin-1, which would garble a message that a
    client (``curl -d``) sent unescaped.
    """

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        chunks: list[bytes] = []
        more_body = True
        while more_body:
            message = await receive()
            chunks.append(message.get("body", b""))
            more_body = message.get("more_body", False)
        raw = b"".join(chunks)
        pairs = self._pairs(raw, charset_of(Headers(scope=scope)))
        if pairs is not None:
            properties = form_schema(self._schema).get("properties", {})
            for name, value in pairs:
                refuse_surrogates(name)
                refuse_surrogates(value, [name])
            fields = form_fields(pairs, properties, container_limit(scope))
            _check(form_schema(self._schema), fields)
            raw = urlencode(pairs).encode("ascii")
        replay = [{"type": "http.request", "body": raw, "more_body": False}]
        return self._insert_messages(receive, messages=replay), scope

    def _pairs(self, raw: bytes, encoding: str) -> list[tuple[str, str]] | None:
        if not raw.strip():
            if self._required:
                raise MalformedBody("The request body is required.")
            return None
        try:
            pairs = parse_qsl(
                raw.decode(encoding),
                keep_blank_values=True,
                encoding=encoding,
                errors="strict",
                max_num_fields=MAX_FORM_FIELDS,
            )
        except LookupError:
            raise MalformedBody(f"Unknown charset {encoding!r} in Content-Type.") from None
        except UnicodeDecodeError as exc:
            raise MalformedBody(f"The form body is not valid {encoding}: {exc.reason}.") from None
        except ValueError as exc:
            raise MalformedBody(f"The form body does not parse: {exc}.") from None
        return pairs


class JSONResponseValidator(AbstractResponseBodyValidator):  # type: ignore[misc]
    """Checks a JSON response against the contract, with the compiled schema."""

    def _parse(self, stream: t.Generator[bytes, None, None]) -> t.Any:
        raw = b"".join(stream)
        if not raw:
            return None
        try:
            return json.loads(raw.decode(self._encoding))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise NonConformingResponseBody(f"The response is not JSON: {exc}") from None

    def _validate(self, body: t.Any) -> None:
        error = compile_schema(self._schema).first_error(body)
        if error is not None:
            raise NonConformingResponseBody(f"The response breaks the contract: {error}")


class BoundedParameterValidator(ParameterValidator):  # type: ignore[misc]
    """connexion's parameter check, with each schema compiled once and its integer format's
    bounds applied (see :func:`vatanwa_mock.schemas.to_json_schema`): a query or path integer
    beyond int64 is refused like one in a body, instead of overflowing SQLite. An integer
    parameter without a format is held to int64 too: the store keeps nothing wider."""

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: t.Any, param: dict[str, t.Any], param_name: t.Any = None
    ) -> str | None:
        if value is None:
            return t.cast(
                str | None,
                ParameterValidator.validate_parameter(parameter_type, value, param, param_name),
            )
        schema = param.get("schema", param)
        error = compile_schema(schema).first_error(value)
        if error is None and isinstance(value, int) and not -(2**63) <= value < 2**63:
            error = f"{value} is beyond the 64-bit integers"
        return f"{param['name']}: {error}" if error else None


VALIDATOR_MAP: dict[str, t.Any] = {
    "parameter": BoundedParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": JSONBodyValidator,
            "multipart/form-data": MultipartBodyValidator,
            "application/x-www-form-urlencoded": UrlencodedBodyValidator,
        }
    ),
    "response": MediaTypeDict(
        {
            "*/*json": JSONResponseValidator,
            "text/plain": TextResponseBodyValidator,
        }
    ),
}


#: The key under which :func:`hide_form_properties` keeps a form body's real schema.
FORM_SCHEMA = "allOf"
FORM_CONTENT_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def hide_form_properties(spec: dict[str, t.Any]) -> dict[str, t.Any]:
    """Wrap each form body's schema in a one-member ``allOf``, in connexion's copy only.

    connexion converts every field of a form body by its schema's ``type`` before it calls
    the handler, and fails with a 500 (``KeyError: 'type'``) on a field that has none (the
    ``anyOf`` of a number and a digit string that ``reg_id``, ``send_speed`` and
    ``report_id`` are) and splits a JSON array part (``n_to_n``) into characters. Behind an
    ``allOf`` it sees no properties and hands the fields over as sent; the validators above
    read the form through :func:`form_schema`, and the handlers convert what they use. The
    contract itself is not changed: this is the one place that works around connexion.
    """
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            for media, media_object in content.items():
                if media in FORM_CONTENT_TYPES and "schema" in media_object:
                    media_object["schema"] = {FORM_SCHEMA: [media_object["schema"]]}
    return spec


def form_schema(schema: dict[str, t.Any]) -> dict[str, t.Any]:
    """The form schema that :func:`hide_form_properties` wrapped (or ``schema`` itself)."""
    members = schema.get(FORM_SCHEMA)
    # connexion attaches the document's `components` beside it, which a resolved schema ignores.
    if (
        isinstance(members, list)
        and len(members) == 1
        and set(schema) <= {FORM_SCHEMA, "components"}
    ):
        return t.cast(dict[str, t.Any], members[0])
    return schema


class FormURIParser(OpenAPIURIParser):  # type: ignore[misc]
    """connexion's URI parser, except that form parts stay the text they were sent as.

    connexion builds this parser with the operation's first request schema (the JSON one), so
    its own form handling would convert multipart parts by the JSON schema's types (and decode
    a part declared as JSON). The parts were already parsed and validated against the form
    schema by :class:`MultipartBodyValidator`; connexion then types them by that same schema
    when it hands the body to the handler.
    """

    def resolve_form(self, form_data: dict[str, t.Any]) -> dict[str, t.Any]:
        # An array field (``n_to_n``) may come as one part per item: keep all its parts.
        arrays = {
            name
            for name, schema in self.form_defns.items()
            if isinstance(schema, dict) and schema.get("type") == "array"
        }
        return {
            name: values[-1]
            if isinstance(values, list) and values and name not in arrays
            else values
            for name, values in form_data.items()
        }


class Int64PathConverter(connexion_starlette.IntegerConverter):  # type: ignore[misc]
    """The route converter of integer path parameters, without ``int()``'s digit limit.

    Starlette converts a matched path integer with ``int()``, which raises on more than 4,300
    digits while routing (a 500). Longer text stays text, so the parameter check refuses it
    with 400 like any other value out of range.
    """

    def convert(self, value: str) -> int | str:
        return int(value) if len(value) <= 1000 else value


# connexion registers its converter class anew whenever it builds its routing middleware.
connexion_starlette.IntegerConverter = Int64PathConverter
