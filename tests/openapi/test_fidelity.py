"""openapi/vatanwa.yaml says what the provider's documentation says.

Both sides are parsed (docs/provider/vatansms-whatsapp-api.tr.txt and the YAML): nothing here
lists an endpoint, a field or an example by hand, so an edit of either side that the other does
not follow fails a test.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

import pytest

from tests.openapi import document as d
from tests.openapi import provider_doc

DOCUMENT = d.load()
PROVIDER = provider_doc.parse()
ENDPOINTS = [endpoint for endpoint in PROVIDER.endpoints if endpoint.is_path]
ENDPOINT_IDS = [f"{endpoint.method} {endpoint.target}" for endpoint in ENDPOINTS]
CALLBACKS = [op for op in d.operations(DOCUMENT, callbacks=True) if op.callback_of]

# The provider's type names, as JSON Schema types (a BigInteger is a JSON integer, a File a
# binary string of a multipart body).
JSON_TYPES = {
    "String": "string",
    "string": "string",
    "Integer": "integer",
    "BigInteger": "integer",
    "Array": "array",
    "File": "binary",
}
OPTIONAL = "isteğe bağlı"  # "optional", in a field's description
# Python's own MIME table lacks the Office Open XML types before 3.13; these are their
# registered (IANA) types.
OOXML = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _operation(method: str, path: str) -> d.Operation:
    for operation in d.operations(DOCUMENT):
        if (operation.method, operation.path) == (method.lower(), path):
            return operation
    raise AssertionError(f"{method} {path} is documented by the provider but not in the YAML")


def _object_schema(schema: Any) -> dict[str, Any]:
    """A resolved object schema with its ``allOf`` members merged (properties and required)."""
    schema = d.resolve_deep(DOCUMENT, schema)
    merged: dict[str, Any] = {"properties": {}, "required": []}
    for part in [schema, *schema.get("allOf", [])]:
        merged["properties"].update(part.get("properties", {}))
        merged["required"] += part.get("required", [])
    return merged


def _request_schema(operation: d.Operation, media: str) -> dict[str, Any]:
    body = d.deref(DOCUMENT, operation.node["requestBody"])
    return _object_schema(body["content"][media]["schema"])


def _json_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a resolved schema admits (``binary`` for a file)."""
    found = set()
    if "type" in schema:
        found.add("binary" if schema.get("format") == "binary" else schema["type"])
    for keyword in ("anyOf", "oneOf"):
        for branch in schema.get(keyword, []):
            found |= _json_types(branch)
    return found


def _allowed_values(schema: dict[str, Any]) -> list[str]:
    if "anyOf" in schema:
        # A value accepted as a number or as its text: each form admits the documented values.
        branches = {tuple(_allowed_values(branch)) for branch in schema["anyOf"]}
        assert len(branches) == 1, f"the forms of one value admit different values: {branches}"
        return list(branches.pop())
    if "enum" in schema:
        return [str(value) for value in schema["enum"]]
    if schema.get("type") == "string" and "pattern" in schema:
        # A digit string: the numbers its pattern admits (any count beyond 0..999 would be odd).
        return [str(n) for n in range(1000) if re.search(schema["pattern"], str(n))]
    assert schema.get("type") == "integer", f"no finite set of values in {schema}"
    return [str(value) for value in range(schema["minimum"], schema["maximum"] + 1)]


def _success_example(operation: d.Operation) -> Any:
    response = d.deref(DOCUMENT, operation.node["responses"]["200"])
    return response["content"]["application/json"]["example"]


# --- endpoints -----------------------------------------------------------------------------------


def test_the_documentation_parses() -> None:
    # Guards the parser: were the provider's layout to change, the tests below would look at
    # nothing and pass.
    assert len(ENDPOINTS) >= 10
    assert all(endpoint.headers for endpoint in PROVIDER.endpoints)
    assert all(endpoint.examples for endpoint in PROVIDER.endpoints)
    assert sum(len(endpoint.fields) for endpoint in ENDPOINTS) >= 20
    assert PROVIDER.callback.fields


def test_every_documented_method_and_path_is_an_operation() -> None:
    lines = PROVIDER.method_lines()
    assert len(lines) > len(ENDPOINTS)  # the sections, and the Authorization section's example
    for method, path in lines:
        _operation(method, path)


def test_every_operation_is_documented() -> None:
    documented = {(endpoint.method.lower(), endpoint.target) for endpoint in ENDPOINTS}
    in_yaml = {(op.method, op.path) for op in d.operations(DOCUMENT)}
    assert in_yaml == documented


def test_the_live_host_is_a_server() -> None:
    servers = {server["url"] for server in DOCUMENT["servers"]}
    assert PROVIDER.live_urls()
    assert set(PROVIDER.live_urls()) <= servers


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_documented_headers_are_the_security_headers(
    endpoint: provider_doc.Endpoint,
) -> None:
    operation = _operation(endpoint.method, endpoint.target)
    schemes = DOCUMENT["components"]["securitySchemes"]
    node = operation.node
    (requirement,) = node["security"] if "security" in node else DOCUMENT["security"]
    assert {schemes[name]["name"] for name in requirement} == set(endpoint.headers)
    assert all(schemes[name]["in"] == "header" for name in requirement)


