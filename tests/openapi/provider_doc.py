"""Parse the provider's documentation (docs/provider/vatansms-whatsapp-api.tr.txt).

The text is the provider's public page as plain text. Each endpoint is a section that starts at
a ``URL:`` line followed by ``METHOD /path``; inside it, ``Başlıklar:`` lists the headers, a table
headed ``Parametre Tür Örnek Değer Açıklama`` lists the body fields (``İstek Gövdesi``, or
``Bildirim Gövdesi`` for the delivery report), and ``Örnek Yanıt`` / ``Örnek Bildirim İçeriği``
introduce a JSON example.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DOC = ROOT / "docs" / "provider" / "vatansms-whatsapp-api.tr.txt"

METHOD_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S.*)$")
TABLE_HEADER = "Parametre Tür Örnek Değer Açıklama"
# A field row: the name, its type, then the example value and the description. A wrapped
# description continues on a line that does not start with `name Type`.
TABLE_ROW = re.compile(r"^(?P<name>[a-z][a-z0-9_]*) (?P<type>[A-Za-z]+) (?P<rest>.*)$")
HEADER_LINE = re.compile(r"^(?P<name>[a-z][a-z0-9-]*): (?P<description>.+)$")
EXAMPLE_LABELS = ("Örnek Yanıt", "Örnek Bildirim İçeriği")
# `1,2,3,4 değerlerinden birini alır`: "takes one of the values 1,2,3,4".
VALUE_LIST = re.compile(r"(\w+(?:\s*,\s*\w+)+)\s+değerlerinden")
QUOTED = re.compile(r'"([^"]+)"')
# `Kabul edilen dosya türleri: pdf, doc, ...`: "accepted file types".
FILE_TYPES = re.compile(r"Kabul edilen dosya türleri:\s*(.+)$")


@dataclass
class Field:
    """One row of a field table."""

    name: str
    type: str
    text: str  # the example value and the description, wrapped lines joined

    def _json_example(self) -> tuple[Any, str]:
        """The example value when it is JSON (an array or object), and the text after it."""
        if not self.text.startswith(("[", "{")):
            return None, self.text
        value, end = json.JSONDecoder().raw_decode(self.text)
        return value, self.text[end:]

    @property
    def json_example(self) -> Any:
        return self._json_example()[0]

    @property
    def documented_values(self) -> list[str]:
        """The values the description allows (`1,2,3,4 değerlerinden`, or quoted `"1"`)."""
        description = self._json_example()[1]
        listed = VALUE_LIST.search(description)
        if listed:
            return [value.strip() for value in listed.group(1).split(",")]
        return QUOTED.findall(description)

    @property
    def file_types(self) -> list[str]:
        match = FILE_TYPES.search(self.text)
        return [ext.strip() for ext in match.group(1).split(",")] if match else []


@dataclass
class Endpoint:
    """A ``URL:`` section of the documentation."""

    method: str
    target: str  # `/login/phone`, or prose for the callback (set in the provider's panel)
    headers: list[str] = field(default_factory=list)
    table_title: str | None = None  # the line introducing the field table
    fields: list[Field] = field(default_factory=list)
    examples: dict[str, Any] = field(default_factory=dict)  # label -> parsed JSON

    @property
    def is_path(self) -> bool:
        return self.target.startswith("/")

    def field(self, name: str) -> Field:
        for row in self.fields:
            if row.name == name:
                return row
        raise KeyError(name)


def _json_after(text: str, offset: int) -> Any:
    start = min(i for i in (text.find("{", offset), text.find("[", offset)) if i >= 0)
    value, _ = json.JSONDecoder().raw_decode(text, start)
    return value


def _parse_section(text: str, lines: list[tuple[int, str]]) -> Endpoint:
    (_, first), *rest = [(offset, line) for offset, line in lines if line.strip()]
    match = METHOD_LINE.match(first.strip())
    assert match, f"a URL: line not followed by `METHOD target`: {first!r}"
    endpoint = Endpoint(method=match.group(1), target=match.group(2).strip())
    mode = None
    for offset, raw in rest:
        line = raw.strip()
        if line == "Başlıklar:":
            mode = "headers"
        elif line.endswith("Gövdesi:"):
            endpoint.table_title = line
            mode = "before-table"
        elif line == TABLE_HEADER and mode == "before-table":
            mode = "table"
        elif line.startswith(EXAMPLE_LABELS):
            label = line.split("(")[0].rstrip(" :")
            endpoint.examples[label] = _json_after(text, offset)
            mode = "example"
        elif mode == "headers" and (header := HEADER_LINE.match(line)):
            endpoint.headers.append(header.group("name"))
        elif mode == "table" and (row := TABLE_ROW.match(line)):
            endpoint.fields.append(Field(row.group("name"), row.group("type"), row.group("rest")))
        elif mode == "table" and endpoint.fields:
            endpoint.fields[-1].text += " " + line
    return endpoint


@dataclass
class ProviderDoc:
    text: str
    endpoints: list[Endpoint]

    def endpoint(self, method: str, path: str) -> Endpoint:
        for endpoint in self.endpoints:
            if (endpoint.method, endpoint.target) == (method, path):
                return endpoint
        raise KeyError(f"{method} {path}")

    @property
    def callback(self) -> Endpoint:
        (callback,) = [e for e in self.endpoints if not e.is_path]
        return callback

    def method_lines(self) -> list[tuple[str, str]]:
        """Every `METHOD /path` line of the whole text, in the sections or elsewhere."""
        found = []
        for line in self.text.splitlines():
            match = METHOD_LINE.match(line.strip())
            if match and match.group(2).startswith("/"):
                found.append((match.group(1), match.group(2).strip()))
        return found

    def live_urls(self) -> list[str]:
        """The base URLs of the live service (`Canlı Ortam: https://...`)."""
        return re.findall(r"Canlı Ortam:\s*(https?://\S+)", self.text)


def parse(path: Path = PROVIDER_DOC) -> ProviderDoc:
    text = path.read_text(encoding="utf-8")
    offsets, position = [], 0
    for line in text.splitlines(keepends=True):
        offsets.append((position, line.rstrip("\n")))
        position += len(line)
    starts = [index for index, (_, line) in enumerate(offsets) if line.strip() == "URL:"]
    endpoints = [
        _parse_section(text, offsets[start + 1 : end])
        for start, end in zip(starts, [*starts[1:], len(offsets)], strict=True)
    ]
    return ProviderDoc(text=text, endpoints=endpoints)
