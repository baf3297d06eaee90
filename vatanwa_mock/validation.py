"""Request and response validators plugged into connexion through ``validator_map``.

They differ from connexion's own in three ways: each schema is compiled once
(:mod:`vatanwa_mock.schemas`), failures raise the mock's envelope errors (400 for a body that
does not parse, 422 for one that breaks the schema, naming the field), and nothing a client can
send (invalid UTF-8, an unknown charset, a broken multipart body, a file where a field belongs)
escapes as a 500.
"""

from __future__ import annotations

import json
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseBody
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

from vatanwa_mock.errors import MalformedBody, SchemaViolation
from vatanwa_mock.schemas import compile_schema

#: The multipart parser's limit for one non-file part; a message may be 64 Ki characters.
MAX_FIELD_BYTES = 1024 * 1024


def decode_json(raw: bytes, encoding: str = "utf-8") -> t.Any:
    """Parse a JSON body, or raise :class:`MalformedBody` saying why it does not parse."""
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise MalformedBody(f"Unknown charset {encoding!r} in Content-Type.") from None
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"The body is not valid {encoding}: {exc.reason}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise MalformedBody("The request body is nested too deeply.") from None


_ABSENT = object()


def _check(schema: dict[str, t.Any], body: t.Any) -> None:
    error = compile_schema(schema).first_error(body)
    if error is not None:
        raise SchemaViolation(error)


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
    """Validates a JSON request body with the operation's compiled schema."""

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw.strip():
            if self._required:
                raise MalformedBody("The request body is required.")
            return _ABSENT
        return decode_json(raw, self._encoding)

    def _validate(self, body: t.Any) -> None:
        if body is not _ABSENT:
            _check(self._schema, body)


def is_file_schema(schema: dict[str, t.Any]) -> bool:
    """Whether a property of a form schema is a file part."""
    return schema.get("type") == "string" and schema.get("format") in ("binary", "base64")


def coerce_field(name: str, value: str, schema: dict[str, t.Any]) -> t.Any:
    """A form field's text as the type its schema declares, or :class:`SchemaViolation`."""
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
            properties = self._schema.get("properties", {})
            body: dict[str, t.Any] = {}
            for name, value in form.multi_items():
                schema = properties.get(name, {})
                if is_file_schema(schema):
                    if not isinstance(value, UploadFile):
                        raise SchemaViolation(f"{name}: must be a file part (with a filename)")
                    body[name] = ""
                elif isinstance(value, UploadFile):
                    raise SchemaViolation(f"{name}: must be a text part, not a file")
                else:
                    body[name] = coerce_field(name, value, schema)
            return body
        finally:
            await form.close()

    def _validate(self, body: t.Any) -> None:
        _check(self._schema, body)


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


VALIDATOR_MAP: dict[str, t.Any] = {
    "parameter": ParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": JSONBodyValidator,
            "multipart/form-data": MultipartBodyValidator,
        }
    ),
    "response": MediaTypeDict(
        {
            "*/*json": JSONResponseValidator,
            "text/plain": TextResponseBodyValidator,
        }
    ),
}


class FormURIParser(OpenAPIURIParser):  # type: ignore[misc]
    """connexion's URI parser, except that form parts stay the text they were sent as.

    connexion builds this parser with the operation's first request schema (the JSON one), so
    its own form handling would convert multipart parts by the JSON schema's types (and decode
    a part declared as JSON). The parts were already parsed and validated against the form
    schema by :class:`MultipartBodyValidator`; connexion then types them by that same schema
    when it hands the body to the handler.
    """

    def resolve_form(self, form_data: dict[str, t.Any]) -> dict[str, t.Any]:
        return {
            name: values[-1] if isinstance(values, list) and values else values
            for name, values in form_data.items()
        }
