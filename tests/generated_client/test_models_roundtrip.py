"""Every example of openapi/vatanwa.yaml parses with the generated client and serialises back.

The examples are read from the YAML: every response of every operation that has one (success
envelopes and error envelopes alike) and the delivery-report callback body. A response example
goes through the operation's own ``_parse_response`` (the code path of ``sync_detailed``, which
picks the model by status code); ``to_dict()`` must then give back the same JSON.

One known difference is allowed: a ``date-time`` field is compared as an instant, because the
generated models re-serialise it with ``datetime.isoformat()``, so the provider's
``2024-05-29T14:13:28.000000Z`` comes back as ``2024-05-29T14:13:28+00:00``.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import attrs
import httpx
import pytest
from vatanwa_client import Client, models

from tests.openapi import document as d

DOCUMENT = d.load()


@dataclass(frozen=True)
class Example:
    """An example body, the schema it belongs to, and where it sits in the YAML."""

    location: str
    schema: Any  # as written in the YAML (usually a `$ref` to a component)
    value: Any
    operation: d.Operation
    status: str = ""


def _media_examples(media: Any, location: str) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield f"{location}/example", media["example"]
    for name, example in media.get("examples", {}).items():
        yield f"{location}{d.pointer('examples', name)}", d.deref(DOCUMENT, example)["value"]


def _response_examples() -> Iterator[Example]:
    for operation in d.operations(DOCUMENT):
        for status, response in operation.node["responses"].items():
            response = d.deref(DOCUMENT, response)
            location = f"{operation.location}{d.pointer('responses', status)}"
            for media_type, media in response.get("content", {}).items():
                media_location = f"{location}{d.pointer('content', media_type)}"
                for where, value in _media_examples(media, media_location):
                    yield Example(where, media["schema"], value, operation, str(status))


def _callback_examples() -> Iterator[Example]:
    for operation in d.operations(DOCUMENT, callbacks=True):
        if operation.callback_of is None:
            continue
        body = d.deref(DOCUMENT, operation.node["requestBody"])
        media = body["content"]["application/json"]
        location = f"{operation.location}/requestBody/content/application~1json"
        for where, value in _media_examples(media, location):
            yield Example(where, media["schema"], value, operation)


RESPONSES = list(_response_examples())
CALLBACKS = list(_callback_examples())


def _as_instants(schema: Any, value: Any) -> Any:
    """``value`` with every string that its schema formats as ``date-time`` parsed."""
    schema = d.deref(DOCUMENT, schema) if isinstance(schema, dict) else {}
    if schema.get("format") == "date-time" and isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    branches = [
        schema,
        *schema.get("allOf", []),
        *schema.get("anyOf", []),
        *schema.get("oneOf", []),
    ]
    branches = [d.deref(DOCUMENT, branch) for branch in branches]
    if isinstance(value, dict):
        properties: dict[str, Any] = {}
        for branch in branches:
            properties.update(branch.get("properties", {}))
        return {key: _as_instants(properties.get(key), item) for key, item in value.items()}
    if isinstance(value, list):
        items = next((branch["items"] for branch in branches if "items" in branch), None)
        return [_as_instants(items, item) for item in value]
    return value


def _leftovers(model: Any, path: str = "") -> Iterator[str]:
    """Keys the model did not map to a declared field (kept in ``additional_properties``).

    ``to_dict()`` writes them back, so a field the model does not know (a renamed property)
    would round-trip unnoticed without this check.
    """
    if isinstance(model, list):
        for index, item in enumerate(model):
            yield from _leftovers(item, f"{path}/{index}")
        return
    if not attrs.has(type(model)):
        return
    for key in getattr(model, "additional_properties", {}):
        yield f"{path}/{key}"
    for field in attrs.fields(type(model)):
        if field.name != "additional_properties":
            yield from _leftovers(getattr(model, field.name), f"{path}/{field.name}")


def _assert_round_trip(example: Example, model: Any) -> None:
    assert type(model).__name__ == d.ref_name(example.schema), (
        f"{example.location}: parsed as {type(model).__name__}"
    )
    assert not list(_leftovers(model)), f"{example.location}: fields the model does not declare"
    # Through JSON text, as a caller would send it on: to_dict() must hold only JSON values.
    serialised = json.loads(json.dumps(model.to_dict(), ensure_ascii=False))
    assert _as_instants(example.schema, serialised) == _as_instants(example.schema, example.value)


def _parse_response(example: Example) -> Any:
    operation = example.operation
    module = importlib.import_module(
        f"vatanwa_client.api.{operation.node['tags'][0]}.{operation.operation_id}"
    )
    response = httpx.Response(
        int(example.status),
        json=example.value,
        request=httpx.Request(operation.method.upper(), f"http://127.0.0.1{operation.path}"),
    )
    client = Client(base_url="http://127.0.0.1", raise_on_unexpected_status=True)
    return module._parse_response(client=client, response=response)


def test_every_json_response_has_an_example() -> None:
    # Otherwise a response would silently drop out of the round trip below.
    for operation in d.operations(DOCUMENT):
        for status, response in operation.node["responses"].items():
            content = d.deref(DOCUMENT, response).get("content", {})
            for media_type, media in content.items():
                assert list(_media_examples(media, "")), (
                    f"{operation.operation_id} {status} {media_type} has no example"
                )


def test_the_examples_cover_every_operation_and_both_envelopes() -> None:
    assert {e.operation.operation_id for e in RESPONSES} == {
        op.operation_id for op in d.operations(DOCUMENT)
    }
    assert {d.ref_name(e.schema) for e in RESPONSES if e.status.startswith(("4", "5"))} == {
        "ErrorEnvelope"
    }
    assert any(e.status == "200" for e in RESPONSES)
    assert CALLBACKS


@pytest.mark.parametrize(
    "example",
    RESPONSES,
    ids=[f"{e.operation.operation_id}-{e.status}" for e in RESPONSES],
)
def test_response_example_round_trips_through_the_generated_client(example: Example) -> None:
    _assert_round_trip(example, _parse_response(example))


@pytest.mark.parametrize("example", CALLBACKS, ids=[e.operation.operation_id for e in CALLBACKS])
def test_delivery_report_example_round_trips_through_the_generated_model(
    example: Example,
) -> None:
    model_class = getattr(models, str(d.ref_name(example.schema)))
    _assert_round_trip(example, model_class.from_dict(example.value))


def test_date_time_comes_back_as_the_same_instant_in_another_spelling() -> None:
    # Pins the one allowed difference, so that it is not hiding a real one.
    (example,) = [
        e for e in RESPONSES if (e.operation.operation_id, e.status) == ("list_devices", "200")
    ]
    written = example.value["data"][0]["created_at"]
    model = _parse_response(example)
    assert isinstance(model.data[0].created_at, datetime.datetime)
    reread = model.to_dict()["data"][0]["created_at"]
    assert written.endswith("Z")
    assert reread != written
    assert datetime.datetime.fromisoformat(reread) == datetime.datetime.fromisoformat(written)


def test_the_round_trip_check_catches_a_field_the_model_does_not_know() -> None:
    (example,) = [e for e in CALLBACKS if e.operation.callback_of == "send_message"]
    renamed = dict(example.value)
    renamed["report_data"] = renamed.pop("callback_data")
    with pytest.raises(KeyError):
        models.DeliveryReport.from_dict(renamed)  # a required field is missing
    extra = {**example.value, "unknown": "1"}
    model = models.DeliveryReport.from_dict(extra)
    assert list(_leftovers(model)) == ["/unknown"]


def test_enums_come_back_as_their_documented_values() -> None:
    for example in RESPONSES:
        dumped = _parse_response(example).to_dict()
        assert not any(isinstance(value, enum.Enum) for value in dumped.values())
        assert dumped["status"] == example.value["status"]