# --- request fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_request_table_is_the_request_schema(endpoint: provider_doc.Endpoint) -> None:
    operation = _operation(endpoint.method, endpoint.target)
    if not endpoint.fields:
        assert "requestBody" not in operation.node
        return
    files = {row.name for row in endpoint.fields if JSON_TYPES[row.type] == "binary"}
    names = {row.name for row in endpoint.fields}
    optional = {row.name for row in endpoint.fields if OPTIONAL in row.text}

    schema = _request_schema(operation, "application/json")
    assert set(schema["properties"]) == names - files
    assert set(schema["required"]) == names - files - optional
    for row in endpoint.fields:
        if row.name not in files:
            admitted = _json_types(schema["properties"][row.name])
            assert JSON_TYPES[row.type] in admitted, f"{row.name}: {row.type} vs {admitted}"

    content = d.deref(DOCUMENT, operation.node["requestBody"])["content"]
    if not files:
        assert "multipart/form-data" not in content
        return
    form = _request_schema(operation, "multipart/form-data")
    assert set(form["properties"]) == names
    assert set(form["required"]) == names - optional
    for name in files:
        assert _json_types(form["properties"][name]) == {"binary"}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_documented_values_of_a_field_are_the_schema_values(
    endpoint: provider_doc.Endpoint,
) -> None:
    operation = _operation(endpoint.method, endpoint.target)
    content = d.deref(DOCUMENT, operation.node.get("requestBody", {})).get("content", {})
    for row in endpoint.fields:
        if not row.documented_values:
            continue
        for media in content:
            schema = _request_schema(operation, media)["properties"][row.name]
            assert _allowed_values(schema) == row.documented_values, f"{row.name} in {media}"


def test_send_speed_is_documented_as_one_to_four() -> None:
    # Pins the parser on the one enumeration that every send operation carries.
    speeds = {
        tuple(endpoint.field("send_speed").documented_values)
        for endpoint in ENDPOINTS
        if any(row.name == "send_speed" for row in endpoint.fields)
    }
    assert speeds == {("1", "2", "3", "4")}


def _mime_types(extensions: list[str]) -> set[str]:
    table = mimetypes.MimeTypes()  # the built-in table only: the machine's files vary
    for extension, registered in OOXML.items():
        table.add_type(registered, extension)
    found = set()
    for extension in extensions:
        mime, _ = table.guess_type(f"attachment.{extension}")
        assert mime, f"no MIME type known for .{extension}"
        found.add(mime)
    return found


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_accepted_attachment_types_match(endpoint: provider_doc.Endpoint) -> None:
    rows = [row for row in endpoint.fields if row.file_types]
    if not rows:
        return
    operation = _operation(endpoint.method, endpoint.target)
    media = d.deref(DOCUMENT, operation.node["requestBody"])["content"]["multipart/form-data"]
    for row in rows:
        attachment = _request_schema(operation, "multipart/form-data")["properties"][row.name]
        assert attachment["x-accepted-extensions"] == row.file_types
        assert ", ".join(row.file_types) in " ".join(attachment["description"].split())
        declared = {mime.strip() for mime in media["encoding"][row.name]["contentType"].split(",")}
        assert declared == _mime_types(row.file_types)


def test_the_n_to_n_example_is_the_yaml_example() -> None:
    rows = [
        (endpoint, row)
        for endpoint in ENDPOINTS
        for row in endpoint.fields
        if row.json_example is not None
    ]
    assert rows
    for endpoint, row in rows:
        operation = _operation(endpoint.method, endpoint.target)
        body = d.deref(DOCUMENT, operation.node["requestBody"])
        assert body["content"]["application/json"]["example"][row.name] == row.json_example


# --- examples ------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_documented_example_response_is_the_yaml_example(
    endpoint: provider_doc.Endpoint,
) -> None:
    (example,) = endpoint.examples.values()
    assert _success_example(_operation(endpoint.method, endpoint.target)) == example


# --- the delivery report -------------------------------------------------------------------------


def test_the_operations_that_report_back_declare_the_callback() -> None:
    # The provider's send tables say that `report_id` comes back in the callback ("Callback
    # adresinize bildirim yapılırken bu değer ile birlikte gönderim yapılır").
    reporting = {
        (endpoint.method.lower(), endpoint.target)
        for endpoint in ENDPOINTS
        if any("callback" in row.text.lower() for row in endpoint.fields)
    }
    assert reporting
    declaring = {
        (op.method, op.path)
        for op in d.operations(DOCUMENT)
        if op.operation_id in {callback.callback_of for callback in CALLBACKS}
    }
    assert declaring == reporting
    assert {op.method.upper() for op in CALLBACKS} == {PROVIDER.callback.method}


@pytest.mark.parametrize("callback", CALLBACKS, ids=[op.operation_id for op in CALLBACKS])
def test_the_delivery_report_is_the_documented_one(callback: d.Operation) -> None:
    documented = PROVIDER.callback
    body = d.deref(DOCUMENT, callback.node["requestBody"])["content"]["application/json"]
    (example,) = documented.examples.values()
    assert body["example"] == example

    schema = _object_schema(body["schema"])
    names = {row.name for row in documented.fields}
    assert set(schema["properties"]) == names
    assert set(schema["required"]) == {r.name for r in documented.fields if OPTIONAL not in r.text}
    for row in documented.fields:
        if row.documented_values:
            assert _allowed_values(schema["properties"][row.name]) == row.documented_values

    headers = {d.deref(DOCUMENT, p)["name"] for p in callback.node["parameters"]}
    assert headers == set(documented.headers)


def test_the_delivery_report_status_values_are_one_and_two() -> None:
    # Pins the parser on the documented status values, sent as the strings "1" and "2".
    assert PROVIDER.callback.field("status").documented_values == ["1", "2"]
