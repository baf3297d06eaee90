"""Reading a body by its content type, the same way for both sides and for every media type the
contract declares: JSON (and ``+json``), ``application/x-www-form-urlencoded`` and
``multipart/form-data``. Anything else is kept as text."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartParser

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
#: Text kept of a body that is neither JSON nor a form (the rest is cut, and says so).
MAX_TEXT = 64 * 1024


def media_type(content_type: str | None) -> str:
    """``Application/JSON; charset=utf-8`` -> ``application/json``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset(content_type: str | None, default: str = "utf-8") -> str:
    """The ``charset`` parameter of a content type (any quoting or case), else ``default``."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return default


def is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


@dataclass(frozen=True)
class FilePart:
    """A file part of a multipart body: what it is, never what it holds."""

    filename: str | None
    content_type: str | None
    size: int

    def describe(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type, "size": self.size}


@dataclass
class Body:
    """A body as read: its format, the fields of a form or the parsed JSON, or a parse error."""

    format: str  # none, json, form, multipart, text
    value: Any = None
    fields: list[tuple[str, str | FilePart]] = field(default_factory=list)
    error: str | None = None


def decompress(raw: bytes, content_encoding: str | None) -> bytes | None:
    """The body without its ``Content-Encoding`` (gzip, deflate), or None when unknown."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(raw, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            try:
                return zlib.decompress(raw)
            except zlib.error:
                return zlib.decompress(raw, -zlib.MAX_WBITS)
    except zlib.error:
        return None
    return None


async def _once(raw: bytes) -> AsyncGenerator[bytes, None]:
    yield raw


async def read_body(raw: bytes, content_type: str | None) -> Body:
    """Read ``raw`` as its content type says."""
    if not raw:
        return Body("none")
    media = media_type(content_type)
    try:
        text_charset = charset(content_type)
        if is_json(media):
            return Body("json", value=json.loads(raw.decode(text_charset)))
        if media == FORM:
            pairs = parse_qsl(
                raw.decode(text_charset), keep_blank_values=True, strict_parsing=False
            )
            return Body("form", fields=list(pairs))
        if media == MULTIPART:
            parser = MultiPartParser(Headers({"content-type": content_type or ""}), _once(raw))
            form = await parser.parse()
            parts: list[tuple[str, str | FilePart]] = []
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    parts.append(
                        (name, FilePart(value.filename, value.content_type, value.size or 0))
                    )
                    await value.close()
                else:
                    parts.append((name, value))
            return Body("multipart", fields=parts)
    except Exception as exc:  # any parse failure is the body's fault
        return Body("text", value=_text(raw), error=f"{type(exc).__name__}: {exc}"[:300])
    return Body("text", value=_text(raw))


def _text(raw: bytes) -> str:
    text = raw[:MAX_TEXT].decode("utf-8", "replace")
    return text if len(raw) <= MAX_TEXT else text + f"... ({len(raw)} bytes)"
