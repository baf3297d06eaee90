"""openapi/vatanwa.yaml is a valid OpenAPI 3.0 document whose examples satisfy their schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import prance
import pytest
import yaml
from openapi_spec_validator import validate as validate_with_openapi_spec_validator
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from prance.util.url import ResolutionError

from tests.openapi import document as d

DOCUMENT = d.load()
SITES = d.example_sites(DOCUMENT)
OPERATIONS = list(d.operations(DOCUMENT, callbacks=True))
# The operations that send messages: the provider posts a delivery report for each of them.
SEND_OPERATIONS = {"send_message", "send_message_one_to_n", "send_message_n_to_n"}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def _validate_with_prance(text: str) -> dict[str, Any]:
    parser = prance.ResolvingParser(
        spec_string=text, strict=True, backend="openapi-spec-validator", lazy=True
    )
    parser.parse()
    specification = parser.specification
    assert isinstance(specification, dict)
    return specification


# --- the validators ------------------------------------------------------------------------------


def test_openapi_spec_validator_accepts_the_document() -> None:
    validate_with_openapi_spec_validator(DOCUMENT)


def test_prance_strict_resolving_parser_accepts_the_document() -> None:
    parser = prance.ResolvingParser(str(d.SPEC_PATH), strict=True, backend="openapi-spec-validator")
    assert parser.version == "OpenAPI 3.0.3"
    resolved = parser.specification
    assert set(resolved["paths"]) == set(DOCUMENT["paths"])
    assert "$ref" not in repr(resolved["paths"]), "prance left a $ref unresolved"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_ref_resolves() -> None:
    # openapi-spec-validator 0.9.0 accepts a dangling `$ref` (see the broken copies below); prance
    # refuses it, and so does this.
    refs = set(_refs(DOCUMENT))
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), f"not a local reference: {ref}"
        d.at(DOCUMENT, ref[1:])


def _broken(defect: str) -> dict[str, Any]:
    document = d.load()
    if defect == "operation-without-responses":
        del document["paths"]["/login/qr"]["post"]["responses"]
    elif defect == "unknown-schema-type":
        document["components"]["schemas"]["SendSpeed"]["type"] = "int"
    elif defect == "dangling-ref":
        body = document["paths"]["/logout"]["post"]["requestBody"]
        body["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Nothing"}
    return document


@pytest.mark.parametrize(
    ("defect", "refused_by"),
    [
        ("operation-without-responses", {"openapi-spec-validator", "prance"}),
        ("unknown-schema-type", {"openapi-spec-validator", "prance"}),
        ("dangling-ref", {"prance"}),
    ],
)
def test_the_validators_refuse_a_broken_copy(defect: str, refused_by: set[str]) -> None:
    # Shows that the two checks above can fail, and pins what each validator catches.
    broken = _broken(defect)
    refused = set()
    try:
        validate_with_openapi_spec_validator(broken)
    except OpenAPIValidationError:
        refused.add("openapi-spec-validator")
    try:
        _validate_with_prance(yaml.safe_dump(broken, allow_unicode=True))
    except (prance.ValidationError, ResolutionError):
        refused.add("prance")
    assert refused == refused_by


# --- the examples --------------------------------------------------------------------------------


def test_every_example_of_the_document_is_found() -> None:
    # A blunt scan by key name against the structural walk: an example the walk does not reach
    # (a new kind of place in the document) would otherwise go unchecked.
    assert set(d.example_keys(DOCUMENT)) <= d.example_holders(DOCUMENT)
    # Every kind of place is represented today, so a walk that silently stopped finding one shows.
    kinds = {
        "media type": "/content/",
        "schema": "/components/schemas/",
        "parameter": "/components/parameters/",
        "header": "/components/headers/",
        "link body": "/links/",
        "callback body": "/callbacks/",
    }
    for kind, marker in kinds.items():
        assert any(marker in site.location for site in SITES), f"no {kind} example found"


@pytest.mark.parametrize("site", SITES, ids=[site.location for site in SITES])
def test_example_satisfies_its_schema(site: d.ExampleSite) -> None:
    validator = d.validator(DOCUMENT, site.schema_location)
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(site.instance)
    ]
    assert not errors, f"{site.location} breaks {site.schema_location}:\n" + "\n".join(errors)


def _failing_sites(document: dict[str, Any]) -> set[str]:
    return {
        site.location
        for site in d.example_sites(document)
        if not d.validator(document, site.schema_location).is_valid(site.instance)
    }


def test_a_wrong_example_is_caught() -> None:
    document = d.load()
    devices = document["paths"]["/devices"]["get"]["responses"]["200"]
    devices["content"]["application/json"]["example"]["data"][0]["created_at"] = "yesterday"
    login = document["paths"]["/login/qr"]["post"]["responses"]["200"]
    login["content"]["application/json"]["example"]["data"]["regId"] = "not digits"
    document["components"]["schemas"]["SendSpeed"]["example"] = 5
    failing = _failing_sites(document)
    # The regId of the QR login flows into every link that starts from it.
    assert {
        "/paths/~1devices/get/responses/200/content/application~1json/example",
        "/paths/~1login~1qr/post/responses/200/content/application~1json/example",
        "/paths/~1login~1qr/post/responses/200/links/Logout/requestBody",
        "/components/schemas/SendSpeed/example",
    } <= failing
    assert not any(site.startswith("/paths/~1login~1phone/") for site in failing)


def test_every_format_used_is_checked() -> None:
    # A format the checker does not know is accepted silently; the example check would lie.
    assert d.formats_used(DOCUMENT) <= set(d.format_checker().checkers)


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"type": "string", "format": "uri"}, "not a uri"),
        ({"type": "string", "format": "uri"}, "https://"),
        ({"type": "string", "format": "date-time"}, "2024-05-29 14:13"),
        ({"type": "integer", "format": "int64"}, 2**63),
        ({"type": "string", "nullable": False}, None),
    ],
)
def test_the_example_validator_rejects_what_it_should(
    schema: dict[str, Any], instance: Any
) -> None:
    doc = {"components": {"schemas": {"S": schema}}}
    assert not d.validator(doc, "/components/schemas/S").is_valid(instance)


def test_link_bodies_are_evaluated_from_the_examples() -> None:
    # `reg_id: $response.body#/data/regId` becomes the login example's regId, not the expression.
    link_sites = [site for site in SITES if "/links/" in site.location]
    assert link_sites
    for site in link_sites:
        assert "$" not in repr(site.instance), site.location
        assert site.instance["reg_id"] in {"3641473184", "578028480"}


def test_every_component_link_and_example_is_used() -> None:
    # Links and named examples are checked where they are used; an unused one is never checked.
    text = yaml.safe_dump(DOCUMENT)
    for kind in ("links", "examples"):
        for name in DOCUMENT["components"].get(kind, {}):
            assert f"#/components/{kind}/{name}" in text, f"components/{kind}/{name} is unused"


# --- the operations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    OPERATIONS,
    ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS],
)
def test_operation_has_snake_case_id_a_declared_tag_and_a_summary(operation: d.Operation) -> None:
    node = operation.node
    assert SNAKE_CASE.match(operation.operation_id), operation.operation_id
    declared = {tag["name"] for tag in DOCUMENT["tags"]}
    assert node.get("tags"), "no tag"
    assert set(node["tags"]) <= declared
    assert isinstance(node.get("summary"), str)
    assert node["summary"].strip()


def test_operation_ids_are_unique() -> None:
    ids = [op.operation_id for op in OPERATIONS]
    assert len(ids) == len(set(ids))


def test_every_request_carries_both_credential_headers() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]
    for operation in d.operations(DOCUMENT):
        node = operation.node
        requirements = node["security"] if "security" in node else DOCUMENT["security"]
        assert len(requirements) == 1, "one requirement: the two headers are ANDed"
        (requirement,) = requirements
        headers = {
            schemes[name]["name"]
            for name in requirement
            if schemes[name]["type"] == "apiKey" and schemes[name]["in"] == "header"
        }
        assert headers == {"client-id", "client-secret"}, operation.operation_id


def _request_schema(operation: d.Operation, media: str) -> Any:
    body = d.deref(DOCUMENT, operation.node["requestBody"])
    return d.resolve_deep(DOCUMENT, body["content"][media]["schema"])


def test_the_send_operations_are_the_ones_that_take_a_report_id() -> None:
    # report_id is what a delivery report carries back: only a send operation may take it.
    with_report_id = {
        op.operation_id
        for op in d.operations(DOCUMENT)
        if "requestBody" in op.node
        and "report_id" in _request_schema(op, "application/json").get("properties", {})
    }
    assert with_report_id == SEND_OPERATIONS


@pytest.mark.parametrize("operation_id", sorted(SEND_OPERATIONS))
def test_send_operation_takes_json_forms_and_multipart_and_declares_the_delivery_report(
    operation_id: str,
) -> None:
    operation = d.operation_by_id(DOCUMENT, operation_id)
    content = d.deref(DOCUMENT, operation.node["requestBody"])["content"]
    assert set(content) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }
    form = _request_schema(operation, "multipart/form-data")
    assert form["properties"]["attachment"]["format"] == "binary"
    assert "attachment" in content["multipart/form-data"]["encoding"]

    callbacks = operation.node["callbacks"]
    assert set(callbacks) == {"deliveryReport"}
    (item,) = d.deref(DOCUMENT, callbacks["deliveryReport"]).values()
    post = item["post"]
    body = d.deref(DOCUMENT, post["requestBody"])
    assert body["required"] is True
    assert set(body["content"]) == {"application/json"}
    assert d.ref_name(body["content"]["application/json"]["schema"]) == "DeliveryReport"
    headers = {d.deref(DOCUMENT, p)["name"]: d.deref(DOCUMENT, p) for p in post["parameters"]}
    assert set(headers) == {"client-id", "client-secret"}
    assert all(h["in"] == "header" and h["required"] for h in headers.values())


def _responses(operation: d.Operation) -> Iterator[tuple[str, Any]]:
    for status, response in operation.node["responses"].items():
        yield str(status), d.deref(DOCUMENT, response)


def _is_error(status: str) -> bool:
    return status[0] in "45"


def test_every_error_response_uses_the_error_envelope() -> None:
    checked = 0
    for operation in d.operations(DOCUMENT):
        assert "default" not in operation.node["responses"], operation.operation_id
        for status, response in _responses(operation):
            if not _is_error(status):
                continue
            content = response.get("content", {})
            assert set(content) == {"application/json"}, f"{operation.operation_id} {status}"
            schema = content["application/json"]["schema"]
            assert d.ref_name(schema) == "ErrorEnvelope", f"{operation.operation_id} {status}"
            example = content["application/json"]["example"]
            assert example["code"] == int(status), f"{operation.operation_id} {status}"
            checked += 1
    assert checked


def test_every_operation_documents_the_errors_every_caller_meets() -> None:
    for operation in d.operations(DOCUMENT):
        statuses = set(operation.node["responses"])
        assert {"200", "401", "429", "500"} <= statuses, operation.operation_id
        if "requestBody" in operation.node:
            assert {"400", "413", "415", "422"} <= statuses, operation.operation_id
            fields = _request_schema(operation, "application/json")["properties"]
            if "reg_id" in fields:
                assert "404" in statuses, f"{operation.operation_id}: an unknown reg_id"


def test_429_carries_retry_after() -> None:
    seen = 0
    for operation in d.operations(DOCUMENT):
        for status, response in _responses(operation):
            if status != "429":
                continue
            header = d.deref(DOCUMENT, response["headers"]["Retry-After"])
            assert header["required"] is True
            assert header["schema"]["type"] == "integer"
            seen += 1
    assert seen == len(list(d.operations(DOCUMENT)))
