"""The two OpenAPI documents the mock serves, loaded and resolved once per process.

``openapi/vatanwa.yaml`` is the contract: routes, schemas, limits and documented examples all
come from it, so the mock restates none of them. ``openapi/mock-control.yaml`` describes the
mock's own control API under ``/_mock``. Both are resolved with prance (connexion's form
parser needs every multipart field to carry its own ``type``), and the security schemes get
their ``x-apikeyInfoFunc`` here, at load time, so that the YAML files stay free of
mock-specific keys.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import prance

from vatanwa_mock.schemas import SchemaValidator, compile_schema


def document_path(name: str) -> Path:
    """Where the OpenAPI document ``name`` (``vatanwa.yaml``, ``mock-control.yaml``) is.

    An installed wheel carries the documents as package data, ``vatanwa_mock/openapi/``
    (``pdm_build.py`` puts them there); a source tree keeps the only copy in ``openapi/`` beside
    the package.
    """
    packaged = resources.files("vatanwa_mock") / "openapi" / name
    if packaged.is_file():
        return Path(str(packaged))
    in_tree = Path(__file__).resolve().parent.parent / "openapi" / name
    if in_tree.is_file():
        return in_tree
    raise FileNotFoundError(
        f"{name} is neither packaged with vatanwa_mock ({packaged}) nor in a source tree "
        f"({in_tree}): reinstall vatanwa"
    )


CONTRACT_PATH = document_path("vatanwa.yaml")
CONTROL_PATH = document_path("mock-control.yaml")

#: The function that checks both credential headers (see :mod:`vatanwa_mock.auth`).
API_KEY_INFO_FUNC = "vatanwa_mock.auth.check_api_key"
#: The media types the contract and the control API answer with.
JSON = "application/json"

JsonObject = dict[str, Any]
#: JSON values that are never changed in place.
_ATOMS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Operation:
    """One operation of a document: where it is routed and what it documents."""

    operation_id: str
    method: str
    path: str
    tag: str
    request_content: JsonObject = field(repr=False)
    examples: dict[int, Any] = field(repr=False)
    #: The statuses whose example is an object of plain values: a shallow copy is a full one.
    flat: frozenset[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        flat = frozenset(
            status
            for status, example in self.examples.items()
            if isinstance(example, dict) and all(isinstance(v, _ATOMS) for v in example.values())
        )
        object.__setattr__(self, "flat", flat)

    def example(self, status: int = 200) -> Any:
        """The documented example response body of ``status`` (a fresh copy)."""
        if status in self.flat:
            return dict(self.examples[status])
        return copy.deepcopy(self.examples[status])


@dataclass(frozen=True)
class Attachments:
    """What the contract accepts as a message attachment."""

    max_bytes: int
    extensions: frozenset[str]
    content_types: frozenset[str]


@dataclass(frozen=True)
class Document:
    """A resolved OpenAPI document and the facts the mock reads from it."""

    source: Path
    resolved: JsonObject = field(repr=False)
    base_path: str
    operations: dict[str, Operation] = field(repr=False)

    def for_connexion(self) -> JsonObject:
        """A copy for connexion, which keeps (and may change) the dict it is given."""
        return copy.deepcopy(self.resolved)

    def text(self) -> str:
        """The document as written, for serving it."""
        return self.source.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Contract(Document):
    """The provider's contract with the limits and schemas the handlers need."""

    attachments: Attachments = field(repr=False, default=Attachments(0, frozenset(), frozenset()))
    n_to_n_validator: SchemaValidator = field(repr=False, default=None)  # type: ignore[assignment]

    def success_description(self, operation_id: str) -> str:
        """The ``description`` of the documented 200 example of ``operation_id``."""
        return str(self.operations[operation_id].examples[200]["description"])

    @property
    def report_id_max_length(self) -> int:
        """The most characters a ``report_id`` sent as a string may have (``ReportId``)."""
        branches = self.resolved["components"]["schemas"]["ReportId"]["anyOf"]
        return max(int(b["maxLength"]) for b in branches if b.get("type") == "string")


def _resolve(path: Path) -> JsonObject:
    parser = prance.ResolvingParser(
        str(path), backend="openapi-spec-validator", strict=False, lazy=True
    )
    parser.parse()
    spec: JsonObject = parser.specification
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "apiKey":
            scheme["x-apikeyInfoFunc"] = API_KEY_INFO_FUNC
    return spec


def _examples(operation: JsonObject) -> dict[int, Any]:
    examples: dict[int, Any] = {}
    for status, response in operation.get("responses", {}).items():
        if not status.isdigit():
            continue
        media = response.get("content", {}).get(JSON, {})
        if "example" in media:
            examples[int(status)] = media["example"]
    return examples


def _operations(spec: JsonObject) -> dict[str, Operation]:
    operations: dict[str, Operation] = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            operations[operation["operationId"]] = Operation(
                operation_id=operation["operationId"],
                method=method.upper(),
                path=path,
                tag=operation.get("tags", ["default"])[0],
                request_content=operation.get("requestBody", {}).get("content", {}),
                examples=_examples(operation),
            )
    return operations


def _base_path(spec: JsonObject) -> str:
    """The path of the local server entry (the live hosts share it)."""
    servers = spec.get("servers") or [{"url": "/"}]
    local = [s for s in servers if urlsplit(s["url"]).hostname in ("127.0.0.1", "localhost")]
    path = urlsplit((local or servers)[0]["url"]).path.rstrip("/")
    return path or "/"


def _attachments(spec: JsonObject) -> Attachments:
    schema = spec["components"]["schemas"]["Attachment"]
    content_types: set[str] = set()
    for operation in spec["paths"].values():
        for op in operation.values():
            form = op.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
            declared = form.get("encoding", {}).get("attachment", {}).get("contentType", "")
            content_types.update(t.strip().lower() for t in declared.split(",") if t.strip())
    return Attachments(
        max_bytes=int(schema["x-max-bytes"]),
        extensions=frozenset(e.lower() for e in schema["x-accepted-extensions"]),
        content_types=frozenset(content_types),
    )


@cache
def load_contract() -> Contract:
    """The contract, resolved once per process."""
    spec = _resolve(CONTRACT_PATH)
    return Contract(
        source=CONTRACT_PATH,
        resolved=spec,
        base_path=_base_path(spec),
        operations=_operations(spec),
        attachments=_attachments(spec),
        n_to_n_validator=compile_schema(spec["components"]["schemas"]["NToNList"]),
    )


@cache
def load_control() -> Document:
    """The control API's document, resolved once per process."""
    spec = _resolve(CONTROL_PATH)
    return Document(
        source=CONTROL_PATH,
        resolved=spec,
        base_path=_base_path(spec),
        operations=_operations(spec),
    )


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the mock writes every body."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
